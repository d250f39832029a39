//! Hearth's single-page app. Pure logic (config parsing, routes) lives in
//! modules free of browser calls so `cargo test` checks it natively.

mod alerts;
mod app;
mod bindings;
mod components;
mod config;
mod context;
mod hooks;
mod i18n;
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

/// The patients' page (`index.html`): visit screens only, in the
/// languages the clinic offers.
pub fn start_patient_page() {
    let english = built_in(&[i18n::ENGLISH]);
    start(app::AppProps {
        pages: app::Pages(app::patient_pages),
        english,
        multilingual: true,
    });
}

/// The clinician's page (`clinic.html`): every screen, in English, with
/// the clinician's own words built in beside the patients'.
pub fn start_clinic_page() {
    let english = built_in(&[i18n::ENGLISH, i18n::CLINIC_ENGLISH]);
    start(app::AppProps {
        pages: app::Pages(app::all_pages),
        english,
        multilingual: false,
    });
}

/// The built-in catalogues as one; a native test keeps them valid.
fn built_in(texts: &[&str]) -> std::rc::Rc<i18n::catalogue::Catalogue> {
    let merged = texts
        .iter()
        .fold(i18n::catalogue::Catalogue::default(), |merged, text| {
            i18n::catalogue::Catalogue::parse(text)
                .unwrap_or_default()
                .over(merged)
        });
    std::rc::Rc::new(merged)
}

/// Mounts the app over the static "Getting your visit ready" page.
fn start(props: app::AppProps) {
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
