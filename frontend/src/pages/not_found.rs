use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

pub fn not_found() -> Html {
    html! {
        <main class="page">
            <section class="card">
                <h1>{ "Page not found" }</h1>
                <p>{ "This address does not lead anywhere in Hearth. If you were given a visit link, open it again exactly as it was sent to you." }</p>
                <Link<Route> to={Route::Home} classes="button">{ "Go to the start page" }</Link<Route>>
            </section>
        </main>
    }
}
