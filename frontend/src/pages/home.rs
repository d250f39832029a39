use crate::route::Route;
use yew::prelude::*;
use yew_router::prelude::*;

pub fn home() -> Html {
    html! {
        <main class="page">
            <section class="card">
                <h1>{ "Hearth video visits" }</h1>
                <p>{ "Patients: please open the visit link your clinic sent you." }</p>
                <Link<Route> to={Route::ProviderSignIn} classes="button">{ "Clinician sign-in" }</Link<Route>>
            </section>
        </main>
    }
}
