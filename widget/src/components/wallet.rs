use std::cell::Cell;
use std::rc::Rc;

use tally_core::key::{self, KeyKind};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Query};
use crate::browser;
use crate::components::card::Card;
use crate::components::notice::notice;
use crate::components::skeleton::skeleton;
use crate::i18n::{key as s, Tr};
use crate::state::{Action, Phase, State};

/// The `<tally-wallet>` element's attributes, plus what the loader knows.
#[derive(Properties, PartialEq, Clone, Debug)]
pub struct Config {
    /// The edge's origin, from the loader's own `src`.
    pub edge: AttrValue,
    pub workspace: AttrValue,
    pub api_key: AttrValue,
    pub token: AttrValue,
    /// Shown to shoppers who are not signed in (`sign-in-text`); empty for the default.
    pub sign_in_text: AttrValue,
    /// The shopper's language (`i18n`).
    pub tr: Tr,
}

/// Checks the snippet before any request. A secret key is refused outright: it must never be
/// on a web page, and the widget never sends it anywhere.
pub fn validate(c: &Config) -> Result<(), String> {
    if key::claimed_kind(&c.api_key) == Some(KeyKind::Secret) {
        return Err(
            "Tally: a secret key is in this page's <tally-wallet key>, where anyone can read it. \
             Use a publishable key (…_pk_…) and roll the secret key now."
                .into(),
        );
    }
    if key::claimed_kind(&c.api_key) != Some(KeyKind::Publishable) {
        return Err("Tally: <tally-wallet key> must be a publishable key (…_pk_…).".into());
    }
    if !c.workspace.starts_with("ws_") {
        return Err("Tally: <tally-wallet workspace> must be your workspace id (ws_…).".into());
    }
    Ok(())
}

/// The whole widget.
#[function_component]
pub fn Wallet(config: &Config) -> Html {
    let state = use_reducer(|| State {
        phase: Phase::Loading,
    });
    let generation = use_mut_ref(|| 0u32);

    let load = {
        let (state, config, generation) = (state.dispatcher(), config.clone(), generation.clone());
        // `revalidate`: the tab came back, so the browser's copy is asked about (a 304 when
        // unchanged) rather than reused for its few seconds.
        Callback::from(move |revalidate: bool| {
            if let Err(msg) = validate(&config) {
                browser::console_error(&msg);
                state.dispatch(Action::Failed(Phase::Misconfigured(msg)));
                return;
            }
            if config.token.is_empty() {
                state.dispatch(Action::Failed(Phase::SignedOut));
                return;
            }
            // Only the newest request may update the state (attributes can change mid-flight).
            let current = {
                let mut g = generation.borrow_mut();
                *g += 1;
                *g
            };
            state.dispatch(Action::Fetching);
            let query = Query {
                edge: config.edge.to_string(),
                workspace: config.workspace.to_string(),
                key: config.api_key.to_string(),
                token: config.token.to_string(),
                revalidate,
            };
            let (state, generation) = (state.clone(), generation.clone());
            spawn_local(async move {
                let result = api::fetch_wallet(&query).await;
                if *generation.borrow() == current {
                    state.dispatch(match result {
                        Ok(view) => Action::Loaded(view),
                        Err(phase) => Action::Failed(phase),
                    });
                }
            });
        })
    };

    // Load on mount and whenever the attributes change.
    {
        let load = load.clone();
        use_effect_with(config.clone(), move |_| load.emit(false));
    }
    use_refresh_on_focus(load.reform(|()| true));
    use_mark_when_ready(matches!(state.phase, Phase::Ready { .. }));

    let tr = &config.tr;
    let body = match &state.phase {
        Phase::Loading => skeleton(tr),
        Phase::Ready { view, refreshing } => {
            html! { <Card view={view.clone()} tr={tr.clone()} refreshing={*refreshing} /> }
        }
        Phase::SignedOut => {
            let text = if config.sign_in_text.is_empty() {
                tr.t(s::SIGN_IN)
            } else {
                config.sign_in_text.clone()
            };
            notice(text, false, None, tr)
        }
        Phase::Expired => notice(tr.t(s::EXPIRED), false, None, tr),
        Phase::Unavailable => {
            let load = load.clone();
            notice(
                tr.t(s::FAILED),
                false,
                Some(Callback::from(move |()| load.emit(true))),
                tr,
            )
        }
        Phase::Misconfigured(_) => notice(tr.t(s::BROKEN), true, None, tr),
    };
    // The CSS is the loader's (`www/embed.js`), already in the shadow root.
    html! { <section aria-label={tr.t(s::REGION)}>{ body }</section> }
}

/// Sets `performance.mark("tally:wallet-ready")` the first time the balance is on screen, so
/// pages (and `make bench`) can measure navigation-to-balance time.
#[hook]
fn use_mark_when_ready(ready: bool) {
    let marked = use_mut_ref(|| false);
    use_effect_with(ready, move |ready| {
        if *ready && !*marked.borrow() {
            *marked.borrow_mut() = true;
            if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                let _ = p.mark("tally:wallet-ready");
            }
        }
    });
}

/// Calls `refresh` when the tab comes back (window focus or the page becoming visible),
/// at most once every two seconds: no polling loop.
#[hook]
fn use_refresh_on_focus(refresh: Callback<()>) {
    use_effect_with((), move |_| {
        let last = Rc::new(Cell::new(js_sys::Date::now()));
        let handler = Closure::<dyn Fn()>::new(move || {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            let now = js_sys::Date::now();
            if !hidden && now - last.get() > 2_000.0 {
                last.set(now);
                refresh.emit(());
            }
        });
        let window = web_sys::window();
        let document = window.as_ref().and_then(|w| w.document());
        let f = handler.as_ref().unchecked_ref();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("focus", f);
        }
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("visibilitychange", f);
        }
        move || {
            let f = handler.as_ref().unchecked_ref();
            if let Some(w) = &window {
                let _ = w.remove_event_listener_with_callback("focus", f);
            }
            if let Some(d) = &document {
                let _ = d.remove_event_listener_with_callback("visibilitychange", f);
            }
        }
    });
}
