//! Exposures: secret keys seen in a browser or a URL, where anyone may have copied them. The
//! list, a PIN-confirmed roll of the exposed key from its row, and the workspace's setting:
//! only alert, or alert and revoke the key on its first use from a browser.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp};
use tally_core::verifier::ExposureKind;
use tally_core::wire::{Exposure, KeyView, Workspace, WorkspacePatch};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::key_actions::{Intent, KeyAction};
use super::keys::explain;
use super::logs::when;
use crate::api::{self, Failure, Guard};
use crate::components::keys::use_key_list;
use crate::components::modal::{use_modal, Modal};
use crate::components::paged::{more_button, status, use_paged};
use crate::session::{may, use_session};

/// Where the key was seen, in words.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        k if k == ExposureKind::Url.as_str() => "In a URL",
        _ => "From a browser",
    }
}

/// The two settings, as the member reads them.
pub const ACTIONS: [(&str, &str, &str); 2] = [
    (
        "alert",
        "Alert only",
        "Record the exposure, send api_key.exposed and keep the key working: you roll it.",
    ),
    (
        "alert_and_revoke",
        "Alert and revoke",
        "Revoke the key on its first use from a browser: safest, but the servers using it stop until you roll.",
    ),
];

#[function_component]
pub fn Exposures() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let generation = use_state(|| 0u32);
    let keys = use_key_list(may(&session, Action::ViewKeys), *generation);
    let (paged, more) =
        use_paged::<Exposure>(AdminOp::ListExposures, Vec::new(), Vec::new(), *generation);
    let Modal {
        node: dialog,
        intent,
        open,
        done,
    } = use_modal::<Intent>(&generation);
    let roll = open.reform(Intent::Roll);
    let known: &[KeyView] = match &keys {
        Some(Ok(list)) => list,
        _ => &[],
    };
    let can_roll = may(&session, Action::ManageKeys);
    let key_cell = |e: &Exposure| -> Html {
        let Some(k) = known.iter().find(|k| k.id == e.key_id) else {
            return html! { <code>{ e.key_id.clone() }</code> };
        };
        let action = if !can_roll {
            html! {}
        } else if k.revoked_at.is_some() {
            html! { <small>{ "Revoked: create a replacement key." }</small> }
        } else if k.rolled_to.is_some() {
            html! { <small>{ "Rolled: the old key stops at its expiry." }</small> }
        } else {
            let (roll, k2) = (roll.clone(), Rc::new(k.clone()));
            html! {
                <button type="button" class="small" aria-label={format!("Roll {}", k.name)}
                    onclick={Callback::from(move |_: MouseEvent| roll.emit(k2.clone()))}>{ "Roll now" }</button>
            }
        };
        html! {
            <>
                <span class="name">{ k.name.clone() }</span><br />
                <code>{ k.redacted.clone() }</code>{ " " }
                <span class={classes!("chip", (k.status != "active").then_some("warn"))}>{ k.status.clone() }</span>
                <div>{ action }</div>
            </>
        }
    };
    html! {
        <>
            <p class="warning" role="note">
                <strong>{ "A secret key was used where anyone can read it." }</strong>
                { " Roll it now and put the new key in your server's secrets, never in a web page, an app or a URL. The storefront needs only a publishable key." }
            </p>
            <ExposureSetting can_change={may(&session, Action::ManageWorkspace)} />
            <h2>{ "Seen" }</h2>
            { status(&paged, "No secret key has been seen in a browser or a URL.") }
            if !paged.rows.is_empty() {
                <div class="table-wrap" tabindex="0"><table>
                    <caption class="sr-only">{ "Exposed keys, most recently seen first" }</caption>
                    <thead><tr>
                        <th scope="col">{ "Key" }</th><th scope="col">{ "Where" }</th>
                        <th scope="col">{ "Origin" }</th><th scope="col">{ "Caller" }</th>
                        <th scope="col">{ "First seen (UTC)" }</th><th scope="col">{ "Last seen (UTC)" }</th>
                        <th scope="col">{ "Times" }</th>
                    </tr></thead>
                    <tbody>
                        { for paged.rows.iter().map(|e| html! {
                            <tr key={e.id.clone()}>
                                <td>{ key_cell(e) }</td>
                                <td>{ kind_label(&e.kind) }<br /><small><code>{ e.route.clone() }</code></small></td>
                                <td>{ if e.origin.is_empty() { "—".to_owned() } else { e.origin.clone() } }</td>
                                <td>{ e.ip.clone() }<br /><small class="ua">{ e.user_agent.clone() }</small></td>
                                <td>{ when(&e.first_seen) }</td>
                                <td>{ when(&e.last_seen) }</td>
                                <td>{ e.count }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            { more_button(&paged, &more, "exposures") }
            <KeyAction dialog={dialog} intent={(*intent).clone()} csrf={AttrValue::from(session.csrf_token.clone())} on_done={done} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SettingProps {
    can_change: bool,
}

/// The workspace's `exposure_action`, saved as soon as it is chosen.
#[function_component]
fn ExposureSetting(props: &SettingProps) -> Html {
    let csrf = use_session()
        .map(|s| s.csrf_token.clone())
        .unwrap_or_default();
    let workspace = use_state(|| None::<Result<Workspace, Failure>>);
    let said = use_state(String::new);
    {
        let workspace = workspace.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                let answer = api::call_empty::<Workspace>(AdminOp::GetWorkspace, &[], None).await;
                workspace.set(Some(answer));
            });
        });
    }
    let current = match &*workspace {
        None => return html! { <p aria-busy="true">{ "Loading the setting…" }</p> },
        Some(Err(f)) => return html! { <p class="error" role="alert">{ explain(f) }</p> },
        Some(Ok(w)) => w.exposure_action.clone(),
    };
    let choose = |value: &'static str| {
        let (workspace, said, csrf) = (workspace.clone(), said.clone(), csrf.clone());
        Callback::from(move |_: Event| {
            let (workspace, said, csrf) = (workspace.clone(), said.clone(), csrf.clone());
            spawn_local(async move {
                let body = WorkspacePatch {
                    exposure_action: Some(value.to_owned()),
                    ..WorkspacePatch::default()
                };
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                match api::call::<_, Workspace>(
                    AdminOp::PatchWorkspace,
                    &[],
                    Some(&body),
                    Some(guard),
                )
                .await
                {
                    Ok(w) => {
                        said.set("Saved.".into());
                        workspace.set(Some(Ok(w)));
                    }
                    Err(f) => said.set(explain(&f)),
                }
            });
        })
    };
    html! {
        <fieldset class="setting" disabled={!props.can_change}>
            <legend>{ "When a secret key is used from a browser" }</legend>
            { for ACTIONS.iter().map(|(value, label, hint)| html! {
                <label><input type="radio" name="exposure-action" checked={current == *value} onchange={choose(value)} />
                    { format!(" {label}") }<br /><small>{ *hint }</small></label>
            }) }
            if !props.can_change { <p class="hint">{ "Only admins and superadmins change this." }</p> }
            <p class="hint" role="status" aria-live="polite">{ (*said).clone() }</p>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_settings_are_ones_the_verifier_knows() {
        for (value, _, _) in ACTIONS {
            assert_eq!(
                tally_core::verifier::ExposureAction::parse(value).as_str(),
                value
            );
        }
    }

    #[test]
    fn where_a_key_was_seen_reads_as_words() {
        assert_eq!(kind_label("url"), "In a URL");
        assert_eq!(kind_label("browser"), "From a browser");
    }
}
