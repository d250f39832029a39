//! Widgets the pages are made of: none is a screen of its own.

pub mod call_controls;
pub mod chat;
pub mod clocks;
pub mod create_visit_form;
pub mod device_settings;
pub mod end_visit;
pub mod in_call;
pub mod intake;
pub mod language_picker;
pub mod pre_join;
pub mod running_late;
pub mod setup;
pub mod share_link;
pub mod stream_video;
pub mod visit_ended;
pub mod visit_row;
pub mod waiting_room;

/// The current text of the `<input>` behind `node`.
pub fn input_value(node: &yew::NodeRef) -> String {
    node.cast::<web_sys::HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}
