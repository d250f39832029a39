//! The intake questionnaire: the patient fills it in while waiting (or
//! skips it), and the clinician reads it in a side panel once in the call.
//! Answers travel browser to browser only.

use crate::context::use_session;
use crate::i18n::catalogue::Catalogue;
use crate::i18n::Locale;
use crate::video::IntakeAnswer;
use api_types::{IntakeQuestion, QuestionKind, DEFAULT_LANGUAGE};
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

/// Reads every field of the form by its question id. The questions and a
/// consent's answer go in English (`english`, the page's built-in
/// catalogue), the clinician's page's language, whichever language the
/// patient reads.
fn answers_of(
    form: &web_sys::HtmlFormElement,
    questions: &[IntakeQuestion],
    english: &Catalogue,
) -> Vec<IntakeAnswer> {
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
                    let key = if checked { "intake.yes" } else { "intake.no" };
                    english.get(key).unwrap_or(key).to_owned()
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
                question: q.label.get(DEFAULT_LANGUAGE).to_owned(),
                answer,
            })
        })
        .collect()
}

#[component]
pub fn IntakeForm(props: &FormProps) -> Html {
    let session = use_session();
    let t = session.locale.clone();
    let stage = use_state(|| Stage::Open);
    let onsubmit = {
        let (stage, questions, send) = (
            stage.clone(),
            props.questions.clone(),
            props.onsubmit.clone(),
        );
        let english = session.built_in.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(form) = event.target_dyn_into::<web_sys::HtmlFormElement>() {
                send.emit(answers_of(&form, &questions, &english));
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
            <p class="intake-sent">{ t.html("intake.sent") }</p>
        },
        Stage::Open => html! {
            <form class="intake stack" {onsubmit}>
                <h2>{ t.html("intake.title") }</h2>
                <p>{ t.html("intake.privacy") }</p>
                { for props.questions.iter().map(|q| {
                    let id = format!("intake-{}", q.id);
                    let label = q.label.get(&t.language).to_owned();
                    match q.kind {
                        QuestionKind::Consent => html! {
                            <label class="choice"><input type="checkbox" id={id.clone()} name={id} />{ label }</label>
                        },
                        QuestionKind::LongText => html! {<>
                            <label for={id.clone()}>{ label }</label>
                            <textarea id={id.clone()} name={id} rows="3" maxlength="2000" />
                        </>},
                        QuestionKind::Text => html! {<>
                            <label for={id.clone()}>{ label }</label>
                            <input id={id.clone()} name={id} maxlength="2000" />
                        </>},
                    }
                }) }
                <div class="row">
                    <button type="submit" class="send-intake">{ t.html("intake.send") }</button>
                    <button type="button" class="secondary skip-intake" onclick={skip}>{ t.html("intake.skip") }</button>
                </div>
            </form>
        },
    }
}

pub struct PanelProps<'a> {
    pub t: &'a Locale,
    pub answers: Vec<IntakeAnswer>,
}

/// The clinician's view of the patient's answers.
pub fn intake_panel(props: PanelProps<'_>) -> Html {
    html! {
        <aside class="intake-panel card" aria-labelledby="intake-heading">
            <h2 id="intake-heading">{ props.t.html("intake.answers") }</h2>
            <dl>
                { for props.answers.iter().map(|a| html! {<>
                    <dt>{ a.question.clone() }</dt>
                    <dd>{ a.answer.clone() }</dd>
                </>}) }
            </dl>
        </aside>
    }
}
