//! The one HTTP wrapper. gloo-net resolves 4xx/5xx as `Ok`, so every call goes
//! through here to turn a bad status into an error.

use gloo_net::http::Request;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpError {
    /// No response at all: offline, DNS, CORS refusal.
    Network,
    /// A response with a non-2xx status.
    Status(u16),
}

pub async fn get_text(url: &str) -> Result<String, HttpError> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|_| HttpError::Network)?;
    if !response.ok() {
        return Err(HttpError::Status(response.status()));
    }
    response.text().await.map_err(|_| HttpError::Network)
}
