//! The token service's API, as typed calls.

use crate::services::http::{post_for_status, post_json, HttpError};
use api_types::{
    ClientConfig, CreateVisitRequest, CreateVisitResponse, EndVisitRequest, RunningLateRequest,
    RunningLateResponse, SessionRequest, SessionResponse, TokenRequest, TokenResponse, VisitStatus,
    VisitStatusRequest, VisitStatusResponse,
};
use serde::Serialize;

/// `{}`, for requests whose bearer token says it all.
#[derive(Serialize)]
struct NoFields {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// Absolute, ending in `/`.
    base: String,
}

impl Api {
    /// Resolves `api_base_url` against the page, so `"./"` means this host.
    pub fn new(config: &ClientConfig, page_url: &str) -> Self {
        let resolved = web_sys::Url::new_with_base(&config.api_base_url, page_url)
            .map(|url| url.href())
            .unwrap_or_else(|_| config.api_base_url.clone());
        Self {
            base: with_trailing_slash(&resolved),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The built-in rooms' WebSocket, on the API's host and scheme.
    pub fn signalling_url(&self) -> String {
        let base = &self.base;
        let base = base
            .strip_prefix("https://")
            .map(|rest| format!("wss://{rest}"))
            .or_else(|| {
                base.strip_prefix("http://")
                    .map(|rest| format!("ws://{rest}"))
            })
            .unwrap_or_else(|| base.clone());
        format!("{base}api/rooms/ws")
    }

    pub async fn sign_in(
        &self,
        username: String,
        password: String,
    ) -> Result<SessionResponse, HttpError> {
        post_json(
            &self.url("api/session"),
            &SessionRequest { username, password },
            None,
        )
        .await
    }

    pub async fn refresh(&self, session: &str) -> Result<SessionResponse, HttpError> {
        post_json(
            &self.url("api/session/refresh"),
            &NoFields {},
            Some(session),
        )
        .await
    }

    pub async fn create_visit(
        &self,
        session: &str,
        request: &CreateVisitRequest,
    ) -> Result<CreateVisitResponse, HttpError> {
        post_json(&self.url("api/visits"), request, Some(session)).await
    }

    pub async fn visit_status(
        &self,
        session: &str,
        visit_ids: Vec<String>,
    ) -> Result<Vec<VisitStatus>, HttpError> {
        let request = VisitStatusRequest { visit_ids };
        let response: VisitStatusResponse =
            post_json(&self.url("api/visits/status"), &request, Some(session)).await?;
        Ok(response.visits)
    }

    pub async fn end_visit(&self, session: &str, visit_id: String) -> Result<(), HttpError> {
        post_for_status(
            &self.url("api/visits/end"),
            &EndVisitRequest { visit_id },
            Some(session),
        )
        .await
    }

    pub async fn running_late(
        &self,
        session: &str,
        request: &RunningLateRequest,
    ) -> Result<RunningLateResponse, HttpError> {
        post_json(&self.url("api/visits/running-late"), request, Some(session)).await
    }

    pub async fn video_token(
        &self,
        request: &TokenRequest,
        session: Option<&str>,
    ) -> Result<TokenResponse, HttpError> {
        post_json(&self.url("api/token"), request, session).await
    }
}

/// Drops any query or fragment and ends the path in `/`, so paths append.
fn with_trailing_slash(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::{with_trailing_slash, Api};

    #[test]
    fn signalling_follows_the_api_scheme() {
        let api = |base: &str| Api {
            base: base.to_owned(),
        };
        assert_eq!(
            api("http://127.0.0.1:8080/").signalling_url(),
            "ws://127.0.0.1:8080/api/rooms/ws"
        );
        assert_eq!(
            api("https://t.example/h/").signalling_url(),
            "wss://t.example/h/api/rooms/ws"
        );
    }

    #[test]
    fn base_urls_end_in_one_slash() {
        assert_eq!(
            with_trailing_slash("https://t.example"),
            "https://t.example/"
        );
        assert_eq!(
            with_trailing_slash("https://t.example/hearth/"),
            "https://t.example/hearth/"
        );
        assert_eq!(
            with_trailing_slash("http://h:8080/#/provider"),
            "http://h:8080/"
        );
    }
}
