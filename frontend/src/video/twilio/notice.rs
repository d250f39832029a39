//! The dashboard's "running late" notice in Twilio mode: a data-only
//! participant that says it to the waiting patient and leaves.

use super::TwilioRoom;
use crate::video::{PeerMessage, RoomEvent};
use api_types::LateNotice;
use std::rc::Rc;
use std::time::Duration;
use web_sys::MediaStream;
use yew::Callback;

/// How long the notice participant waits for the patient's browser.
const NOTICE_WAIT: Duration = Duration::from_secs(10);

/// Joins as the data-only notice participant `token` admits, says `notice`
/// to the waiting patient, and leaves once their browser confirms (true) or
/// after [`NOTICE_WAIT`] (false).
pub async fn deliver_notice(
    token: &api_types::TokenResponse,
    emulator: Option<String>,
    notice: LateNotice,
) -> bool {
    let Ok(no_media) = MediaStream::new() else {
        return false;
    };
    let seen = Rc::new(std::cell::Cell::new(false));
    let on_event = {
        let seen = seen.clone();
        Callback::from(move |event| {
            if event == RoomEvent::NoticeSeen {
                seen.set(true);
            }
        })
    };
    let room = TwilioRoom::connect(token, emulator, "Clinic".to_owned(), no_media, on_event);
    room.say_to_all(PeerMessage::Notice(notice));
    let step = Duration::from_millis(200);
    let mut waited = Duration::ZERO;
    while !seen.get() && waited < NOTICE_WAIT {
        yew::platform::time::sleep(step).await;
        waited += step;
    }
    room.leave();
    seen.get()
}
