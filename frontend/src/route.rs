//! The one route table. Hash routing (`/#/visit/...`) keeps deep links working
//! on any static host without rewrite rules, and keeps invites in the fragment,
//! which browsers never send to a server.

use std::collections::HashMap;
use yew_router::Routable;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`
    Home,
    /// `/visit/<invite>`: a patient's visit link; the segment is the
    /// signed invite.
    PatientVisit { invite: String },
    /// `/guest/<invite>`: an interpreter's or relative's link.
    GuestVisit { invite: String },
    /// `/provider`
    ProviderSignIn,
    /// `/provider/visits`: the clinician's visits, after sign-in.
    ProviderVisits,
    /// `/provider/visits/<visit id>`: the clinician in one visit's room.
    ProviderVisit { visit_id: String },
    /// Anything else (`/404`).
    NotFound,
}

/// Written by hand, not derived: the derive matches paths with
/// route-recognizer, whose code weighed about 3 KB gzipped on the patients'
/// first paint, for six fixed shapes. Segments are percent-encoded and
/// decoded as the derive does.
impl Routable for Route {
    /// `path` is one of [`Route::routes`], its `:name`s given in `params`.
    fn from_path(path: &str, params: &HashMap<&str, &str>) -> Option<Self> {
        let filled: Vec<&str> = path
            .split('/')
            .map(|segment| match segment.strip_prefix(':') {
                Some(name) => params.get(name).copied().unwrap_or_default(),
                None => segment,
            })
            .collect();
        Route::recognize(&filled.join("/"))
            .filter(|route| *route != Route::NotFound || path == "/404")
    }

    fn to_path(&self) -> String {
        let encoded = |segment: &str| urlencoding::encode(segment).into_owned();
        match self {
            Route::Home => "/".to_owned(),
            Route::PatientVisit { invite } => format!("/visit/{}", encoded(invite)),
            Route::GuestVisit { invite } => format!("/guest/{}", encoded(invite)),
            Route::ProviderSignIn => "/provider".to_owned(),
            Route::ProviderVisits => "/provider/visits".to_owned(),
            Route::ProviderVisit { visit_id } => format!("/provider/visits/{}", encoded(visit_id)),
            Route::NotFound => "/404".to_owned(),
        }
    }

    fn routes() -> Vec<&'static str> {
        vec![
            "/",
            "/visit/:invite",
            "/guest/:invite",
            "/provider",
            "/provider/visits",
            "/provider/visits/:visit_id",
            "/404",
        ]
    }

    fn not_found_route() -> Option<Self> {
        Some(Route::NotFound)
    }

    /// One segment per parameter, a trailing slash ignored, anything else
    /// (or a segment that does not decode) not found.
    fn recognize(pathname: &str) -> Option<Self> {
        let trimmed = pathname.strip_suffix('/').unwrap_or(pathname);
        let segments: Vec<&str> = trimmed.split('/').skip(1).collect();
        let decoded = |segment: &str| {
            (!segment.is_empty())
                .then(|| urlencoding::decode(segment).ok())
                .flatten()
                .map(|text| text.into_owned())
        };
        let route = match segments.as_slice() {
            [] => Some(Route::Home),
            ["visit", invite] => decoded(invite).map(|invite| Route::PatientVisit { invite }),
            ["guest", invite] => decoded(invite).map(|invite| Route::GuestVisit { invite }),
            ["provider"] => Some(Route::ProviderSignIn),
            ["provider", "visits"] => Some(Route::ProviderVisits),
            ["provider", "visits", id] => {
                decoded(id).map(|visit_id| Route::ProviderVisit { visit_id })
            }
            _ => None,
        };
        route.or(Some(Route::NotFound))
    }
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
        assert_eq!(Route::recognize("/visit/"), Some(Route::NotFound));
        assert_eq!(Route::recognize("/visit/a/b"), Some(Route::NotFound));
        assert_eq!(Route::recognize(""), Some(Route::Home));
        assert_eq!(Route::recognize("/provider/"), Some(Route::ProviderSignIn));
    }

    #[test]
    fn every_route_reads_back_from_its_own_path() {
        let routes = [
            Route::Home,
            Route::PatientVisit {
                invite: "eyJ.a-b_c".into(),
            },
            Route::GuestVisit {
                invite: "a b/ü".into(),
            },
            Route::ProviderSignIn,
            Route::ProviderVisits,
            Route::ProviderVisit {
                visit_id: "v-1".into(),
            },
            Route::NotFound,
        ];
        for route in routes {
            assert_eq!(
                Route::recognize(&route.to_path()),
                Some(route.clone()),
                "{route:?}"
            );
        }
        assert_eq!(Route::routes().len(), 7);
        let params = HashMap::from([("invite", "abc")]);
        assert_eq!(
            Route::from_path("/visit/:invite", &params),
            Some(Route::PatientVisit {
                invite: "abc".into()
            })
        );
        assert_eq!(Route::from_path("/elsewhere", &params), None);
    }
}
