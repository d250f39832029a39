use crate::config::{self, ConfigProblem};
use crate::context::Session;
use crate::pages::{
    config_error::ConfigError, home::Home, not_found::NotFound, patient_visit::PatientVisit,
    provider_sign_in::ProviderSignIn,
};
use crate::route::Route;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Debug, Clone, PartialEq)]
enum Startup {
    Loading,
    Ready(Session),
    Failed(ConfigProblem),
}

/// Loads `config.json` before anything else, so no page runs unconfigured.
#[component]
pub fn App() -> Html {
    let startup = use_state(|| Startup::Loading);
    {
        let startup = startup.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                startup.set(match config::load().await {
                    Ok(config) => Startup::Ready(Session {
                        config: Rc::new(config),
                    }),
                    Err(problem) => Startup::Failed(problem),
                });
            });
        });
    }
    match &*startup {
        Startup::Loading => html! {
            <main class="page" aria-busy="true"><p class="boot">{ "Loading your visit…" }</p></main>
        },
        Startup::Failed(problem) => html! { <ConfigError problem={problem.clone()} /> },
        Startup::Ready(session) => html! {
            <ContextProvider<Session> context={session.clone()}>
                <HashRouter>
                    <Switch<Route> render={switch} />
                </HashRouter>
            </ContextProvider<Session>>
        },
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::PatientVisit { invite } => html! { <PatientVisit {invite} /> },
        Route::ProviderSignIn => html! { <ProviderSignIn /> },
        Route::NotFound => html! { <NotFound /> },
    }
}
