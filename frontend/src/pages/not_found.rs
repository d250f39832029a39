use crate::i18n::Locale;
use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

pub fn not_found(t: &Locale) -> Html {
    html! {
        <main class="page">
            <section class="card">
                <h1>{ t.html("not_found.title") }</h1>
                <p>{ t.html("not_found.text") }</p>
                <Link<Route> to={Route::Home} classes="button">{ t.html("not_found.start_page") }</Link<Route>>
            </section>
        </main>
    }
}
