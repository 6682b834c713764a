//! Sign in with email and password. Every refusal is said, never swallowed: wrong
//! credentials, too many attempts (with when to retry), an unreachable service.

use std::rc::Rc;

use tally_core::admin::AdminOp;
use tally_core::wire::{Session, SignIn as SignInBody};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::route::{self, Route};
use crate::session::{self, SessionCtx, SessionState};
use yew_router::query::Raw;

/// What a failed sign-in tells the member.
pub fn sign_in_error(f: &api::Failure) -> String {
    match f.code.as_str() {
        "invalid_credentials" => "Email or password is incorrect.".into(),
        "rate_limited" => "Too many attempts from here. Wait a minute, then try again.".into(),
        _ => f.message.clone(),
    }
}

#[function_component]
pub fn SignIn() -> Html {
    let session = use_context::<SessionCtx>();
    let email = use_node_ref();
    let password = use_node_ref();
    let expired = matches!(session.as_deref(), Some(SessionState::Expired));
    let error = use_state(move || {
        expired.then(|| "Your session has ended. Sign in again to go on where you were.".to_owned())
    });
    let busy = use_state(|| false);
    let navigator = use_navigator();
    let signed_in = matches!(session.as_deref(), Some(SessionState::SignedIn(_)));
    use_effect_with(signed_in, move |&signed_in| {
        if let (true, Some(nav)) = (signed_in, navigator) {
            match session::take_next().as_deref().and_then(route::return_to) {
                Some((to, query)) => {
                    let _ = nav.replace_with_query(&to, Raw(query));
                }
                None => nav.replace(&Route::Home),
            }
        }
    });
    if signed_in {
        return html! { <main id="content" class="sign-in" aria-busy="true"><p>{ "Signing in…" }</p></main> };
    }
    let onsubmit = {
        let (email, password, error, busy, session) = (
            email.clone(),
            password.clone(),
            error.clone(),
            busy.clone(),
            session.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let body = SignInBody {
                email: value(&email),
                password: value(&password),
            };
            let (error, busy, session) = (error.clone(), busy.clone(), session.clone());
            busy.set(true);
            spawn_local(async move {
                match api::call::<_, Session>(AdminOp::SignIn, &[], Some(&body), None).await {
                    Ok(s) => {
                        if let Some(ctx) = session {
                            ctx.set(SessionState::SignedIn(Rc::new(s)));
                        }
                    }
                    Err(f) => error.set(Some(sign_in_error(&f))),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <main id="content" class="sign-in">
            <form {onsubmit} aria-describedby="sign-in-error">
                <h1>{ "Sign in to Tally" }</h1>
                <label for="email">{ "Email" }</label>
                <input id="email" ref={email} type="email" autocomplete="username" required=true />
                <label for="password">{ "Password" }</label>
                <input id="password" ref={password} type="password" autocomplete="current-password" required=true />
                <p id="sign-in-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ "Sign in" }</button>
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_for_any_wrong_credentials_and_a_clear_one_for_the_rate_limit() {
        let f = |code: &str| api::Failure {
            status: 401,
            code: code.into(),
            message: "m".into(),
            request_id: "req_1".into(),
        };
        assert_eq!(
            sign_in_error(&f("invalid_credentials")),
            "Email or password is incorrect."
        );
        assert!(sign_in_error(&f("rate_limited")).contains("Wait a minute"));
        assert_eq!(sign_in_error(&f("internal_error")), "m");
    }
}
