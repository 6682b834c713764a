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
    /// No session (or it ended).
    SignedOut,
    /// Signed in.
    SignedIn(Rc<Session>),
}

/// The context every page reads.
pub type SessionCtx = UseStateHandle<SessionState>;

/// Whether the member's role allows `action` (the API's own rule, `Role::may`).
pub fn may(session: &Session, action: Action) -> bool {
    Role::parse(&session.member.role).is_some_and(|r| r.may(action))
}
