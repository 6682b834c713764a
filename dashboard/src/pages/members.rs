//! Members (seed 003): who may do what. Admins see the list; a superadmin invites with a
//! role, changes another member's role and removes members, each confirmed with their PIN.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp, Role};
use tally_core::wire::{Deleted, MemberAnswer, MemberList, MemberPatch, MemberView, NewMember};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::explain;
use crate::api::{self, Failure, Guard};
use crate::components::modal::{self, use_modal, Modal};
use crate::session::{may, use_session};

/// What each role may do, as the members table explains it (seed 003).
pub fn role_summary(role: Role) -> &'static str {
    match role {
        Role::Superadmin => "Everything, including members",
        Role::Admin => "Keys, identity secrets, webhooks, settings, logs",
        Role::Developer => "Request, exposure and delivery logs; no keys",
        Role::Viewer => "The workspace only",
    }
}

/// What the dialog is doing.
#[derive(Clone, PartialEq, Debug)]
enum Intent {
    Invite,
    ChangeRole(Rc<MemberView>),
    Remove(Rc<MemberView>),
}

#[function_component]
pub fn Members() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let generation = use_state(|| 0u32);
    let list = use_state(|| None::<Result<Rc<Vec<MemberView>>, Failure>>);
    {
        let list = list.clone();
        use_effect_with(*generation, move |_| {
            spawn_local(async move {
                let answer = api::call_empty::<MemberList>(AdminOp::ListMembers, &[], None).await;
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
    let manage = may(&session, Action::ManageMembers);
    let me = session.member.id.clone();
    let button = |label: &'static str, who: &str, i: Intent| {
        let open = open.clone();
        html! {
            <button type="button" class="secondary small" aria-label={format!("{label} {who}")}
                onclick={Callback::from(move |_: MouseEvent| open.emit(i.clone()))}>{ label }</button>
        }
    };
    html! {
        <>
            <div class="roles">
                { for Role::ALL.iter().map(|r| html! {
                    <p><span class="chip">{ r.as_str() }</span>{ " " }{ role_summary(*r) }</p>
                }) }
            </div>
            <div class="toolbar">
                if manage {
                    { button("Invite a member", "", Intent::Invite) }
                } else {
                    <button type="button" disabled=true>{ "Invite a member" }</button>
                    <span class="hint">{ " Only a superadmin invites, changes and removes members." }</span>
                }
            </div>
            { match &*list {
                None => html! { <p aria-busy="true">{ "Loading members…" }</p> },
                Some(Err(f)) => html! { <p class="error" role="alert">{ explain(f) }</p> },
                Some(Ok(members)) => html! {
                    <div class="table-wrap" tabindex="0"><table>
                        <caption class="sr-only">{ "Members, oldest first" }</caption>
                        <thead><tr>
                            <th scope="col">{ "Email" }</th><th scope="col">{ "Role" }</th>
                            <th scope="col">{ "PIN" }</th><th scope="col">{ "Member since" }</th>
                            <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                        </tr></thead>
                        <tbody>
                            { for members.iter().map(|m| {
                                let mv = Rc::new(m.clone());
                                html! {
                                    <tr key={m.id.clone()}>
                                        <td>{ m.email.clone() }if m.id == me { <small>{ " (you)" }</small> }</td>
                                        <td><span class="chip">{ m.role.clone() }</span></td>
                                        <td>{ if m.pin_locked { html! { <span class="chip warn">{ "Locked: too many wrong PINs" }</span> } }
                                              else if m.pin_set { html! { "Set" } } else { html! { <span class="chip warn">{ "Not set" }</span> } } }</td>
                                        <td>{ m.created_at.get(..10).unwrap_or(&m.created_at).to_owned() }</td>
                                        <td>if manage && m.id != me {
                                            <div class="row-actions">
                                                { button("Change role", &m.email, Intent::ChangeRole(mv.clone())) }
                                                { button("Remove", &m.email, Intent::Remove(mv)) }
                                            </div>
                                        }</td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table></div>
                },
            } }
            <MemberDialog dialog={dialog} intent={(*intent).clone()} csrf={AttrValue::from(session.csrf_token.clone())} on_done={done} />
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
fn MemberDialog(props: &DialogProps) -> Html {
    let (email, password, new_pin, role, pin) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let close = {
        let (dialog, error, on_done) = (props.dialog.clone(), error.clone(), props.on_done.clone());
        Callback::from(move |changed: bool| {
            error.set(None);
            modal::close(&dialog);
            if changed {
                on_done.emit(());
            }
        })
    };
    let Some(intent) = props.intent.clone() else {
        return html! { <dialog ref={props.dialog.clone()} aria-label="Member"></dialog> };
    };
    let onsubmit = {
        let (email, password, new_pin, role, pin) = (
            email.clone(),
            password.clone(),
            new_pin.clone(),
            role.clone(),
            pin.clone(),
        );
        let (error, busy, csrf, intent, close) = (
            error.clone(),
            busy.clone(),
            props.csrf.clone(),
            intent.clone(),
            close.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let chosen = role
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let (pin_value, email_value, password_value, new_pin_value) = (
                input(&pin),
                input(&email),
                input(&password),
                input(&new_pin),
            );
            let (error, busy, csrf, intent, close) = (
                error.clone(),
                busy.clone(),
                csrf.clone(),
                intent.clone(),
                close.clone(),
            );
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: Some(&pin_value),
                };
                let outcome = match &intent {
                    Intent::Invite => {
                        let body = NewMember {
                            email: email_value,
                            role: chosen,
                            password: password_value,
                            pin: (!new_pin_value.is_empty()).then_some(new_pin_value),
                        };
                        api::call::<_, MemberAnswer>(
                            AdminOp::CreateMember,
                            &[],
                            Some(&body),
                            Some(guard),
                        )
                        .await
                        .map(|_| ())
                    }
                    Intent::ChangeRole(m) => {
                        let body = MemberPatch { role: chosen };
                        api::call::<_, MemberAnswer>(
                            AdminOp::PatchMember,
                            &[&m.id],
                            Some(&body),
                            Some(guard),
                        )
                        .await
                        .map(|_| ())
                    }
                    Intent::Remove(m) => {
                        api::call_empty::<Deleted>(AdminOp::DeleteMember, &[&m.id], Some(guard))
                            .await
                            .map(|_| ())
                    }
                };
                busy.set(false);
                match outcome {
                    Ok(()) => close.emit(true),
                    Err(f) => error.set(Some(explain(&f))),
                }
            });
        })
    };
    let role_select = |current: &str| {
        html! {
            <>
                <label for="member-role">{ "Role" }</label>
                <select id="member-role" ref={role.clone()}>
                    { for Role::ALL.iter().map(|r| html! {
                        <option value={r.as_str()} selected={r.as_str() == current}>{ format!("{}: {}", r.as_str(), role_summary(*r)) }</option>
                    }) }
                </select>
            </>
        }
    };
    let (title, fields, submit) = match &intent {
        Intent::Invite => (
            "Invite a member".to_owned(),
            html! {
                <>
                    <label for="member-email">{ "Email" }</label>
                    <input id="member-email" ref={email.clone()} type="email" required=true maxlength="254" autocomplete="off" />
                    { role_select("developer") }
                    <label for="member-password">{ "Initial password (12 characters or more)" }</label>
                    <input id="member-password" ref={password.clone()} type="password" required=true minlength="12" maxlength="200" autocomplete="new-password" />
                    <label for="member-new-pin">{ "Their PIN (optional, 6 to 12 digits)" }</label>
                    <input id="member-new-pin" ref={new_pin.clone()} type="password" inputmode="numeric" pattern="[0-9]{6,12}" autocomplete="off" />
                    <p class="hint">{ "Send the password to them by a channel other than email; they can set their own PIN." }</p>
                </>
            },
            "Invite",
        ),
        Intent::ChangeRole(m) => (
            format!("Change {}'s role", m.email),
            role_select(&m.role),
            "Change role",
        ),
        Intent::Remove(m) => (
            format!("Remove {}", m.email),
            html! { <p>{ "Their sessions end at once. Keys they created keep working." }</p> },
            "Remove member",
        ),
    };
    let cancel = {
        let close = close.clone();
        Callback::from(move |_: MouseEvent| close.emit(false))
    };
    html! {
        <dialog ref={props.dialog.clone()} aria-labelledby="member-title">
            <form {onsubmit}>
                <h2 id="member-title">{ title }</h2>
                { fields }
                <label for="member-pin">{ "Your PIN" }</label>
                <input id="member-pin" ref={pin} type="password" inputmode="numeric" autocomplete="off" required=true minlength="6" maxlength="12" />
                <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <div class="actions">
                    <button type="button" class="secondary" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ submit }</button>
                </div>
            </form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_is_explained_and_the_explanations_match_the_rules() {
        for r in Role::ALL {
            assert!(!role_summary(r).is_empty());
        }
        assert!(role_summary(Role::Developer).contains("no keys"));
        assert!(!Role::Developer.may(Action::ViewKeys));
        assert!(role_summary(Role::Superadmin).contains("members"));
        assert!(
            Role::Superadmin.may(Action::ManageMembers) && !Role::Admin.may(Action::ManageMembers)
        );
    }
}
