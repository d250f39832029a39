//! This browser's camera, microphone and shared screen in a Twilio room:
//! published as the SDK's own local tracks, so Mute and Camera off go
//! through the SDK and reach the clone it publishes.

use super::{error_of, TwilioRoom};
use crate::bindings::{self, Participant, Track, TwilioVideo};
use crate::media::{self, Kind, Switches};
use crate::video::join_error::JoinError;
use crate::video::{MediaFailure, RoomEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::MediaStream;

impl TwilioRoom {
    /// Stops our camera and microphone and every copy the SDK made of them
    /// (the SDK does not stop tracks it was given).
    pub(super) fn stop_media(&self) {
        self.stop_published_copies();
        for track in &self.inner.borrow().media {
            track.stop();
        }
    }
    pub(super) fn stop_published_copies(&self) {
        for track in &self.inner.borrow().media {
            for copy in bindings::published_copies(track) {
                copy.stop();
            }
        }
    }
    /// Mutes or unmutes, or turns the camera off or on, through the SDK, so
    /// the copy it publishes changes too.
    pub fn set_enabled(&self, kind: Kind, on: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.switches.set(kind, on);
        for track in inner.media.iter().filter(|t| t.kind() == kind.as_str()) {
            track.enable(on);
        }
        // Before the SDK has them, the tracks themselves carry the choice.
        if inner.media.is_empty() {
            media::set_enabled(&inner.local, kind, on);
        }
    }
    /// Publishes `stream` (a new camera or microphone) in place of the
    /// current one, starting muted or dark as the person chose.
    pub fn use_media(&self, stream: MediaStream) {
        let (room, old, switches) = {
            let inner = self.inner.borrow();
            if inner.local == stream {
                return;
            }
            (inner.room.clone(), inner.media.clone(), inner.switches)
        };
        let (Some(room), Some(video)) = (room, bindings::twilio_video()) else {
            return;
        };
        let Ok(fresh) = wrap_media(&video, &stream, switches) else {
            self.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
            return;
        };
        let me = room.local_participant();
        for track in &old {
            let _ = me.unpublish_track(track);
            for copy in bindings::published_copies(track) {
                copy.stop();
            }
        }
        {
            let mut inner = self.inner.borrow_mut();
            inner.local = stream;
            inner.media = fresh.clone();
        }
        for track in fresh {
            self.publish(&me, &track);
        }
    }

    /// Publishes `track`; the person hears if it cannot be sent.
    fn publish(&self, me: &Participant, track: &Track) {
        let Ok(published) = me.publish_track(track) else {
            return self.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
        };
        let this = self.clone();
        yew::platform::spawn_local(async move {
            if JsFuture::from(published).await.is_err() {
                this.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
            }
        });
    }

    /// Publishes the screen as a video track named [`SCREEN`], which the
    /// others' browsers show apart from the camera.
    pub fn share_screen(&self, screen: &MediaStream) {
        let room = self.inner.borrow().room.clone();
        let (Some(room), Some(video)) = (room, bindings::twilio_video()) else {
            return;
        };
        let Some(track) = media::tracks(screen, Kind::Video).into_iter().next() else {
            return;
        };
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"name".into(), &SCREEN.into());
        let class = video.local_video_track_class();
        let Ok(local) = js_sys::Reflect::construct(&class, &js_sys::Array::of2(&track, &options))
        else {
            return self.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
        };
        let local: Track = local.unchecked_into();
        self.inner.borrow_mut().screen = Some(local.clone());
        self.publish(&room.local_participant(), &local);
    }

    /// Unpublishes the screen, so everyone's view of it goes at once.
    pub fn stop_screen(&self) {
        let (room, screen) = {
            let mut inner = self.inner.borrow_mut();
            (inner.room.clone(), inner.screen.take())
        };
        let Some(screen) = screen else {
            return;
        };
        if let Some(room) = room {
            let _ = room.local_participant().unpublish_track(&screen);
        }
        for copy in bindings::published_copies(&screen) {
            copy.stop();
        }
        screen.stop();
    }
}

/// The name of a shared screen's track.
pub(super) const SCREEN: &str = "screen";

/// The SDK's `LocalAudioTrack` / `LocalVideoTrack` for each of `stream`'s
/// tracks, each first set as `switches` say (the SDK copies that state
/// when it publishes).
pub(super) fn wrap_media(
    video: &TwilioVideo,
    stream: &MediaStream,
    switches: Switches,
) -> Result<Vec<Track>, JoinError> {
    let mut wrapped = Vec::new();
    for kind in [Kind::Audio, Kind::Video] {
        let class = match kind {
            Kind::Audio => video.local_audio_track_class(),
            Kind::Video => video.local_video_track_class(),
        };
        for track in media::tracks(stream, kind) {
            track.set_enabled(switches.get(kind));
            let local = js_sys::Reflect::construct(&class, &js_sys::Array::of1(&track))
                .map_err(|e| error_of(&e))?;
            wrapped.push(local.unchecked_into());
        }
    }
    Ok(wrapped)
}
