//! The retrying client (wired in when the core client lands).
