//! Clinician accounts: a TOML file of argon2id hashes, read once at start-up.
//! Password checks are slow on purpose; callers run them off the async workers.

use crate::settings::SettingsError;
use api_types::ClinicianInfo;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    clinician: Vec<AccountEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    /// Also the sign-in username and the opaque part of `provider.<id>`.
    id: String,
    display_name: String,
    password_hash: String,
}

#[derive(Debug)]
struct Account {
    display_name: String,
    password_hash: String,
}

#[derive(Debug)]
pub struct Accounts {
    by_id: HashMap<String, Account>,
    /// Checked for unknown usernames, so they take as long as wrong passwords.
    decoy_hash: String,
}

/// The account `cargo xtask run` signs in with when no accounts file is set.
pub const DEMO_ID: &str = "demo";

pub fn hash_password(password: &str) -> String {
    hash_with(Params::default(), password)
}

fn hash_with(params: Params, password: &str) -> String {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng))
        .expect("argon2 hashes any password with parameters it parsed")
        .to_string()
}

impl Accounts {
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let problem = |message: String| SettingsError {
            variable: "CLINICIANS_FILE".to_owned(),
            problem: format!("{}: {message}", path.display()),
        };
        let text = std::fs::read_to_string(path).map_err(|err| problem(err.to_string()))?;
        let file: AccountsFile = toml::from_str(&text).map_err(|err| problem(err.to_string()))?;
        let mut by_id = HashMap::new();
        for entry in file.clinician {
            let hash = PasswordHash::new(&entry.password_hash).map_err(|err| {
                problem(format!("clinician {:?}: password_hash: {err}", entry.id))
            })?;
            if hash.algorithm != Algorithm::Argon2id.ident() {
                return Err(problem(format!(
                    "clinician {:?}: password_hash is not argon2id",
                    entry.id
                )));
            }
            if !is_valid_id(&entry.id) {
                return Err(problem(format!(
                    "clinician {:?}: ids are 1-64 letters, digits, '-' or '_'",
                    entry.id
                )));
            }
            let account = Account {
                display_name: entry.display_name,
                password_hash: entry.password_hash,
            };
            if by_id.insert(entry.id.clone(), account).is_some() {
                return Err(problem(format!("clinician {:?} appears twice", entry.id)));
            }
        }
        if by_id.is_empty() {
            return Err(problem("lists no [[clinician]] accounts".to_owned()));
        }
        Ok(Self::from_map(by_id))
    }

    /// A single demo clinician with the given password, for built-in mode.
    pub fn demo(password: &str) -> Self {
        let account = Account {
            display_name: "Demo Clinician".to_owned(),
            password_hash: hash_password(password),
        };
        Self::from_map(HashMap::from([(DEMO_ID.to_owned(), account)]))
    }

    /// The decoy that unknown usernames are checked against costs as much
    /// as the dearest real account, so timing tells no one which exist.
    fn from_map(by_id: HashMap<String, Account>) -> Self {
        let dearest = by_id
            .values()
            .filter_map(|a| PasswordHash::new(&a.password_hash).ok())
            .filter_map(|hash| Params::try_from(&hash).ok())
            .max_by_key(|p| u64::from(p.m_cost()) * u64::from(p.t_cost()) * u64::from(p.p_cost()));
        Self {
            by_id,
            decoy_hash: hash_with(dearest.unwrap_or_default(), &crate::ids::random_id()),
        }
    }

    /// The account's public details, for a session that outlives sign-in.
    pub fn info(&self, id: &str) -> Option<ClinicianInfo> {
        self.by_id.get(id).map(|account| ClinicianInfo {
            id: id.to_owned(),
            display_name: account.display_name.clone(),
        })
    }

    /// Blocking: the argon2 check takes tens of milliseconds.
    pub fn verify(&self, username: &str, password: &str) -> Option<ClinicianInfo> {
        let hash = self
            .by_id
            .get(username)
            .map_or(self.decoy_hash.as_str(), |a| a.password_hash.as_str());
        let matches = PasswordHash::new(hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        if matches {
            self.info(username)
        } else {
            None
        }
    }
}

fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decoy_costs_as_much_as_the_dearest_account() {
        let dear = Params::new(8 * 1024, 3, 1, None).unwrap();
        let account = |hash: String| Account {
            display_name: String::new(),
            password_hash: hash,
        };
        let accounts = Accounts::from_map(HashMap::from([
            (
                "cheap".to_owned(),
                account(hash_with(Params::new(1024, 1, 1, None).unwrap(), "a")),
            ),
            ("dear".to_owned(), account(hash_with(dear.clone(), "b"))),
        ]));
        let decoy = Params::try_from(&PasswordHash::new(&accounts.decoy_hash).unwrap()).unwrap();
        let cost = |p: &Params| (p.m_cost(), p.t_cost(), p.p_cost());
        assert_eq!(cost(&decoy), cost(&dear));
    }

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "hearth-accounts-{name}-{}.toml",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn accounts_file_signs_in_the_right_clinician_only() {
        let hash = hash_password("correct horse");
        let path = write(
            "ok",
            &format!("[[clinician]]\nid = \"c-1\"\ndisplay_name = \"Dr. One\"\npassword_hash = \"{hash}\"\n"),
        );
        let accounts = Accounts::load(&path).unwrap();
        let info = accounts.verify("c-1", "correct horse").unwrap();
        assert_eq!(
            (info.id.as_str(), info.display_name.as_str()),
            ("c-1", "Dr. One")
        );
        assert!(accounts.verify("c-1", "wrong").is_none());
        assert!(accounts.verify("nobody", "correct horse").is_none());
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn bad_files_name_the_setting_and_the_problem() {
        let cases = [
            ("empty", String::new(), "lists no"),
            (
                "hash",
                "[[clinician]]\nid = \"a\"\ndisplay_name = \"A\"\npassword_hash = \"plain\"\n"
                    .to_owned(),
                "password_hash",
            ),
            (
                "field",
                "[[clinician]]\nid = \"a\"\nname = \"A\"\n".to_owned(),
                "unknown field",
            ),
        ];
        for (name, text, needle) in cases {
            let path = write(name, &text);
            let err = Accounts::load(&path).unwrap_err();
            assert_eq!(err.variable, "CLINICIANS_FILE");
            assert!(err.problem.contains(needle), "{name}: {}", err.problem);
            std::fs::remove_file(path).unwrap();
        }
        assert!(Accounts::load(Path::new("/nonexistent/clinicians.toml")).is_err());
    }

    #[test]
    fn demo_account_uses_the_given_password() {
        let accounts = Accounts::demo("pw");
        assert!(accounts.verify(DEMO_ID, "pw").is_some());
        assert!(accounts.verify(DEMO_ID, "other").is_none());
    }
}
