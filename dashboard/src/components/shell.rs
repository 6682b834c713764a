//! The frame of every signed-in page: the workspace (name, id with a copy button, status),
//! the member and their role, sign out, and the navigation. Signed out, it sends the member
//! to the sign-in page.

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::SignedOut;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;
use yew_router::Routable;

use crate::api::{self, Guard};
use crate::components::copy::CopyButton;
use crate::route::{Route, PAGES};
use crate::session::{self, may, Env, EnvCtx, SessionCtx, SessionState};

#[derive(Properties, PartialEq)]
pub struct ShellProps {
    /// The page's heading.
    pub title: AttrValue,
    /// What the member's role must allow to see the page.
    #[prop_or(Action::ViewWorkspace)]
    pub needs: Action,
    pub children: Html,
}

#[function_component]
pub fn Shell(props: &ShellProps) -> Html {
    let session = use_context::<SessionCtx>();
    let here = use_route::<Route>();
    let env = use_context::<EnvCtx>();
    let navigator = use_navigator();
    let Some(session) = session else {
        return html! {};
    };
    let current = match &*session {
        SessionState::Loading => {
            return html! { <main id="content" class="loading" aria-busy="true"><p>{ "Loading…" }</p></main> }
        }
        SessionState::SignedOut | SessionState::Expired => {
            session::remember_next();
            return html! { <Redirect<Route> to={Route::SignIn} /> };
        }
        SessionState::SignedIn(s) => s.clone(),
    };
    let sign_out = {
        let (session, csrf, navigator) = (
            session.clone(),
            current.csrf_token.clone(),
            navigator.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            // Signed out here at once, whatever the call answers (a session left behind
            // expires), and straight to the sign-in page: a page left on purpose is not one
            // to return to.
            session.set(SessionState::SignedOut);
            if let Some(n) = &navigator {
                n.replace(&Route::SignIn);
            }
            let csrf = csrf.clone();
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                let _ = api::call_empty::<SignedOut>(AdminOp::SignOut, &[], Some(guard)).await;
            });
        })
    };
    let env_switch = env.as_ref().map(|env| {
        let pick = |to: Env| {
            let env = env.clone();
            Callback::from(move |_: MouseEvent| {
                session::remember_env(to);
                env.set(to);
            })
        };
        html! {
            <div class="env" role="group" aria-label="Environment">
                { for [Env::Test, Env::Prod].into_iter().map(|e| html! {
                    <button type="button" class={classes!("secondary", (**env == e).then_some("on"))}
                        aria-pressed={if **env == e { "true" } else { "false" }} onclick={pick(e)}>{ e.label() }</button>
                }) }
            </div>
        }
    });
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
                { env_switch.unwrap_or_default() }
                <div class="member">
                    <span>{ current.member.email.clone() }</span>
                    <span class="chip">{ current.member.role.clone() }</span>
                    <button type="button" class="secondary" onclick={sign_out}>{ "Sign out" }</button>
                </div>
            </header>
            <div class="frame">
                <nav aria-label="Dashboard">
                    <ul>
                        { for PAGES.iter().filter(|(_, _, a)| may(&current, *a)).map(|(r, label, _)| html! {
                            <li>if Some(*r) == here {
                                <a href={r.to_path()} class="current" aria-current="page">{ *label }</a>
                            } else {
                                <Link<Route> to={*r}>{ *label }</Link<Route>>
                            }</li>
                        }) }
                    </ul>
                </nav>
                <main id="content" tabindex="-1">
                    if env.as_deref() == Some(&Env::Test) {
                        <p class="test-banner">{ "Test mode: test keys, secrets and webhooks. Switch to Production at the top when you go live." }</p>
                    }
                    <h1>{ props.title.clone() }</h1>
                    if may(&current, props.needs) {
                        { props.children.clone() }
                    } else {
                        <p class="warning" role="note">{ format!("Your role ({}) cannot see this page. Ask a superadmin if you need it.", current.member.role) }</p>
                    }
                </main>
            </div>
        </>
    }
}
