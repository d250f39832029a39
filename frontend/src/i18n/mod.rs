//! Every word the SPA shows comes from a message catalogue (`locales/`),
//! looked up here. English is built in; the rest is fetched on demand.

pub mod catalogue;
pub mod language;

#[cfg(test)]
mod completeness;

use catalogue::{fill, Catalogue};
use std::rc::Rc;

/// The patients' English, built into the wasm so the page works with no
/// catalogue file at all.
pub const ENGLISH: &str = include_str!("../../../locales/en.json");

/// The clinician's English, built into the clinician's page only.
pub const CLINIC_ENGLISH: &str = include_str!("../../../locales/clinic/en.json");

/// The plural category (`one`, `other`, …) of a count in a language; the
/// browser's `Intl.PluralRules` in the SPA.
pub type PluralRule = Rc<dyn Fn(f64) -> String>;

/// English's rule, for native tests and wherever `Intl` is missing.
pub fn english_plural(count: f64) -> String {
    if count == 1.0 { "one" } else { "other" }.to_owned()
}

/// The words of one language, with English wherever they have none.
pub struct Locale {
    /// The BCP 47 code shown (`"es"`).
    pub language: String,
    messages: Catalogue,
    plural: PluralRule,
}

impl Locale {
    pub fn new(language: &str, messages: Catalogue, plural: PluralRule) -> Locale {
        Locale {
            language: language.to_owned(),
            messages,
            plural,
        }
    }

    /// `messages` as English, with English plurals.
    pub fn in_english(messages: Catalogue) -> Locale {
        Locale::new(
            api_types::DEFAULT_LANGUAGE,
            messages,
            Rc::new(english_plural),
        )
    }

    /// The built-in English, for tests.
    #[cfg(test)]
    pub fn english() -> Locale {
        Locale::in_english(Catalogue::parse(ENGLISH).expect("locales/en.json is a catalogue"))
    }

    /// The clinician's page's built-in English, for tests.
    #[cfg(test)]
    pub fn clinic_english() -> Locale {
        let clinic =
            Catalogue::parse(CLINIC_ENGLISH).expect("locales/clinic/en.json is a catalogue");
        let english = Locale::english();
        Locale::new(
            english.language.clone().as_str(),
            clinic.over(english.messages),
            english.plural,
        )
    }

    /// The message for `key`; the key itself if no catalogue has it (a
    /// native test keeps every key the code uses in English). Never
    /// inlined, here and below: a copy at each of the hundreds of places
    /// that show words would weigh on the first paint.
    #[inline(never)]
    pub fn t(&self, key: &'static str) -> &str {
        self.messages.get(key).unwrap_or(key)
    }

    /// The message for `key` as a text node, made here once rather than at
    /// each of the many places that show words.
    #[inline(never)]
    pub fn html(&self, key: &'static str) -> yew::Html {
        yew::Html::from(self.t(key).to_owned())
    }

    /// The message for `key` with its `{{placeholders}}` filled.
    #[inline(never)]
    pub fn fill(&self, key: &'static str, args: &[(&str, &str)]) -> String {
        fill(self.t(key), args)
    }

    /// The plural form of `key` for `count` (`key_one`, `key_other`, … as
    /// i18next names them), with `{{count}}` filled.
    pub fn count(&self, key: &'static str, count: u64) -> String {
        let form = format!("{key}_{}", (self.plural)(count as f64));
        let other = format!("{key}_other");
        let template = self
            .messages
            .get(&form)
            .or_else(|| self.messages.get(&other))
            .unwrap_or(key);
        fill(template, &[("count", &count.to_string())])
    }

    /// `ltr` or `rtl`, for the page's `dir`.
    pub fn direction(&self) -> &'static str {
        language::direction(&self.language)
    }
}

impl Eq for Locale {}

impl PartialEq for Locale {
    fn eq(&self, other: &Self) -> bool {
        self.language == other.language && self.messages == other.messages
    }
}

impl std::fmt::Debug for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locale")
            .field("language", &self.language)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_languages_plural_form() {
        let messages = Catalogue::parse(
            r#"{"w": {"n_one": "{{count}} minuto", "n_other": "{{count}} minutos"}}"#,
        )
        .unwrap();
        let spanish = Locale::new("es", messages, Rc::new(english_plural));
        assert_eq!(spanish.count("w.n", 1), "1 minuto");
        assert_eq!(spanish.count("w.n", 5), "5 minutos");
        let few = Locale::new(
            "xx",
            Catalogue::parse(r#"{"n_other": "{{count}}!"}"#).unwrap(),
            Rc::new(|_| "few".to_owned()),
        );
        assert_eq!(
            few.count("n", 3),
            "3!",
            "a missing form falls back to other"
        );
    }

    #[test]
    fn english_is_built_in_and_complete_for_every_lookup() {
        let english = Locale::english();
        assert_eq!(english.direction(), "ltr");
        assert_ne!(english.t("prejoin.join"), "prejoin.join");
    }
}
