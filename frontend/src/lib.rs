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
mod queue;
mod route;
mod services;
mod video;
mod visit;

/// Talc instead of dlmalloc: a smaller wasm for the first-paint budget.
#[cfg(target_family = "wasm")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The patients' page (`index.html`): visit screens only.
pub fn start_patient_page() {
    start(app::Pages(app::patient_pages));
}

/// The clinician's page (`clinic.html`): every screen.
pub fn start_clinic_page() {
    start(app::Pages(app::all_pages));
}

/// Mounts the app over the static "Getting your visit ready" page.
fn start(pages: app::Pages) {
    let props = app::AppProps { pages };
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("hearth"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root_and_props(root, props).render();
        }
        None => {
            yew::Renderer::<app::App>::with_props(props).render();
        }
    }
}
