use crate::helpers::{error_code, spawn_app_with};

#[tokio::test]
async fn serves_the_spa_folder_beside_the_api() {
    let dir = std::env::temp_dir().join(format!("hearth-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = "<p>hearth spa</p><script type=module>start()</script>";
    std::fs::write(dir.join("index.html"), page).unwrap();
    let app = spawn_app_with(&[], Some(dir.clone())).await;

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

#[tokio::test]
async fn assets_go_precompressed_and_cached_by_name() {
    let dir = std::env::temp_dir().join(format!("hearth-encoded-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = "app-1a2b3c4d5e6f7a8b_bg.wasm";
    std::fs::write(dir.join("index.html"), "<p>page</p>").unwrap();
    std::fs::write(dir.join("index.html.br"), "page-br").unwrap();
    std::fs::write(dir.join("config.json"), r#"{"api_base_url": "./"}"#).unwrap();
    std::fs::write(dir.join(wasm), "raw-wasm").unwrap();
    std::fs::write(dir.join(format!("{wasm}.br")), "br-wasm").unwrap();
    std::fs::write(dir.join(format!("{wasm}.gz")), "gz-wasm").unwrap();
    let app = spawn_app_with(&[], Some(dir.clone())).await;
    let get = |path: &str, accept: Option<&str>| {
        let mut request = app.client.get(format!("{}{path}", app.address));
        if let Some(accept) = accept {
            request = request.header("accept-encoding", accept);
        }
        request.send()
    };

    for (accept, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "br-wasm"),
        (Some("gzip"), Some("gzip"), "gz-wasm"),
        (None, None, "raw-wasm"),
    ] {
        let response = get(&format!("/{wasm}"), accept).await.unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["content-type"], "application/wasm", "{accept:?}");
        assert_eq!(
            headers.get("content-encoding").map(|v| v.to_str().unwrap()),
            encoding,
            "{accept:?}"
        );
        let vary = headers["vary"].to_str().unwrap();
        assert!(vary.contains("accept-encoding"), "{vary}");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(headers.get("content-disposition").is_none());
        assert_eq!(response.text().await.unwrap(), body);
    }

    let page = get("/", Some("br")).await.unwrap();
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["content-encoding"], "br");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let config = get("/config.json", Some("gzip, br")).await.unwrap();
    assert_eq!(config.headers()["cache-control"], "no-cache");
    assert!(config.headers().get("content-encoding").is_none());

    // Only the files themselves: no copy by its own name, nothing outside.
    for path in [
        format!("/{wasm}.br"),
        "/%2e%2e/Cargo.toml".to_owned(),
        "/../Cargo.toml".to_owned(),
        format!("/{}", wasm.replace('a', "%61")),
    ] {
        let response = get(&path, None).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    // The same as an attacker sends them, unnormalised by any client, aimed
    // at a real file beside the folder.
    let secret_name = format!("hearth-encoded-secret-{}.txt", std::process::id());
    let secret = std::env::temp_dir().join(&secret_name);
    std::fs::write(&secret, "outside-the-spa").unwrap();
    let folder = dir.file_name().unwrap().to_str().unwrap().to_owned();
    for path in [
        format!("/../{secret_name}"),
        format!("/%2e%2e/{secret_name}"),
        format!("/..%2f{secret_name}"),
        format!("/.%2e/{secret_name}"),
        format!("/..\\{secret_name}"),
        format!("/%5c..%5c{secret_name}"),
        format!("//../{secret_name}"),
        format!("/../{folder}/index.html/../../{secret_name}"),
        "/index.html%00".to_owned(),
    ] {
        let answer = raw_get(&app.address, &path).await;
        assert!(answer.starts_with("HTTP/1.1 4"), "{path}: {answer}");
        assert!(!answer.contains("outside-the-spa"), "{path}: {answer}");
    }
    std::fs::remove_file(secret).unwrap();
    let post = app
        .client
        .post(format!("{}/index.html", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(error_code(post).await, "method_not_allowed");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `GET path` written to the socket exactly as given (no URL library
/// normalises it); returns the whole answer.
async fn raw_get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let host = address.trim_start_matches("http://").to_owned();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}
