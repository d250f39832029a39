use crate::components::input_value;
use crate::context::{use_session, SessionAction};
use crate::hooks::use_locale;
use crate::messages;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn ProviderSignIn() -> Html {
    let session = use_session();
    let t = use_locale();
    let navigator = use_navigator().expect("inside the router");
    let username = use_node_ref();
    let password = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);

    if session.clinician.is_some() {
        return html! { <Redirect<Route> to={Route::ProviderVisits} /> };
    }

    let onsubmit = {
        let t = t.clone();
        let (username, password, error, busy) = (
            username.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *busy {
                return;
            }
            let (user, pass) = (input_value(&username), input_value(&password));
            let (session, navigator, error, busy, t) = (
                session.clone(),
                navigator.clone(),
                error.clone(),
                busy.clone(),
                t.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                match session.api.sign_in(user, pass).await {
                    Ok(signed_in) => {
                        session.dispatch(SessionAction::SignedIn(signed_in));
                        navigator.push(&Route::ProviderVisits);
                    }
                    Err(err) => {
                        error.set(Some(messages::sign_in(&t, &err)));
                        busy.set(false);
                    }
                }
            });
        })
    };

    html! {
        <main class="page">
            <section class="card">
                <h1>{ t.html("clinic.sign_in.title") }</h1>
                <form class="stack" {onsubmit}>
                    <label for="username">{ t.html("clinic.sign_in.username") }</label>
                    <input id="username" ref={username} autocomplete="username" required=true />
                    <label for="password">{ t.html("clinic.sign_in.password") }</label>
                    <input id="password" ref={password} type="password" autocomplete="current-password" required=true />
                    <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                    <button type="submit" disabled={*busy}>{ t.html(if *busy { "clinic.sign_in.signing_in" } else { "clinic.sign_in.sign_in" }) }</button>
                </form>
            </section>
        </main>
    }
}
