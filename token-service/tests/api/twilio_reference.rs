//! Our Twilio access tokens against Twilio's official helper library (npm
//! `twilio`), with fixed inputs and a fixed clock.

use token_service::settings::TwilioCredentials;
use token_service::twilio::access_token;

#[test]
fn our_token_equals_the_official_helpers_and_verifies() {
    let credentials = TwilioCredentials::new(
        "AC0123456789abcdef0123456789abcdef".into(),
        "SKfedcba9876543210fedcba9876543210".into(),
        "a-test-api-secret-of-32-chars!!",
    );
    let (identity, room, now, ttl) = ("patient.Zk3jQ9", "visit-room-1", 1_790_000_000u64, 5_400u64);
    let ours = access_token(&credentials, identity, room, now, ttl);
    let input = serde_json::json!({
        "accountSid": credentials.account_sid,
        "apiKey": credentials.api_key,
        "apiSecret": "a-test-api-secret-of-32-chars!!",
        "identity": identity,
        "room": room,
        "now": now,
        "ttl": ttl,
        "ours": ours,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/twilio-reference.mjs");
    let output = std::process::Command::new("node")
        .arg(script)
        .arg(input.to_string())
        .output()
        .expect("node runs (cargo xtask test installs the npm packages first)");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
