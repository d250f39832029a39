//! The dashboard's live view: who is in each visit's room, asked every 3 s
//! while the page shows, with an alert when a patient arrives.

use crate::alerts;
use crate::context::use_session;
use crate::hooks::use_locale;
use crate::services::timers::every;
use api_types::{Presence, VisitStatus};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use yew::prelude::*;

/// Each visit's state by id; `None` before the first answer, `Err` while
/// the service cannot say.
pub type LiveStatus = Option<Result<BTreeMap<String, VisitStatus>, ()>>;

/// The live state of the visits `ids`, with the session's token.
#[hook]
pub fn use_live_status(ids: Vec<String>) -> UseStateHandle<LiveStatus> {
    let session = use_session();
    let t = use_locale();
    let live = use_state(|| None::<Result<BTreeMap<String, VisitStatus>, ()>>);
    let waiting_before = use_mut_ref(BTreeSet::<String>::new);
    {
        let (live, api) = (live.clone(), session.api.clone());
        // The clinician's page keeps one language, so the first will do.
        let t = t.clone();
        let token = session.clinician.as_ref().map(|c| c.token.clone());
        use_effect_with((token, ids), move |(token, ids)| {
            let polling = (!ids.is_empty())
                .then_some(())
                .and(token.clone())
                .map(|token| {
                    let ids = ids.clone();
                    every(Duration::from_secs(3), move |stopped| {
                        let (api, token, ids, live, waiting_before, t) = (
                            api.clone(),
                            token.clone(),
                            ids.clone(),
                            live.clone(),
                            waiting_before.clone(),
                            t.clone(),
                        );
                        async move {
                            let answer = api.visit_status(&token, ids).await;
                            if stopped.get() {
                                return;
                            }
                            if let Ok(visits) = &answer {
                                let waiting: BTreeSet<String> = visits
                                    .iter()
                                    .filter(|v| v.presence == Presence::PatientWaiting)
                                    .map(|v| v.visit_id.clone())
                                    .collect();
                                if alerts::new_arrivals(&waiting_before.borrow(), &waiting) > 0 {
                                    alerts::patient_arrived(&t, waiting.len());
                                }
                                *waiting_before.borrow_mut() = waiting;
                            }
                            live.set(Some(
                                answer
                                    .map(|visits| {
                                        visits
                                            .into_iter()
                                            .map(|v| (v.visit_id.clone(), v))
                                            .collect()
                                    })
                                    .map_err(drop),
                            ));
                        }
                    })
                });
            move || polling.into_iter().for_each(|stop| stop())
        });
    }
    live
}
