//! Video backends behind one interface: each turns its room's events into
//! the waiting-room machine's inputs, plus the remote media to show.

pub mod local;

use crate::visit::machine::Input;
use web_sys::MediaStream;

#[derive(Debug, Clone, PartialEq)]
pub enum RoomEvent {
    Input(Input),
    /// A remote participant's camera and microphone, ready to attach.
    RemoteStream {
        identity: String,
        stream: MediaStream,
    },
}
