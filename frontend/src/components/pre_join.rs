//! The check before joining: self-view, devices, a name for the others,
//! how to join, and what to expect.

use crate::components::input_value;
use crate::components::setup::{
    device_picker, test_sound, DevicePickerProps, MicLevel, TestSoundProps,
};
use crate::hooks::{JoinChoice, JoinWith};
use crate::i18n::Locale;
use crate::media::{DeviceChoice, Devices};
use crate::video::clean_name;
use crate::video::join_error::JoinError;
use api_types::Role;
use std::rc::Rc;
use web_sys::MediaStream;
use yew::prelude::*;

/// What the check shows. A plain function, not a component: every
/// component costs first-paint bytes, so the page keeps the two pieces of
/// state (the name field and the choice) and passes them in.
pub struct PreJoinProps {
    pub t: Rc<Locale>,
    pub role: Role,
    pub name_input: NodeRef,
    pub join_with: UseStateHandle<JoinWith>,
    /// A clinician is shown by their account's name.
    pub account_name: Option<String>,
    pub self_view: Html,
    pub stream: Option<MediaStream>,
    pub has_camera: bool,
    pub devices: Devices,
    pub choice: DeviceChoice,
    pub speaker: Option<String>,
    pub on_device: Callback<(&'static str, String)>,
    /// Why joining cannot work here (browser or capture): the key of its
    /// plain words in the catalogue.
    pub problem: Option<&'static str>,
    /// The latest capture request failed.
    pub capture_failed: bool,
    /// The last try to join failed.
    pub join_error: Option<JoinError>,
    pub can_join: bool,
    pub onjoin: Callback<JoinChoice>,
}

pub fn pre_join(props: PreJoinProps) -> Html {
    let (name_input, join_with) = (props.name_input.clone(), props.join_with.clone());
    let onclick = {
        let (name_input, join_with, onjoin) =
            (name_input.clone(), join_with.clone(), props.onjoin.clone());
        let (role, account_name) = (props.role, props.account_name.clone());
        Callback::from(move |_: MouseEvent| {
            let name = match role {
                Role::Provider => account_name.clone(),
                _ => clean_name(&input_value(&name_input)),
            }
            // No name: each person reads the role in their own language.
            .unwrap_or_default();
            onjoin.emit(JoinChoice {
                name,
                with: *join_with,
            });
        })
    };
    let audio_only_now = props.stream.is_some() && !props.has_camera;
    let t = &props.t;
    html! {
        <section class="card" data-view="prejoin">
            <h1>{ t.html("prejoin.title") }</h1>
            <div class="prejoin">
                <div>
                    { props.self_view.clone() }
                    <MicLevel stream={props.stream.clone()} />
                </div>
                <div class="stack">
                    { device_picker(DevicePickerProps { t: t.clone(), devices: props.devices.clone(), choice: props.choice.clone(), speaker: props.speaker.clone(), onchange: props.on_device.clone() }) }
                    { test_sound(TestSoundProps { t: t.clone(), speaker: props.speaker.clone() }) }
                </div>
            </div>
            if let Some(problem) = props.problem {
                <p role="alert" class="error">{ t.html(problem) }</p>
            }
            if audio_only_now && !props.capture_failed {
                <p class="note">{ t.html("prejoin.no_camera") }</p>
            }
            if let Some(err) = props.join_error {
                <p role="alert" class="error join-error">{ t.html(err.message()) }</p>
            }
            if props.role != Role::Provider {
                <label for="display-name">{ t.html("prejoin.name") }</label>
                <input id="display-name" ref={name_input} maxlength="60" autocomplete="name" />
            }
            if props.has_camera {
                <fieldset class="join-with">
                    <legend>{ t.html("prejoin.join_with") }</legend>
                    { for JoinWith::ALL.iter().map(|&(mode, id, label)| {
                        let join_with = join_with.clone();
                        html! {
                            <label class="choice">
                                <input type="radio" name="join-with" id={id} checked={*join_with == mode}
                                    onchange={Callback::from(move |_: Event| join_with.set(mode))} />
                                { t.html(label) }
                            </label>
                        }
                    }) }
                </fieldset>
            }
            <p>{ t.html(if props.role == Role::Provider { "prejoin.what_next_clinician" } else { "prejoin.what_next" }) }</p>
            <button class="join" {onclick} disabled={!props.can_join}>{ t.html("prejoin.join") }</button>
        </section>
    }
}
