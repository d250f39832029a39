//! Hooks that own a browser resource for as long as a page needs it.

pub mod use_clock;
pub mod use_live_status;
pub mod use_local_media;
pub mod use_locale;
pub mod use_screen_share;
pub mod use_shortcuts;
pub mod use_video_room;

pub use use_clock::use_now_seconds;
pub use use_live_status::use_live_status;
pub use use_local_media::{use_local_media, LocalMedia};
pub use use_locale::use_locale;
pub use use_shortcuts::use_shortcuts;
pub use use_video_room::{use_video_room, JoinChoice, JoinWith};
