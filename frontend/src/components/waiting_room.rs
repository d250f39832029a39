//! The calm waiting room: who is coming, notices from the clinician, how
//! long the wait has been, and the room's controls.

use crate::components::clocks::WaitTimer;
use api_types::Role;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct WaitingRoomProps {
    pub role: Role,
    pub clinician_stepped_out: bool,
    pub guests: usize,
    pub reconnecting: bool,
    /// When this person arrived in the room (kept over a reload).
    pub arrived: Option<u64>,
    /// The clinician's "running late" words.
    pub notice: Option<String>,
    pub self_view: Html,
    pub controls: Html,
    pub media_note: Html,
    /// The intake form, for a patient when the clinic asks questions.
    pub intake_form: Html,
    pub device_settings: Html,
}

pub fn waiting_room(props: WaitingRoomProps) -> Html {
    let heading = if props.role == Role::Provider {
        "Waiting for the patient"
    } else {
        "Your clinician will be with you shortly"
    };
    html! {
        <section class="card waiting" data-view="waiting">
            if props.reconnecting { <p class="banner" role="status">{ "Reconnecting…" }</p> }
            <div class="calm" aria-hidden="true"></div>
            <div aria-live="polite">
                <h1>{ heading }</h1>
                if props.clinician_stepped_out { <p class="stepped-out">{ "Your clinician stepped out for a moment. Please stay here; they will be back." }</p> }
                if props.guests > 0 { <p class="guests">{ "An interpreter or relative has joined." }</p> }
                if let Some(text) = &props.notice { <p class="notice">{ text.clone() }</p> }
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
