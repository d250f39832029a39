//! The person's language for every screen.

use crate::context::use_session;
use crate::i18n::Locale;
use std::rc::Rc;
use yew::prelude::*;

/// The words of the person's language; screens re-render when it changes.
#[hook]
pub fn use_locale() -> Rc<Locale> {
    use_session().locale.clone()
}
