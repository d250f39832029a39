//! "Test your setup" pieces, shared by the pre-join check and the waiting
//! room: device choice, a microphone level meter and a test sound.

use crate::hooks::use_locale;
use crate::i18n::Locale;
use crate::media::{self, DeviceChoice, Devices, LevelMeter};
use crate::services::timers::every;
use std::rc::Rc;
use std::time::Duration;
use web_sys::{HtmlSelectElement, MediaStream};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MicLevelProps {
    pub stream: Option<MediaStream>,
}

/// A live meter of the microphone's loudness, so people see it works.
#[component]
pub fn MicLevel(props: &MicLevelProps) -> Html {
    let t = use_locale();
    let level = use_state(|| 0_u8);
    {
        let level = level.clone();
        use_effect_with(props.stream.clone(), move |stream| {
            let metering = stream.as_ref().and_then(LevelMeter::new).map(|mut meter| {
                every(Duration::from_millis(150), move |_| {
                    level.set(meter.level());
                    std::future::ready(())
                })
            });
            move || metering.into_iter().for_each(|stop| stop())
        });
    }
    html! {
        <label class="mic-level">
            { t.html("devices.mic_level") }
            <meter id="mic-level" min="0" max="100" low="5" value={level.to_string()} />
        </label>
    }
}

pub struct TestSoundProps {
    pub t: Rc<Locale>,
    pub speaker: Option<String>,
}

/// Plays a short tone on the chosen speaker.
/// A plain function, not a component: it keeps no state, and every
/// component costs first-paint bytes.
pub fn test_sound(props: TestSoundProps) -> Html {
    let speaker = props.speaker.clone();
    let onclick = Callback::from(move |_: MouseEvent| {
        media::play_tone(speaker.as_deref());
    });
    html! { <button type="button" class="secondary test-sound" {onclick}>{ props.t.html("devices.test_sound") }</button> }
}

pub struct DevicePickerProps {
    pub t: Rc<Locale>,
    pub devices: Devices,
    pub choice: DeviceChoice,
    pub speaker: Option<String>,
    /// `("camera" | "microphone" | "speaker", device id)`.
    pub onchange: Callback<(&'static str, String)>,
}

/// Camera, microphone and speaker selection; a list shows only when the
/// browser offers a choice of that kind.
pub fn device_picker(props: DevicePickerProps) -> Html {
    let lists = [
        (
            "camera",
            "devices.camera",
            &props.devices.cameras,
            &props.choice.camera,
        ),
        (
            "microphone",
            "devices.microphone",
            &props.devices.microphones,
            &props.choice.microphone,
        ),
        (
            "speaker",
            "devices.speaker",
            &props.devices.speakers,
            &props.speaker,
        ),
    ];
    html! {<>
        { for lists.into_iter().filter(|(_, _, list, _)| !list.is_empty()).map(|(kind, label, list, chosen)| {
            let onchange = props.onchange.reform(move |event: Event| {
                let select: HtmlSelectElement = event.target_unchecked_into();
                (kind, select.value())
            });
            html! {
                <label class="device">
                    { props.t.html(label) }
                    <select id={kind} {onchange}>
                        { for list.iter().enumerate().map(|(n, d)| {
                            // Browsers hide names until a capture is allowed.
                            let name = if d.label.is_empty() {
                                props.t.fill("devices.unnamed", &[("number", &(n + 1).to_string())])
                            } else {
                                d.label.clone()
                            };
                            html! { <option value={d.id.clone()} selected={chosen.as_ref() == Some(&d.id)}>{ name }</option> }
                        }) }
                    </select>
                </label>
            }
        }) }
    </>}
}
