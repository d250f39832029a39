//! Reading `config.json`, the SPA's run-time settings. Ops edit this file on
//! the static host, so every way it can be wrong gets a plain message.

use crate::i18n::language::is_valid_code;
use crate::i18n::Locale;
use crate::services::http::{self, HttpError};
use crate::services::json;
use api_types::ClientConfig;

/// Why the settings could not be used, worded for the clinic's IT staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    Missing,
    Unreachable,
    /// What the JSON parser said.
    Malformed(String),
    EmptyBaseUrl,
    BadLanguage(String),
}

impl ConfigProblem {
    pub fn message(&self, t: &Locale) -> String {
        let malformed = |detail: &str| t.fill("config.malformed", &[("detail", detail)]);
        match self {
            ConfigProblem::Missing => t.t("config.missing").to_owned(),
            ConfigProblem::Unreachable => t.t("config.unreachable").to_owned(),
            ConfigProblem::Malformed(detail) => malformed(detail),
            ConfigProblem::EmptyBaseUrl => malformed(t.t("config.empty_base_url")),
            ConfigProblem::BadLanguage(code) => {
                malformed(&t.fill("config.bad_language", &[("code", code)]))
            }
        }
    }
}

/// Checks the file's text; pure, so it is tested natively.
pub fn parse(text: &str) -> Result<ClientConfig, ConfigProblem> {
    let config: ClientConfig = json::from_str(text).map_err(ConfigProblem::Malformed)?;
    if config.api_base_url.trim().is_empty() {
        return Err(ConfigProblem::EmptyBaseUrl);
    }
    // Each code names a file under locales/, so only plain codes pass.
    if let Some(bad) = config.languages.iter().find(|code| !is_valid_code(code)) {
        return Err(ConfigProblem::BadLanguage(bad.clone()));
    }
    Ok(config)
}

pub async fn load() -> Result<ClientConfig, ConfigProblem> {
    match http::get_text("config.json").await {
        Ok(text) => parse(&text),
        Err(HttpError::Status { status: 404, .. }) => Err(ConfigProblem::Missing),
        Err(_) => Err(ConfigProblem::Unreachable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patients_may_share_their_screen_unless_the_clinic_says_no() {
        assert!(
            parse(r#"{"api_base_url": "./"}"#)
                .unwrap()
                .patient_screen_share
        );
        let off = parse(r#"{"api_base_url": "./", "patient_screen_share": false}"#).unwrap();
        assert!(!off.patient_screen_share);
    }

    #[test]
    fn the_intake_questions_come_from_the_file() {
        let config = parse(
            r#"{"api_base_url": "./", "intake": [
                {"id": "reason", "label": "Why?"},
                {"id": "ok", "label": "Agree?", "kind": "consent"}]}"#,
        )
        .unwrap();
        assert_eq!(config.intake.len(), 2);
        assert_eq!(config.intake[1].kind, api_types::QuestionKind::Consent);
        assert!(parse(r#"{"api_base_url": "./", "intake": [{"id": "x"}]}"#).is_err());
    }

    #[test]
    fn a_valid_file_parses() {
        let config = parse(r#"{"api_base_url": "https://token.clinic.example/"}"#).unwrap();
        assert_eq!(config.api_base_url, "https://token.clinic.example/");
    }

    #[test]
    fn broken_json_is_malformed_with_detail() {
        let problem = parse("{\"api_base_url\": ").unwrap_err();
        assert!(matches!(problem, ConfigProblem::Malformed(_)));
        assert!(problem
            .message(&Locale::english())
            .starts_with("The settings file config.json is not valid"));
    }

    #[test]
    fn an_empty_base_url_is_refused() {
        let problem = parse(r#"{"api_base_url": " "}"#).unwrap_err();
        assert!(problem
            .message(&Locale::english())
            .contains("api_base_url is empty"));
    }

    #[test]
    fn clinics_offer_english_and_spanish_unless_they_list_their_own() {
        let config = parse(r#"{"api_base_url": "./"}"#).unwrap();
        assert_eq!(config.languages, ["en", "es"]);
        let problem = parse(r#"{"api_base_url": "./", "languages": ["en", "../x"]}"#).unwrap_err();
        assert_eq!(problem, ConfigProblem::BadLanguage("../x".into()));
        assert!(problem
            .message(&Locale::english())
            .contains("\"../x\" in languages"));
    }

    #[test]
    fn clinic_words_and_translated_questions_are_read() {
        let config = parse(
            r#"{"api_base_url": "./",
                "messages": {"es": {"join": {"full": "Llame al 555"}}},
                "intake": [{"id": "r", "label": {"en": "Why?", "es": "¿Por qué?"}}]}"#,
        )
        .unwrap();
        assert_eq!(config.intake[0].label.get("es"), "¿Por qué?");
        assert!(matches!(&config.messages, api_types::MessageTree::Group(g) if g[0].0 == "es"));
        assert!(parse(r#"{"api_base_url": "./", "messages": {"es": 3}}"#).is_err());
    }

    #[test]
    fn a_missing_field_is_named() {
        let problem = parse("{}").unwrap_err().message(&Locale::english());
        assert!(problem.contains("api_base_url"), "{problem}");
    }
}
