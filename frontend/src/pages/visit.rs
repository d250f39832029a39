//! A visit once its token is in hand: pre-join check, waiting room, call and
//! end screen, chosen by the waiting-room machine from the room's events.

use crate::components::intake::{IntakeForm, IntakePanel};
use crate::components::setup::{DevicePicker, MicLevel, TestSound};
use crate::context::use_session;
use crate::hooks::{use_local_media, LocalMedia};
use crate::media::{self, DeviceChoice, Devices, Kind, MediaError};
use crate::route::Route;
use crate::services::timers::every;
use crate::video::join_error::JoinError;
use crate::video::{self, clean_name, IntakeAnswer, MediaFailure, RoomEvent, VideoRoom};
use crate::visit::machine::{EndReason, Input, View, VisitState};
use api_types::{Role, TokenResponse};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;
use web_sys::{HtmlVideoElement, MediaStream};
use yew::prelude::*;
use yew_router::prelude::Link;

/// Leaves the room, if joined, and stops the camera and microphone.
fn release(room: &std::cell::RefCell<Option<VideoRoom>>, local: &LocalMedia) {
    if let Some(room) = room.borrow_mut().take() {
        room.leave();
    }
    local.stop();
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

/// How the person chose to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinWith {
    CameraAndMicrophone,
    CameraOff,
    AudioOnly,
}

impl JoinWith {
    const ALL: [(JoinWith, &'static str, &'static str); 3] = [
        (
            JoinWith::CameraAndMicrophone,
            "full",
            "Camera and microphone",
        ),
        (
            JoinWith::CameraOff,
            "camera-off",
            "Camera off (you can turn it on later)",
        ),
        (JoinWith::AudioOnly, "audio-only", "Audio only"),
    ];
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub token: TokenResponse,
    /// Starts this visit again, from a fresh token, after it ended here.
    pub onrejoin: Callback<()>,
}

#[component]
pub fn Visit(props: &Props) -> Html {
    let session = use_session();
    let role = props.token.role;
    let machine = use_reducer(|| Machine(VisitState::new(role)));
    let choice = use_state(DeviceChoice::default);
    let local = use_local_media((*choice).clone());
    let remotes = use_reducer(Remotes::default);
    let name_input = use_node_ref();
    let room = use_mut_ref(|| None::<VideoRoom>);
    let audio_on = use_state(|| true);
    let video_on = use_state(|| true);
    let devices = use_state(Devices::default);
    let speaker = use_state(|| None::<String>);
    let join_with = use_state(|| JoinWith::CameraAndMicrophone);
    let join_error = use_state(|| None::<JoinError>);
    let unsupported = use_state(|| None::<JoinError>);
    let notice = use_state(|| None::<String>);
    let intake = use_state(|| None::<Vec<IntakeAnswer>>);
    let media_failure = use_state(|| None::<MediaFailure>);

    // Can this browser join at all? (For Twilio this loads the SDK.)
    {
        let (unsupported, backend) = (unsupported.clone(), props.token.backend);
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                unsupported.set(video::supported(backend).await.err());
            });
        });
    }

    // Devices get their names once the browser has granted a capture.
    {
        let devices = devices.clone();
        use_effect_with(local.stream.is_some(), move |granted| {
            if *granted {
                yew::platform::spawn_local(async move { devices.set(media::devices().await) });
            }
        });
    }

    // A new capture (the person changed device) goes to the room at once.
    {
        let room = room.clone();
        use_effect_with(local.stream.clone(), move |stream| {
            if let (Some(room), Some(stream)) = (&*room.borrow(), stream) {
                room.use_media(media::handle(stream));
            }
        });
    }

    let join = {
        let (machine, local, room, remotes) = (
            machine.clone(),
            local.clone(),
            room.clone(),
            remotes.clone(),
        );
        let (join_with, join_error, audio_on, video_on, notice, intake, media_failure) = (
            join_with.clone(),
            join_error.clone(),
            audio_on.clone(),
            video_on.clone(),
            notice.clone(),
            intake.clone(),
            media_failure.clone(),
        );
        let (token, api, name_input) =
            (props.token.clone(), session.api.clone(), name_input.clone());
        // A clinician shows their account's name; others choose one here.
        let account_name = session
            .clinician
            .as_ref()
            .map(|c| c.clinician.display_name.clone());
        Callback::from(move |_: ()| {
            let Some(stream) = local.stream.clone() else {
                return;
            };
            if room.borrow().is_some() {
                return;
            }
            if *join_with == JoinWith::AudioOnly {
                media::drop_video(&stream);
            }
            join_error.set(None);
            media_failure.set(None);
            machine.dispatch(Input::LocalJoin);
            rejoin::remember(&token.room, true);
            let on_event = {
                let (machine, remotes, room, join_error, notice, intake, media_failure) = (
                    machine.clone(),
                    remotes.clone(),
                    room.clone(),
                    join_error.clone(),
                    notice.clone(),
                    intake.clone(),
                    media_failure.clone(),
                );
                let room_name = token.room.clone();
                Callback::from(move |event: RoomEvent| match event {
                    RoomEvent::Input(input) => machine.dispatch(input),
                    RoomEvent::Notice(text) => notice.set(Some(text)),
                    RoomEvent::Intake(answers) => intake.set(Some(answers)),
                    RoomEvent::NoticeSeen => {}
                    RoomEvent::MediaFailed(failure) => media_failure.set(Some(failure)),
                    RoomEvent::JoinFailed(err) => {
                        room.borrow_mut().take();
                        rejoin::remember(&room_name, false);
                        join_error.set(Some(err));
                        machine.dispatch(Input::LocalJoinFailed);
                    }
                    RoomEvent::RemoteStream { identity, stream } => {
                        remotes.dispatch(RemoteUpdate::Stream(identity, stream))
                    }
                    RoomEvent::RemoteName { identity, name } => {
                        remotes.dispatch(RemoteUpdate::Name(identity, name))
                    }
                })
            };
            let chosen = clean_name(&crate::components::input_value(&name_input));
            let name = match token.role {
                Role::Provider => account_name.clone(),
                _ => chosen,
            }
            .unwrap_or_else(|| participant_label(token.role).to_owned());
            let joined = VideoRoom::connect(api.signalling_url(), &token, name, stream, on_event);
            let camera_on = *join_with != JoinWith::CameraOff;
            joined.set_enabled(Kind::Audio, true);
            joined.set_enabled(Kind::Video, camera_on);
            audio_on.set(true);
            video_on.set(camera_on);
            *room.borrow_mut() = Some(joined);
        })
    };

    // After a reload, someone who had joined goes straight back in.
    {
        let (join, room_name) = (join.clone(), props.token.room.clone());
        let ready = local.stream.is_some();
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
            release(&room, &local);
            rejoin::remember(&room_name, false);
            machine.dispatch(Input::LocalLeave);
        })
    };

    // A renewed token (a clinician's long call) reaches the room.
    {
        let room = room.clone();
        use_effect_with(props.token.clone(), move |token| {
            if let Some(room) = room.borrow().as_ref() {
                room.renew(token);
            }
        });
    }

    // Leaving the page leaves the room and turns the camera off.
    {
        let (room, local) = (room.clone(), local.clone());
        use_effect_with((), move |_| move || release(&room, &local));
    }
    // However the visit ends, the room is released and the camera turned off.
    let view = machine.0.view();
    {
        let (room, local) = (room.clone(), local.clone());
        let ended = matches!(view, View::Ended(_));
        use_effect_with(ended, move |ended| {
            if *ended {
                release(&room, &local);
            }
        });
    }

    // The controls show only in the room, and act through it: the room
    // knows which tracks everyone else receives.
    let toggle = |state: &UseStateHandle<bool>, kind: Kind| {
        let (state, room) = (state.clone(), room.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(room) = &*room.borrow() {
                let on = !*state;
                room.set_enabled(kind, on);
                state.set(on);
            }
        })
    };
    let has_camera = local
        .stream
        .as_ref()
        .is_some_and(|s| s.get_video_tracks().length() > 0);
    let controls = html! {
        <div class="controls" role="group" aria-label="Call controls">
            <button onclick={toggle(&audio_on, Kind::Audio)} aria-pressed={(!*audio_on).to_string()}>
                { if *audio_on { "Mute" } else { "Unmute" } }
            </button>
            if has_camera {
                <button onclick={toggle(&video_on, Kind::Video)} aria-pressed={(!*video_on).to_string()}>
                    { if *video_on { "Camera off" } else { "Camera on" } }
                </button>
            }
            <button class="leave" onclick={leave.clone()}>{ "Leave" }</button>
        </div>
    };
    let self_view = html! { <StreamVideo stream={local.stream.clone()} class="self-view" muted=true label="Your camera" /> };
    let on_device = {
        let (choice, speaker, stream) = (choice.clone(), speaker.clone(), local.stream.clone());
        Callback::from(move |(kind, id): (&'static str, String)| {
            let mut next = (*choice).clone();
            match kind {
                "camera" => next.camera = Some(id),
                "microphone" => next.microphone = Some(id),
                _ => return speaker.set(Some(id)),
            }
            // Someone who joined with audio only keeps it that way.
            next.with_camera = stream
                .as_ref()
                .is_some_and(|s| s.get_video_tracks().length() > 0);
            choice.set(next);
        })
    };
    // In the room, the camera list shows only while a camera is in use.
    let room_devices = Devices {
        cameras: if has_camera {
            devices.cameras.clone()
        } else {
            Vec::new()
        },
        ..(*devices).clone()
    };
    let test_sound = html! { <TestSound speaker={(*speaker).clone()} /> };
    let device_settings = html! {
        <details class="setup">
            <summary>{ "Camera, microphone and speakers" }</summary>
            <DevicePicker devices={room_devices} choice={(*choice).clone()} speaker={(*speaker).clone()} onchange={on_device.clone()} />
            // A device that fails mid-call leaves the previous one in use: say so.
            if let Some(err) = local.error {
                <p role="alert" class="error">{ err.message() }</p>
            }
            <MicLevel stream={local.stream.clone()} />
            { test_sound.clone() }
        </details>
    };
    let media_note = (*media_failure).map(
        |failure| html! { <p role="alert" class="error media-failed">{ failure.message() }</p> },
    );
    let questions = &session.config.intake;
    let offer_intake = role == Role::Patient && !questions.is_empty();
    let share_intake = {
        let room = room.clone();
        Callback::from(move |answers| {
            if let Some(room) = &*room.borrow() {
                room.share_intake(answers);
            }
        })
    };

    let body = match view {
        View::PreJoin => {
            let onclick = {
                let join = join.clone();
                Callback::from(move |_: MouseEvent| join.emit(()))
            };
            let problem = (*unsupported)
                .map(JoinError::message)
                .or_else(|| local.error.map(MediaError::message));
            let audio_only_now = local.stream.is_some() && !has_camera;
            html! {
                <section class="card" data-view="prejoin">
                    <h1>{ "Check your camera and microphone" }</h1>
                    <div class="prejoin">
                        <div>
                            { self_view }
                            <MicLevel stream={local.stream.clone()} />
                        </div>
                        <div class="stack">
                            <DevicePicker devices={(*devices).clone()} choice={(*choice).clone()} speaker={(*speaker).clone()} onchange={on_device} />
                            { test_sound }
                        </div>
                    </div>
                    if let Some(problem) = problem {
                        <p role="alert" class="error">{ problem }</p>
                    }
                    if audio_only_now && local.error.is_none() {
                        <p class="note">{ "No camera found: you will join with audio only." }</p>
                    }
                    if let Some(err) = *join_error {
                        <p role="alert" class="error join-error">{ err.message() }</p>
                    }
                    if role != Role::Provider {
                        <label for="display-name">{ "Your name, as shown to others in this visit (optional)" }</label>
                        <input id="display-name" ref={name_input.clone()} maxlength="60" autocomplete="name" />
                    }
                    if has_camera {
                        <fieldset class="join-with">
                            <legend>{ "Join with" }</legend>
                            { for JoinWith::ALL.iter().map(|&(mode, id, label)| {
                                let join_with = join_with.clone();
                                html! {
                                    <label class="choice">
                                        <input type="radio" name="join-with" id={id} checked={*join_with == mode}
                                            onchange={Callback::from(move |_: Event| join_with.set(mode))} />
                                        { label }
                                    </label>
                                }
                            }) }
                        </fieldset>
                    }
                    <p>{ if role == Role::Provider { "Your patient sees you as soon as you join." } else { "When you join, you wait in a quiet waiting room until your clinician arrives." } }</p>
                    <button class="join" onclick={onclick} disabled={local.stream.is_none() || unsupported.is_some()}>{ "Join visit" }</button>
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
                    if let Some(text) = &*notice { <p class="notice">{ text.clone() }</p> }
                </div>
                <WaitTimer />
                { self_view }
                { controls }
                { media_note.clone() }
                if offer_intake {
                    <IntakeForm questions={questions.clone()} onsubmit={share_intake} />
                }
                { device_settings }
            </section>
        },
        View::InCall { reconnecting } => html! {
            <section class="call" data-view="call">
                if reconnecting { <p class="banner" role="status">{ "Reconnecting…" }</p> }
                <div class="remotes">
                    { for machine.0.remotes().iter().map(|(identity, remote)| html! {
                        <figure class="remote" key={identity.clone()} data-role={remote.role.as_str()}>
                            <StreamVideo stream={remotes.streams.get(identity).cloned()} class="remote-video" muted=false label={participant_label(remote.role)} speaker={(*speaker).clone()} />
                            <figcaption>{ caption(remotes.names.get(identity), remote.role) }</figcaption>
                            if remote.reconnecting { <p class="banner">{ "Reconnecting…" }</p> }
                        </figure>
                    }) }
                </div>
                if role == Role::Provider {
                    if let Some(text) = &*notice { <p class="notice" role="alert">{ text.clone() }</p> }
                }
                if let Some(answers) = &*intake {
                    <IntakePanel answers={answers.clone()} />
                }
                { media_note }
                { self_view }
                { controls }
                { device_settings }
            </section>
        },
        View::Ended(reason) => {
            let link_valid = crate::services::now_seconds() < props.token.expires_at;
            let next = reason.after_end(role, link_valid);
            let rejoin = props.onrejoin.reform(|_: MouseEvent| ());
            html! {
                <section class="card" data-view="ended">
                    <h1>{ "Your visit has ended" }</h1>
                    <p role="status">{ end_message(reason) }</p>
                    <div class="row">
                        if next.rejoin {
                            <button class="rejoin" onclick={rejoin}>{ "Rejoin" }</button>
                        }
                        if next.back_to_visits {
                            <Link<Route> to={Route::ProviderVisits} classes="button secondary back">{ "Back to your visits" }</Link<Route>>
                        }
                    </div>
                    if !next.rejoin && !next.back_to_visits {
                        <p>{ "You can close this page." }</p>
                    }
                </section>
            }
        }
    };
    html! { <main class="page visit">{ body }</main> }
}

/// A chosen name always comes with the role, so a guest cannot pass for
/// the clinician.
fn caption(name: Option<&String>, role: Role) -> String {
    match name {
        Some(name) => format!("{name} ({})", participant_label(role)),
        None => participant_label(role).to_owned(),
    }
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
        EndReason::Left => "You left the visit.",
        EndReason::ClinicianEnded => "Your clinician ended the visit.",
        EndReason::JoinedElsewhere => {
            "You joined from another tab or device, so this one was disconnected."
        }
        EndReason::OpenElsewhere => crate::messages::OPEN_ELSEWHERE,
        EndReason::TokenExpired => {
            "Your visit link has expired. Please ask your clinic for a new one."
        }
        EndReason::RoomEnded => {
            "The video room for this visit has closed. If you still need your clinician, please contact your clinic."
        }
        EndReason::ConnectionLost => {
            "We lost the connection and could not get it back."
        }
    }
}

#[derive(Properties, PartialEq)]
struct StreamVideoProps {
    stream: Option<MediaStream>,
    class: &'static str,
    muted: bool,
    label: &'static str,
    /// The chosen speaker, for remote sound.
    #[prop_or_default]
    speaker: Option<String>,
}

/// A `<video>` showing a live stream.
#[component]
fn StreamVideo(props: &StreamVideoProps) -> Html {
    let video = use_node_ref();
    {
        let video = video.clone();
        use_effect_with(
            (props.stream.clone(), props.speaker.clone(), props.muted),
            move |(stream, speaker, muted)| {
                if let Some(element) = video.cast::<HtmlVideoElement>() {
                    element.set_src_object(stream.as_ref());
                    // The property, not the attribute: browsers read the
                    // attribute only while parsing HTML, so without this
                    // the self-view plays the person's own microphone.
                    element.set_muted(*muted);
                    if let Some(id) = speaker {
                        media::set_speaker(&element, id);
                    }
                }
            },
        );
    }
    html! {
        <video ref={video} class={props.class} autoplay=true playsinline=true aria-label={props.label} />
    }
}

/// "Waiting for 2 min", counting from when it first shows.
#[component]
fn WaitTimer() -> Html {
    let seconds = use_state(|| 0u64);
    {
        let seconds = seconds.clone();
        use_effect_with((), move |_| {
            let started = crate::services::now_seconds();
            every(Duration::from_secs(1), move |_| {
                seconds.set(crate::services::now_seconds().saturating_sub(started));
                std::future::ready(())
            })
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
