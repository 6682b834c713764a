//! The dashboard's pages. Each has its own URL, so a reload (or a shared link) lands on the
//! same page: the Worker answers every `/dashboard/…` path with the app.

use yew_router::Routable;

/// A page.
#[derive(Routable, Clone, Copy, PartialEq, Eq, Debug)]
pub enum Route {
    /// The start page: the keys, for now.
    #[at("/dashboard")]
    Home,
    /// Email and password.
    #[at("/dashboard/sign-in")]
    SignIn,
    /// API keys: list, create (PIN), reveal once.
    #[at("/dashboard/keys")]
    Keys,
    /// Identity secrets: reveal (PIN), roll with an overlap.
    #[at("/dashboard/identity")]
    Identity,
    /// Anything else.
    #[not_found]
    #[at("/dashboard/not-found")]
    NotFound,
}
