use crate::components::language_picker::language_picker;
use crate::config::{self, ConfigProblem};
use crate::context::{Session, SessionAction, SessionContext};
use crate::i18n::catalogue::Catalogue;
use crate::i18n::Locale;
use crate::pages::{
    config_error::{config_error, Props as ConfigErrorProps},
    home::home,
    not_found::not_found,
    provider_sign_in::ProviderSignIn,
    provider_visit::ProviderVisit,
    provider_visits::ProviderVisits,
    visit_entry::VisitEntry,
};
use crate::route::{page_path, Route};
use crate::services::timers::before_expiry;
use crate::services::{api::Api, locales, now_seconds, storage};
use api_types::TokenRequest;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum Startup {
    Loading,
    Ready(Session),
    Failed(ConfigProblem),
}

/// The screens one build of the app has: the patients' page has only the
/// visit screens, so LTO leaves the clinician's out of its wasm.
#[derive(Clone, Copy)]
pub struct Pages(pub fn(Route, &Locale) -> Html);

impl PartialEq for Pages {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub pages: Pages,
    /// The English built into this page's wasm.
    pub english: Rc<Catalogue>,
    /// Whether people choose a language (the patients' page); the
    /// clinician's page is English only for now.
    pub multilingual: bool,
}

/// Loads `config.json` and the person's language before anything else, so
/// no page runs unconfigured or changes language as it appears.
#[component]
pub fn App(props: &AppProps) -> Html {
    let startup = use_state(|| Startup::Loading);
    {
        let startup = startup.clone();
        let (english, multilingual) = (props.english.clone(), props.multilingual);
        let title = if multilingual {
            "app.title"
        } else {
            "clinic.title"
        };
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                startup.set(match config::load().await {
                    Ok(config) => {
                        let page = web_sys::window()
                            .and_then(|w| w.location().href().ok())
                            .unwrap_or_default();
                        let languages = if multilingual {
                            config.languages.clone()
                        } else {
                            Vec::new()
                        };
                        // With none offered, English.
                        let language = locales::first_choice(&languages);
                        let locale = locales::load(&language, &config, &english).await;
                        locales::show_on_page(&locale, title);
                        Startup::Ready(Session {
                            api: Rc::new(Api::new(&config, &page)),
                            config: Rc::new(config),
                            clinician: storage::load_session(now_seconds()).map(Rc::new),
                            locale: Rc::new(locale),
                            languages: Rc::new(languages),
                            built_in: english,
                        })
                    }
                    Err(problem) => Startup::Failed(problem),
                });
            });
        });
    }
    let english = || Locale::in_english((*props.english).clone());
    match &*startup {
        // The same words as index.html's static page, so nothing flickers.
        Startup::Loading => {
            let t = english();
            html! {
                <main class="page boot" aria-busy="true">
                    <div class="card">
                        <h1>{ t.html("app.loading_title") }</h1>
                        <p>{ t.html("app.loading_text") }</p>
                    </div>
                </main>
            }
        }
        Startup::Failed(problem) => config_error(ConfigErrorProps {
            problem: problem.clone(),
            t: &english(),
        }),
        Startup::Ready(session) => {
            html! { <Ready session={session.clone()} pages={props.pages} /> }
        }
    }
}

#[derive(Properties, PartialEq)]
struct ReadyProps {
    session: Session,
    pages: Pages,
}

#[component]
fn Ready(props: &ReadyProps) -> Html {
    let session = {
        let initial = props.session.clone();
        use_reducer(move || initial)
    };
    use_session_upkeep(&session);
    let render = {
        let (pages, locale) = (props.pages, session.locale.clone());
        Callback::from(move |route| (pages.0)(route, &locale))
    };
    html! {
        <ContextProvider<SessionContext> context={session.clone()}>
            { language_picker(&session) }
            <HashRouter>
                <Switch<Route> {render} />
            </HashRouter>
        </ContextProvider<SessionContext>>
    }
}

/// Keeps the clinician's session in this tab's storage and refreshes it a
/// minute before its idle limit, for as long as the tab is open.
#[hook]
fn use_session_upkeep(session: &SessionContext) {
    let current = session.clinician.clone();
    let session = session.clone();
    // Whose list to forget when the session ends, however it ends.
    let signed_in_as = use_mut_ref(|| None::<String>);
    use_effect_with((), |_| storage::forget_lasting_visits());
    use_effect_with(current, move |current| {
        storage::save_session(current.as_deref());
        let now_as = current.as_ref().map(|c| c.clinician.id.clone());
        if let Some(ended) = std::mem::replace(&mut *signed_in_as.borrow_mut(), now_as) {
            if current.as_ref().is_none_or(|c| c.clinician.id != ended) {
                storage::forget_visits(&ended);
            }
        }
        let refresh = current.clone().map(|current| {
            before_expiry(current.expires_at, async move {
                match session.api.refresh(&current.token).await {
                    Ok(refreshed) => session.dispatch(SessionAction::SignedIn(refreshed)),
                    Err(err) if err.session_ended() => session.dispatch(SessionAction::SignedOut),
                    // Offline for now: the next page action will tell.
                    Err(_) => {}
                }
            })
        });
        move || refresh.into_iter().for_each(|cancel| cancel())
    });
}

/// Every screen: the clinician's page (`clinic.html`).
pub fn all_pages(route: Route, t: &Locale) -> Html {
    match route {
        Route::ProviderVisit { visit_id } => html! { <ProviderVisit {visit_id} /> },
        Route::ProviderSignIn => html! { <ProviderSignIn /> },
        Route::ProviderVisits => html! { <ProviderVisits /> },
        other => visit_pages(other, t),
    }
}

/// The patients' page (`index.html`): a clinician's route goes on to the
/// clinician's page.
pub fn patient_pages(route: Route, t: &Locale) -> Html {
    if route.is_clinicians() {
        html! { <OpenClinicPage {route} /> }
    } else {
        visit_pages(route, t)
    }
}

fn visit_pages(route: Route, t: &Locale) -> Html {
    match route {
        Route::PatientVisit { invite } => {
            let device = crate::services::storage::device_secret();
            html! { <VisitEntry request={TokenRequest { invite: Some(invite), device, ..TokenRequest::default() }} /> }
        }
        Route::GuestVisit { invite } => {
            html! { <VisitEntry request={TokenRequest { invite: Some(invite), ..TokenRequest::default() }} /> }
        }
        Route::Home => home(t),
        _ => not_found(t),
    }
}

#[derive(Properties, PartialEq)]
struct OpenClinicPageProps {
    route: Route,
}

/// Replaces this page with the clinician's page at the same route, so old
/// links and the start page's "Clinician sign-in" keep working.
#[component]
fn OpenClinicPage(props: &OpenClinicPageProps) -> Html {
    let route = props.route.clone();
    use_effect_with(route, |route| {
        if let Some(location) = web_sys::window().map(|w| w.location()) {
            let path = page_path(&location.pathname().unwrap_or_default(), route);
            let _ = location.replace(&format!("{path}#{}", route.to_path()));
        }
    });
    html! {}
}
