//! Patients in their own language: a Spanish browser meets Spanish on every
//! screen, the switcher changes and remembers the language mid-visit, and
//! a pseudo-locale finds any word that does not come from a catalogue.

use e2e::browser::{with_browsers, with_browsers_reading, Browser, TestResult, ENGLISH};
use e2e::chat::chat_reaches;
use e2e::flows::{
    clinician_creates_visit, join, no_serious_accessibility_problems, open_manage, press_join,
    sees_and_hears_remote, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::{copy_of_dist, edit_config, spawn_service};
use serde_json::{json, Value};
use std::path::Path;

const SPANISH: &str = "es-MX,es";

/// The page's language as screen readers and fonts see it.
async fn page_language(b: &Browser) -> TestResult<(String, String)> {
    let found = b
        .eval("return [document.documentElement.lang, document.documentElement.dir]")
        .await?;
    Ok((
        found[0].as_str().unwrap_or_default().to_owned(),
        found[1].as_str().unwrap_or_default().to_owned(),
    ))
}

/// Chooses `code` in the switcher, as a person picks from the list.
async fn choose_language(b: &Browser, code: &str) -> TestResult {
    b.click(&format!("#language option[value='{code}']"))
        .await?;
    b.wait_until(
        &format!("document.documentElement.lang === '{code}'"),
        SHORT,
    )
    .await
}

#[tokio::test]
async fn a_spanish_browser_sees_spanish_on_every_patient_screen_and_may_switch() {
    // A clinic's own words over the catalogue's, in one language.
    let dist = copy_of_dist("spanish");
    edit_config(&dist, |config| {
        config["messages"] =
            json!({"es": {"entry": {"title": "Su consulta por video con Clínica Río"}}});
    });
    let service = spawn_service(Some(dist)).await;
    with_browsers_reading(
        "spanish",
        &[ENGLISH, SPANISH],
        async |browsers: &[Browser]| {
            let (clinician, patient) = (&browsers[0], &browsers[1]);
            let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;

            // A link that does not work is explained in Spanish.
            let broken = patient_link.replace("#/visit/", "#/visit/x");
            patient.open_fresh(&broken).await?;
            patient
                .wait_for_text("[role=alert] h2", "El enlace de esta consulta no funciona")
                .await?;
            patient
                .wait_for_text("h1", "Su consulta por video con Clínica Río")
                .await?;
            no_serious_accessibility_problems(patient, "Spanish broken link").await?;

            // The check before joining, with the page marked as Spanish.
            patient.open_fresh(&patient_link).await?;
            patient
                .wait_for_text(
                    "[data-view=prejoin] h1",
                    "Compruebe su cámara y su micrófono",
                )
                .await?;
            assert_eq!(page_language(patient).await?, ("es".into(), "ltr".into()));
            let title = patient.eval("return document.title").await?;
            assert_eq!(
                title,
                json!("Consulta por video de Hearth"),
                "the tab's title"
            );
            let shown = patient
                .eval("return document.querySelector('#language').selectedOptions[0].textContent")
                .await?;
            assert_eq!(
                shown,
                json!("Español"),
                "the switcher names each language in itself"
            );
            patient
                .wait_for_text("button.join", "Entrar a la consulta")
                .await?;
            no_serious_accessibility_problems(patient, "Spanish pre-join").await?;

            // The waiting room, with the clinic's question and the clinician's
            // "running late" both in Spanish.
            press_join(patient).await?;
            patient.wait_until(PATIENT_WAITING, SHORT).await?;
            patient
                .wait_for_text(
                    "[data-view=waiting] h1",
                    "Su profesional de salud le atenderá en breve",
                )
                .await?;
            patient
                .wait_for_text(
                    "label[for=intake-reason]",
                    "¿Cuál es el motivo de su consulta?",
                )
                .await?;
            clinician.click(".running-late summary").await?;
            clinician.click("button.send-late").await?;
            patient
                .wait_for_text(
                    ".notice",
                    "Su profesional de salud se retrasará unos 5 minutos.",
                )
                .await?;
            clinician.wait_for_text(".late-result", "Delivered").await?;
            no_serious_accessibility_problems(patient, "Spanish waiting room").await?;
            patient.screenshot("spanish-waiting-room").await;

            // The call: controls, captions and chat in Spanish.
            clinician.click(".queue .visit:first-child a.start").await?;
            press_join(clinician).await?;
            patient.wait_until(IN_CALL, SHORT).await?;
            sees_and_hears_remote(patient).await?;
            patient
                .wait_for_text(".controls .mute", "Silenciar")
                .await?;
            patient
                .wait_for_text(".remote figcaption", "(Profesional de salud)")
                .await?;
            chat_reaches(
                clinician,
                patient,
                "Hola, ¿me oye bien?",
                "Profesional de salud",
            )
            .await?;
            no_serious_accessibility_problems(patient, "Spanish call with chat").await?;

            // Switching mid-call changes every word without dropping the call,
            // and the choice outlasts a reload in a browser that asks for Spanish.
            choose_language(patient, "en").await?;
            patient.wait_for_text(".controls .mute", "Mute").await?;
            sees_and_hears_remote(patient).await?;
            patient.goto(&patient_link).await?;
            patient.open_fresh(&patient_link).await?;
            patient.wait_until(IN_CALL, SHORT).await?;
            patient.wait_for_text(".controls .mute", "Mute").await?;
            assert_eq!(page_language(patient).await?.0, "en");
            choose_language(patient, "es").await?;
            patient.wait_for_text(".controls .leave", "Salir").await?;

            // The end, in Spanish.
            clinician.click("button.leave").await?;
            clinician
                .wait_for_text("h1", "Your visit has ended")
                .await?;
            clinician.click("a.back").await?;
            open_manage(clinician).await?;
            clinician.click("button.end").await?;
            patient
                .wait_for_text(
                    "[data-view=ended]",
                    "Su profesional de salud terminó la consulta.",
                )
                .await?;
            no_serious_accessibility_problems(patient, "Spanish end").await?;
            Ok(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_broken_or_missing_catalogue_leaves_a_working_english_page() {
    let dist = copy_of_dist("broken-catalogue");
    std::fs::write(dist.join("locales/es.json"), "{ \"entry\": ").expect("break es.json");
    std::fs::remove_file(dist.join("locales/en.json")).expect("remove en.json");
    edit_config(&dist, |config| {
        config["languages"] = json!(["es", "pt", "en"])
    });
    let service = spawn_service(Some(dist)).await;
    with_browsers_reading(
        "broken_catalogue",
        &[ENGLISH, "pt-BR,es"],
        async |browsers: &[Browser]| {
            let (clinician, patient) = (&browsers[0], &browsers[1]);
            let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;
            // Portuguese has no file at all, Spanish a broken one: English,
            // built in, and the visit works.
            patient.open_fresh(&patient_link).await?;
            patient
                .wait_for_text("[data-view=prejoin] h1", "Check your camera and microphone")
                .await?;
            assert_eq!(page_language(patient).await?.0, "en");
            patient.click("#language option[value='es']").await?;
            patient
                .wait_until("document.querySelector('#language').value === 'en'", SHORT)
                .await?;
            patient.wait_for_text("button.join", "Join visit").await?;
            press_join(patient).await?;
            patient.wait_until(PATIENT_WAITING, SHORT).await?;
            Ok(())
        },
    )
    .await;
}

/// `en.json` with every message wrapped in ⟦…⟧, placeholders kept inside.
fn pseudo_catalogue(tree: &Value) -> Value {
    match tree {
        Value::String(text) => Value::String(format!("⟦{text}⟧")),
        Value::Object(group) => Value::Object(
            group
                .iter()
                .map(|(key, value)| (key.clone(), pseudo_catalogue(value)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A copy of the site offering the pseudo-locale `qps`, whose intake
/// questions have `qps` words too.
fn site_with_pseudo_locale() -> std::path::PathBuf {
    let dist = copy_of_dist("pseudo");
    let english: Value = serde_json::from_str(
        &std::fs::read_to_string(dist.join("locales/en.json")).expect("the site ships en.json"),
    )
    .expect("en.json is JSON");
    // The same words as a right-to-left language, for the layout.
    for code in ["qps", "ar"] {
        std::fs::write(
            dist.join(format!("locales/{code}.json")),
            pseudo_catalogue(&english).to_string(),
        )
        .expect("write a pseudo catalogue");
    }
    edit_config(&dist, |config| {
        config["languages"] = json!(["en", "es", "qps", "ar"]);
        for question in config["intake"].as_array_mut().expect("intake questions") {
            let english = question["label"]["en"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            question["label"]["qps"] = json!(format!("⟦{english}⟧"));
        }
    });
    dist
}

/// Everything a person meets on the screen now, visible text and the
/// labels a screen reader reads, that is not inside ⟦…⟧. Words the
/// people typed (`theirs`) and device names the browser gives are theirs,
/// not ours; the switcher names each language in itself by design.
async fn words_outside_the_catalogue(b: &Browser, theirs: &[&str]) -> TestResult<Vec<String>> {
    let found = b
        .eval_async(
            "const theirs = args[0];
             const strip = text => {
               for (const word of theirs) text = text.split(word).join('');
               let before;
               do { before = text; text = text.replace(/⟦[^⟦⟧]*⟧/g, ''); } while (text !== before);
               return text;
             };
             const stray = text => text && /[\\p{L}]/u.test(strip(text));
             const visible = el => el.getClientRects().length > 0
               && getComputedStyle(el).visibility !== 'hidden';
             const outside = [];
             const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const el = node.parentElement;
               if (!el || el.closest('select, noscript, script, style') ) continue;
               if (!visible(el) && !el.closest('.visually-hidden')) continue;
               if (stray(node.textContent)) outside.push(node.textContent.trim());
             }
             for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
               if (el.closest('select')) continue;
               for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
                 const value = el.getAttribute(name);
                 if (stray(value)) outside.push(`${name}=${value}`);
               }
             }
             for (const label of document.querySelectorAll('label:has(select)')) {
               for (const node of label.childNodes) {
                 if (node.nodeType === 3 && stray(node.textContent)) outside.push(node.textContent.trim());
               }
             }
             return outside;",
            vec![json!(theirs)],
        )
        .await?;
    Ok(found
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

async fn only_catalogue_words(b: &Browser, screen: &str, theirs: &[&str]) -> TestResult {
    let stray = words_outside_the_catalogue(b, theirs).await?;
    if stray.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "on the {screen} screen, words from no catalogue: {stray:?}"
        ))
    }
}

#[tokio::test]
async fn every_patient_screen_shows_only_words_from_the_catalogue() {
    let service = spawn_service(Some(site_with_pseudo_locale())).await;
    with_browsers("pseudo_locale", 2, async |browsers: &[Browser]| {
            let (clinician, patient) = (&browsers[0], &browsers[1]);
            let (patient_link, guest_link) = clinician_creates_visit(clinician, &service).await?;
            let nothing: &[&str] = &[];

            // The start page, a page that does not exist and a broken link.
            patient.open_fresh(&format!("{}/#/", service.url)).await?;
            patient
                .wait_until("document.querySelector('#language')", SHORT)
                .await?;
            let english = words_outside_the_catalogue(patient, nothing).await?;
            if english.is_empty() {
                return Err("the check finds no English on an English page".into());
            }
            choose_language(patient, "qps").await?;
            only_catalogue_words(patient, "start", nothing).await?;
            patient
                .open_fresh(&format!("{}/#/nowhere", service.url))
                .await?;
            patient.wait_for_text("h1", "⟦").await?;
            only_catalogue_words(patient, "not found", nothing).await?;
            patient
                .open_fresh(&guest_link.replace("#/guest/", "#/guest/x"))
                .await?;
            patient
                .wait_until("document.querySelector('[role=alert] h2')", SHORT)
                .await?;
            only_catalogue_words(patient, "broken link", nothing).await?;

            // A right-to-left language turns the page: the switcher, at the
            // line's end, moves to the left.
            choose_language(patient, "ar").await?;
            assert_eq!(page_language(patient).await?, ("ar".into(), "rtl".into()));
            let picker_left = patient
                .eval("const r = document.querySelector('#language').getBoundingClientRect(); return r.right < window.innerWidth / 2")
                .await?;
            assert_eq!(picker_left, json!(true), "the switcher sits at the start in right-to-left");
            choose_language(patient, "qps").await?;

            // Pre-join, with its device settings open.
            patient.open_fresh(&patient_link).await?;
            patient
                .wait_until(
                    "document.querySelector('[data-view=prejoin] button.join:not([disabled])')",
                    SHORT,
                )
                .await?;
            only_catalogue_words(patient, "pre-join", nothing).await?;

            // The waiting room with a notice, the questions and the settings.
            press_join(patient).await?;
            patient.wait_until(PATIENT_WAITING, SHORT).await?;
            clinician.click(".running-late summary").await?;
            clinician.click("button.send-late").await?;
            patient
                .wait_until("document.querySelector('.notice')", SHORT)
                .await?;
            patient.click("details.setup summary").await?;
            only_catalogue_words(patient, "waiting room", nothing).await?;
            patient.click("button.send-intake").await?;
            patient
                .wait_until("document.querySelector('.intake-sent')", SHORT)
                .await?;
            only_catalogue_words(patient, "waiting room after the questions", nothing).await?;

            // The call with the chat open and a message in it.
            clinician.click(".queue .visit:first-child a.start").await?;
            press_join(clinician).await?;
            patient.wait_until(IN_CALL, SHORT).await?;
            let said = "hello from the clinician";
            chat_reaches(clinician, patient, said, "⟦").await?;
            only_catalogue_words(patient, "call", &[said, "Demo Clinician"]).await?;

            // Leaving, and the visit ended by the clinician.
            patient.click("button.leave").await?;
            patient
                .wait_until("document.querySelector('[data-view=ended]')", SHORT)
                .await?;
            only_catalogue_words(patient, "left", nothing).await?;
            join(patient, &patient_link).await?;
            patient.wait_until(IN_CALL, SHORT).await?;
            clinician.click("button.leave").await?;
            clinician.click("a.back").await?;
            open_manage(clinician).await?;
            clinician.click("button.end").await?;
            patient
                .wait_until("document.querySelector('[data-view=ended]')", SHORT)
                .await?;
            only_catalogue_words(patient, "ended by the clinician", nothing).await?;
            Ok(())
        },
    )
    .await;
}

#[test]
fn the_pseudo_locale_wraps_every_message_and_keeps_placeholders() {
    let wrapped = pseudo_catalogue(&json!({"a": {"b": "Hi {{name}}"}}));
    assert_eq!(wrapped, json!({"a": {"b": "⟦Hi {{name}}⟧"}}));
    assert!(Path::new(&e2e::repo_root().join("locales/en.json")).exists());
}
