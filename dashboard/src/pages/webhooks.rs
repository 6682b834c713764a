//! Webhooks (seed 002): the endpoints of the environment the header shows, their events and
//! signing secrets (shown once at creation, revealed again behind the PIN), enabling and
//! disabling, deleting, and each endpoint's delivery log with its attempts and a redeliver
//! button.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::{
    CreatedWebhook, Deleted, Delivery, NewWebhook, WebhookEndpoint, WebhookList, WebhookPatch,
};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::explain;
use super::logs::when;
use crate::api::{self, Failure, Guard};
use crate::components::copy::CopyButton;
use crate::components::modal::{self, use_modal, Modal};
use crate::components::paged::{more_button, status, use_paged};
use crate::session::{may, use_session, EnvCtx};

/// What the dialog is doing.
#[derive(Clone, PartialEq, Debug)]
enum Intent {
    Create,
    Reveal(Rc<WebhookEndpoint>),
    Delete(Rc<WebhookEndpoint>),
}

/// A delivery's state, in words.
pub fn delivery_state(d: &Delivery) -> String {
    match d.status.as_str() {
        "succeeded" => format!("Delivered ({})", d.last_status_code.unwrap_or(200)),
        "failed" => "Failed: no more retries".to_owned(),
        _ => match &d.next_attempt_at {
            Some(t) => format!("Retrying at {}", when(t)),
            None => "Pending".to_owned(),
        },
    }
}

#[function_component]
pub fn Webhooks() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let env = use_context::<EnvCtx>().map(|e| *e).unwrap_or_default();
    let generation = use_state(|| 0u32);
    let list = use_state(|| None::<Result<Rc<WebhookList>, Failure>>);
    {
        let list = list.clone();
        use_effect_with(*generation, move |_| {
            spawn_local(async move {
                let answer = api::call_empty::<WebhookList>(AdminOp::ListWebhooks, &[], None).await;
                list.set(Some(answer.map(Rc::new)));
            });
        });
    }
    let Modal {
        node: dialog,
        intent,
        open,
        done,
    } = use_modal::<Intent>(&generation);
    let shown = use_state(|| None::<String>);
    let manage = may(&session, Action::ManageWebhooks);
    let csrf = session.csrf_token.clone();
    let toggle = |e: &WebhookEndpoint| {
        let (id, disabled, csrf, generation) =
            (e.id.clone(), e.disabled, csrf.clone(), generation.clone());
        Callback::from(move |_: MouseEvent| {
            let (id, csrf, generation) = (id.clone(), csrf.clone(), generation.clone());
            spawn_local(async move {
                let body = WebhookPatch {
                    disabled: Some(!disabled),
                    ..WebhookPatch::default()
                };
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                let _ = api::call::<_, WebhookEndpoint>(
                    AdminOp::PatchWebhook,
                    &[&id],
                    Some(&body),
                    Some(guard),
                )
                .await;
                generation.set(*generation + 1);
            });
        })
    };
    let button = |label: String, aria: String, onclick: Callback<MouseEvent>| {
        html! {
            <button type="button" class="secondary small" aria-label={aria} {onclick}>{ label }</button>
        }
    };
    let intent_button = |label: &str, e: &Rc<WebhookEndpoint>, i: Intent| {
        let open = open.clone();
        button(
            label.to_owned(),
            format!("{label} {}", e.url),
            Callback::from(move |_: MouseEvent| open.emit(i.clone())),
        )
    };
    let body = match &*list {
        None => html! { <p aria-busy="true">{ "Loading endpoints…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ explain(f) }</p> },
        Some(Ok(l)) => {
            let endpoints: Vec<Rc<WebhookEndpoint>> = l
                .data
                .iter()
                .filter(|e| e.environment == env.as_str())
                .cloned()
                .map(Rc::new)
                .collect();
            if endpoints.is_empty() {
                html! { <p class="empty">{ format!("No {} endpoints yet. Add one to hear about coins, referrals and exposed keys as they happen.", env.label().to_lowercase()) }</p> }
            } else {
                html! {
                    <div class="table-wrap" tabindex="0"><table>
                        <caption class="sr-only">{ "Webhook endpoints" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Endpoint" }</th><th scope="col">{ "Events" }</th>
                            <th scope="col">{ "Status" }</th><th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                        </tr></thead>
                        <tbody>
                            { for endpoints.iter().map(|e| {
                                let show = {
                                    let (shown, id) = (shown.clone(), e.id.clone());
                                    Callback::from(move |_: MouseEvent| shown.set(if shown.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) }))
                                };
                                html! {
                                    <tr key={e.id.clone()}>
                                        <td><code class="url">{ e.url.clone() }</code><br /><small>{ e.description.clone() }</small></td>
                                        <td>{ for e.events.iter().map(|ev| html! { <><code>{ ev.clone() }</code>{ " " }</> }) }</td>
                                        <td><span class={classes!("chip", e.disabled.then_some("warn"))}>{ if e.disabled { "Disabled" } else { "Enabled" } }</span></td>
                                        <td><div class="row-actions">
                                            { button("Deliveries".into(), format!("Deliveries of {}", e.url), show) }
                                            if manage {
                                                { button(if e.disabled { "Enable".into() } else { "Disable".into() }, format!("{} {}", if e.disabled { "Enable" } else { "Disable" }, e.url), toggle(e)) }
                                                { intent_button("Signing secret", e, Intent::Reveal(e.clone())) }
                                                { intent_button("Delete", e, Intent::Delete(e.clone())) }
                                            }
                                        </div></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table></div>
                }
            }
        }
    };
    let event_types = match &*list {
        Some(Ok(l)) => l.event_types.clone(),
        _ => Vec::new(),
    };
    html! {
        <>
            <p>{ "Tally signs every delivery twice from one secret: " }<code>{ "Tally-Signature" }</code>{ " (Stripe's scheme) and the Standard Webhooks headers, so the library you already use verifies it. Failed deliveries are retried for a day." }</p>
            <div class="toolbar">
                if manage {
                    <button type="button" onclick={{ let open = open.clone(); Callback::from(move |_: MouseEvent| open.emit(Intent::Create)) }}>{ "Add endpoint" }</button>
                } else {
                    <button type="button" disabled=true>{ "Add endpoint" }</button>
                    <span class="hint">{ " Only admins and superadmins add endpoints." }</span>
                }
            </div>
            { body }
            if let Some(id) = &*shown {
                <DeliveryLog id={AttrValue::from(id.clone())} csrf={AttrValue::from(csrf.clone())} {manage} />
            }
            <WebhookDialog dialog={dialog} intent={(*intent).clone()} csrf={AttrValue::from(csrf)} {env} {event_types} on_done={done} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct LogProps {
    id: AttrValue,
    csrf: AttrValue,
    manage: bool,
}

/// One endpoint's deliveries, newest first, with their attempts.
#[function_component]
fn DeliveryLog(props: &LogProps) -> Html {
    let generation = use_state(|| 0u32);
    let (paged, more) = use_paged::<Delivery>(
        AdminOp::ListDeliveries,
        vec![props.id.to_string()],
        Vec::new(),
        *generation,
    );
    let said = use_state(String::new);
    let redeliver = |d: &Delivery| {
        let (endpoint, delivery, csrf, generation, said) = (
            props.id.to_string(),
            d.id.clone(),
            props.csrf.clone(),
            generation.clone(),
            said.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (endpoint, delivery, csrf, generation, said) = (
                endpoint.clone(),
                delivery.clone(),
                csrf.clone(),
                generation.clone(),
                said.clone(),
            );
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                match api::call_empty::<Delivery>(
                    AdminOp::Redeliver,
                    &[&endpoint, &delivery],
                    Some(guard),
                )
                .await
                {
                    Ok(_) => said.set("Sent again; the new attempt appears below.".into()),
                    Err(f) => said.set(explain(&f)),
                }
                // Now, and again once the attempt (which runs in the background) has had time.
                let now = *generation;
                generation.set(now.wrapping_add(1));
                yew::platform::time::sleep(std::time::Duration::from_secs(2)).await;
                generation.set(now.wrapping_add(2));
            });
        })
    };
    html! {
        <section class="deliveries" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">{ "Deliveries" }</h2>
            <button type="button" class="secondary small" onclick={{
                let generation = generation.clone();
                Callback::from(move |_: MouseEvent| generation.set(generation.wrapping_add(1)))
            }}>{ "Refresh deliveries" }</button>
            <p class="hint" role="status" aria-live="polite">{ (*said).clone() }</p>
            { status(&paged, "Nothing delivered yet.") }
            if !paged.rows.is_empty() {
                <div class="table-wrap" tabindex="0"><table>
                    <caption class="sr-only">{ "Deliveries, newest first" }</caption>
                    <thead><tr>
                        <th scope="col">{ "Created (UTC)" }</th><th scope="col">{ "Event" }</th>
                        <th scope="col">{ "State" }</th><th scope="col">{ "Attempts" }</th>
                        <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                    </tr></thead>
                    <tbody>
                        { for paged.rows.iter().map(|d| html! {
                            <tr key={d.id.clone()}>
                                <td>{ when(&d.created_at) }</td>
                                <td><code>{ d.event_type.clone() }</code><br /><small><code>{ d.event_id.clone() }</code></small></td>
                                <td><span class={classes!("chip", (d.status != "succeeded").then_some("warn"))}>{ delivery_state(d) }</span></td>
                                <td><ol class="attempts">
                                    { for d.attempts.iter().map(|a| html! {
                                        <li>{ format!("{} · {} · {} ms", when(&a.at),
                                            a.status_code.map_or_else(|| a.error.clone().unwrap_or_else(|| "no answer".into()), |c| c.to_string()),
                                            a.duration_ms) }</li>
                                    }) }
                                </ol></td>
                                <td>if props.manage {
                                    <button type="button" class="secondary small" aria-label={format!("Redeliver {}", d.event_id)} onclick={redeliver(d)}>{ "Redeliver" }</button>
                                }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            { more_button(&paged, &more, "deliveries") }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DialogProps {
    dialog: NodeRef,
    intent: Option<Intent>,
    csrf: AttrValue,
    env: crate::session::Env,
    event_types: Vec<String>,
    on_done: Callback<()>,
}

#[function_component]
fn WebhookDialog(props: &DialogProps) -> Html {
    let (url, description, pin) = (use_node_ref(), use_node_ref(), use_node_ref());
    let events = use_state(Vec::<String>::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let revealed = use_state(|| None::<Rc<CreatedWebhook>>);
    let close = {
        let (dialog, error, revealed, events, on_done) = (
            props.dialog.clone(),
            error.clone(),
            revealed.clone(),
            events.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            revealed.set(None);
            events.set(Vec::new());
            modal::close(&dialog);
            on_done.emit(());
        })
    };
    let Some(intent) = props.intent.clone() else {
        return html! { <dialog ref={props.dialog.clone()} aria-label="Webhook endpoint"></dialog> };
    };
    let onsubmit = {
        let (url, description, pin, events) = (
            url.clone(),
            description.clone(),
            pin.clone(),
            events.clone(),
        );
        let (error, busy, revealed, csrf, intent, close, env) = (
            error.clone(),
            busy.clone(),
            revealed.clone(),
            props.csrf.clone(),
            intent.clone(),
            close.clone(),
            props.env,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let body = NewWebhook {
                url: input(&url).trim().to_owned(),
                events: (*events).clone(),
                environment: Some(env.as_str().to_owned()),
                description: Some(input(&description)),
            };
            let pin_value = pin.cast::<HtmlInputElement>().map(|i| i.value());
            let (error, busy, revealed, csrf, intent, close) = (
                error.clone(),
                busy.clone(),
                revealed.clone(),
                csrf.clone(),
                intent.clone(),
                close.clone(),
            );
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: pin_value.as_deref(),
                };
                let outcome = match &intent {
                    Intent::Create => api::call::<_, CreatedWebhook>(
                        AdminOp::CreateWebhook,
                        &[],
                        Some(&body),
                        Some(guard),
                    )
                    .await
                    .map(|c| revealed.set(Some(Rc::new(c)))),
                    Intent::Reveal(w) => api::call_empty::<CreatedWebhook>(
                        AdminOp::RevealWebhookSecret,
                        &[&w.id],
                        Some(guard),
                    )
                    .await
                    .map(|c| revealed.set(Some(Rc::new(c)))),
                    Intent::Delete(w) => {
                        api::call_empty::<Deleted>(AdminOp::DeleteWebhook, &[&w.id], Some(guard))
                            .await
                            .map(|_| {
                                if let Ok(ev) = MouseEvent::new("click") {
                                    close.emit(ev);
                                }
                            })
                    }
                };
                busy.set(false);
                if let Err(f) = outcome {
                    error.set(Some(explain(&f)));
                }
            });
        })
    };
    let error_line =
        html! { <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p> };
    let actions = |submit: &str| {
        html! {
            <div class="actions">
                <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                <button type="submit" disabled={*busy}>{ submit.to_owned() }</button>
            </div>
        }
    };
    let body = match (&intent, &*revealed) {
        (_, Some(r)) => html! {
            <div class="reveal">
                <h2 id="webhook-title">{ "Signing secret" }</h2>
                <p>{ format!("For {}. Verify each delivery with it on your server; never put it in a web page.", r.endpoint.url) }</p>
                <label for="webhook-secret">{ "Signing secret" }</label>
                <div class="row">
                    <input id="webhook-secret" class="secret" readonly=true value={r.secret.clone()} />
                    <CopyButton text={r.secret.clone()} label="Copy the signing secret" />
                </div>
                <div class="actions"><button type="button" onclick={close.clone()}>{ "Done" }</button></div>
            </div>
        },
        (Intent::Create, None) => html! {
            <form {onsubmit}>
                <h2 id="webhook-title">{ format!("Add a {} endpoint", props.env.label().to_lowercase()) }</h2>
                <label for="webhook-url">{ "URL" }</label>
                <input id="webhook-url" ref={url} type="url" required=true placeholder="https://shop.example/hooks/tally" />
                <p class="hint">{ "HTTPS only; a test endpoint may also be http://127.0.0.1 or http://localhost." }</p>
                <label for="webhook-description">{ "Description" }</label>
                <input id="webhook-description" ref={description} maxlength="200" />
                <fieldset>
                    <legend>{ "Events" }</legend>
                    { for props.event_types.iter().map(|name| {
                        let (events, name) = (events.clone(), name.clone());
                        let checked = events.contains(&name);
                        let onchange = {
                            let name = name.clone();
                            Callback::from(move |_: Event| {
                                let mut next = (*events).clone();
                                if let Some(at) = next.iter().position(|e| *e == name) { next.remove(at); } else { next.push(name.clone()); }
                                events.set(next);
                            })
                        };
                        html! { <label><input type="checkbox" {checked} {onchange} />{ " " }<code>{ name }</code></label> }
                    }) }
                </fieldset>
                { error_line }
                { actions("Add endpoint") }
            </form>
        },
        (Intent::Reveal(w), None) => html! {
            <form {onsubmit}>
                <h2 id="webhook-title">{ "Reveal the signing secret" }</h2>
                <p>{ format!("Of {}.", w.url) }</p>
                <label for="webhook-pin">{ "Your PIN" }</label>
                <input id="webhook-pin" ref={pin} type="password" inputmode="numeric" autocomplete="off" required=true minlength="6" maxlength="12" />
                { error_line }
                { actions("Reveal") }
            </form>
        },
        (Intent::Delete(w), None) => html! {
            <form {onsubmit}>
                <h2 id="webhook-title">{ "Delete this endpoint" }</h2>
                <p>{ format!("{} stops receiving events, and its delivery log is deleted. This cannot be undone.", w.url) }</p>
                { error_line }
                { actions("Delete endpoint") }
            </form>
        },
    };
    html! { <dialog ref={props.dialog.clone()} aria-labelledby="webhook-title">{ body }</dialog> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(status: &str, next: Option<&str>, code: Option<i64>) -> Delivery {
        Delivery {
            id: "dlv_1".into(),
            event_id: "evt_1".into(),
            event_type: "coins.credited".into(),
            status: status.into(),
            attempt_count: 1,
            next_attempt_at: next.map(str::to_owned),
            last_status_code: code,
            last_error: None,
            created_at: "2026-11-30T10:00:00.000Z".into(),
            updated_at: "2026-11-30T10:00:00.000Z".into(),
            attempts: Vec::new(),
        }
    }

    #[test]
    fn a_deliverys_state_says_what_happens_next() {
        assert_eq!(
            delivery_state(&delivery("succeeded", None, Some(204))),
            "Delivered (204)"
        );
        assert_eq!(
            delivery_state(&delivery("failed", None, Some(500))),
            "Failed: no more retries"
        );
        assert_eq!(
            delivery_state(&delivery(
                "pending",
                Some("2026-11-30T10:00:05.000Z"),
                Some(500)
            )),
            "Retrying at 2026-11-30 10:00:05"
        );
        assert_eq!(delivery_state(&delivery("pending", None, None)), "Pending");
    }
}
