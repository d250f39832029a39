//! A visit once its token is in hand: pre-join check, waiting room, call and
//! end screen, chosen by the waiting-room machine from the room's events.

use crate::context::use_session;
use crate::media::{self, MediaError};
use crate::video::local::LocalRoom;
use crate::video::{clean_name, RoomEvent};
use crate::visit::machine::{EndReason, Input, View, VisitState};
use api_types::{Role, TokenResponse};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use web_sys::{HtmlVideoElement, MediaStream};
use yew::prelude::*;

/// Leaves the room, if joined, and stops the camera and microphone.
fn release(room: &std::cell::RefCell<Option<LocalRoom>>, local: Option<&MediaStream>) {
    if let Some(room) = room.borrow_mut().take() {
        room.leave();
    }
    if let Some(stream) = local {
        media::stop(stream);
    }
}

/// The machine as a Yew reducer.
#[derive(Debug, Clone, PartialEq)]
struct Machine(VisitState);

impl Reducible for Machine {
    type Action = Input;

    fn reduce(self: Rc<Self>, input: Input) -> Rc<Self> {
        let mut state = self.0.clone();
        state.apply(input);
        Rc::new(Machine(state))
    }
}

/// Remote media and names by identity. A reducer, so events from the room
/// always update the latest maps (a state handle captured at Join would not).
#[derive(Debug, Clone, Default, PartialEq)]
struct Remotes {
    streams: BTreeMap<String, MediaStream>,
    names: BTreeMap<String, String>,
}

enum RemoteUpdate {
    Stream(String, MediaStream),
    Name(String, String),
}

impl Reducible for Remotes {
    type Action = RemoteUpdate;

    fn reduce(self: Rc<Self>, update: RemoteUpdate) -> Rc<Self> {
        let mut remotes = (*self).clone();
        match update {
            RemoteUpdate::Stream(identity, stream) => {
                remotes.streams.insert(identity, stream);
            }
            RemoteUpdate::Name(identity, name) => {
                remotes.names.insert(identity, name);
            }
        }
        Rc::new(remotes)
    }
}

/// Remembers, for this tab, that the person had joined this room, so a
/// reload takes them straight back in instead of through the check again.
mod rejoin {
    fn key(room: &str) -> String {
        format!("hearth.joined.{room}")
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    pub fn remember(room: &str, joined: bool) {
        if let Some(storage) = storage() {
            let _ = if joined {
                storage.set_item(&key(room), "1")
            } else {
                storage.remove_item(&key(room))
            };
        }
    }

    pub fn was_joined(room: &str) -> bool {
        storage()
            .and_then(|s| s.get_item(&key(room)).ok().flatten())
            .is_some()
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub token: TokenResponse,
}

#[component]
pub fn Visit(props: &Props) -> Html {
    let session = use_session();
    let role = props.token.role;
    let machine = use_reducer(|| Machine(VisitState::new(role)));
    let local = use_state(|| None::<MediaStream>);
    let media_error = use_state(|| None::<MediaError>);
    let remotes = use_reducer(Remotes::default);
    let name_input = use_node_ref();
    let room = use_mut_ref(|| None::<LocalRoom>);
    let audio_on = use_state(|| true);
    let video_on = use_state(|| true);

    // Ask for the camera and microphone once, for the preview and the call.
    {
        let (local, media_error) = (local.clone(), media_error.clone());
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                match media::local_stream(true, true).await {
                    Ok(stream) => local.set(Some(stream)),
                    Err(err) => media_error.set(Some(err)),
                }
            });
        });
    }

    let join = {
        let (machine, local, room, remotes) = (
            machine.clone(),
            local.clone(),
            room.clone(),
            remotes.clone(),
        );
        let (token, api, name_input) =
            (props.token.clone(), session.api.clone(), name_input.clone());
        // A clinician shows their account's name; others choose one here.
        let account_name = session
            .clinician
            .as_ref()
            .map(|c| c.clinician.display_name.clone());
        Callback::from(move |_: ()| {
            let Some(stream) = (*local).clone() else {
                return;
            };
            if room.borrow().is_some() {
                return;
            }
            machine.dispatch(Input::LocalJoin);
            rejoin::remember(&token.room, true);
            let on_event = {
                let (machine, remotes) = (machine.clone(), remotes.clone());
                Callback::from(move |event: RoomEvent| match event {
                    RoomEvent::Input(input) => machine.dispatch(input),
                    RoomEvent::RemoteStream { identity, stream } => {
                        remotes.dispatch(RemoteUpdate::Stream(identity, stream))
                    }
                    RoomEvent::RemoteName { identity, name } => {
                        remotes.dispatch(RemoteUpdate::Name(identity, name))
                    }
                })
            };
            let chosen = clean_name(&crate::pages::input_value(&name_input));
            let name = match token.role {
                Role::Provider => account_name.clone(),
                _ => chosen,
            }
            .unwrap_or_else(|| participant_label(token.role).to_owned());
            *room.borrow_mut() = Some(LocalRoom::connect(
                api.signalling_url(),
                &token,
                name,
                stream,
                on_event,
            ));
        })
    };

    // After a reload, someone who had joined goes straight back in.
    {
        let (join, room_name) = (join.clone(), props.token.room.clone());
        let ready = local.is_some();
        use_effect_with(ready, move |ready| {
            if *ready && rejoin::was_joined(&room_name) {
                join.emit(());
            }
        });
    }

    let leave = {
        let (machine, local, room, room_name) = (
            machine.clone(),
            local.clone(),
            room.clone(),
            props.token.room.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            release(&room, local.as_ref());
            rejoin::remember(&room_name, false);
            machine.dispatch(Input::LocalLeave);
        })
    };

    // Leaving the page leaves the room and turns the camera off.
    {
        let (room, local) = (room.clone(), local.clone());
        use_effect_with((), move |_| move || release(&room, local.as_ref()));
    }
    // However the visit ends, the room is released and the camera turned off.
    let view = machine.0.view();
    {
        let (room, local) = (room.clone(), local.clone());
        let ended = matches!(view, View::Ended(_));
        use_effect_with(ended, move |ended| {
            if *ended {
                release(&room, local.as_ref());
            }
        });
    }

    let toggle = |state: &UseStateHandle<bool>, kind: &'static str| {
        let (state, local) = (state.clone(), local.clone());
        Callback::from(move |_: MouseEvent| {
            let on = !*state;
            if let Some(stream) = &*local {
                media::set_enabled(stream, kind, on);
            }
            state.set(on);
        })
    };
    let controls = html! {
        <div class="controls" role="group" aria-label="Call controls">
            <button onclick={toggle(&audio_on, "audio")} aria-pressed={(!*audio_on).to_string()}>
                { if *audio_on { "Mute" } else { "Unmute" } }
            </button>
            <button onclick={toggle(&video_on, "video")} aria-pressed={(!*video_on).to_string()}>
                { if *video_on { "Camera off" } else { "Camera on" } }
            </button>
            <button class="leave" onclick={leave.clone()}>{ "Leave" }</button>
        </div>
    };
    let self_view = html! { <StreamVideo stream={(*local).clone()} class="self-view" muted=true label="Your camera" /> };

    let body = match view {
        View::PreJoin => {
            let onclick = {
                let join = join.clone();
                Callback::from(move |_: MouseEvent| join.emit(()))
            };
            html! {
                <section class="card" data-view="prejoin">
                    <h1>{ "Check your camera and microphone" }</h1>
                    { self_view }
                    if let Some(err) = *media_error {
                        <p role="alert" class="error">{ err.message() }</p>
                    }
                    if role != Role::Provider {
                        <label for="display-name">{ "Your name, as shown to others in this visit (optional)" }</label>
                        <input id="display-name" ref={name_input.clone()} maxlength="60" autocomplete="name" />
                    }
                    <p>{ "When you join, you wait in a quiet waiting room until your clinician arrives." }</p>
                    <button onclick={onclick} disabled={local.is_none()}>{ "Join visit" }</button>
                </section>
            }
        }
        View::Joining => html! {
            <section class="card" data-view="joining" aria-busy="true"><p>{ "Connecting…" }</p></section>
        },
        View::WaitingRoom {
            clinician_stepped_out,
            guests,
            reconnecting,
        } => html! {
            <section class="card waiting" data-view="waiting">
                if reconnecting { <p class="banner" role="status">{ "Reconnecting…" }</p> }
                <div class="calm" aria-hidden="true"></div>
                <div aria-live="polite">
                    <h1>{ if role == Role::Provider { "Waiting for the patient" } else { "Your clinician will be with you shortly" } }</h1>
                    if clinician_stepped_out { <p class="stepped-out">{ "Your clinician stepped out for a moment. Please stay here; they will be back." }</p> }
                    if guests > 0 { <p class="guests">{ "An interpreter or relative has joined." }</p> }
                </div>
                <WaitTimer />
                { self_view }
                { controls }
            </section>
        },
        View::InCall { reconnecting } => html! {
            <section class="call" data-view="call">
                if reconnecting { <p class="banner" role="status">{ "Reconnecting…" }</p> }
                <div class="remotes">
                    { for machine.0.remotes().iter().map(|(identity, remote)| html! {
                        <figure class="remote" key={identity.clone()} data-role={remote.role.as_str()}>
                            <StreamVideo stream={remotes.streams.get(identity).cloned()} class="remote-video" muted=false label={participant_label(remote.role)} />
                            <figcaption>{ remotes.names.get(identity).cloned().unwrap_or_else(|| participant_label(remote.role).to_owned()) }</figcaption>
                            if remote.reconnecting { <p class="banner">{ "Reconnecting…" }</p> }
                        </figure>
                    }) }
                </div>
                { self_view }
                { controls }
            </section>
        },
        View::Ended(reason) => html! {
            <section class="card" data-view="ended" role="status">
                <h1>{ "Your visit has ended" }</h1>
                <p>{ end_message(reason) }</p>
            </section>
        },
    };
    html! { <main class="page visit">{ body }</main> }
}

fn participant_label(role: Role) -> &'static str {
    match role {
        Role::Provider => "Clinician",
        Role::Patient => "Patient",
        Role::Guest => "Guest",
    }
}

fn end_message(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Left => "You left the visit. You can close this page.",
        EndReason::ClinicianEnded => "Your clinician ended the visit. You can close this page.",
        EndReason::JoinedElsewhere => {
            "You joined from another tab or device, so this one was disconnected."
        }
        EndReason::TokenExpired => {
            "Your visit link has expired. Please ask your clinic for a new one."
        }
        EndReason::ConnectionLost => {
            "We lost the connection and could not get it back. Please reload the page to rejoin."
        }
    }
}

#[derive(Properties, PartialEq)]
struct StreamVideoProps {
    stream: Option<MediaStream>,
    class: &'static str,
    muted: bool,
    label: &'static str,
}

/// A `<video>` showing a live stream.
#[component]
fn StreamVideo(props: &StreamVideoProps) -> Html {
    let video = use_node_ref();
    {
        let video = video.clone();
        use_effect_with(props.stream.clone(), move |stream| {
            if let Some(element) = video.cast::<HtmlVideoElement>() {
                element.set_src_object(stream.as_ref());
            }
        });
    }
    html! {
        <video ref={video} class={props.class} autoplay=true playsinline=true muted={props.muted} aria-label={props.label} />
    }
}

/// "Waiting for 2 min", counting from when it first shows.
#[component]
fn WaitTimer() -> Html {
    let seconds = use_state(|| 0u64);
    {
        let seconds = seconds.clone();
        use_effect_with((), move |_| {
            let cancelled = Rc::new(Cell::new(false));
            let stop = cancelled.clone();
            yew::platform::spawn_local(async move {
                let mut waited = 0;
                while !cancelled.get() {
                    yew::platform::time::sleep(Duration::from_secs(1)).await;
                    waited += 1;
                    seconds.set(waited);
                }
            });
            move || stop.set(true)
        });
    }
    let minutes = *seconds / 60;
    let text = if minutes == 0 {
        "You have been waiting less than a minute.".to_owned()
    } else {
        format!("You have been waiting {minutes} min.")
    };
    html! { <p class="wait-timer">{ text }</p> }
}
