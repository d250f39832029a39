//! Hearth's single-page app. Pure logic (config parsing, routes) lives in
//! modules free of browser calls so `cargo test` checks it natively.

mod alerts;
mod app;
mod bindings;
mod components;
mod config;
mod context;
mod hooks;
mod media;
mod messages;
mod pages;
mod qr;
mod route;
mod services;
mod video;
mod visit;

/// Mounts the app over the static "Loading…" placeholder in `index.html`.
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("hearth"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
