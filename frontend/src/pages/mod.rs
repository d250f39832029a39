pub mod config_error;
pub mod home;
pub mod intake;
pub mod not_found;
pub mod provider_sign_in;
pub mod provider_visits;
pub mod running_late;
pub mod setup;
pub mod visit;
pub mod visit_entry;

/// The current text of the `<input>` behind `node`.
fn input_value(node: &yew::NodeRef) -> String {
    node.cast::<web_sys::HtmlInputElement>()
        .map(|input| input.value())
        .unwrap_or_default()
}
