//! The one route table. Hash routing (`/#/visit/...`) keeps deep links working
//! on any static host without rewrite rules, and keeps invites in the fragment,
//! which browsers never send to a server.

use yew_router::Routable;

#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum Route {
    #[at("/")]
    Home,
    /// A patient's visit link; the segment is the signed invite.
    #[at("/visit/:invite")]
    PatientVisit { invite: String },
    /// An interpreter's or relative's link.
    #[at("/guest/:invite")]
    GuestVisit { invite: String },
    #[at("/provider")]
    ProviderSignIn,
    /// The clinician's visits, after sign-in.
    #[at("/provider/visits")]
    ProviderVisits,
    /// The clinician in one visit's room.
    #[at("/provider/visits/:visit_id")]
    ProviderVisit { visit_id: String },
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_links_carry_the_invite_as_one_segment() {
        assert_eq!(
            Route::recognize("/visit/eyJ.abc.def"),
            Some(Route::PatientVisit {
                invite: "eyJ.abc.def".into()
            })
        );
        assert_eq!(Route::recognize("/provider"), Some(Route::ProviderSignIn));
        assert_eq!(
            Route::recognize("/provider/visits"),
            Some(Route::ProviderVisits)
        );
        assert_eq!(
            Route::recognize("/guest/abc"),
            Some(Route::GuestVisit {
                invite: "abc".into()
            })
        );
        assert_eq!(Route::recognize("/nope"), Some(Route::NotFound));
    }
}
