use crate::helpers::{error_code, spawn_app_with};

#[tokio::test]
async fn serves_the_spa_folder_beside_the_api() {
    let dir = std::env::temp_dir().join(format!("hearth-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<p>hearth spa</p>").unwrap();
    let app = spawn_app_with(&[], Some(dir.clone()));

    let index = app.client.get(&app.address).send().await.unwrap();
    assert_eq!(index.status(), 200);
    // No one may frame the SPA to trick a click on Join or End visit.
    assert_eq!(
        index.headers()["content-security-policy"],
        "frame-ancestors 'none'; object-src 'none'"
    );
    assert_eq!(index.headers()["x-frame-options"], "DENY");
    assert_eq!(index.text().await.unwrap(), "<p>hearth spa</p>");

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
