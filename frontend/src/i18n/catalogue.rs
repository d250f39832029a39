//! Message catalogues in i18next's JSON shape, flattened to dotted keys,
//! and the `{{placeholder}}` filling. Pure, so `cargo test` checks them.

use crate::services::json;
use api_types::MessageTree;

/// One language's messages by dotted key (`"waiting.title"`), in the
/// file's order: a plain list looks up a few hundred keys fast enough and
/// costs the wasm less than a map or a sort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue(Vec<(String, String)>);

impl Catalogue {
    /// A catalogue file's text; a broken file names its fault.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        match json::from_str::<MessageTree>(text)? {
            MessageTree::Text(_) => Err("not an object of messages".to_owned()),
            tree => Ok(Catalogue::from_tree(&tree)),
        }
    }

    pub fn from_tree(tree: &MessageTree) -> Catalogue {
        Catalogue(tree.flatten())
    }

    /// These messages, with `base`'s wherever these have none.
    pub fn over(self, base: Catalogue) -> Catalogue {
        let mut merged = base.0;
        for (key, text) in self.0 {
            match merged.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = text,
                None => merged.push((key, text)),
            }
        }
        Catalogue(merged)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.as_str())
    }

    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

/// `template` with each `{{name}}` (spaces allowed inside) replaced by its
/// value; an unknown placeholder stays as written, so a mistake shows.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    // A byte-pair search: `str::find` with a string pattern brings a
    // general searcher's code into the wasm.
    let pair = |text: &str, wanted: &[u8]| text.as_bytes().windows(2).position(|w| w == wanted);
    while let Some(start) = pair(rest, b"{{") {
        let Some(len) = pair(&rest[start..], b"}}") else {
            break;
        };
        let name = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        match args.iter().find(|(arg, _)| *arg == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The placeholders a message uses, for checking translations.
#[cfg(test)]
pub fn placeholders(template: &str) -> Vec<&str> {
    template
        .split("{{")
        .skip(1)
        .filter_map(|part| part.split_once("}}").map(|(name, _)| name.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_groups_become_dotted_keys() {
        let catalogue =
            Catalogue::parse(r#"{"w": {"title": "Hi", "late": {"x": "Y"}}, "top": "T"}"#).unwrap();
        assert_eq!(catalogue.get("w.title"), Some("Hi"));
        assert_eq!(catalogue.get("w.late.x"), Some("Y"));
        assert_eq!(catalogue.get("top"), Some("T"));
        assert_eq!(catalogue.get("w"), None);
    }

    #[test]
    fn a_broken_catalogue_is_refused_with_its_fault() {
        assert!(Catalogue::parse(r#"{"a": 3}"#)
            .unwrap_err()
            .contains("string or an object"));
        assert!(Catalogue::parse("{").is_err());
        assert!(Catalogue::parse(r#""text""#).is_err());
    }

    #[test]
    fn the_chosen_language_wins_and_the_base_fills_gaps() {
        let english = Catalogue::parse(r#"{"a": "A", "b": "B"}"#).unwrap();
        let spanish = Catalogue::parse(r#"{"a": "Á"}"#).unwrap();
        let merged = spanish.over(english);
        assert_eq!((merged.get("a"), merged.get("b")), (Some("Á"), Some("B")));
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_left_visible() {
        assert_eq!(
            fill("Hola {{name}}, {{ n }} min", &[("name", "Ana"), ("n", "5")]),
            "Hola Ana, 5 min"
        );
        assert_eq!(fill("{{missing}} and {{", &[]), "{{missing}} and {{");
        assert_eq!(fill("a {b} {{x}}", &[("x", "1")]), "a {b} 1");
        assert_eq!(placeholders("{{a}} x {{ b }}"), ["a", "b"]);
    }
}
