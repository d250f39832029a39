//! Wire types shared by the SPA and the token service, so both sides agree on
//! field names at compile time. Serde only: no I/O, no web or server crates.

use serde::{Deserialize, Serialize};

/// Which video backend the service drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoMode {
    /// Twilio Video Group Rooms.
    Twilio,
    /// The service's own rooms: WebSocket signalling, peer-to-peer WebRTC.
    Local,
}

impl VideoMode {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoMode::Twilio => "twilio",
            VideoMode::Local => "local",
        }
    }
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    pub status: String,
    pub version: String,
    pub video_mode: VideoMode,
}

/// Every error the service returns has this body, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable; clients branch on this, never on `message`.
    pub code: String,
    pub message: String,
}

/// The SPA's run-time settings: `config.json`, served next to `index.html`.
///
/// Unknown fields are refused so that a misspelt setting is reported to ops
/// instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Base URL of the token service. Relative values (such as `"./"`) are
    /// resolved against the page, for a service that serves the SPA itself.
    pub api_base_url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: "not_found".into(),
                message: "No such resource.".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "not_found", "message": "No such resource."}})
        );
    }

    #[test]
    fn video_mode_serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&VideoMode::Local).unwrap(),
            "\"local\""
        );
        assert_eq!(VideoMode::Twilio.as_str(), "twilio");
    }

    #[test]
    fn client_config_refuses_misspelt_fields() {
        let err = serde_json::from_str::<ClientConfig>(r#"{"apiBaseUrl": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("apiBaseUrl"), "{err}");
    }
}
