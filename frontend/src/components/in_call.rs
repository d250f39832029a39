//! The call: everyone else's video with a caption that always shows their
//! role, the intake answers for the clinician, and the room's controls.

use crate::components::intake::{intake_panel, PanelProps};
use crate::components::stream_video::StreamVideo;
use crate::hooks::use_video_room::Remotes;
use crate::messages::{caption, participant_label};
use crate::video::IntakeAnswer;
use crate::visit::machine::Remote;
use api_types::Role;
use std::collections::BTreeMap;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct InCallProps<'a> {
    pub role: Role,
    pub reconnecting: bool,
    pub people: &'a BTreeMap<String, Remote>,
    pub remotes: &'a Remotes,
    pub speaker: &'a Option<String>,
    /// For a clinician: what the service said about the visit.
    pub notice: Option<&'a String>,
    pub intake: Option<&'a Vec<IntakeAnswer>>,
    pub self_view: Html,
    pub controls: Html,
    pub media_note: Html,
    pub device_settings: Html,
}

pub fn in_call(props: InCallProps<'_>) -> Html {
    html! {
        <section class="call" data-view="call">
            if props.reconnecting { <p class="banner" role="status">{ "Reconnecting…" }</p> }
            <div class="remotes">
                { for props.people.iter().map(|(identity, remote)| html! {
                    <figure class="remote" key={identity.clone()} data-role={remote.role.as_str()}>
                        <StreamVideo stream={props.remotes.streams.get(identity).cloned()} class="remote-video" muted=false label={participant_label(remote.role)} speaker={props.speaker.clone()} />
                        <figcaption>{ caption(props.remotes.names.get(identity), remote.role) }</figcaption>
                        if remote.reconnecting { <p class="banner">{ "Reconnecting…" }</p> }
                    </figure>
                }) }
            </div>
            if props.role == Role::Provider {
                if let Some(text) = props.notice { <p class="notice" role="alert">{ text.clone() }</p> }
            }
            if let Some(answers) = props.intake {
                { intake_panel(PanelProps { answers: answers.clone() }) }
            }
            { props.media_note.clone() }
            { props.self_view.clone() }
            { props.controls.clone() }
            { props.device_settings.clone() }
        </section>
    }
}
