//! A clinician signs in and creates a visit; the patient opens its link.

use e2e::browser::{with_browser, Browser, TestResult};
use e2e::dist_dir;
use e2e::flows::open_manage;
use e2e::servers::spawn_service;

async fn sign_in(b: &Browser, site: &str, password: &str) -> TestResult {
    b.open_fresh(&format!("{site}/#/provider")).await?;
    b.fill("#username", "demo").await?;
    b.fill("#password", password).await?;
    b.click("button[type=submit]").await
}

#[tokio::test]
async fn a_clinician_creates_a_visit_and_the_patient_link_opens_it() {
    let service = spawn_service(Some(dist_dir())).await;
    let site = service.url.clone();
    let mut patient_link = String::new();
    with_browser("clinician_creates_visit", async |b| {
        sign_in(b, &site, "wrong password").await?;
        b.wait_for_text("[role=alert]", "don't match an account")
            .await?;
        sign_in(b, &site, &service.demo_password).await?;
        b.wait_for_text("h1", "Your visits").await?;
        // The clinician's screens are their own page.
        let page = b.eval("return location.pathname + location.hash").await?;
        assert_eq!(page, "/clinic.html#/provider/visits");
        b.fill("#patient-name", "Test Patient").await?;
        b.click("form button[type=submit]").await?;
        b.wait_for_text(".visit h2", "Test Patient").await?;
        open_manage(b).await?;
        patient_link = b.value_of(".visit input.link").await?;
        // A reload keeps the clinician signed in (this tab's storage).
        b.open_fresh(&format!("{site}/#/provider/visits")).await?;
        b.wait_for_text("h1", "Your visits").await?;
        Ok(())
    })
    .await;
    assert!(
        patient_link.starts_with(&format!("{site}/#/visit/")),
        "{patient_link}"
    );

    with_browser("patient_opens_link", async |b| {
        b.open_fresh(&patient_link).await?;
        b.wait_for_text("[data-view=prejoin] h1", "Check your camera and microphone")
            .await?;
        // A patient downloads none of the clinician's page.
        let loaded = b
            .eval("return performance.getEntriesByType('resource').map(r => r.name)")
            .await?;
        assert!(
            loaded.to_string().contains("hearth-frontend-")
                && !loaded.to_string().contains("hearth-clinic-"),
            "{loaded}"
        );
        b.open_fresh(&format!("{patient_link}tampered")).await?;
        b.wait_for_text("[role=alert]", "This visit link doesn't work")
            .await?;
        Ok(())
    })
    .await;
}
