//! Widgets the pages are made of: none is a screen of its own.

pub mod intake;
pub mod running_late;
pub mod setup;

/// The current text of the `<input>` behind `node`.
pub fn input_value(node: &yew::NodeRef) -> String {
    node.cast::<web_sys::HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}
