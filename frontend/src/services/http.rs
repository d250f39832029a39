//! The one HTTP wrapper. gloo-net resolves 4xx/5xx as `Ok`, so every call goes
//! through here to turn a bad status into an error, with the service's error
//! code when it sent one.

use crate::services::json;
use api_types::ErrorBody;
use api_types::ErrorCode;
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// No response at all: offline, DNS, CORS refusal.
    Network,
    /// A non-2xx response; `code` is the service's stable error code, if any.
    Status { status: u16, code: Option<String> },
    /// A 2xx response whose body was not what we expected.
    Unreadable,
}

impl HttpError {
    /// The service refused the clinician's session itself: sign in again.
    /// Any other error (`internal`, a refused action) leaves it alone.
    pub fn session_ended(&self) -> bool {
        matches!(
            self.code(),
            Some(
                ErrorCode::Unauthenticated | ErrorCode::SessionExpired | ErrorCode::InvalidSession
            )
        )
    }

    /// The service's error code, when it sent one this build knows.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            HttpError::Status { code, .. } => code.as_deref().and_then(ErrorCode::parse),
            _ => None,
        }
    }
}

async fn checked(sent: Result<Response, gloo_net::Error>) -> Result<Response, HttpError> {
    let response = sent.map_err(|_| HttpError::Network)?;
    if response.ok() {
        return Ok(response);
    }
    let text = response.text().await.unwrap_or_default();
    let code = json::from_str::<ErrorBody>(&text)
        .ok()
        .map(|body| body.error.code);
    Err(HttpError::Status {
        status: response.status(),
        code,
    })
}

pub async fn get_text(url: &str) -> Result<String, HttpError> {
    let response = checked(Request::get(url).send().await).await?;
    response.text().await.map_err(|_| HttpError::Unreadable)
}

async fn post<B: Serialize>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<Response, HttpError> {
    let mut request = Request::post(url);
    if let Some(token) = bearer {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let text = json::to_string(body).ok_or(HttpError::Unreadable)?;
    let request = request
        .header("Content-Type", "application/json")
        .body(text)
        .map_err(|_| HttpError::Unreadable)?;
    checked(request.send().await).await
}

/// A JSON request answered with a JSON body.
pub async fn post_json<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<T, HttpError> {
    let response = post(url, body, bearer).await?;
    let text = response.text().await.map_err(|_| HttpError::Network)?;
    json::from_str(&text).map_err(|_| HttpError::Unreadable)
}

/// A JSON request answered with no body (204).
pub async fn post_for_status<B: Serialize>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<(), HttpError> {
    post(url, body, bearer).await.map(drop)
}

/// A refusal carrying `code`, as tests need one.
#[cfg(test)]
pub fn with_code(code: &str) -> HttpError {
    HttpError::Status {
        status: 400,
        code: Some(code.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::{with_code as status, HttpError};

    #[test]
    fn only_a_refused_session_signs_the_clinician_out() {
        for code in ["unauthenticated", "session_expired", "invalid_session"] {
            assert!(status(code).session_ended(), "{code}");
        }
        for code in [
            "internal",
            "rate_limited",
            "not_your_visit",
            "something_new",
        ] {
            assert!(!status(code).session_ended(), "{code}");
        }
        assert!(!HttpError::Network.session_ended());
    }
}
