//! The end of a visit: why, and the way back where there is one.

use crate::messages::end_message;
use crate::route::Route;
use crate::visit::machine::EndReason;
use api_types::Role;
use yew::prelude::*;
use yew_router::prelude::Link;

/// What the view shows; a plain function, not a component: it keeps no
/// state, and each component costs first-paint bytes.
pub struct VisitEndedProps {
    pub reason: EndReason,
    pub role: Role,
    /// The visit link still works, so Rejoin can.
    pub link_valid: bool,
    pub onrejoin: Callback<()>,
}

pub fn visit_ended(props: VisitEndedProps) -> Html {
    let next = props.reason.after_end(props.role, props.link_valid);
    let rejoin = props.onrejoin.reform(|_: MouseEvent| ());
    html! {
        <section class="card" data-view="ended">
            <h1>{ "Your visit has ended" }</h1>
            <p role="status">{ end_message(props.reason) }</p>
            <div class="row">
                if next.rejoin {
                    <button class="rejoin" onclick={rejoin}>{ "Rejoin" }</button>
                }
                if next.back_to_visits {
                    <Link<Route> to={Route::ProviderVisits} classes="button secondary back">{ "Back to your visits" }</Link<Route>>
                }
            </div>
            if !next.rejoin && !next.back_to_visits {
                <p>{ "You can close this page." }</p>
            }
        </section>
    }
}
