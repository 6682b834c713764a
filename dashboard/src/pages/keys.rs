//! API keys (seeds 000, 001, 003, 004): the list, and creating a key behind the PIN, shown
//! once with a copy button. Admins and superadmins only; what a role may not do is not offered.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp, NewKey};
use tally_core::scope::Scope;
use tally_core::wire::{CreatedKey, KeyList, KeyView};
use web_sys::{HtmlDialogElement, HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::key_actions::{origin_lines, Intent, KeyAction};
use super::logs::LogFilter;
use crate::api::{self, Failure, Guard};
use crate::components::copy::CopyButton;
use crate::components::modal::{self, use_modal, Modal};
use crate::route::Route;
use crate::session::{may, use_session, Env, EnvCtx, SnippetKeyCtx};
use yew_router::prelude::{use_navigator, Link};

/// The list's state.
#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Ready(Rc<Vec<KeyView>>),
    Failed(Failure),
}

pub use crate::api::explain;

/// A key's type as the list says it.
pub fn kind_label(kind: &str) -> &'static str {
    if kind == "secret" {
        "Secret"
    } else {
        "Publishable"
    }
}

/// A key's access as the list says it.
pub fn access_label(k: &KeyView) -> String {
    match k.access.as_str() {
        "read_only" => "Read only".into(),
        "full_access" => "Full access".into(),
        _ => format!("Custom ({} scopes)", k.scopes.len()),
    }
}

/// Seed 001's scopes, grouped by program, in the order the create form lists them.
pub const SCOPE_GROUPS: [(&str, &[Scope]); 6] = [
    ("Coins", &[Scope::CoinsRead, Scope::CoinsWrite]),
    ("Members", &[Scope::MemberRead, Scope::MemberWrite]),
    ("Referrals", &[Scope::ReferralRead, Scope::ReferralWrite]),
    ("Stamps", &[Scope::StampsRead, Scope::StampsWrite]),
    ("Cashback", &[Scope::CashbackRead, Scope::CashbackWrite]),
    (
        "Cards, rewards and claims",
        &[Scope::CardRead, Scope::ClaimWrite],
    ),
];

/// What kind of key a choice of scopes makes: one that can write is a secret key.
pub fn kind_for(access: &str, scopes: &[Scope]) -> &'static str {
    match access {
        "read_only" => "publishable",
        "custom" if !scopes.iter().any(|s| s.is_write()) => "publishable",
        _ => "secret",
    }
}

/// An RFC 3339 time as a date, or `never`.
fn day(t: Option<&str>, none: &str) -> String {
    t.map_or_else(|| none.to_owned(), |t| t.get(..10).unwrap_or(t).to_owned())
}

#[function_component]
pub fn Keys() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let load = use_state(|| Load::Loading);
    let generation = use_state(|| 0u32);
    {
        let load = load.clone();
        use_effect_with(*generation, move |_| {
            spawn_local(async move {
                load.set(
                    match api::call_empty::<KeyList>(AdminOp::ListKeys, &[], None).await {
                        Ok(list) => Load::Ready(Rc::new(list.data)),
                        Err(f) => Load::Failed(f),
                    },
                );
            });
        });
    }
    let dialog = use_node_ref();
    let open = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        })
    };
    let reload = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };
    let can_manage = may(&session, Action::ManageKeys);
    let Modal {
        node: action_dialog,
        intent,
        open: act,
        done: after_action,
    } = use_modal::<Intent>(&generation);
    let approved = session.workspace.status == "approved";
    let env = use_context::<EnvCtx>().map(|e| *e).unwrap_or_default();
    html! {
        <>
            <p class="warning" role="note">
                <strong>{ "Never put a secret key in a web page or an app." }</strong>
                { " Publishable keys (pk) are read-only and safe in your storefront; secret keys (sk) stay on your server, and one used from a browser is refused and reported. Rotate keys periodically and call Tally over HTTPS only." }
            </p>
            <div class="toolbar">
                if can_manage {
                    <button type="button" onclick={open}>{ "Create key" }</button>
                } else {
                    <button type="button" disabled=true title="Only admins and superadmins create keys">{ "Create key" }</button>
                }
            </div>
            { match &*load {
                Load::Loading => html! { <p aria-busy="true">{ "Loading keys…" }</p> },
                Load::Failed(f) => html! { <p class="error" role="alert">{ explain(f) }</p> },
                Load::Ready(keys) => {
                    let shown: Vec<KeyView> = keys.iter().filter(|k| k.environment == env.as_str()).cloned().collect();
                    if shown.is_empty() {
                        html! { <p class="empty">{ format!("No {} keys yet. Create a publishable key for your storefront and a secret key for your server.", env.label().to_lowercase()) }</p> }
                    } else {
                        key_table(&shown, can_manage.then_some(&act))
                    }
                }
            } }
            <CreateKey dialog={dialog} csrf={AttrValue::from(session.csrf_token.clone())} {approved} {env} on_done={reload} />
            <KeyAction dialog={action_dialog} intent={(*intent).clone()} csrf={AttrValue::from(session.csrf_token.clone())} on_done={after_action} />
        </>
    }
}

fn key_table(keys: &[KeyView], act: Option<&Callback<Intent>>) -> Html {
    let buttons = |k: &KeyView| -> Html {
        let Some(act) = act else { return html! {} };
        if k.revoked_at.is_some() {
            return html! {};
        }
        let k = Rc::new(k.clone());
        let button = |label: &'static str, intent: Intent| {
            let act = act.clone();
            let onclick = Callback::from(move |_: MouseEvent| act.emit(intent.clone()));
            html! { <button type="button" class="secondary small" aria-label={format!("{label} {}", k.name)} {onclick}>{ label }</button> }
        };
        html! {
            <div class="row-actions">
                { button("Edit", Intent::Edit(k.clone())) }
                if k.rolled_to.is_none() { { button("Roll", Intent::Roll(k.clone())) } }
                { button("Revoke", Intent::Revoke(k.clone())) }
                { button("Delete", Intent::Delete(k.clone())) }
            </div>
        }
    };
    html! {
        <div class="table-wrap" tabindex="0">
            <table>
                <caption class="sr-only">{ "API keys, newest first" }</caption>
                <thead><tr>
                    <th scope="col">{ "Name" }</th>
                    <th scope="col">{ "Key" }</th>
                    <th scope="col">{ "Type" }</th>
                    <th scope="col">{ "Access" }</th>
                    <th scope="col">{ "Environment" }</th>
                    <th scope="col">{ "Wallets" }</th>
                    <th scope="col">{ "Created" }</th>
                    <th scope="col">{ "Last used" }</th>
                    <th scope="col">{ "Expires" }</th>
                    <th scope="col">{ "Status" }</th>
                    <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                </tr></thead>
                <tbody>
                    { for keys.iter().map(|k| html! {
                        <tr key={k.id.clone()}>
                            <td><span class="name">{ k.name.clone() }</span><br /><small>{ k.description.clone() }</small></td>
                            <td><code>{ k.redacted.clone() }</code></td>
                            <td>{ kind_label(&k.kind) }</td>
                            <td>{ access_label(k) }</td>
                            <td>{ if k.environment == "prod" { "Production" } else { "Test" } }</td>
                            <td>{ k.wallets.iter().map(|w| format!("{} ({})", w.wallet, w.currency_type)).collect::<Vec<_>>().join(", ") }</td>
                            <td><time datetime={k.created_at.clone()}>{ day(Some(&k.created_at), "") }</time><br /><small>{ k.created_by.clone().unwrap_or_default() }</small></td>
                            <td>{ day(k.last_used_at.as_deref(), "Never") }<br />
                                <Link<Route, LogFilter> to={Route::Logs} query={Some(LogFilter { key_id: k.id.clone(), ..LogFilter::default() })}>
                                    { "Requests" }<span class="sr-only">{ format!(" of {}", k.name) }</span>
                                </Link<Route, LogFilter>></td>
                            <td>{ day(k.expires_at.as_deref(), "Never") }</td>
                            <td><span class={classes!("chip", (k.status != "active").then_some("warn"))}>{ k.status.clone() }</span></td>
                            <td>{ buttons(k) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CreateProps {
    dialog: NodeRef,
    csrf: AttrValue,
    approved: bool,
    /// The environment the page shows: the form starts there.
    env: Env,
    on_done: Callback<()>,
}

/// The create dialog: the form, then the PIN, then the key shown once.
#[function_component]
fn CreateKey(props: &CreateProps) -> Html {
    let name = use_node_ref();
    let description = use_node_ref();
    let origins = use_node_ref();
    let pin = use_node_ref();
    let expires = use_node_ref();
    let access = use_state(|| "read_only".to_owned());
    let scopes = use_state(Vec::<Scope>::new);
    let environment = use_state(|| props.env.as_str().to_owned());
    {
        let environment = environment.clone();
        use_effect_with(props.env, move |env| {
            environment.set(env.as_str().to_owned())
        });
    }
    let never = use_state(|| true);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    // The plaintext lives here only, until the dialog closes.
    let created = use_state(|| None::<Rc<CreatedKey>>);
    let snippet = use_context::<SnippetKeyCtx>();
    let navigator = use_navigator();

    let close = {
        let (dialog, created, error, on_done) = (
            props.dialog.clone(),
            created.clone(),
            error.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let had_key = created.is_some();
            created.set(None);
            error.set(None);
            modal::close(&dialog);
            if had_key {
                on_done.emit(());
            }
        })
    };
    let onsubmit = {
        let (name, description, origins, pin, expires) = (
            name.clone(),
            description.clone(),
            origins.clone(),
            pin.clone(),
            expires.clone(),
        );
        let (access, scopes, environment, never, error, busy, created, csrf) = (
            access.clone(),
            scopes.clone(),
            environment.clone(),
            never.clone(),
            error.clone(),
            busy.clone(),
            created.clone(),
            props.csrf.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let origin_lines = origin_lines(
                &origins
                    .cast::<HtmlTextAreaElement>()
                    .map(|t| t.value())
                    .unwrap_or_default(),
            );
            let expiry = input(&expires);
            let body = NewKey {
                name: Some(input(&name)),
                description: Some(input(&description)),
                access: Some((*access).clone()),
                scopes: (*access == "custom")
                    .then(|| scopes.iter().map(|s| s.as_str().to_owned()).collect()),
                environment: Some((*environment).clone()),
                expires_at: (!*never && !expiry.is_empty()).then(|| format!("{expiry}T23:59:59Z")),
                allowed_origins: (kind_for(&access, &scopes) == "publishable"
                    && !origin_lines.is_empty())
                .then_some(origin_lines),
                ..NewKey::default()
            };
            let pin_value = input(&pin);
            let (error, busy, created, csrf) =
                (error.clone(), busy.clone(), created.clone(), csrf.clone());
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: Some(&pin_value),
                };
                match api::call::<_, CreatedKey>(AdminOp::CreateKey, &[], Some(&body), Some(guard))
                    .await
                {
                    Ok(c) => {
                        error.set(None);
                        created.set(Some(Rc::new(c)));
                    }
                    Err(f) => error.set(Some(explain(&f))),
                }
                busy.set(false);
            });
        })
    };
    // A new publishable key goes to the Integration page's snippet in memory, not the URL.
    let use_in_snippet = |c: &CreatedKey| {
        let (snippet, navigator, close, secret) = (
            snippet.clone(),
            navigator.clone(),
            close.clone(),
            AttrValue::from(c.secret.clone()),
        );
        Callback::from(move |e: MouseEvent| {
            if let Some(s) = &snippet {
                s.set(Some(secret.clone()));
            }
            close.emit(e);
            if let Some(n) = &navigator {
                n.push(&Route::Integration);
            }
        })
    };
    let radio = |state: &UseStateHandle<String>, value: &'static str| {
        let state = state.clone();
        Callback::from(move |_: Event| state.set(value.to_owned()))
    };
    let body = if let Some(c) = &*created {
        html! {
            <div class="reveal">
                <h2 id="create-title">{ "Copy your new key now" }</h2>
                <p class="warning" role="note">{ "You will not see it again. Store it in your server's secrets, never in a web page." }</p>
                <label for="new-key">{ format!("{} ({})", c.key.name, kind_label(&c.key.kind)) }</label>
                <div class="row">
                    <input id="new-key" class="secret" readonly=true value={c.secret.clone()} />
                    <CopyButton text={c.secret.clone()} label="Copy the new key" />
                </div>
                <div class="actions">
                    if c.key.kind == "publishable" {
                        <button type="button" class="secondary" onclick={use_in_snippet(c)}>{ "Use in the storefront snippet" }</button>
                    }
                    <button type="button" onclick={close.clone()}>{ "Done" }</button>
                </div>
            </div>
        }
    } else {
        html! {
            <form onsubmit={onsubmit}>
                <h2 id="create-title">{ "Create an API key" }</h2>
                <label for="key-name">{ "Name" }</label>
                <input id="key-name" ref={name} required=true maxlength="100" placeholder="Storefront widget" />
                <label for="key-description">{ "What it is for" }</label>
                <input id="key-description" ref={description} maxlength="500" placeholder="Shows balances on shop.example" />
                <fieldset>
                    <legend>{ "Access" }</legend>
                    <label><input type="radio" name="access" checked={*access == "read_only"} onchange={radio(&access, "read_only")} />
                        { " Read only: a publishable key, safe in your storefront's HTML" }</label>
                    <label><input type="radio" name="access" checked={*access == "full_access"} onchange={radio(&access, "full_access")} />
                        { " Full access: a secret key, for your server only" }</label>
                    <label><input type="radio" name="access" checked={*access == "custom"} onchange={radio(&access, "custom")} />
                        { " Custom: only the scopes you choose" }</label>
                    if *access == "custom" {
                        { scope_picker(&scopes) }
                    }
                    <p class="hint" role="status">{ if kind_for(&access, &scopes) == "secret" {
                        "This makes a secret key (sk): it can write, so it must never reach a browser."
                    } else {
                        "This makes a publishable key (pk): it can only read, and is safe in a web page."
                    } }</p>
                </fieldset>
                <fieldset>
                    <legend>{ "Environment" }</legend>
                    <label><input type="radio" name="environment" checked={*environment == "test"} onchange={radio(&environment, "test")} />{ " Test" }</label>
                    <label title={ if props.approved { "" } else { "Production keys can be created once Tally approves this workspace." } }>
                        <input type="radio" name="environment" disabled={!props.approved} checked={*environment == "prod"} onchange={radio(&environment, "prod")} />
                        { " Production" }
                        if !props.approved { <small>{ " (after your workspace is approved)" }</small> }
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{ "Expiry" }</legend>
                    <label><input type="checkbox" checked={*never} onchange={{ let never = never.clone(); Callback::from(move |_: Event| never.set(!*never)) }} />{ " Never expire" }</label>
                    if !*never {
                        <label for="key-expires">{ "Expires on (UTC, end of day)" }</label>
                        <input id="key-expires" ref={expires} type="date" required=true />
                    } else {
                        <p class="hint">{ "Keys that never expire are the ones that leak: prefer a date, and roll before it." }</p>
                    }
                </fieldset>
                if kind_for(&access, &scopes) == "publishable" {
                    <label for="key-origins">{ "Allowed origins (one per line; empty: any)" }</label>
                    <textarea id="key-origins" ref={origins} rows="2" placeholder="https://shop.example" />
                }
                <label for="key-pin">{ "Your PIN" }</label>
                <input id="key-pin" ref={pin} type="password" inputmode="numeric" autocomplete="off" required=true minlength="6" maxlength="12" />
                <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <div class="actions">
                    <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ "Create key" }</button>
                </div>
            </form>
        }
    };
    html! {
        <dialog ref={props.dialog.clone()} aria-labelledby="create-title">{ body }</dialog>
    }
}

/// Seed 001's scope table as checkboxes, grouped by program.
fn scope_picker(chosen: &UseStateHandle<Vec<Scope>>) -> Html {
    html! {
        <div class="scopes">
            { for SCOPE_GROUPS.iter().map(|(program, list)| html! {
                <fieldset>
                    <legend>{ *program }</legend>
                    { for list.iter().map(|scope| {
                        let (chosen, scope) = (chosen.clone(), *scope);
                        let checked = chosen.contains(&scope);
                        let onchange = Callback::from(move |_: Event| {
                            let mut next = (*chosen).clone();
                            if let Some(at) = next.iter().position(|s| *s == scope) {
                                next.remove(at);
                            } else {
                                next.push(scope);
                            }
                            chosen.set(next);
                        });
                        html! {
                            <label><input type="checkbox" {checked} {onchange} />
                                { " " }<code>{ scope.as_str() }</code>{ format!(": {}", scope.description()) }</label>
                        }
                    }) }
                </fieldset>
            }) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scope_table_lists_every_scope_once() {
        let listed: Vec<Scope> = SCOPE_GROUPS
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        assert_eq!(listed.len(), Scope::ALL.len());
        for s in Scope::ALL {
            assert_eq!(listed.iter().filter(|l| *l == s).count(), 1, "{s}");
        }
    }

    #[test]
    fn a_key_that_can_write_is_secret_and_the_api_agrees() {
        assert_eq!(kind_for("read_only", &[]), "publishable");
        assert_eq!(kind_for("full_access", &[]), "secret");
        assert_eq!(kind_for("custom", &[Scope::CoinsRead]), "publishable");
        assert_eq!(
            kind_for("custom", &[Scope::CoinsRead, Scope::CoinsWrite]),
            "secret"
        );
        // The form's promise is the API's rule: a publishable key cannot hold a write scope.
        use tally_core::key::KeyKind;
        use tally_core::scope::{grant, Access, ScopeSet};
        let mut set = ScopeSet::EMPTY;
        set.insert(Scope::StampsWrite);
        assert_eq!(kind_for("custom", &[Scope::StampsWrite]), "secret");
        assert!(grant(KeyKind::Publishable, Access::Custom, set).is_err());
        assert!(grant(KeyKind::Secret, Access::Custom, set).is_ok());
    }

    #[test]
    fn types_and_access_read_as_people_say_them() {
        assert_eq!(kind_label("secret"), "Secret");
        assert_eq!(kind_label("publishable"), "Publishable");
        assert_eq!(day(Some("2026-11-30T10:00:00.000Z"), "Never"), "2026-11-30");
        assert_eq!(day(None, "Never"), "Never");
    }
}
