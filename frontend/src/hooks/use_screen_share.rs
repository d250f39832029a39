//! Sharing our screen in the room: the browser asks which screen, the room
//! sends it, and the browser's own "Stop sharing" ends it for everyone.

use crate::media::{self, Kind};
use crate::video::VideoRoom;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::MediaStream;
use yew::prelude::*;

/// A screen we share, with the handler that hears the browser's own
/// "Stop sharing".
struct SharedScreen {
    stream: MediaStream,
    _on_ended: Closure<dyn FnMut()>,
}

/// The room a page joined, shared by its hooks.
pub type JoinedRoom = Rc<RefCell<Option<VideoRoom>>>;

/// Our screen sharing in `room`.
#[derive(Clone)]
pub struct ScreenShare {
    room: JoinedRoom,
    screen: Rc<RefCell<Option<SharedScreen>>>,
    sharing: UseStateHandle<bool>,
}

impl ScreenShare {
    pub fn is_sharing(&self) -> bool {
        *self.sharing
    }

    /// Stops sharing, if we are: the room stops sending and the capture
    /// ends.
    pub fn stop(&self) {
        self.release();
        self.sharing.set(false);
    }

    /// As [`ScreenShare::stop`], for a page going away (no state to show).
    pub fn release(&self) {
        if let Some(shared) = self.screen.borrow_mut().take() {
            if let Some(room) = &*self.room.borrow() {
                room.stop_screen();
            }
            media::stop(&shared.stream);
        }
    }

    /// Share a screen (the browser asks which), or stop sharing.
    pub fn toggle(&self) -> Callback<MouseEvent> {
        let share = self.clone();
        Callback::from(move |_: MouseEvent| {
            if share.screen.borrow().is_some() {
                return share.stop();
            }
            let share = share.clone();
            yew::platform::spawn_local(async move { share.start().await });
        })
    }

    async fn start(self) {
        let Some(stream) = media::screen().await else {
            return;
        };
        let on_ended = {
            let share = self.clone();
            Closure::<dyn FnMut()>::new(move || share.stop())
        };
        // The browser's own "Stop sharing" ends the video track.
        for track in media::tracks(&stream, Kind::Video) {
            track.set_onended(Some(on_ended.as_ref().unchecked_ref()));
        }
        match &*self.room.borrow() {
            Some(joined) => joined.share_screen(&stream),
            None => return media::stop(&stream),
        }
        *self.screen.borrow_mut() = Some(SharedScreen {
            stream,
            _on_ended: on_ended,
        });
        self.sharing.set(true);
    }
}

/// Screen sharing for the page's `room`.
#[hook]
pub fn use_screen_share(room: &JoinedRoom) -> ScreenShare {
    let screen = use_mut_ref(|| None::<SharedScreen>);
    let sharing = use_state(|| false);
    ScreenShare {
        room: room.clone(),
        screen,
        sharing,
    }
}
