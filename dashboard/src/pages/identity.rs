//! Identity secrets: what customer tokens are signed with. Each environment's current secret,
//! a PIN-guarded reveal (hidden again after a minute), and a roll with an overlap during which
//! tokens signed with either secret verify.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::{
    IdentitySecretList, IdentitySecretView, RevealedIdentitySecret, RollIdentitySecret,
};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::key_actions::OVERLAPS;
use super::keys::explain;
use crate::api::{self, Failure, Guard};
use crate::components::copy::CopyButton;
use crate::components::modal::{self, use_modal, Modal};
use crate::session::{may, use_session};

/// What the dialog does.
#[derive(Clone, PartialEq, Debug)]
enum Intent {
    Reveal(Rc<IdentitySecretView>),
    Roll(String),
}

#[function_component]
pub fn Identity() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let list = use_state(|| None::<Result<Rc<Vec<IdentitySecretView>>, Failure>>);
    let generation = use_state(|| 0u32);
    {
        let list = list.clone();
        use_effect_with(*generation, move |_| {
            spawn_local(async move {
                let answer =
                    api::call_empty::<IdentitySecretList>(AdminOp::ListIdentitySecrets, &[], None)
                        .await;
                list.set(Some(answer.map(|l| Rc::new(l.data))));
            });
        });
    }
    let Modal {
        node: dialog,
        intent,
        open,
        done,
    } = use_modal::<Intent>(&generation);
    let can_manage = may(&session, Action::ManageKeys);
    html! {
        <>
            <p>{ "Your server signs each shopper's customer token with this secret, exactly as shown here (the string itself is the key):" }</p>
            <pre><code>{ "jwt.sign({ sub: customer.id }, process.env.TALLY_IDENTITY_SECRET, { expiresIn: \"1h\" })" }</code></pre>
            <p class="warning" role="note">{ "Keep it on your server, like a secret key. Roll it if it may have leaked: tokens signed with the old secret keep working for the overlap you choose." }</p>
            { match &*list {
                None => html! { <p aria-busy="true">{ "Loading…" }</p> },
                Some(Err(f)) => html! { <p class="error" role="alert">{ explain(f) }</p> },
                Some(Ok(secrets)) => html! {
                    <div class="table-wrap" tabindex="0"><table>
                        <caption class="sr-only">{ "Identity secrets" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Environment" }</th><th scope="col">{ "Secret id (kid)" }</th>
                            <th scope="col">{ "Created" }</th><th scope="col">{ "Status" }</th>
                            <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                        </tr></thead>
                        <tbody>{ for secrets.iter().map(|s| {
                            let reveal = {
                                let (open, s) = (open.clone(), Rc::new(s.clone()));
                                Callback::from(move |_: MouseEvent| open.emit(Intent::Reveal(s.clone())))
                            };
                            let roll = {
                                let (open, env) = (open.clone(), s.environment.clone());
                                Callback::from(move |_: MouseEvent| open.emit(Intent::Roll(env.clone())))
                            };
                            let env = if s.environment == "prod" { "Production" } else { "Test" };
                            html! {
                                <tr key={s.kid.clone()}>
                                    <td>{ env }</td>
                                    <td><code>{ s.kid.clone() }</code></td>
                                    <td>{ s.created_at.get(..10).unwrap_or_default().to_owned() }</td>
                                    <td><span class="chip">{ match &s.retires_at { Some(t) => format!("{} until {t}", s.status), None => s.status.clone() } }</span></td>
                                    <td>if can_manage && s.status == "current" {
                                        <div class="row-actions">
                                            <button type="button" class="secondary small" aria-label={format!("Reveal the {env} secret")} onclick={reveal}>{ "Reveal" }</button>
                                            <button type="button" class="secondary small" aria-label={format!("Roll the {env} secret")} onclick={roll}>{ "Roll" }</button>
                                        </div>
                                    }</td>
                                </tr>
                            }
                        }) }</tbody>
                    </table></div>
                },
            } }
            <SecretDialog dialog={dialog} intent={(*intent).clone()} csrf={AttrValue::from(session.csrf_token.clone())} on_done={done} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct DialogProps {
    dialog: NodeRef,
    intent: Option<Intent>,
    csrf: AttrValue,
    on_done: Callback<()>,
}

#[function_component]
fn SecretDialog(props: &DialogProps) -> Html {
    let pin = use_node_ref();
    let overlap = use_state(|| 86_400i64);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let shown = use_state(|| None::<Rc<RevealedIdentitySecret>>);
    let close = {
        let (dialog, shown, error, on_done) = (
            props.dialog.clone(),
            shown.clone(),
            error.clone(),
            props.on_done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            shown.set(None);
            error.set(None);
            modal::close(&dialog);
            on_done.emit(());
        })
    };
    // A revealed secret hides itself again after a minute.
    {
        let shown = shown.clone();
        use_effect_with(shown.is_some(), move |visible| {
            if *visible {
                spawn_local(async move {
                    yew::platform::time::sleep(std::time::Duration::from_secs(60)).await;
                    shown.set(None);
                });
            }
        });
    }
    let Some(intent) = props.intent.clone() else {
        return html! { <dialog ref={props.dialog.clone()} aria-label="Identity secret"></dialog> };
    };
    let onsubmit = {
        let (pin, overlap, error, busy, shown, csrf, intent) = (
            pin.clone(),
            overlap.clone(),
            error.clone(),
            busy.clone(),
            shown.clone(),
            props.csrf.clone(),
            intent.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let pin_value = pin
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let (error, busy, shown, csrf, intent, overlap) = (
                error.clone(),
                busy.clone(),
                shown.clone(),
                csrf.clone(),
                intent.clone(),
                *overlap,
            );
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: Some(&pin_value),
                };
                let answer = match &intent {
                    Intent::Reveal(s) => {
                        api::call_empty::<RevealedIdentitySecret>(
                            AdminOp::RevealIdentitySecret,
                            &[&s.kid],
                            Some(guard),
                        )
                        .await
                    }
                    Intent::Roll(env) => {
                        let body = RollIdentitySecret {
                            environment: Some(env.clone()),
                            overlap_seconds: Some(overlap),
                        };
                        api::call::<_, RevealedIdentitySecret>(
                            AdminOp::RollIdentitySecret,
                            &[],
                            Some(&body),
                            Some(guard),
                        )
                        .await
                    }
                };
                busy.set(false);
                match answer {
                    Ok(r) => {
                        error.set(None);
                        shown.set(Some(Rc::new(r)));
                    }
                    Err(f) => error.set(Some(explain(&f))),
                }
            });
        })
    };
    let (title, verb) = match &intent {
        Intent::Reveal(_) => ("Reveal the identity secret".to_owned(), "Reveal"),
        Intent::Roll(env) => (
            format!(
                "Roll the {} identity secret",
                if env == "prod" { "production" } else { "test" }
            ),
            "Roll secret",
        ),
    };
    let body = if let Some(s) = &*shown {
        html! {
            <div class="reveal">
                <h2 id="secret-title">{ "Identity secret" }</h2>
                <label for="identity-secret">{ format!("{} ({})", s.identity_secret.kid, s.identity_secret.environment) }</label>
                <div class="row">
                    <input id="identity-secret" class="secret" readonly=true value={s.secret.clone()} />
                    <CopyButton text={s.secret.clone()} label="Copy the identity secret" />
                </div>
                <p class="hint">{ "Hidden again in a minute." }</p>
                <div class="actions"><button type="button" onclick={close.clone()}>{ "Done" }</button></div>
            </div>
        }
    } else {
        html! {
            <form {onsubmit}>
                <h2 id="secret-title">{ title }</h2>
                if matches!(intent, Intent::Roll(_)) {
                    <fieldset>
                        <legend>{ "Tokens signed with the old secret keep working for" }</legend>
                        { for OVERLAPS.iter().map(|(seconds, label)| {
                            let (overlap, seconds) = (overlap.clone(), *seconds);
                            html! { <label><input type="radio" name="secret-overlap" checked={*overlap == seconds}
                                onchange={Callback::from(move |_: Event| overlap.set(seconds))} />{ format!(" {label}") }</label> }
                        }) }
                    </fieldset>
                }
                <label for="secret-pin">{ "Your PIN" }</label>
                <input id="secret-pin" ref={pin} type="password" inputmode="numeric" autocomplete="off" required=true minlength="6" maxlength="12" />
                <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <div class="actions">
                    <button type="button" class="secondary" onclick={close.clone()}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ verb }</button>
                </div>
            </form>
        }
    };
    html! { <dialog ref={props.dialog.clone()} aria-labelledby="secret-title">{ body }</dialog> }
}
