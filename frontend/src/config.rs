//! Reading `config.json`, the SPA's run-time settings. Ops edit this file on
//! the static host, so every way it can be wrong gets a plain message.

use crate::services::http::{self, HttpError};
use crate::services::json;
use api_types::ClientConfig;

/// Why the settings could not be used, worded for the clinic's IT staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    Missing,
    Unreachable,
    Malformed(String),
}

impl ConfigProblem {
    pub fn message(&self) -> String {
        match self {
            ConfigProblem::Missing => {
                "The settings file config.json was not found next to this page.".to_owned()
            }
            ConfigProblem::Unreachable => {
                "The settings file config.json could not be loaded. Check your internet connection and reload the page.".to_owned()
            }
            ConfigProblem::Malformed(detail) => {
                format!("The settings file config.json is not valid: {detail}.")
            }
        }
    }
}

/// Checks the file's text; pure, so it is tested natively.
pub fn parse(text: &str) -> Result<ClientConfig, ConfigProblem> {
    let config: ClientConfig = json::from_str(text).map_err(ConfigProblem::Malformed)?;
    if config.api_base_url.trim().is_empty() {
        return Err(ConfigProblem::Malformed(
            "api_base_url is empty; use \"./\" when the token service serves this page".to_owned(),
        ));
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
            .message()
            .starts_with("The settings file config.json is not valid"));
    }

    #[test]
    fn an_empty_base_url_is_refused() {
        let problem = parse(r#"{"api_base_url": " "}"#).unwrap_err();
        assert!(problem.message().contains("api_base_url is empty"));
    }

    #[test]
    fn a_missing_field_is_named() {
        let problem = parse("{}").unwrap_err();
        assert!(
            problem.message().contains("api_base_url"),
            "{}",
            problem.message()
        );
    }
}
