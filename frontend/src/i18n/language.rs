//! Which language to show, from what the person chose before, what their
//! browser asks for and what the clinic offers. Pure, tested natively.

/// Whether `code` is a plain BCP 47 tag (`es`, `pt-BR`, `zh-Hant`): only
/// such codes become a catalogue's file name.
pub fn is_valid_code(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The language to show: the remembered choice if still offered, else the
/// first of the browser's languages offered exactly or by its primary
/// language (`es-MX` finds `es`), else the clinic's first.
pub fn choose<'a>(remembered: Option<&str>, browser: &[String], offered: &'a [String]) -> &'a str {
    let find = |wanted: &str| {
        offered
            .iter()
            .find(|code| code.eq_ignore_ascii_case(wanted))
            .map(String::as_str)
    };
    let primary = |code: &str| code.split('-').next().unwrap_or_default().to_owned();
    remembered
        .and_then(find)
        .or_else(|| browser.iter().find_map(|code| find(code)))
        .or_else(|| browser.iter().find_map(|code| find(&primary(code))))
        .or_else(|| offered.first().map(String::as_str))
        .unwrap_or(api_types::DEFAULT_LANGUAGE)
}

/// Scripts written right to left, by primary language (the list i18next
/// keeps, cut to languages with a living written standard).
const RIGHT_TO_LEFT: [&str; 12] = [
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ps", "sd", "ug", "ur", "yi",
];

/// The page's `dir` for `code`.
pub fn direction(code: &str) -> &'static str {
    let primary = code
        .split('-')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if RIGHT_TO_LEFT.contains(&primary.as_str()) {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(list: &[&str]) -> Vec<String> {
        list.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn the_browser_language_is_matched_exactly_then_by_primary_language() {
        let offered = codes(&["en", "es", "pt-BR"]);
        assert_eq!(choose(None, &codes(&["es-MX", "en"]), &offered), "en");
        assert_eq!(choose(None, &codes(&["es-MX", "fr"]), &offered), "es");
        assert_eq!(choose(None, &codes(&["pt-br"]), &offered), "pt-BR");
        assert_eq!(choose(None, &codes(&["de"]), &offered), "en");
    }

    #[test]
    fn a_remembered_choice_wins_while_the_clinic_still_offers_it() {
        let offered = codes(&["en", "es"]);
        assert_eq!(choose(Some("es"), &codes(&["en"]), &offered), "es");
        assert_eq!(choose(Some("fr"), &codes(&["en"]), &offered), "en");
        assert_eq!(choose(None, &[], &[]), "en");
    }

    #[test]
    fn only_plain_codes_name_a_file() {
        for good in ["es", "pt-BR", "zh-Hant", "qps"] {
            assert!(is_valid_code(good), "{good}");
        }
        for bad in ["", "e", "../x", "es/../../a", "es-", "e s", "español"] {
            assert!(!is_valid_code(bad), "{bad}");
        }
    }

    #[test]
    fn right_to_left_scripts_turn_the_page() {
        assert_eq!(direction("ar-EG"), "rtl");
        assert_eq!(direction("he"), "rtl");
        assert_eq!(direction("es"), "ltr");
    }
}
