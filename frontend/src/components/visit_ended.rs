//! The end of a visit: why, and the way back where there is one.

use crate::i18n::Locale;
use crate::messages::end_message;
use crate::route::Route;
use crate::visit::machine::EndReason;
use api_types::Role;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::Link;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct VisitEndedProps {
    pub t: Rc<Locale>,
    pub reason: EndReason,
    pub role: Role,
    /// The visit link still works, so Rejoin can.
    pub link_valid: bool,
    pub onrejoin: Callback<()>,
}

pub fn visit_ended(props: VisitEndedProps) -> Html {
    let next = props.reason.after_end(props.role, props.link_valid);
    let rejoin = props.onrejoin.reform(|_: MouseEvent| ());
    let t = &props.t;
    html! {
        <section class="card" data-view="ended">
            <h1>{ t.html("ended.title") }</h1>
            <p role="status">{ end_message(t, props.reason) }</p>
            <div class="row">
                if next.rejoin {
                    <button class="rejoin" onclick={rejoin}>{ t.html("ended.rejoin") }</button>
                }
                if next.back_to_visits {
                    <Link<Route> to={Route::ProviderVisits} classes="button secondary back">{ t.html("ended.back_to_visits") }</Link<Route>>
                }
            </div>
            if !next.rejoin && !next.back_to_visits {
                <p>{ t.html("ended.close_page") }</p>
            }
        </section>
    }
}
