//! A visit, whatever the video backend: the waiting-room rules.

pub mod machine;
