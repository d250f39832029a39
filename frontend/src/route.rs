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

/// The clinician's screens are their own page: `index.html` is the lean
/// patient build, so a patient downloads no dashboard.
pub const CLINIC_PAGE: &str = "clinic.html";

impl Route {
    /// Served by [`CLINIC_PAGE`], not by the patients' page.
    pub fn is_clinicians(&self) -> bool {
        matches!(
            self,
            Route::ProviderSignIn | Route::ProviderVisits | Route::ProviderVisit { .. }
        )
    }
}

/// The path of the page that serves `route`, from the current page's
/// `pathname`, in the same folder: `/hearth/clinic.html` → `/hearth/` for a
/// patient's link, and back.
pub fn page_path(pathname: &str, route: &Route) -> String {
    let folder = &pathname[..pathname.rfind('/').map_or(0, |slash| slash + 1)];
    if route.is_clinicians() {
        format!("{folder}{CLINIC_PAGE}")
    } else {
        folder.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_is_served_by_its_page_in_the_same_folder() {
        let visit = Route::PatientVisit { invite: "x".into() };
        assert_eq!(page_path("/hearth/clinic.html", &visit), "/hearth/");
        assert_eq!(page_path("/", &visit), "/");
        assert_eq!(
            page_path("/hearth/", &Route::ProviderVisits),
            "/hearth/clinic.html"
        );
        assert_eq!(
            page_path("/index.html", &Route::ProviderSignIn),
            "/clinic.html"
        );
        assert!(!Route::GuestVisit { invite: "x".into() }.is_clinicians());
    }

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
