//! Mute, Camera off, Share screen and Leave: shown only in the room,
//! acting through it.

use crate::media::Kind;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct CallControlsProps {
    pub audio_on: bool,
    pub video_on: bool,
    /// No camera, no camera button.
    pub has_camera: bool,
    /// Whether we share our screen; `None` where sharing is not offered
    /// (outside the call, or a patient when the clinic turned it off).
    pub sharing: Option<bool>,
    pub onscreen: Callback<MouseEvent>,
    pub ontoggle: Callback<Kind>,
    pub onleave: Callback<MouseEvent>,
}

pub fn call_controls(props: CallControlsProps) -> Html {
    let toggle = |kind: Kind| props.ontoggle.reform(move |_: MouseEvent| kind);
    html! {
        <div class="controls" role="group" aria-label="Call controls">
            <button class="mute" onclick={toggle(Kind::Audio)} aria-pressed={(!props.audio_on).to_string()}>
                { if props.audio_on { "Mute" } else { "Unmute" } }
            </button>
            if props.has_camera {
                <button class="camera" onclick={toggle(Kind::Video)} aria-pressed={(!props.video_on).to_string()}>
                    { if props.video_on { "Camera off" } else { "Camera on" } }
                </button>
            }
            if let Some(sharing) = props.sharing {
                <button class="share-screen" onclick={props.onscreen.clone()} aria-pressed={sharing.to_string()}>
                    { if sharing { "Stop sharing" } else { "Share screen" } }
                </button>
            }
            <button class="leave" onclick={props.onleave.clone()}>{ "Leave" }</button>
        </div>
    }
}
