//! QR codes of visit links, drawn by the app itself as SVG (no web
//! service sees the link). The encoder script loads on first use.

use crate::bindings;
use crate::services::script;

/// The encoder, copied into `dist/` by Trunk.
const ENCODER_URL: &str = "qrcode.js";

/// An SVG path drawing each dark module of an `n`×`n` code as a unit square
/// (pure, tested natively).
pub fn svg_path(n: u32, is_dark: impl Fn(u32, u32) -> bool) -> String {
    let mut path = String::new();
    for row in 0..n {
        for column in (0..n).filter(|&c| is_dark(row, c)) {
            path.push_str(&format!("M{column} {row}h1v1h-1z"));
        }
    }
    path
}

/// `(modules per side, SVG path)` of the QR code of `text`.
pub async fn encode(text: &str) -> Option<(u32, String)> {
    if bindings::new_qr_code(0, "M").is_err() {
        script::load(ENCODER_URL).await.ok()?;
    }
    let code = bindings::new_qr_code(0, "M").ok()?;
    code.add_data(text);
    code.make().ok()?;
    let n = code.module_count();
    Some((n, svg_path(n, |row, column| code.is_dark(row, column))))
}

#[cfg(test)]
mod tests {
    use super::svg_path;

    #[test]
    fn dark_modules_become_unit_squares() {
        assert_eq!(svg_path(2, |r, c| r == c), "M0 0h1v1h-1zM1 1h1v1h-1z");
        assert_eq!(svg_path(3, |_, _| false), "");
    }
}
