//! The catalogues against each other and against the code: every
//! translation has every English key with the same placeholders, and every
//! key the code asks for is in English, and every English key is asked for.

use super::catalogue::{placeholders, Catalogue};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const PLURAL_FORMS: [&str; 6] = ["_zero", "_one", "_two", "_few", "_many", "_other"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &Path) -> Catalogue {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Catalogue::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `key` without a plural suffix, as the code names it.
fn base(key: &str) -> &str {
    PLURAL_FORMS
        .iter()
        .find_map(|form| key.strip_suffix(form))
        .unwrap_or(key)
}

/// The translations in `folder` (every `*.json` but `en.json`).
fn translations(folder: &Path) -> Vec<(PathBuf, Catalogue)> {
    std::fs::read_dir(folder)
        .expect("read locales")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json") && !path.ends_with("en.json"))
        .map(|path| {
            let catalogue = read(&path);
            (path, catalogue)
        })
        .collect()
}

/// Problems of `translated` against `english`: keys missing or unknown,
/// placeholders changed.
fn gaps(english: &Catalogue, translated: &Catalogue) -> Vec<String> {
    let mut problems = Vec::new();
    for key in english.keys() {
        match translated.get(key) {
            None => problems.push(format!("missing {key}")),
            Some(text) => {
                let wanted: BTreeSet<_> = placeholders(english.get(key).unwrap_or_default())
                    .into_iter()
                    .collect();
                let found: BTreeSet<_> = placeholders(text).into_iter().collect();
                if wanted != found {
                    problems.push(format!(
                        "{key}: placeholders {found:?}, English has {wanted:?}"
                    ));
                }
            }
        }
    }
    let known: BTreeSet<&str> = english.keys().map(base).collect();
    for key in translated.keys() {
        if !known.contains(base(key)) {
            problems.push(format!("unknown {key}"));
        }
    }
    problems
}

/// Every string literal in the SPA's source that looks like a key
/// (`"group.name"`, lowercase) of a group the catalogues have.
fn keys_in_code(groups: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut folders = vec![repo().join("frontend/src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read source");
                for (start, _) in text.match_indices('"') {
                    let literal: String = text[start + 1..]
                        .chars()
                        .take_while(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '.'
                        })
                        .collect();
                    let closed = text[start + 1 + literal.len()..].starts_with('"');
                    let group = literal.split('.').next().unwrap_or_default();
                    let file_name = [".json", ".js", ".rs", ".html"]
                        .iter()
                        .any(|e| literal.ends_with(e));
                    if closed
                        && literal.contains(".")
                        && !literal.ends_with(".")
                        && groups.contains(group)
                        && !file_name
                    {
                        found.insert(literal);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_translation_has_every_english_key_with_its_placeholders() {
    let english = read(&repo().join("locales/en.json"));
    let translated = translations(&repo().join("locales"));
    assert!(
        translated.iter().any(|(path, _)| path.ends_with("es.json")),
        "Spanish ships"
    );
    for (path, catalogue) in translated {
        let problems = gaps(&english, &catalogue);
        assert!(
            problems.is_empty(),
            "{}:\n{}",
            path.display(),
            problems.join("\n")
        );
    }
}

#[test]
fn a_missing_key_or_a_changed_placeholder_is_caught() {
    let english =
        Catalogue::parse(r#"{"a": "A {{n}}", "b": "B", "c_one": "1", "c_other": "n"}"#).unwrap();
    let spanish = Catalogue::parse(
        r#"{"a": "Á {{m}}", "c_one": "1", "c_other": "n", "c_many": "m", "d": "D"}"#,
    )
    .unwrap();
    let problems = gaps(&english, &spanish);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].starts_with("a: placeholders"));
    assert_eq!(problems[1], "missing b");
    assert_eq!(problems[2], "unknown d", "extra plural forms are fine");
}

#[test]
fn the_code_asks_only_for_english_keys_and_for_all_of_them() {
    let patients = read(&repo().join("locales/en.json"));
    let clinic = read(&repo().join("locales/clinic/en.json"));
    assert!(patients.keys().all(|key| !key.starts_with("clinic.")));
    assert!(clinic.keys().all(|key| key.starts_with("clinic.")));
    let english = clinic.over(patients);
    let groups: BTreeSet<String> = english
        .keys()
        .map(|k| k.split('.').next().unwrap_or_default().to_owned())
        .collect();
    let used = keys_in_code(&groups);
    let known: BTreeSet<&str> = english.keys().map(base).collect();
    let unknown: Vec<_> = used
        .iter()
        .filter(|key| !known.contains(key.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "keys the code asks for that English lacks: {unknown:?}"
    );
    let unused: Vec<_> = known.iter().filter(|key| !used.contains(**key)).collect();
    assert!(
        unused.is_empty(),
        "English keys no code asks for: {unused:?}"
    );
}

#[test]
fn the_clinicians_built_in_english_is_valid() {
    read(&repo().join("locales/clinic/en.json"));
}
