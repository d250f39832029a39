//! Twilio's REST API, for what the dashboard needs in Twilio mode: who is in
//! a visit's room, and ending a room for everyone. No database: presence is
//! read from Twilio, with a short per-copy cache so a whole clinic's
//! dashboards stay far under Twilio's read limit (about 80/s per account).

use crate::settings::TwilioCredentials;
use api_types::Role;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one answer from Twilio is reused.
pub const CACHE_FOR: Duration = Duration::from_secs(2);
/// Bounded waits: a slow Twilio must not hold dashboard requests open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("Twilio could not be reached: {0}")]
    Unreachable(#[from] reqwest::Error),
    #[error("Twilio answered {0}")]
    Status(reqwest::StatusCode),
    /// A `next_page_url` off Twilio's API, or one seen before: never
    /// followed, so our credentials go nowhere else and no loop runs on.
    #[error("Twilio's next page was not one to follow")]
    BadPage,
}

/// Who is in a room: each participant's role and when they connected.
pub type Members = Vec<(Role, u64)>;

/// One page of a Twilio list: its items are under `rooms` or
/// `participants`, and `meta.next_page_url` names the next page, if any.
#[derive(Deserialize)]
struct Page<T> {
    #[serde(alias = "rooms", alias = "participants")]
    items: Vec<T>,
    meta: PageMeta,
}

#[derive(Deserialize)]
struct RoomEntry {
    sid: String,
    unique_name: String,
}

#[derive(Deserialize)]
struct ParticipantEntry {
    identity: String,
    start_time: Option<String>,
}

#[derive(Deserialize)]
struct PageMeta {
    next_page_url: Option<String>,
}

struct Cached<T> {
    at: Instant,
    value: T,
}

type Cache<T> = Mutex<Option<Cached<T>>>;

pub struct TwilioRest {
    client: reqwest::Client,
    video_api: String,
    api: String,
    account_sid: String,
    api_key: String,
    api_secret: SecretString,
    /// In-progress rooms: unique name -> room SID.
    rooms: Cache<Arc<HashMap<String, String>>>,
    /// Connected participants by room SID.
    members: Mutex<HashMap<String, Cached<Members>>>,
}

impl std::fmt::Debug for TwilioRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioRest")
            .field("video_api", &self.video_api)
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

/// A cache's lock, even after a panic elsewhere held it: a cache is only
/// ever stale, never wrong, so one panic must not fail every later request.
fn unpoisoned<T>(lock: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn fresh<T: Clone>(cached: Option<&Cached<T>>) -> Option<T> {
    cached
        .filter(|c| c.at.elapsed() < CACHE_FOR)
        .map(|c| c.value.clone())
}

impl TwilioRest {
    pub fn new(credentials: &TwilioCredentials) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("a TLS client with the bundled roots builds");
        Self {
            client,
            video_api: credentials.video_api.trim_end_matches('/').to_owned(),
            api: credentials.api.trim_end_matches('/').to_owned(),
            account_sid: credentials.account_sid.clone(),
            api_key: credentials.api_key.clone(),
            api_secret: SecretString::from(credentials.api_secret.expose_secret().to_owned()),
            rooms: Mutex::new(None),
            members: Mutex::new(HashMap::new()),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, RestError> {
        let response = self
            .client
            .get(url)
            .basic_auth(&self.api_key, Some(self.api_secret.expose_secret()))
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(RestError::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> Result<(), RestError> {
        let response = self
            .client
            .post(url)
            .basic_auth(&self.api_key, Some(self.api_secret.expose_secret()))
            .form(form)
            .send()
            .await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(RestError::Status(status)),
        }
    }

    /// Every item of a list, following `next_page_url` to the end.
    async fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        first: String,
    ) -> Result<Vec<T>, RestError> {
        let ours = format!("{}/", self.video_api);
        let mut followed = std::collections::HashSet::new();
        let mut items = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            if !url.starts_with(&ours) || !followed.insert(url.clone()) {
                return Err(RestError::BadPage);
            }
            let page: Page<T> = self.get(&url).await?;
            items.extend(page.items);
            next = page.meta.next_page_url;
        }
        Ok(items)
    }

    /// In-progress rooms by unique name; `use_cache` false asks Twilio now.
    async fn in_progress(
        &self,
        use_cache: bool,
    ) -> Result<Arc<HashMap<String, String>>, RestError> {
        if use_cache {
            let cached = fresh(unpoisoned(&self.rooms).as_ref());
            if let Some(rooms) = cached {
                return Ok(rooms);
            }
        }
        let first = format!(
            "{}/v1/Rooms?Status=in-progress&PageSize=100",
            self.video_api
        );
        let rooms: Vec<RoomEntry> = self.all_pages(first).await?;
        let rooms = Arc::new(
            rooms
                .into_iter()
                .map(|r| (r.unique_name, r.sid))
                .collect::<HashMap<_, _>>(),
        );
        *unpoisoned(&self.rooms) = Some(Cached {
            at: Instant::now(),
            value: rooms.clone(),
        });
        Ok(rooms)
    }

    /// Everyone in the room now; a reconnecting participant is still in it.
    async fn participants(&self, room_sid: &str) -> Result<Vec<ParticipantEntry>, RestError> {
        let list = |status: &str| {
            self.all_pages::<ParticipantEntry>(format!(
                "{}/v1/Rooms/{room_sid}/Participants?Status={status}&PageSize=50",
                self.video_api
            ))
        };
        let (connected, reconnecting) =
            futures_util::future::join(list("connected"), list("reconnecting")).await;
        Ok(connected?.into_iter().chain(reconnecting?).collect())
    }

    async fn members_of(&self, room_sid: &str) -> Result<Members, RestError> {
        let cached = fresh(unpoisoned(&self.members).get(room_sid));
        if let Some(members) = cached {
            return Ok(members);
        }
        let members: Members = self
            .participants(room_sid)
            .await?
            .into_iter()
            .filter_map(|p| {
                let role = Role::from_identity(&p.identity)?;
                let since = p.start_time.as_deref().and_then(parse_utc).unwrap_or(0);
                Some((role, since))
            })
            .collect();
        self.remember(room_sid, members.clone());
        Ok(members)
    }

    fn remember(&self, room_sid: &str, members: Members) {
        let mut cache = unpoisoned(&self.members);
        cache.retain(|_, c| c.at.elapsed() < CACHE_FOR);
        cache.insert(
            room_sid.to_owned(),
            Cached {
                at: Instant::now(),
                value: members,
            },
        );
    }

    /// Whether a patient is in the named room now.
    pub async fn patient_waiting(&self, room_name: &str) -> Result<bool, RestError> {
        let members = self.presence(&[room_name.to_owned()]).await?;
        Ok(members
            .iter()
            .flatten()
            .any(|(role, _)| *role == Role::Patient))
    }

    /// Who is in the named room now, by identity. The participants are asked
    /// of Twilio, not the cache: the answer decides who may enter.
    pub async fn identities_in(&self, room_name: &str) -> Result<Vec<String>, RestError> {
        // A room's SID does not change while it is in progress, so the
        // cached list serves; only a room it does not know yet is asked for.
        let known = self.in_progress(true).await?.get(room_name).cloned();
        let sid = match known {
            Some(sid) => sid,
            None => match self.in_progress(false).await?.get(room_name) {
                Some(sid) => sid.clone(),
                None => return Ok(Vec::new()),
            },
        };
        let participants = self.participants(&sid).await?;
        Ok(participants.into_iter().map(|p| p.identity).collect())
    }

    /// Members of each named room, in order (empty when not in progress).
    pub async fn presence(&self, room_names: &[String]) -> Result<Vec<Members>, RestError> {
        let rooms = self.in_progress(true).await?;
        let lookups = room_names.iter().map(|name| async {
            match rooms.get(name) {
                Some(sid) => self.members_of(sid).await,
                None => Ok(Vec::new()),
            }
        });
        futures_util::future::join_all(lookups)
            .await
            .into_iter()
            .collect()
    }

    /// Completes the room, which disconnects everyone with 53118. A room
    /// that is not in progress is already over.
    pub async fn end(&self, room_name: &str) -> Result<(), RestError> {
        let rooms = self.in_progress(false).await?;
        let Some(sid) = rooms.get(room_name) else {
            return Ok(());
        };
        let url = format!("{}/v1/Rooms/{sid}", self.video_api);
        self.post_form(&url, &[("Status", "completed")]).await?;
        unpoisoned(&self.rooms).take();
        Ok(())
    }

    /// Sends an SMS through the Messaging API, from `from` (a number or a
    /// Messaging Service SID).
    pub async fn send_sms(&self, from: &str, to: &str, body: &str) -> Result<(), RestError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.api, self.account_sid
        );
        let sender = if from.starts_with("MG") {
            "MessagingServiceSid"
        } else {
            "From"
        };
        self.post_form(&url, &[("To", to), (sender, from), ("Body", body)])
            .await
    }
}

/// Unix seconds of a Twilio timestamp (`2026-11-28T09:30:00Z`, fraction
/// ignored); pure, tested natively.
pub fn parse_utc(text: &str) -> Option<u64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let time = time.split('.').next()?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hour * 3600 + minute * 60 + second).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_utc;

    #[test]
    fn twilio_timestamps_become_unix_seconds() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(parse_utc("2026-11-28T09:30:15Z"), Some(1_795_858_215));
        assert_eq!(parse_utc("2026-11-28T09:30:15.123Z"), Some(1_795_858_215));
        assert_eq!(parse_utc("2026-13-28T09:30:15Z"), None);
        assert_eq!(parse_utc("2026-11-28 09:30:15"), None);
        assert_eq!(parse_utc("yesterday"), None);
    }
}
