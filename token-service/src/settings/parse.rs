//! Reading one variable's value: each parser names the variable in its error.

use super::{SettingsError, MAX_TTL_SECONDS, MIN_KEY_BYTES};
use base64::Engine;
use secrecy::SecretSlice;

pub(super) fn one_of<T: Copy>(
    var: &impl Fn(&str) -> Option<String>,
    variable: &str,
    [(first, default), (second, other)]: [(&str, T); 2],
) -> Result<T, SettingsError> {
    match var(variable).as_deref().map(str::trim) {
        None => Ok(default),
        Some(value) if value == first => Ok(default),
        Some(value) if value == second => Ok(other),
        Some(value) => Err(SettingsError::new(
            variable,
            format!("{value:?} is neither {first:?} nor {second:?}"),
        )),
    }
}

pub(super) fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// An origin is exactly `scheme://host[:port]`, compared byte for byte with
/// the browser's `Origin` header, so anything else would never match.
pub(super) fn parse_origin(origin: &str) -> Result<String, SettingsError> {
    let invalid = || {
        SettingsError::new(
            "ALLOWED_ORIGINS",
            format!("{origin:?} is not an origin like https://visit.clinic.example (no path, no trailing slash)"),
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(invalid)?;
    let host_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if host_ok {
        Ok(origin.to_owned())
    } else {
        Err(invalid())
    }
}

/// Keys are base64 (standard or URL-safe, padding optional) of at least
/// [`MIN_KEY_BYTES`] random bytes.
pub(super) fn parse_key(variable: &str, value: &str) -> Result<SecretSlice<u8>, SettingsError> {
    let value = value.trim().trim_end_matches('=');
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(value)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(value))
        .map_err(|_| {
            SettingsError::new(
                variable,
                "is not base64 (make one with `token-service generate-key`)",
            )
        })?;
    if bytes.len() < MIN_KEY_BYTES {
        return Err(SettingsError::new(
            variable,
            format!(
                "holds {} bytes; at least {MIN_KEY_BYTES} random bytes are required",
                bytes.len()
            ),
        ));
    }
    Ok(SecretSlice::from(bytes))
}

pub(super) fn seconds(
    var: &impl Fn(&str) -> Option<String>,
    variable: &str,
    default: u64,
) -> Result<u64, SettingsError> {
    let Some(raw) = var(variable) else {
        return Ok(default);
    };
    match raw.trim().parse::<u64>() {
        Ok(0) | Err(_) => Err(SettingsError::new(
            variable,
            format!("{raw:?} is not a positive number of seconds"),
        )),
        Ok(value) if value > MAX_TTL_SECONDS => Err(SettingsError::new(
            variable,
            format!("{value} is over the maximum of {MAX_TTL_SECONDS} seconds"),
        )),
        Ok(value) => Ok(value),
    }
}

/// An http(s) URL with nothing after the host but an optional path.
pub(super) fn base_url(
    value: Option<String>,
    variable: &str,
) -> Result<Option<String>, SettingsError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim().trim_end_matches('/').to_owned();
    let has_host = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(['?', '#', ' ']));
    if has_host {
        Ok(Some(value))
    } else {
        Err(SettingsError::new(
            variable,
            format!("{value:?} is not an http(s) base URL"),
        ))
    }
}
