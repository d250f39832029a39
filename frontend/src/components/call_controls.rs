//! Mute, Camera off, Share screen and Leave: shown only in the room,
//! acting through it.

use crate::i18n::Locale;
use crate::media::Kind;
use std::rc::Rc;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct CallControlsProps {
    pub t: Rc<Locale>,
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
    let t = &props.t;
    html! {
        <div class="controls" role="group" aria-label={t.t("controls.label").to_owned()}>
            <button class="mute" onclick={toggle(Kind::Audio)} aria-pressed={(!props.audio_on).to_string()}>
                { t.html(if props.audio_on { "controls.mute" } else { "controls.unmute" }) }
            </button>
            if props.has_camera {
                <button class="camera" onclick={toggle(Kind::Video)} aria-pressed={(!props.video_on).to_string()}>
                    { t.html(if props.video_on { "controls.camera_off" } else { "controls.camera_on" }) }
                </button>
            }
            if let Some(sharing) = props.sharing {
                <button class="share-screen" onclick={props.onscreen.clone()} aria-pressed={sharing.to_string()}>
                    { t.html(if sharing { "controls.stop_sharing" } else { "controls.share" }) }
                </button>
            }
            <button class="leave" onclick={props.onleave.clone()}>{ t.html("controls.leave") }</button>
        </div>
    }
}
