//! The one JSON error format, `{"error": {"code", "message"}}`, for every
//! failure the service answers: handler errors, extractor errors, unknown
//! routes and methods, and panics.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::middleware::Next;
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use api_types::{ErrorBody, ErrorCode, ErrorDetail};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

/// Request bodies are small JSON documents; anything bigger is refused.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

pub fn json_error(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error: ErrorDetail {
            code: code.as_str().to_owned(),
            message: message.to_owned(),
        },
    })
}

/// Implements `ResponseError` for an error enum with `status()` and `code()`
/// methods and a `Display` message, so each handler's enum answers in the one format.
macro_rules! json_response_error {
    ($error:ty) => {
        impl actix_web::ResponseError for $error {
            fn status_code(&self) -> actix_web::http::StatusCode {
                self.status()
            }

            fn error_response(&self) -> actix_web::HttpResponse {
                $crate::error::json_error(self.status(), self.code(), &self.to_string())
            }
        }
    };
}
pub(crate) use json_response_error;

pub async fn not_found() -> HttpResponse {
    json_error(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is nothing at this address.",
    )
}

pub async fn method_not_allowed() -> HttpResponse {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "This address does not accept that method.",
    )
}

/// Why a JSON request body was refused.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("The request body is larger than {MAX_BODY_BYTES} bytes.")]
    TooLarge,
    #[error("The request body must be JSON (Content-Type: application/json).")]
    NotJson,
    #[error("The request body is not valid JSON.")]
    Syntax,
    /// Where, not what: the message never repeats what was sent.
    #[error(
        "The request body does not match what this address expects (line {line}, column {column})."
    )]
    Invalid { line: usize, column: usize },
}

impl BodyError {
    fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::NotJson => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            BodyError::Syntax => StatusCode::BAD_REQUEST,
            BodyError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            BodyError::TooLarge => ErrorCode::BodyTooLarge,
            BodyError::NotJson => ErrorCode::UnsupportedMediaType,
            BodyError::Syntax => ErrorCode::MalformedJson,
            BodyError::Invalid { .. } => ErrorCode::InvalidBody,
        }
    }
}

json_response_error!(BodyError);

impl From<JsonPayloadError> for BodyError {
    fn from(err: JsonPayloadError) -> Self {
        match err {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                BodyError::TooLarge
            }
            JsonPayloadError::ContentType => BodyError::NotJson,
            JsonPayloadError::Deserialize(err) if err.is_data() => BodyError::Invalid {
                line: err.line(),
                column: err.column(),
            },
            _ => BodyError::Syntax,
        }
    }
}

/// JSON extraction for every handler: size cap, and errors in our format.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(|err, _req: &HttpRequest| BodyError::from(err).into())
}

/// A handler panicked; the caller gets a generic 500.
#[derive(Debug, thiserror::Error)]
#[error("Something went wrong on our side. Please try again.")]
pub struct HandlerPanicked;

impl HandlerPanicked {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn code(&self) -> ErrorCode {
        ErrorCode::Internal
    }
}

json_response_error!(HandlerPanicked);

/// Turns a panicking handler into a generic 500 instead of a dropped
/// connection; the worker keeps serving.
pub async fn catch_panics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path().to_owned();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!(path, "a handler panicked; answered 500");
            Err(HandlerPanicked.into())
        }
    }
}

/// A request with a body must say `application/json`: actix's extractor
/// would also take `text/json` or any `…+json` type.
pub async fn require_json(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let has_body = header(TRANSFER_ENCODING).is_some()
        || header(CONTENT_LENGTH).is_some_and(|length| length.trim() != "0");
    let is_json = header(CONTENT_TYPE)
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !is_json {
        let refused = actix_web::ResponseError::error_response(&BodyError::NotJson);
        return Ok(req.into_response(refused));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{middleware::from_fn, test, App};

    #[actix_web::test]
    async fn a_panicking_handler_gets_a_json_500_and_the_service_keeps_serving() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(catch_panics))
                .route(
                    "/boom",
                    web::get().to(|| async { panic!("handler bug") as HttpResponse }),
                )
                .route("/fine", web::get().to(HttpResponse::Ok)),
        )
        .await;
        // The server renders a middleware's error as its response.
        let error =
            test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request())
                .await
                .err()
                .expect("the panic becomes an error");
        let response = error.error_response();
        assert_eq!(response.status(), 500);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "internal");
        let response =
            test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(response.status(), 200);
    }
}
