//! The dashboard's pages. Each has its own URL, so a reload (or a shared link) lands on the
//! same page: the Worker answers every `/dashboard/…` path with the app.

use tally_core::admin::Action;
use yew_router::Routable;

/// A page.
#[derive(Routable, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Route {
    /// The start page: the first page the member's role may see.
    #[at("/dashboard")]
    Home,
    /// The last 30 days in charts.
    #[at("/dashboard/overview")]
    Overview,
    /// Email and password.
    #[at("/dashboard/sign-in")]
    SignIn,
    /// Coins, stamp cards and cashback on or off; the cards and the rewards.
    #[at("/dashboard/programs")]
    Programs,
    /// Shoppers' claims for credit: approve or reject with a reason.
    #[at("/dashboard/claims")]
    Claims,
    /// API keys: list, create (PIN), reveal once, roll, revoke, delete.
    #[at("/dashboard/keys")]
    Keys,
    /// The storefront and server snippets, with a live widget preview.
    #[at("/dashboard/integration")]
    Integration,
    /// Identity secrets: reveal (PIN), roll with an overlap.
    #[at("/dashboard/identity")]
    Identity,
    /// Secret keys seen in a browser or a URL; the exposure setting.
    #[at("/dashboard/exposures")]
    Exposures,
    /// The request log, filtered through the address.
    #[at("/dashboard/logs")]
    Logs,
    /// Webhook endpoints and their deliveries.
    #[at("/dashboard/webhooks")]
    Webhooks,
    /// Who changed what.
    #[at("/dashboard/audit")]
    Audit,
    /// Members and their roles.
    #[at("/dashboard/members")]
    Members,
    /// Name, id, status, settings.
    #[at("/dashboard/workspace")]
    Workspace,
    /// Anything else.
    #[not_found]
    #[at("/dashboard/not-found")]
    NotFound,
}

/// The signed-in pages in navigation order: where each is, what it is called, and what the
/// member's role must allow to see it (the API's own rule).
pub const PAGES: [(Route, &str, Action); 12] = [
    (Route::Overview, "Overview", Action::ViewWorkspace),
    (Route::Programs, "Programs", Action::ViewWorkspace),
    (Route::Claims, "Claims", Action::HandleClaims),
    (Route::Keys, "API keys", Action::ViewKeys),
    (Route::Integration, "Integration", Action::ViewWorkspace),
    (Route::Identity, "Identity secret", Action::ViewKeys),
    (Route::Exposures, "Exposures", Action::ReadLogs),
    (Route::Logs, "Request log", Action::ReadLogs),
    (Route::Webhooks, "Webhooks", Action::ReadWebhooks),
    (Route::Audit, "Audit log", Action::ReadAudit),
    (Route::Members, "Members", Action::ViewMembers),
    (Route::Workspace, "Workspace", Action::ViewWorkspace),
];

/// The page a route shows, with its navigation entry.
pub fn page(route: Route) -> Option<(Route, &'static str, Action)> {
    PAGES.into_iter().find(|(r, _, _)| *r == route)
}

/// Where `/dashboard` sends a member: the first page their role may see.
pub fn home(may: impl Fn(Action) -> bool) -> Route {
    PAGES
        .into_iter()
        .find(|(_, _, action)| may(*action))
        .map_or(Route::Workspace, |(r, _, _)| r)
}

/// Where to go after signing in: a dashboard page (not the sign-in page) and its query,
/// from the address the member asked for. Anything else (another site, a path with `//`):
/// `None`, and the member lands on the start page.
pub fn return_to(next: &str) -> Option<(Route, String)> {
    let (path, query) = next.split_once('?').unwrap_or((next, ""));
    if !path.starts_with("/dashboard/") || path.contains("//") || path.contains('\\') {
        return None;
    }
    match Route::recognize(path)? {
        Route::SignIn | Route::NotFound | Route::Home => None,
        route => Some((route, query.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::admin::Role;

    #[test]
    fn every_role_lands_on_a_page_it_may_see() {
        for role in Role::ALL {
            assert_eq!(home(|a| role.may(a)), Route::Overview, "{role:?}");
        }
        assert_eq!(home(|a| a == Action::ReadLogs), Route::Exposures);
        assert_eq!(home(|_| false), Route::Workspace);
        for role in Role::ALL {
            let (_, _, needs) = page(home(|a| role.may(a))).expect("a page");
            assert!(role.may(needs), "{role:?}");
        }
    }

    #[test]
    fn after_signing_in_the_member_returns_to_the_page_they_asked_for_and_nowhere_else() {
        assert_eq!(
            return_to("/dashboard/logs?status=403&key_id=key_1"),
            Some((Route::Logs, "status=403&key_id=key_1".to_owned()))
        );
        assert_eq!(
            return_to("/dashboard/keys"),
            Some((Route::Keys, String::new()))
        );
        for bad in [
            "/dashboard/sign-in",
            "/dashboard/nope",
            "/dashboard",
            "https://evil.example/dashboard/keys",
            "//evil.example/dashboard/keys",
            "/dashboard//evil.example",
            "/dashboard/\\evil.example",
            "/v1/admin/keys",
            "",
        ] {
            assert_eq!(return_to(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_page_has_its_own_address() {
        for (route, _, _) in PAGES {
            assert_eq!(Route::recognize(&route.to_path()), Some(route));
        }
        assert_eq!(Route::recognize("/dashboard/nope"), Some(Route::NotFound));
    }
}
