use crate::i18n::Locale;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

pub fn home(t: &Locale) -> Html {
    html! {
        <main class="page">
            <section class="card">
                <h1>{ t.html("home.title") }</h1>
                <p>{ t.html("home.patients") }</p>
                <Link<Route> to={Route::ProviderSignIn} classes="button">{ t.html("home.clinician_sign_in") }</Link<Route>>
            </section>
        </main>
    }
}
