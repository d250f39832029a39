//! Hooks that own a browser resource for as long as a page needs it.

pub mod use_local_media;

pub use use_local_media::{use_local_media, LocalMedia};
