//! The one JSON error format, `{"error": {"code", "message"}}`, for every
//! failure the service answers, including unknown routes and methods.

use actix_web::{http::StatusCode, HttpResponse};
use api_types::{ErrorBody, ErrorDetail};

pub fn json_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    })
}

pub async fn not_found() -> HttpResponse {
    json_error(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is nothing at this address.",
    )
}

pub async fn method_not_allowed() -> HttpResponse {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not accept that method.",
    )
}
