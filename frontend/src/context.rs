//! The one session context: the run-time settings, the API client and the
//! clinician's session, if signed in.

use crate::services::api::Api;
use api_types::{ClientConfig, SessionResponse};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub config: Rc<ClientConfig>,
    pub api: Rc<Api>,
    pub clinician: Option<Rc<SessionResponse>>,
}

pub enum SessionAction {
    /// A new or refreshed clinician session.
    SignedIn(SessionResponse),
    SignedOut,
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        let clinician = match action {
            SessionAction::SignedIn(session) => Some(Rc::new(session)),
            SessionAction::SignedOut => None,
        };
        Rc::new(Session {
            clinician,
            ..(*self).clone()
        })
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
