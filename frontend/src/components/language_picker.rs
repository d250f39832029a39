//! The language switcher on every patient screen: each language written in
//! its own name, so a person finds theirs whatever the page shows now.

use crate::context::{SessionAction, SessionContext};
use crate::services::locales::{self, own_name};
use crate::services::storage;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// A plain function, not a component: each component costs first-paint
/// bytes, and this one needs nothing but the session.
pub fn language_picker(session: &SessionContext) -> Html {
    if session.languages.len() < 2 {
        return Html::default();
    }
    let onchange = {
        let session = session.clone();
        Callback::from(move |event: Event| {
            let select = event.target_unchecked_into::<HtmlSelectElement>();
            let session = session.clone();
            yew::platform::spawn_local(async move {
                let wanted = select.value();
                let chosen = locales::load(&wanted, &session.config, &session.built_in).await;
                // A catalogue that failed leaves English, and the list says so.
                select.set_value(&chosen.language);
                storage::choose_language(&chosen.language);
                locales::show_on_page(&chosen, "app.title");
                session.dispatch(SessionAction::Language(chosen.into()));
            });
        })
    };
    let t = &session.locale;
    html! {
        <nav class="language-picker" aria-label={t.t("app.language").to_owned()}>
            <label>
                <span class="globe" aria-hidden="true"></span>
                <span class="visually-hidden">{ t.html("app.language") }</span>
                <select id="language" {onchange}>
                    { for session.languages.iter().map(|code| html! {
                        <option value={code.clone()} lang={code.clone()} selected={*code == t.language}>{ own_name(code) }</option>
                    }) }
                </select>
            </label>
        </nav>
    }
}
