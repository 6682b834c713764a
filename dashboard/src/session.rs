//! The signed-in member and their workspace, shared by every page through a context.

use std::rc::Rc;

use tally_core::admin::{Action, Role};
use tally_core::wire::Session;
use yew::UseStateHandle;

/// Where the session stands.
#[derive(Clone, PartialEq, Debug)]
pub enum SessionState {
    /// Asking `GET /v1/admin/session`.
    Loading,
    /// No session, or the member signed out.
    SignedOut,
    /// The session ended while the dashboard was open (expired, or ended elsewhere): the
    /// sign-in page says so.
    Expired,
    /// Signed in.
    SignedIn(Rc<Session>),
}

/// The context every page reads.
pub type SessionCtx = UseStateHandle<SessionState>;

/// The signed-in member's session (pages render inside the shell, which sees to it).
#[yew::hook]
pub fn use_session() -> Option<Rc<Session>> {
    match yew::use_context::<SessionCtx>().as_deref() {
        Some(SessionState::SignedIn(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Whether the member's role allows `action` (the API's own rule, `Role::may`).
pub fn may(session: &Session, action: Action) -> bool {
    Role::parse(&session.member.role).is_some_and(|r| r.may(action))
}

/// The environment the pages show: test or production keys, secrets and endpoints.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Env {
    /// Test keys and data (the default, like the seeds' Test Mode).
    #[default]
    Test,
    /// Production.
    Prod,
}

impl Env {
    /// The API's name: `test` or `prod`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Env::Test => "test",
            Env::Prod => "prod",
        }
    }

    /// How the switch says it.
    pub const fn label(self) -> &'static str {
        match self {
            Env::Test => "Test",
            Env::Prod => "Production",
        }
    }

    /// From what the browser remembered; anything else is test.
    pub fn parse(s: Option<&str>) -> Env {
        if s == Some("prod") {
            Env::Prod
        } else {
            Env::Test
        }
    }
}

/// A publishable key just created, handed to the Integration page's snippet. Lives in
/// memory only, like the create dialog's copy of it.
pub type SnippetKeyCtx = UseStateHandle<Option<yew::AttrValue>>;

/// The switch every page reads.
pub type EnvCtx = UseStateHandle<Env>;

const ENV_KEY: &str = "tally.dashboard.env";
const NEXT_KEY: &str = "tally.dashboard.next";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Remembers the page a signed-out member asked for (path and query), for after sign-in.
pub fn remember_next() {
    let Some(w) = web_sys::window() else { return };
    let location = w.location();
    let here = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Some(s) = session_storage() {
        let _ = s.set_item(NEXT_KEY, &here);
    }
}

/// The page remembered by [`remember_next`], forgotten as it is read.
pub fn take_next() -> Option<String> {
    let s = session_storage()?;
    let next = s.get_item(NEXT_KEY).ok().flatten();
    let _ = s.remove_item(NEXT_KEY);
    next
}

/// The environment this browser last chose.
pub fn remembered_env() -> Env {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(ENV_KEY).ok().flatten());
    Env::parse(stored.as_deref())
}

/// Remembers the choice for the next visit.
pub fn remember_env(env: Env) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(ENV_KEY, env.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_defaults_to_test() {
        assert_eq!(Env::parse(None), Env::Test);
        assert_eq!(Env::parse(Some("production")), Env::Test);
        assert_eq!(Env::parse(Some("prod")), Env::Prod);
        assert_eq!(Env::parse(Some(Env::Prod.as_str())), Env::Prod);
        assert_eq!(Env::parse(Some(Env::Test.as_str())), Env::Test);
    }
}
