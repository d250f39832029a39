//! A visit once its token is in hand: pre-join check, waiting room, call and
//! end screen, chosen by the waiting-room machine from the room's events.

use crate::components::call_controls::{call_controls, CallControlsProps};
use crate::components::device_settings::{device_settings, DeviceSettingsProps};
use crate::components::in_call::{in_call, InCallProps};
use crate::components::intake::IntakeForm;
use crate::components::pre_join::{pre_join, PreJoinProps};
use crate::components::stream_video::StreamVideo;
use crate::components::visit_ended::{visit_ended, VisitEndedProps};
use crate::components::waiting_room::{waiting_room, WaitingRoomProps};
use crate::context::use_session;
use crate::hooks::{use_local_media, use_locale, use_video_room, JoinWith};
use crate::media::{self, DeviceChoice, Devices, MediaError};
use crate::video::{self, join_error::JoinError};
use crate::visit::machine::View;
use api_types::{Role, TokenResponse};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub token: TokenResponse,
    /// Starts this visit again, from a fresh token, after it ended here.
    pub onrejoin: Callback<()>,
    /// For a clinician: the patient's name from their own list, shown on
    /// the patient's picture in place of the name the patient typed.
    #[prop_or_default]
    pub patient_name: Option<String>,
}

#[component]
pub fn Visit(props: &Props) -> Html {
    let session = use_session();
    let t = use_locale();
    let role = props.token.role;
    let choice = use_state(DeviceChoice::default);
    let local = use_local_media((*choice).clone());
    let devices = use_state(Devices::default);
    let speaker = use_state(|| None::<String>);
    let unsupported = use_state(|| None::<JoinError>);
    let name_input = use_node_ref();
    let join_with = use_state(JoinWith::default);
    // A clinician shows their account's name; others may choose one. No
    // name is sent as none, so each person reads the role in their language.
    let account_name = session
        .clinician
        .as_ref()
        .map(|c| c.clinician.display_name.clone());
    let rejoin_as = match role {
        Role::Provider => account_name.clone(),
        _ => None,
    }
    .unwrap_or_default();
    let room = use_video_room(&props.token, session.signalling(), &local, rejoin_as);

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

    let has_camera = local
        .stream
        .as_ref()
        .is_some_and(|s| s.get_video_tracks().length() > 0);
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
    let self_view = html! { <StreamVideo stream={local.stream.clone()} class="self-view" muted=true label={t.t("prejoin.self_view").to_owned()} /> };
    let may_share = role == Role::Provider || session.config.patient_screen_share;
    let calling = matches!(room.view, View::InCall { .. });
    let controls = call_controls(CallControlsProps {
        t: t.clone(),
        audio_on: room.audio_on,
        video_on: room.video_on,
        has_camera,
        sharing: (calling && may_share).then_some(room.sharing),
        onscreen: room.toggle_screen.clone(),
        ontoggle: room.toggle.clone(),
        onleave: room.leave.clone(),
    });
    // In the room, the camera list shows only while a camera is in use.
    let room_devices = Devices {
        cameras: if has_camera {
            devices.cameras.clone()
        } else {
            Vec::new()
        },
        ..(*devices).clone()
    };
    let device_settings = device_settings(DeviceSettingsProps {
        t: t.clone(),
        devices: room_devices,
        choice: (*choice).clone(),
        speaker: (*speaker).clone(),
        onchange: on_device.clone(),
        stream: local.stream.clone(),
        error: local.error,
    });
    let media_note = room.media_failure.map_or_else(Html::default, |failure| {
        html! { <p role="alert" class="error media-failed">{ t.html(failure.message()) }</p> }
    });

    let body = match room.view {
        View::PreJoin => {
            let problem = (*unsupported)
                .map(JoinError::message)
                .or_else(|| local.error.map(MediaError::message));
            pre_join(PreJoinProps {
                t: t.clone(),
                role,
                name_input,
                join_with,
                account_name,
                self_view,
                stream: local.stream.clone(),
                has_camera,
                devices: (*devices).clone(),
                choice: (*choice).clone(),
                speaker: (*speaker).clone(),
                on_device,
                problem,
                capture_failed: local.error.is_some(),
                join_error: room.join_error,
                can_join: local.stream.is_some() && unsupported.is_none(),
                onjoin: room.join.clone(),
            })
        }
        View::Joining => html! {
            <section class="card" data-view="joining" aria-busy="true"><p>{ t.html("prejoin.connecting") }</p></section>
        },
        View::WaitingRoom {
            clinician_stepped_out,
            guests,
            reconnecting,
        } => {
            let questions = &session.config.intake;
            let intake_form = if role == Role::Patient && !questions.is_empty() {
                html! { <IntakeForm questions={questions.clone()} onsubmit={room.share_intake.clone()} /> }
            } else {
                Html::default()
            };
            waiting_room(WaitingRoomProps {
                t: t.clone(),
                role,
                clinician_stepped_out,
                guests,
                reconnecting,
                arrived: room.joined_since,
                notice: room.notice.clone(),
                self_view,
                controls,
                media_note,
                intake_form,
                device_settings,
            })
        }
        View::InCall { reconnecting } => in_call(InCallProps {
            t: t.clone(),
            role,
            reconnecting,
            people: room.people(),
            remotes: room.remotes(),
            speaker: &speaker,
            notice: room.notice.as_ref(),
            intake: room.intake.as_ref(),
            joined_since: room.joined_since,
            patient_name: props.patient_name.as_ref(),
            sharing: room.sharing,
            own_quality: room.own_quality,
            chat: room.chat(),
            onsay: room.say.clone(),
            self_view,
            controls,
            media_note,
            device_settings,
        }),
        View::Ended(reason) => visit_ended(VisitEndedProps {
            t: t.clone(),
            reason,
            role,
            link_valid: crate::services::now_seconds() < props.token.expires_at,
            onrejoin: props.onrejoin.clone(),
        }),
    };
    html! { <main class="page visit">{ body }</main> }
}
