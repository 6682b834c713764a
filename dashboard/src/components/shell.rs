//! The frame of every signed-in page: the workspace (name, id with a copy button, status),
//! the member and their role, sign out, and the navigation. Signed out, it sends the member
//! to the sign-in page.

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::SignedOut;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api::{self, Guard};
use crate::components::copy::CopyButton;
use crate::route::Route;
use crate::session::{may, SessionCtx, SessionState};

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    /// The page's heading.
    pub title: AttrValue,
    pub children: Html,
}

#[function_component]
pub fn Shell(props: &ShellProps) -> Html {
    let session = use_context::<SessionCtx>();
    let Some(session) = session else {
        return html! {};
    };
    let current = match &*session {
        SessionState::Loading => {
            return html! { <main id="content" class="loading" aria-busy="true"><p>{ "Loading…" }</p></main> }
        }
        SessionState::SignedOut => return html! { <Redirect<Route> to={Route::SignIn} /> },
        SessionState::SignedIn(s) => s.clone(),
    };
    let sign_out = {
        let (session, csrf) = (session.clone(), current.csrf_token.clone());
        Callback::from(move |_: MouseEvent| {
            let (session, csrf) = (session.clone(), csrf.clone());
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                // Signed out either way: a failed call leaves a session that expires.
                let _ = api::call_empty::<SignedOut>(AdminOp::SignOut, &[], Some(guard)).await;
                session.set(SessionState::SignedOut);
            });
        })
    };
    let ws = &current.workspace;
    let pending = ws.status != "approved";
    html! {
        <>
            <a class="skip" href="#content">{ "Skip to content" }</a>
            <header class="top">
                <div class="brand">{ "Tally" }</div>
                <div class="workspace">
                    <span class="ws-name">{ ws.name.clone() }</span>
                    <code class="ws-id" aria-label="Workspace ID (App ID)">{ ws.id.clone() }</code>
                    <CopyButton text={ws.id.clone()} label="Copy the workspace ID" />
                    <span class={classes!("chip", pending.then_some("warn"))}
                        title={ if pending { "Production keys can be created once Tally approves this workspace." } else { "This workspace may use production keys." } }>
                        { if pending { "Pending approval" } else { "Approved" } }
                    </span>
                </div>
                <div class="member">
                    <span>{ current.member.email.clone() }</span>
                    <span class="chip">{ current.member.role.clone() }</span>
                    <button type="button" class="secondary" onclick={sign_out}>{ "Sign out" }</button>
                </div>
            </header>
            <div class="frame">
                <nav aria-label="Dashboard">
                    <ul>
                        if may(&current, Action::ViewKeys) {
                            <li><Link<Route> to={Route::Keys}>{ "API keys" }</Link<Route>></li>
                            <li><Link<Route> to={Route::Identity}>{ "Identity secret" }</Link<Route>></li>
                        }
                    </ul>
                </nav>
                <main id="content" tabindex="-1">
                    <h1>{ props.title.clone() }</h1>
                    { props.children.clone() }
                </main>
            </div>
        </>
    }
}
