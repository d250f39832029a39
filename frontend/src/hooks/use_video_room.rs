//! The visit's room on either backend, as a page needs it: the
//! waiting-room machine's view, the other people's media and names, and the
//! actions (join, leave, mute, camera, screen, intake, chat). The room is
//! left, the camera stopped and the chat forgotten, however the visit ends
//! or the page goes.

use crate::hooks::use_screen_share::use_screen_share;
use crate::hooks::LocalMedia;
use crate::media::{self, Kind};
use crate::video::join_error::JoinError;
use crate::video::{
    clean_text, IntakeAnswer, MediaFailure, Notice, RoomEvent, Signalling, VideoRoom,
    MAX_CHAT_CHARS,
};
use crate::visit::machine::{Input, Remote, View, VisitState};
use api_types::TokenResponse;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use web_sys::MediaStream;
use yew::prelude::*;

/// How the person chose to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinWith {
    #[default]
    CameraAndMicrophone,
    CameraOff,
    AudioOnly,
}

impl JoinWith {
    /// Each choice with its radio id and label, in the order shown.
    pub const ALL: [(JoinWith, &'static str, &'static str); 3] = [
        (
            JoinWith::CameraAndMicrophone,
            "full",
            "prejoin.camera_and_microphone",
        ),
        (JoinWith::CameraOff, "camera-off", "prejoin.camera_off"),
        (JoinWith::AudioOnly, "audio-only", "prejoin.audio_only"),
    ];
}

/// What Join was pressed with: the name shown to the others, and media.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JoinChoice {
    pub name: String,
    pub with: JoinWith,
}

/// Remote media and names by identity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Remotes {
    pub streams: BTreeMap<String, MediaStream>,
    pub names: BTreeMap<String, String>,
    /// Screens being shared, by who shares them.
    pub screens: BTreeMap<String, MediaStream>,
    /// Each person's connection, 0 to 5 bars, once measured.
    pub quality: BTreeMap<String, u8>,
}

/// One chat message: from someone else (by identity), or ours (`None`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatLine {
    pub from: Option<String>,
    pub text: String,
}

/// The chat so far, in this tab's memory only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatLog {
    /// The latest [`CHAT_LINES_KEPT`] messages, oldest first.
    pub lines: Vec<ChatLine>,
    /// How many messages others have sent us, for the unread count.
    pub received: usize,
}

/// The most messages kept: a flood from another browser cannot grow the
/// page's memory without bound.
const CHAT_LINES_KEPT: usize = 200;

pub enum ChatUpdate {
    Add(ChatLine),
    Forget,
}

impl Reducible for ChatLog {
    type Action = ChatUpdate;

    fn reduce(self: Rc<Self>, update: ChatUpdate) -> Rc<Self> {
        let ChatUpdate::Add(line) = update else {
            return Rc::default();
        };
        let mut log = (*self).clone();
        log.received += usize::from(line.from.is_some());
        log.lines.push(line);
        let excess = log.lines.len().saturating_sub(CHAT_LINES_KEPT);
        log.lines.drain(..excess);
        Rc::new(log)
    }
}

/// The room as the page sees it on this render.
pub struct VideoRoomHandle {
    pub view: View,
    machine: UseReducerHandle<Machine>,
    remotes: UseReducerHandle<RemotesState>,
    chat: UseReducerHandle<ChatLog>,
    pub audio_on: bool,
    pub video_on: bool,
    pub join_error: Option<JoinError>,
    pub notice: Option<Notice>,
    pub intake: Option<Vec<IntakeAnswer>>,
    pub media_failure: Option<MediaFailure>,
    /// When this person first joined the room (Unix seconds), kept over a
    /// reload.
    pub joined_since: Option<u64>,
    pub join: Callback<JoinChoice>,
    pub leave: Callback<MouseEvent>,
    /// Mute / Camera off and back, for everyone in the room.
    pub toggle: Callback<Kind>,
    /// Our own connection, 0 to 5 bars, once measured.
    pub own_quality: Option<u8>,
    /// Whether we are sharing our screen.
    pub sharing: bool,
    /// Share a screen (the browser asks which), or stop sharing.
    pub toggle_screen: Callback<MouseEvent>,
    pub share_intake: Callback<Vec<IntakeAnswer>>,
    /// Says a chat message to everyone in the room now.
    pub say: Callback<String>,
}

impl VideoRoomHandle {
    /// Who else is in the room, by identity.
    pub fn people(&self) -> &BTreeMap<String, Remote> {
        self.machine.0.remotes()
    }

    /// Their media and chosen names.
    pub fn remotes(&self) -> &Remotes {
        &self.remotes.0
    }

    /// The chat since this visit's call began here.
    pub fn chat(&self) -> &ChatLog {
        &self.chat
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

/// [`Remotes`] as a reducer, so events from the room always update the
/// latest maps (a state handle captured at Join would not).
#[derive(Debug, Clone, Default, PartialEq)]
struct RemotesState(Remotes);

enum RemoteUpdate {
    Stream(String, MediaStream),
    Name(String, String),
    Screen(String, Option<MediaStream>),
    Quality(String, u8),
}

impl Reducible for RemotesState {
    type Action = RemoteUpdate;

    fn reduce(self: Rc<Self>, update: RemoteUpdate) -> Rc<Self> {
        let mut remotes = self.0.clone();
        match update {
            RemoteUpdate::Stream(identity, stream) => {
                remotes.streams.insert(identity, stream);
            }
            RemoteUpdate::Name(identity, name) => {
                remotes.names.insert(identity, name);
            }
            RemoteUpdate::Screen(identity, Some(stream)) => {
                remotes.screens.insert(identity, stream);
            }
            RemoteUpdate::Screen(identity, None) => {
                remotes.screens.remove(&identity);
            }
            RemoteUpdate::Quality(identity, bars) => {
                remotes.quality.insert(identity, bars);
            }
        }
        Rc::new(RemotesState(remotes))
    }
}

/// Remembers, for this tab, that the person had joined this room and since
/// when, so a reload takes them straight back in instead of through the
/// check again, and the visit's clock keeps its start.
mod rejoin {
    fn key(room: &str) -> String {
        format!("hearth.joined.{room}")
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    /// A join keeps the first join's time and returns it; a leave forgets
    /// it (and returns `None`).
    pub fn remember(room: &str, joined: bool) -> Option<u64> {
        let storage = storage()?;
        if !joined {
            let _ = storage.remove_item(&key(room));
            return None;
        }
        let since = joined_since(room).unwrap_or_else(crate::services::now_seconds);
        let _ = storage.set_item(&key(room), &since.to_string());
        Some(since)
    }

    /// When the person first joined, if they have not left since.
    pub fn joined_since(room: &str) -> Option<u64> {
        storage()?.get_item(&key(room)).ok()??.parse().ok()
    }
}

/// Leaves the room, if joined, and stops the camera and microphone.
fn release(room: &RefCell<Option<VideoRoom>>, local: &LocalMedia) {
    if let Some(room) = room.borrow_mut().take() {
        room.leave();
    }
    local.stop();
}

/// The room `token` admits to, joined through `signalling` with the
/// capture `local`. After a reload, someone who had joined goes straight
/// back in as `rejoin_as`.
#[hook]
pub fn use_video_room(
    token: &TokenResponse,
    signalling: Signalling,
    local: &LocalMedia,
    rejoin_as: String,
) -> VideoRoomHandle {
    let machine = use_reducer(|| Machine(VisitState::new(token.role)));
    let remotes = use_reducer(RemotesState::default);
    let chat = use_reducer(ChatLog::default);
    let room = use_mut_ref(|| None::<VideoRoom>);
    let screen = use_screen_share(&room);
    let audio_on = use_state(|| true);
    let video_on = use_state(|| true);
    let join_error = use_state(|| None::<JoinError>);
    let notice = use_state(|| None::<Notice>);
    let intake = use_state(|| None::<Vec<IntakeAnswer>>);
    let media_failure = use_state(|| None::<MediaFailure>);
    let own_quality = use_state(|| None::<u8>);
    let joined_since = use_state(|| rejoin::joined_since(&token.room));

    // A new capture (the person changed device) goes to the room at once.
    {
        let room = room.clone();
        use_effect_with(local.stream.clone(), move |stream| {
            if let (Some(room), Some(stream)) = (&*room.borrow(), stream) {
                room.use_media(media::handle(stream));
            }
        });
    }

    let on_event = {
        let (machine, remotes, chat, own_quality) = (
            machine.clone(),
            remotes.clone(),
            chat.clone(),
            own_quality.clone(),
        );
        let joined_since = joined_since.clone();
        let (room, join_error, notice, intake, media_failure) = (
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
                joined_since.set(rejoin::remember(&room_name, false));
                join_error.set(Some(err));
                machine.dispatch(Input::LocalJoinFailed);
            }
            RoomEvent::RemoteStream { identity, stream } => {
                remotes.dispatch(RemoteUpdate::Stream(identity, stream))
            }
            RoomEvent::RemoteName { identity, name } => {
                remotes.dispatch(RemoteUpdate::Name(identity, name))
            }
            RoomEvent::RemoteScreen { identity, stream } => {
                remotes.dispatch(RemoteUpdate::Screen(identity, stream))
            }
            RoomEvent::Quality {
                identity: Some(identity),
                bars,
            } => remotes.dispatch(RemoteUpdate::Quality(identity, bars)),
            RoomEvent::Quality {
                identity: None,
                bars,
            } => own_quality.set(Some(bars)),
            RoomEvent::Chat { identity, text } => chat.dispatch(ChatUpdate::Add(ChatLine {
                from: Some(identity),
                text,
            })),
        })
    };

    let join = {
        let (machine, local, room, token) =
            (machine.clone(), local.clone(), room.clone(), token.clone());
        let (joined_since, join_error, audio_on, video_on, media_failure) = (
            joined_since.clone(),
            join_error.clone(),
            audio_on.clone(),
            video_on.clone(),
            media_failure.clone(),
        );
        Callback::from(move |choice: JoinChoice| {
            let Some(stream) = local.stream.clone() else {
                return;
            };
            if room.borrow().is_some() {
                return;
            }
            if choice.with == JoinWith::AudioOnly {
                media::drop_video(&stream);
            }
            join_error.set(None);
            media_failure.set(None);
            machine.dispatch(Input::LocalJoin);
            joined_since.set(rejoin::remember(&token.room, true));
            let joined = VideoRoom::connect(
                signalling.clone(),
                &token,
                choice.name,
                stream,
                on_event.clone(),
            );
            let camera_on = choice.with != JoinWith::CameraOff;
            joined.set_enabled(Kind::Audio, true);
            joined.set_enabled(Kind::Video, camera_on);
            audio_on.set(true);
            video_on.set(camera_on);
            *room.borrow_mut() = Some(joined);
        })
    };

    // After a reload, someone who had joined goes straight back in.
    {
        let (join, was_joined) = (join.clone(), joined_since.is_some());
        let ready = local.stream.is_some();
        use_effect_with(ready, move |ready| {
            if *ready && was_joined {
                join.emit(JoinChoice {
                    name: rejoin_as,
                    with: JoinWith::default(),
                });
            }
        });
    }

    let leave = {
        let (machine, local, room, screen, room_name) = (
            machine.clone(),
            local.clone(),
            room.clone(),
            screen.clone(),
            token.room.clone(),
        );
        let joined_since = joined_since.clone();
        Callback::from(move |_: MouseEvent| {
            screen.stop();
            release(&room, &local);
            joined_since.set(rejoin::remember(&room_name, false));
            machine.dispatch(Input::LocalLeave);
        })
    };

    // A renewed token (a clinician's long call) reaches the room.
    {
        let room = room.clone();
        use_effect_with(token.clone(), move |token| {
            if let Some(room) = room.borrow().as_ref() {
                room.renew(token);
            }
        });
    }

    // Leaving the page leaves the room and turns the camera off.
    {
        let (room, local, screen) = (room.clone(), local.clone(), screen.clone());
        use_effect_with((), move |_| {
            move || {
                screen.release();
                release(&room, &local);
            }
        });
    }
    // However the visit ends, the room is released, the camera turned off
    // and the chat forgotten.
    let view = machine.0.view();
    {
        let (room, local, chat, screen) =
            (room.clone(), local.clone(), chat.clone(), screen.clone());
        let ended = matches!(view, View::Ended(_));
        use_effect_with(ended, move |ended| {
            if *ended {
                screen.stop();
                release(&room, &local);
                chat.dispatch(ChatUpdate::Forget);
            }
        });
    }

    // The controls act through the room: it knows which tracks everyone
    // else receives.
    let toggle = {
        let (room, audio_on, video_on) = (room.clone(), audio_on.clone(), video_on.clone());
        Callback::from(move |kind: Kind| {
            let state = match kind {
                Kind::Audio => &audio_on,
                Kind::Video => &video_on,
            };
            if let Some(room) = &*room.borrow() {
                let on = !**state;
                room.set_enabled(kind, on);
                state.set(on);
            }
        })
    };
    let share_intake = {
        let room = room.clone();
        Callback::from(move |answers| {
            if let Some(room) = &*room.borrow() {
                room.share_intake(answers);
            }
        })
    };

    let say = {
        let (room, chat) = (room.clone(), chat.clone());
        Callback::from(move |text: String| {
            let (Some(room), Some(text)) = (&*room.borrow(), clean_text(&text, MAX_CHAT_CHARS))
            else {
                return;
            };
            room.chat(text.clone());
            chat.dispatch(ChatUpdate::Add(ChatLine { from: None, text }));
        })
    };

    VideoRoomHandle {
        view,
        machine,
        remotes,
        chat,
        audio_on: *audio_on,
        video_on: *video_on,
        join_error: *join_error,
        notice: (*notice).clone(),
        intake: (*intake).clone(),
        media_failure: *media_failure,
        joined_since: *joined_since,
        join,
        leave,
        toggle,
        own_quality: *own_quality,
        sharing: screen.is_sharing(),
        toggle_screen: screen.toggle(),
        share_intake,
        say,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(from: Option<&str>, text: &str) -> ChatUpdate {
        ChatUpdate::Add(ChatLine {
            from: from.map(str::to_owned),
            text: text.to_owned(),
        })
    }

    #[test]
    fn the_chat_counts_what_others_sent_keeps_the_latest_and_forgets_at_the_end() {
        let mut log = Rc::new(ChatLog::default());
        log = log.reduce(line(None, "hello"));
        log = log.reduce(line(Some("patient.p"), "hi"));
        assert_eq!(log.received, 1);
        assert_eq!(log.lines.len(), 2);
        for n in 0..CHAT_LINES_KEPT {
            log = log.reduce(line(Some("guest.g"), &n.to_string()));
        }
        assert_eq!(log.lines.len(), CHAT_LINES_KEPT);
        assert_eq!(log.lines[0].text, "0");
        assert_eq!(log.received, CHAT_LINES_KEPT + 1);
        assert_eq!(*log.reduce(ChatUpdate::Forget), ChatLog::default());
    }
}
