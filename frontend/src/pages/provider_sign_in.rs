use yew::prelude::*;

#[component]
pub fn ProviderSignIn() -> Html {
    html! {
        <main class="page">
            <section class="card">
                <h1>{ "Clinician sign-in" }</h1>
                <form class="stack">
                    <label for="username">{ "Username" }</label>
                    <input id="username" name="username" autocomplete="username" required=true />
                    <label for="password">{ "Password" }</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required=true />
                    <button type="submit">{ "Sign in" }</button>
                </form>
            </section>
        </main>
    }
}
