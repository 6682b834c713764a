//! The app: the router, the session context, and which page each route shows.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::Session;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::shell::Shell;
use crate::pages::{
    audit::Audit, claims::Claims, exposures::Exposures, identity::Identity,
    integration::Integration, keys::Keys, logs::Logs, members::Members, overview::Overview,
    programs::Programs, sign_in::SignIn, webhooks::Webhooks, workspace::Workspace,
};
use crate::route::{self, Route};
use crate::session::{self, may, EnvCtx, SessionCtx, SessionState, SnippetKeyCtx};

#[function_component]
pub fn App() -> Html {
    let session = use_state(|| SessionState::Loading);
    {
        let session = session.clone();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let answer = api::call_empty::<Session>(AdminOp::GetSession, &[], None).await;
                session.set(match answer {
                    Ok(s) => SessionState::SignedIn(Rc::new(s)),
                    Err(_) => SessionState::SignedOut,
                });
            });
        });
    }
    {
        let session = session.clone();
        use_effect_with((), move |()| {
            api::on_session_ended(Callback::from(move |()| session.set(SessionState::Expired)));
        });
    }
    let env = use_state(session::remembered_env);
    let snippet_key = use_state(|| None::<AttrValue>);
    html! {
        <BrowserRouter>
            <ContextProvider<SessionCtx> context={session}>
                <ContextProvider<EnvCtx> context={env}>
                    <ContextProvider<SnippetKeyCtx> context={snippet_key}>
                        <Switch<Route> render={switch} />
                    </ContextProvider<SnippetKeyCtx>>
                </ContextProvider<EnvCtx>>
            </ContextProvider<SessionCtx>>
        </BrowserRouter>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::SignIn => html! { <SignIn /> },
        Route::Home => html! { <Home /> },
        Route::NotFound => html! {
            <Shell title="Page not found">
                <p>{ "There is no such page. " }<Link<Route> to={Route::Home}>{ "Go to the dashboard" }</Link<Route>></p>
            </Shell>
        },
        page => {
            let (_, title, action) =
                route::page(page).unwrap_or((Route::Workspace, "Workspace", Action::ViewWorkspace));
            let body = match page {
                Route::Overview => html! { <Overview /> },
                Route::Programs => html! { <Programs /> },
                Route::Claims => html! { <Claims /> },
                Route::Keys => html! { <Keys /> },
                Route::Identity => html! { <Identity /> },
                Route::Integration => html! { <Integration /> },
                Route::Exposures => html! { <Exposures /> },
                Route::Logs => html! { <Logs /> },
                Route::Audit => html! { <Audit /> },
                Route::Webhooks => html! { <Webhooks /> },
                Route::Members => html! { <Members /> },
                _ => html! { <Workspace /> },
            };
            html! { <Shell {title} needs={action}>{ body }</Shell> }
        }
    }
}

/// `/dashboard`: the first page the member may see.
#[function_component]
fn Home() -> Html {
    match use_context::<SessionCtx>().as_deref() {
        Some(SessionState::SignedIn(s)) => {
            let to = route::home(|a| may(s, a));
            html! { <Redirect<Route> {to} /> }
        }
        Some(SessionState::SignedOut | SessionState::Expired) => {
            html! { <Redirect<Route> to={Route::SignIn} /> }
        }
        _ => {
            html! { <main id="content" class="loading" aria-busy="true"><p>{ "Loading…" }</p></main> }
        }
    }
}
