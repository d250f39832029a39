//! The call: everyone else's video with a caption that always shows their
//! role, the intake answers for the clinician, the chat and the room's
//! controls.

use crate::bindings;
use crate::components::chat::{Chat, ShownLine};
use crate::components::clocks::CallClock;
use crate::components::intake::{intake_panel, PanelProps};
use crate::components::stream_video::StreamVideo;
use crate::hooks::use_video_room::{ChatLog, Remotes};
use crate::i18n::Locale;
use crate::media;
use crate::messages::{self, caption, participant_label};
use crate::video::quality::{MAX_BARS, WEAK_AT_MOST};
use crate::video::{IntakeAnswer, Notice};
use crate::visit::machine::Remote;
use api_types::Role;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct InCallProps<'a> {
    pub t: Rc<Locale>,
    pub role: Role,
    pub reconnecting: bool,
    pub people: &'a BTreeMap<String, Remote>,
    pub remotes: &'a Remotes,
    pub speaker: &'a Option<String>,
    /// For a clinician: what the service said about the visit.
    pub notice: Option<&'a Notice>,
    pub intake: Option<&'a Vec<IntakeAnswer>>,
    /// When this person joined, for the clinician's visit clock.
    pub joined_since: Option<u64>,
    /// For a clinician: the patient's name from their own list.
    pub patient_name: Option<&'a String>,
    /// Whether we share our screen.
    pub sharing: bool,
    /// Our own connection, 0 to 5 bars, once measured.
    pub own_quality: Option<u8>,
    pub chat: &'a ChatLog,
    pub onsay: Callback<String>,
    pub self_view: Html,
    pub controls: Html,
    pub media_note: Html,
    pub device_settings: Html,
}

pub fn in_call(props: InCallProps<'_>) -> Html {
    let t = &*props.t;
    // The clinician's own record of the patient's name comes first.
    let name_of = |identity: &String, role: Role| match (role, props.patient_name) {
        (Role::Patient, Some(saved)) => Some(saved),
        _ => props.remotes.names.get(identity),
    };
    let chat_lines = props
        .chat
        .lines
        .iter()
        .filter_map(|line| {
            let who = match &line.from {
                None => t.t("chat.you").to_owned(),
                Some(identity) => {
                    let role = Role::from_identity(identity)?;
                    caption(t, name_of(identity, role), role)
                }
            };
            Some(ShownLine {
                who,
                mine: line.from.is_none(),
                text: line.text.clone(),
            })
        })
        .collect::<Vec<_>>();
    html! {
        <section class="call" data-view="call">
            if props.role == Role::Provider {
                if let Some(since) = props.joined_since { <CallClock {since} /> }
            }
            if props.reconnecting { <p class="banner" role="status">{ t.html("waiting.reconnecting") }</p> }
            if props.own_quality.is_some_and(|bars| bars <= WEAK_AT_MOST) {
                <p class="banner weak" role="status">{ t.html("call.weak") }</p>
            }
            if props.sharing { <p class="banner sharing" role="status">{ t.html("call.sharing") }</p> }
            // A shared screen is shown large, above everyone's camera.
            { for props.people.iter().filter_map(|(identity, remote)| {
                let screen = props.remotes.screens.get(identity)?;
                let whose = caption(t, name_of(identity, remote.role), remote.role);
                Some(html! {
                    <figure class="screen" key={format!("screen-{identity}")} data-role={remote.role.as_str()}>
                        <StreamVideo stream={Some(media::handle(screen))} class="screen-video" muted=true label={t.t("call.shared_screen").to_owned()} />
                        <figcaption>{ t.fill("call.is_sharing", &[("name", &whose)]) }</figcaption>
                    </figure>
                })
            }) }
            <div class="remotes">
                { for props.people.iter().map(|(identity, remote)| html! {
                    <figure class="remote" key={identity.clone()} data-role={remote.role.as_str()}>
                        <StreamVideo stream={props.remotes.streams.get(identity).cloned()} class="remote-video" muted=false label={participant_label(t, remote.role).to_owned()} speaker={props.speaker.clone()} />
                        <figcaption>{ caption(t, name_of(identity, remote.role), remote.role) }</figcaption>
                        if let Some(bars) = props.remotes.quality.get(identity) { { quality_bars(t, *bars) } }
                        { view_buttons(t) }
                        if remote.reconnecting { <p class="banner">{ t.html("waiting.reconnecting") }</p> }
                    </figure>
                }) }
            </div>
            if props.role == Role::Provider {
                if let Some(notice) = props.notice { <p class="notice" role="alert">{ messages::notice(t, notice) }</p> }
            }
            if let Some(answers) = props.intake {
                { intake_panel(PanelProps { t, answers: answers.clone() }) }
            }
            { props.media_note.clone() }
            { props.self_view.clone() }
            <Chat lines={chat_lines} received={props.chat.received} onsend={props.onsay} />
            { props.controls.clone() }
            { props.device_settings.clone() }
        </section>
    }
}

/// 0 to 5 bars, as a picture with its words for screen readers.
fn quality_bars(t: &Locale, bars: u8) -> Html {
    let label = t.fill(
        "call.bars",
        &[("bars", &bars.to_string()), ("max", &MAX_BARS.to_string())],
    );
    html! {
        <span class="bars" role="img" aria-label={label}>
            { for (1..=MAX_BARS).map(|bar| html! { <span class={classes!("bar", (bar <= bars).then_some("on"))}></span> }) }
        </span>
    }
}

/// Full screen and picture-in-picture for the picture they sit on, where
/// the browser offers them.
fn view_buttons(t: &Locale) -> Html {
    let document = web_sys::window().and_then(|w| w.document());
    let fullscreen = document
        .as_ref()
        .is_some_and(web_sys::Document::fullscreen_enabled);
    let pip = bindings::picture_in_picture_enabled();
    // Each acts on the figure the pressed button belongs to.
    let figure_of = |event: &MouseEvent| {
        event
            .target_dyn_into::<web_sys::Element>()
            .and_then(|button| button.closest("figure").ok().flatten())
    };
    let full = Callback::from(move |event: MouseEvent| {
        if let Some(figure) = figure_of(&event) {
            let _ = figure.request_fullscreen();
        }
    });
    let float = Callback::from(move |event: MouseEvent| {
        let video = figure_of(&event).and_then(|f| f.query_selector("video").ok().flatten());
        if let Some(video) = video {
            bindings::picture_in_picture(&video);
        }
    });
    html! {
        <div class="view-buttons">
            if fullscreen { <button class="secondary full-screen" onclick={full}>{ t.html("call.full_screen") }</button> }
            if pip { <button class="secondary float" onclick={float}>{ t.html("call.picture_in_picture") }</button> }
        </div>
    }
}
