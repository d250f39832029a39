use crate::config::ConfigProblem;
use yew::prelude::*;

pub struct Props {
    pub problem: ConfigProblem,
}

/// Shown instead of a blank screen when `config.json` is missing or broken.
pub fn config_error(props: Props) -> Html {
    html! {
        <main class="page">
            <section class="card" role="alert">
                <h1>{ "This visit page isn't set up correctly" }</h1>
                <p>{ props.problem.message() }</p>
                <p>{ "Please contact your clinic by phone. If you run this site, see \"Deploying\" in Hearth's README." }</p>
            </section>
        </main>
    }
}
