use crate::config::ConfigProblem;
use crate::i18n::Locale;
use yew::prelude::*;

pub struct Props<'a> {
    pub problem: ConfigProblem,
    pub t: &'a Locale,
}

/// Shown instead of a blank screen when `config.json` is missing or broken.
pub fn config_error(props: Props<'_>) -> Html {
    let t = props.t;
    html! {
        <main class="page">
            <section class="card" role="alert">
                <h1>{ t.html("config.title") }</h1>
                <p>{ props.problem.message(t) }</p>
                <p>{ t.html("config.contact") }</p>
            </section>
        </main>
    }
}
