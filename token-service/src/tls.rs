//! HTTPS from PEM files, with rustls and the ring crypto provider.

use crate::settings::{SettingsError, TlsFiles};
use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

/// Reads the certificate chain and key, naming the setting at fault.
pub fn server_config(files: &TlsFiles) -> Result<rustls::ServerConfig, SettingsError> {
    let problem = |variable: &str, message: String| SettingsError {
        variable: variable.to_owned(),
        problem: message,
    };
    let open = |variable: &str, path: &std::path::Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|err| problem(variable, format!("{}: {err}", path.display())))
    };
    let certificates = rustls_pemfile::certs(&mut open("TLS_CERT_FILE", &files.certificate)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| {
            problem(
                "TLS_CERT_FILE",
                format!("not a PEM certificate chain: {err}"),
            )
        })?;
    if certificates.is_empty() {
        return Err(problem("TLS_CERT_FILE", "holds no certificate".to_owned()));
    }
    let key = rustls_pemfile::private_key(&mut open("TLS_KEY_FILE", &files.private_key)?)
        .map_err(|err| problem("TLS_KEY_FILE", format!("not a PEM private key: {err}")))?
        .ok_or_else(|| problem("TLS_KEY_FILE", "holds no private key".to_owned()))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|err| problem("TLS_CERT_FILE", err.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|err| {
            problem(
                "TLS_KEY_FILE",
                format!("does not match the certificate: {err}"),
            )
        })
}
