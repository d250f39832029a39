use crate::helpers::{error_code, spawn_app_with};

#[tokio::test]
async fn serves_the_spa_folder_beside_the_api() {
    let dir = std::env::temp_dir().join(format!("hearth-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = "<p>hearth spa</p><script type=module>start()</script>";
    std::fs::write(dir.join("index.html"), page).unwrap();
    let app = spawn_app_with(&[], Some(dir.clone()));

    let index = app.client.get(&app.address).send().await.unwrap();
    assert_eq!(index.status(), 200);
    // Only our own scripts run (the inline loader by its hash), and no one
    // may frame the SPA to trick a click on Join or End visit.
    let policy = index.headers()["content-security-policy"].to_str().unwrap();
    assert_eq!(
        policy,
        token_service::page_policy::page_policy(page, None, false)
    );
    assert!(
        policy.contains("script-src 'self' 'sha256-") && policy.contains("frame-ancestors 'none'")
    );
    assert_eq!(index.headers()["x-frame-options"], "DENY");
    assert_eq!(index.text().await.unwrap(), page);

    let health = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        200,
        "the API still answers beside the files"
    );
    assert_eq!(
        health.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'",
        "an API answer loads nothing"
    );

    let missing = app
        .client
        .get(format!("{}/missing.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(error_code(missing).await, "not_found");
    std::fs::remove_dir_all(dir).unwrap();
}
