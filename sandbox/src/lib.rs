//! impact.com API emulator (see issue 3).
