//! The calm waiting room: who is coming, notices from the clinician, how
//! long the wait has been, and the room's controls.

use crate::components::clocks::WaitTimer;
use crate::i18n::Locale;
use crate::messages;
use crate::video::Notice;
use api_types::Role;
use std::rc::Rc;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct WaitingRoomProps {
    pub t: Rc<Locale>,
    pub role: Role,
    pub clinician_stepped_out: bool,
    pub guests: usize,
    pub reconnecting: bool,
    /// When this person arrived in the room (kept over a reload).
    pub arrived: Option<u64>,
    /// The clinician's "running late".
    pub notice: Option<Notice>,
    pub self_view: Html,
    pub controls: Html,
    pub media_note: Html,
    /// The intake form, for a patient when the clinic asks questions.
    pub intake_form: Html,
    pub device_settings: Html,
}

pub fn waiting_room(props: WaitingRoomProps) -> Html {
    let t = &props.t;
    let heading = t.t(if props.role == Role::Provider {
        "waiting.title_clinician"
    } else {
        "waiting.title"
    });
    html! {
        <section class="card waiting" data-view="waiting">
            if props.reconnecting { <p class="banner" role="status">{ t.html("waiting.reconnecting") }</p> }
            <div class="calm" aria-hidden="true"></div>
            <div aria-live="polite">
                <h1>{ heading }</h1>
                if props.clinician_stepped_out { <p class="stepped-out">{ t.html("waiting.stepped_out") }</p> }
                if props.guests > 0 { <p class="guests">{ t.html("waiting.guest_joined") }</p> }
                if let Some(notice) = &props.notice { <p class="notice">{ messages::notice(t, notice) }</p> }
            </div>
            // After a clinician steps out, the new wait counts from now.
            <WaitTimer since={props.arrived.filter(|_| !props.clinician_stepped_out)} />
            { props.self_view.clone() }
            { props.controls.clone() }
            { props.media_note.clone() }
            { props.intake_form.clone() }
            { props.device_settings.clone() }
        </section>
    }
}
