//! The app: the router, the session context, and which page each route shows.

use std::rc::Rc;

use tally_core::admin::AdminOp;
use tally_core::wire::Session;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::shell::Shell;
use crate::pages::{identity::Identity, keys::Keys, sign_in::SignIn};
use crate::route::Route;
use crate::session::{SessionCtx, SessionState};

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
    html! {
        <BrowserRouter>
            <ContextProvider<SessionCtx> context={session}>
                <Switch<Route> render={switch} />
            </ContextProvider<SessionCtx>>
        </BrowserRouter>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::SignIn => html! { <SignIn /> },
        Route::Home => html! { <Redirect<Route> to={Route::Keys} /> },
        Route::Keys => html! { <Shell title="API keys"><Keys /></Shell> },
        Route::Identity => html! { <Shell title="Identity secret"><Identity /></Shell> },
        Route::NotFound => html! {
            <Shell title="Page not found">
                <p>{ "There is no such page. " }<Link<Route> to={Route::Keys}>{ "Go to your API keys" }</Link<Route>></p>
            </Shell>
        },
    }
}
