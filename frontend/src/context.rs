//! The one session context: what every page may need, loaded once.

use api_types::ClientConfig;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub config: Rc<ClientConfig>,
}
