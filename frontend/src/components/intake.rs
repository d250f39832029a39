//! The intake questionnaire: the patient fills it in while waiting (or
//! skips it), and the clinician reads it in a side panel once in the call.
//! Answers travel browser to browser only.

use crate::video::IntakeAnswer;
use api_types::{IntakeQuestion, QuestionKind};
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub questions: Vec<IntakeQuestion>,
    pub onsubmit: Callback<Vec<IntakeAnswer>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    Sent,
    Skipped,
}

/// Reads every field of the form by its question id.
fn answers_of(form: &web_sys::HtmlFormElement, questions: &[IntakeQuestion]) -> Vec<IntakeAnswer> {
    let field = |id: &str| form.elements().named_item(&format!("intake-{id}"));
    questions
        .iter()
        .filter_map(|q| {
            let element = field(&q.id)?;
            let answer = match q.kind {
                QuestionKind::Consent => {
                    let checked = element
                        .unchecked_into::<web_sys::HtmlInputElement>()
                        .checked();
                    (if checked { "Yes" } else { "No" }).to_owned()
                }
                QuestionKind::LongText => element
                    .unchecked_into::<web_sys::HtmlTextAreaElement>()
                    .value(),
                QuestionKind::Text => element
                    .unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            };
            let answer = answer.trim().to_owned();
            (!answer.is_empty()).then(|| IntakeAnswer {
                question: q.label.clone(),
                answer,
            })
        })
        .collect()
}

#[component]
pub fn IntakeForm(props: &FormProps) -> Html {
    let stage = use_state(|| Stage::Open);
    let onsubmit = {
        let (stage, questions, send) = (
            stage.clone(),
            props.questions.clone(),
            props.onsubmit.clone(),
        );
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(form) = event.target_dyn_into::<web_sys::HtmlFormElement>() {
                send.emit(answers_of(&form, &questions));
                stage.set(Stage::Sent);
            }
        })
    };
    let skip = {
        let stage = stage.clone();
        Callback::from(move |_: MouseEvent| stage.set(Stage::Skipped))
    };
    match *stage {
        Stage::Skipped => html! {},
        Stage::Sent => html! {
            <p class="intake-sent">{ "Thank you. Your clinician will see your answers when they join." }</p>
        },
        Stage::Open => html! {
            <form class="intake stack" {onsubmit}>
                <h2>{ "While you wait (optional)" }</h2>
                <p>{ "Your answers go only to your clinician. You can skip this." }</p>
                { for props.questions.iter().map(|q| {
                    let id = format!("intake-{}", q.id);
                    match q.kind {
                        QuestionKind::Consent => html! {
                            <label class="choice"><input type="checkbox" id={id.clone()} name={id} />{ q.label.clone() }</label>
                        },
                        QuestionKind::LongText => html! {<>
                            <label for={id.clone()}>{ q.label.clone() }</label>
                            <textarea id={id.clone()} name={id} rows="3" maxlength="2000" />
                        </>},
                        QuestionKind::Text => html! {<>
                            <label for={id.clone()}>{ q.label.clone() }</label>
                            <input id={id.clone()} name={id} maxlength="2000" />
                        </>},
                    }
                }) }
                <div class="row">
                    <button type="submit" class="send-intake">{ "Send to my clinician" }</button>
                    <button type="button" class="secondary skip-intake" onclick={skip}>{ "Skip" }</button>
                </div>
            </form>
        },
    }
}

pub struct PanelProps {
    pub answers: Vec<IntakeAnswer>,
}

/// The clinician's view of the patient's answers.
pub fn intake_panel(props: PanelProps) -> Html {
    html! {
        <aside class="intake-panel card" aria-labelledby="intake-heading">
            <h2 id="intake-heading">{ "Patient's answers" }</h2>
            <dl>
                { for props.answers.iter().map(|a| html! {<>
                    <dt>{ a.question.clone() }</dt>
                    <dd>{ a.answer.clone() }</dd>
                </>}) }
            </dl>
        </aside>
    }
}
