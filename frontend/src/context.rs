//! The one session context: the run-time settings, the API client, the
//! person's language and the clinician's session, if signed in.

use crate::i18n::catalogue::Catalogue;
use crate::i18n::Locale;
use crate::services::api::Api;
use api_types::{ClientConfig, SessionResponse};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub config: Rc<ClientConfig>,
    pub api: Rc<Api>,
    pub clinician: Option<Rc<SessionResponse>>,
    /// The words of the person's language.
    pub locale: Rc<Locale>,
    /// The languages offered to choose from: none on the clinician's
    /// English-only page.
    pub languages: Rc<Vec<String>>,
    /// The English built into this page, under every other language.
    pub built_in: Rc<Catalogue>,
}

pub enum SessionAction {
    /// A new or refreshed clinician session.
    SignedIn(SessionResponse),
    SignedOut,
    /// The person chose another language, now loaded.
    Language(Rc<Locale>),
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SessionAction::SignedIn(session) => next.clinician = Some(Rc::new(session)),
            SessionAction::SignedOut => next.clinician = None,
            SessionAction::Language(locale) => next.locale = locale,
        }
        Rc::new(next)
    }
}

impl Session {
    /// Where this page's rooms are signalled.
    pub fn signalling(&self) -> crate::video::Signalling {
        crate::video::Signalling {
            built_in: self.api.signalling_url(),
            twilio_emulator: self.config.test_twilio_signalling_url.clone(),
        }
    }
}

pub type SessionContext = UseReducerHandle<Session>;

/// The session context; every page sits inside its provider.
#[hook]
pub fn use_session() -> SessionContext {
    use_context::<SessionContext>().expect("pages render inside the session provider")
}
