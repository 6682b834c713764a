//! Roll (with a chosen overlap, PIN, the new key shown once), revoke (at once, no PIN, so a
//! leak can be stopped by anyone who may manage keys) and delete (typed confirmation and PIN).

use std::rc::Rc;

use tally_core::admin::{AdminOp, KeyPatch};
use tally_core::wire::{Deleted, KeyView, RollKey, RolledKey};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::{explain, kind_label};
use crate::api::{self, Guard};
use crate::components::copy::CopyButton;
use crate::components::modal;

/// What the dialog is doing to which key.
#[derive(Clone, PartialEq, Debug)]
pub enum Intent {
    Edit(Rc<KeyView>),
    Roll(Rc<KeyView>),
    Revoke(Rc<KeyView>),
    Delete(Rc<KeyView>),
}

/// The overlaps a roll offers, in seconds, and how they read.
pub const OVERLAPS: [(i64, &str); 4] = [
    (0, "Now"),
    (3_600, "1 hour"),
    (86_400, "24 hours"),
    (604_800, "7 days"),
];

#[derive(Properties, PartialEq)]
pub struct ActionProps {
    pub dialog: NodeRef,
    pub intent: Option<Intent>,
    pub csrf: AttrValue,
    /// After a change: close and reload the list.
    pub on_done: Callback<()>,
}

#[function_component]
pub fn KeyAction(props: &ActionProps) -> Html {
    let pin = use_node_ref();
    let (name, description, origins, downgrade) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let typed = use_state(String::new);
    let overlap = use_state(|| 86_400i64);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let rolled = use_state(|| None::<Rc<RolledKey>>);
    let close = {
        let (dialog, rolled, error, typed, on_done) = (
            props.dialog.clone(),
            rolled.clone(),
            error.clone(),
            typed.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            rolled.set(None);
            error.set(None);
            typed.set(String::new());
            modal::close(&dialog);
            on_done.emit(());
        })
    };
    let Some(intent) = props.intent.clone() else {
        return html! { <dialog ref={props.dialog.clone()} aria-label="Key action"></dialog> };
    };
    let run = {
        let (name, description, origins, downgrade) = (
            name.clone(),
            description.clone(),
            origins.clone(),
            downgrade.clone(),
        );
        let (pin, overlap, error, busy, rolled, csrf, intent, close) = (
            pin.clone(),
            overlap.clone(),
            error.clone(),
            busy.clone(),
            rolled.clone(),
            props.csrf.clone(),
            intent.clone(),
            close.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let pin_value = pin.cast::<HtmlInputElement>().map(|i| i.value());
            let input = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value());
            let patch = KeyPatch {
                name: input(&name),
                description: input(&description),
                access: downgrade
                    .cast::<HtmlInputElement>()
                    .filter(HtmlInputElement::checked)
                    .map(|_| "read_only".to_owned()),
                scopes: None,
                allowed_origins: origins
                    .cast::<HtmlTextAreaElement>()
                    .map(|t| origin_lines(&t.value())),
            };
            let (error, busy, rolled, csrf, intent, close, overlap) = (
                error.clone(),
                busy.clone(),
                rolled.clone(),
                csrf.clone(),
                intent.clone(),
                close.clone(),
                *overlap,
            );
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: pin_value.as_deref(),
                };
                let outcome = match &intent {
                    Intent::Edit(k) => api::call::<_, KeyView>(
                        AdminOp::PatchKey,
                        &[&k.id],
                        Some(&patch),
                        Some(guard),
                    )
                    .await
                    .map(|_| ()),
                    Intent::Roll(k) => {
                        let body = RollKey {
                            overlap_seconds: Some(overlap),
                        };
                        api::call::<_, RolledKey>(
                            AdminOp::RollKey,
                            &[&k.id],
                            Some(&body),
                            Some(guard),
                        )
                        .await
                        .map(|r| rolled.set(Some(Rc::new(r))))
                    }
                    Intent::Revoke(k) => {
                        api::call_empty::<KeyView>(AdminOp::RevokeKey, &[&k.id], Some(guard))
                            .await
                            .map(|_| ())
                    }
                    Intent::Delete(k) => {
                        api::call_empty::<Deleted>(AdminOp::DeleteKey, &[&k.id], Some(guard))
                            .await
                            .map(|_| ())
                    }
                };
                busy.set(false);
                match outcome {
                    Ok(()) if !matches!(intent, Intent::Roll(_)) => {
                        if let Ok(ev) = MouseEvent::new("click") {
                            close.emit(ev);
                        }
                    }
                    Ok(()) => error.set(None),
                    Err(f) => error.set(Some(explain(&f))),
                }
            });
        })
    };
    let pin_field = html! {
        <>
            <label for="action-pin">{ "Your PIN" }</label>
            <input id="action-pin" ref={pin.clone()} type="password" inputmode="numeric" autocomplete="off" required=true minlength="6" maxlength="12" />
        </>
    };
    let error_line =
        html! { <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p> };
    let body = match (&intent, &*rolled) {
        (Intent::Edit(k), _) => html! {
            <form onsubmit={run}>
                <h2 id="action-title">{ format!("Edit {}", k.name) }</h2>
                <label for="edit-name">{ "Name" }</label>
                <input id="edit-name" ref={name.clone()} value={k.name.clone()} required=true maxlength="100" />
                <label for="edit-description">{ "What it is for" }</label>
                <input id="edit-description" ref={description.clone()} value={k.description.clone()} maxlength="500" />
                if k.kind == "publishable" {
                    <label for="edit-origins">{ "Allowed origins (one per line; empty: any)" }</label>
                    <textarea id="edit-origins" ref={origins.clone()} rows="2" value={k.allowed_origins.join("\n")} />
                }
                if k.kind == "secret" && k.access != "read_only" {
                    <label><input type="checkbox" ref={downgrade.clone()} />{ " Make it read-only (it keeps its sk prefix; this cannot be undone here)" }</label>
                }
                { error_line.clone() }
                <div class="actions">
                    <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ "Save" }</button>
                </div>
            </form>
        },
        (Intent::Roll(_), Some(r)) => html! {
            <div class="reveal">
                <h2 id="action-title">{ "Copy the new key now" }</h2>
                <p class="warning" role="note">{ "You will not see it again." }</p>
                <label for="rolled-key">{ format!("{} ({})", r.key.name, kind_label(&r.key.kind)) }</label>
                <div class="row">
                    <input id="rolled-key" class="secret" readonly=true value={r.secret.clone()} />
                    <CopyButton text={r.secret.clone()} label="Copy the new key" />
                </div>
                <p>{ format!("The old key ({}) works until {}, then is refused with expired_api_key.",
                    r.previous_key.redacted, r.previous_key.expires_at.clone().unwrap_or_else(|| "now".into())) }</p>
                <div class="actions"><button type="button" onclick={close.clone()}>{ "Done" }</button></div>
            </div>
        },
        (Intent::Roll(k), None) => html! {
            <form onsubmit={run}>
                <h2 id="action-title">{ format!("Roll {}", k.name) }</h2>
                <p>{ "A new key with the same settings is created now. The old key keeps working for:" }</p>
                <fieldset>
                    <legend>{ "Old key works for" }</legend>
                    { for OVERLAPS.iter().map(|(seconds, label)| {
                        let (overlap, seconds) = (overlap.clone(), *seconds);
                        html! {
                            <label><input type="radio" name="overlap" checked={*overlap == seconds}
                                onchange={Callback::from(move |_: Event| overlap.set(seconds))} />{ format!(" {label}") }</label>
                        }
                    }) }
                </fieldset>
                { pin_field }
                { error_line }
                <div class="actions">
                    <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ "Roll key" }</button>
                </div>
            </form>
        },
        (Intent::Revoke(k), _) => html! {
            <form onsubmit={run}>
                <h2 id="action-title">{ format!("Revoke {}", k.name) }</h2>
                <p>{ "Requests using this key are refused within seconds. This cannot be undone." }</p>
                { error_line }
                <div class="actions">
                    <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ "Revoke key" }</button>
                </div>
            </form>
        },
        (Intent::Delete(k), _) => {
            let matches = typed.trim() == k.name;
            let oninput = {
                let typed = typed.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                        typed.set(i.value());
                    }
                })
            };
            html! {
                <form onsubmit={run}>
                    <h2 id="action-title">{ format!("Delete {}", k.name) }</h2>
                    <p>{ "The key is refused from the next request on; its log rows are kept. This cannot be undone." }</p>
                    <label for="confirm-name">{ "Type " }<strong>{ k.name.clone() }</strong>{ " to confirm" }</label>
                    <input id="confirm-name" autocomplete="off" spellcheck="false" value={(*typed).clone()} {oninput} />
                    { pin_field }
                    { error_line }
                    <div class="actions">
                        <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                        <button type="submit" disabled={*busy || !matches}>{ "Delete this key" }</button>
                    </div>
                </form>
            }
        }
    };
    html! { <dialog ref={props.dialog.clone()} aria-labelledby="action-title">{ body }</dialog> }
}

/// The origins typed one per line, trimmed, blank lines dropped.
pub fn origin_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_one_per_line() {
        assert_eq!(
            origin_lines(" https://a.example\n\n https://*.b.example \n"),
            vec!["https://a.example", "https://*.b.example"]
        );
        assert!(origin_lines("  \n").is_empty());
    }

    #[test]
    fn overlaps_are_within_what_the_api_accepts() {
        for (seconds, _) in OVERLAPS {
            assert!(
                tally_core::admin::check_overlap(Some(seconds)).is_ok(),
                "{seconds}"
            );
        }
    }
}
