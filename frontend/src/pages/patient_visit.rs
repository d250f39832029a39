use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub invite: String,
}

/// The patient's entry point from a visit link.
#[component]
pub fn PatientVisit(props: &Props) -> Html {
    let _ = &props.invite;
    html! {
        <main class="page">
            <section class="card">
                <h1>{ "Your video visit" }</h1>
                <p>{ "Before you join we will check your camera and microphone. Then you wait in a quiet waiting room until your clinician arrives." }</p>
            </section>
        </main>
    }
}
