//! The person's language: the catalogue fetched from `locales/` next to the
//! page, the clinic's own words from `config.json`, and the choice shown on
//! the page's `lang` and `dir` (and remembered by `storage`).

use crate::bindings;
use crate::i18n::catalogue::Catalogue;
use crate::i18n::{english_plural, language, Locale};
use crate::services::{http, storage};
use api_types::{ClientConfig, MessageTree, DEFAULT_LANGUAGE};
use std::rc::Rc;

/// `language`'s words over the built-in English, each with the clinic's
/// overrides. A catalogue that is missing or broken leaves English, said
/// on the console for whoever runs the site.
pub async fn load(language: &str, config: &ClientConfig, built_in: &Catalogue) -> Locale {
    let clinic = |code: &str| match &config.messages {
        MessageTree::Group(languages) => languages
            .iter()
            .find(|(language, _)| language == code)
            .map(|(_, tree)| Catalogue::from_tree(tree))
            .unwrap_or_default(),
        MessageTree::Text(_) => Catalogue::default(),
    };
    let english = clinic(DEFAULT_LANGUAGE).over(built_in.clone());
    if language == DEFAULT_LANGUAGE {
        return Locale::in_english(english);
    }
    let url = format!("locales/{language}.json");
    match http::get_text(&url)
        .await
        .map_err(|_| "not found".to_owned())
        .and_then(|text| Catalogue::parse(&text))
    {
        Ok(catalogue) => {
            let plural = bindings::plural_rule(language)
                .map_or_else(|| Rc::new(english_plural) as _, |rule| Rc::new(rule) as _);
            Locale::new(
                language,
                clinic(language).over(catalogue.over(english)),
                plural,
            )
        }
        Err(fault) => {
            web_sys::console::warn_1(
                &format!("{url} could not be used ({fault}); showing English").into(),
            );
            Locale::in_english(english)
        }
    }
}

/// The language to show on arrival: the one chosen here before, else the
/// browser's, among those the clinic offers (English when none are).
pub fn first_choice(offered: &[String]) -> String {
    let remembered = storage::chosen_language();
    let browser: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default();
    language::choose(remembered.as_deref(), &browser, offered).to_owned()
}

/// Sets the page's `lang` and `dir`, for screen readers, fonts and
/// layout, and its title (the message `title`) as tabs and bookmarks show it.
pub fn show_on_page(locale: &Locale, title: &'static str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    document.set_title(locale.t(title));
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", &locale.language);
        let _ = root.set_attribute("dir", locale.direction());
    }
}

/// A language's own name ("Español"), or its code where the browser has
/// no name for it.
pub fn own_name(code: &str) -> String {
    bindings::own_language_name(code).unwrap_or_else(|| code.to_owned())
}
