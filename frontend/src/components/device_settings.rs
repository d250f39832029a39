//! The room's "Camera, microphone and speakers" panel: change devices
//! mid-call, see the microphone work, play a test sound.

use crate::components::setup::{
    device_picker, test_sound, DevicePickerProps, MicLevel, TestSoundProps,
};
use crate::i18n::Locale;
use crate::media::{DeviceChoice, Devices, MediaError};
use std::rc::Rc;
use web_sys::MediaStream;
use yew::prelude::*;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct DeviceSettingsProps {
    pub t: Rc<Locale>,
    pub devices: Devices,
    pub choice: DeviceChoice,
    pub speaker: Option<String>,
    pub onchange: Callback<(&'static str, String)>,
    pub stream: Option<MediaStream>,
    /// A device that failed mid-call: the previous one stays in use.
    pub error: Option<MediaError>,
}

pub fn device_settings(props: DeviceSettingsProps) -> Html {
    let t = &props.t;
    html! {
        <details class="setup">
            <summary>{ t.html("devices.settings") }</summary>
            { device_picker(DevicePickerProps { t: t.clone(), devices: props.devices.clone(), choice: props.choice.clone(), speaker: props.speaker.clone(), onchange: props.onchange.clone() }) }
            if let Some(err) = props.error {
                <p role="alert" class="error">{ t.html(err.message()) }</p>
            }
            <MicLevel stream={props.stream.clone()} />
            { test_sound(TestSoundProps { t: t.clone(), speaker: props.speaker.clone() }) }
        </details>
    }
}
