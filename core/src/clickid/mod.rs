//! Click-id capture (issue 4).
