//! The workspace: its name, id, status and what a pending status means, and its name. Every
//! role sees it; admins and superadmins change it. What shoppers collect (and what coins are
//! called) is on the Programs page.

use tally_core::admin::{Action, AdminOp};
use tally_core::wire::{Workspace as WorkspaceView, WorkspacePatch};
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::keys::explain;
use crate::api::{self, Failure, Guard};
use crate::components::copy::CopyButton;
use crate::route::Route;
use crate::session::{may, use_session};

#[function_component]
pub fn Workspace() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let workspace = use_state(|| None::<Result<WorkspaceView, Failure>>);
    let said = use_state(String::new);
    let name = use_node_ref();
    {
        let workspace = workspace.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                let answer =
                    api::call_empty::<WorkspaceView>(AdminOp::GetWorkspace, &[], None).await;
                workspace.set(Some(answer));
            });
        });
    }
    let w = match &*workspace {
        None => return html! { <p aria-busy="true">{ "Loading…" }</p> },
        Some(Err(f)) => return html! { <p class="error" role="alert">{ explain(f) }</p> },
        Some(Ok(w)) => w.clone(),
    };
    let can_change = may(&session, Action::ManageWorkspace);
    let onsubmit = {
        let (workspace, said, csrf, name) = (
            workspace.clone(),
            said.clone(),
            session.csrf_token.clone(),
            name.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value());
            let body = WorkspacePatch {
                name: input(&name),
                ..WorkspacePatch::default()
            };
            let (workspace, said, csrf) = (workspace.clone(), said.clone(), csrf.clone());
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                match api::call::<_, WorkspaceView>(
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
    let approved = w.status == "approved";
    html! {
        <>
            <dl class="facts">
                <dt>{ "Workspace ID (App ID)" }</dt>
                <dd><code>{ w.id.clone() }</code>{ " " }<CopyButton text={w.id.clone()} label="Copy the workspace ID" /></dd>
                <dt>{ "Status" }</dt>
                <dd>
                    <span class={classes!("chip", (!approved).then_some("warn"))}>{ if approved { "Approved" } else { "Pending approval" } }</span>
                    <p class="hint">{ if approved {
                        "Test and production keys can both be created."
                    } else {
                        "Build and test with test keys now. Production keys can be created once Tally approves this workspace; test keys keep working after."
                    } }</p>
                </dd>
                <dt>{ "Created" }</dt><dd>{ w.created_at.get(..10).unwrap_or(&w.created_at).to_owned() }</dd>
            </dl>
            <form class="settings" {onsubmit}>
                <fieldset disabled={!can_change}>
                    <legend>{ "Settings" }</legend>
                    <label for="ws-name">{ "Name" }</label>
                    <input id="ws-name" ref={name} value={w.name.clone()} required=true maxlength="60" />
                    <p class="hint">{ "What shoppers collect, and what coins are called: " }<Link<Route> to={Route::Programs}>{ "Programs" }</Link<Route>>{ "." }</p>
                    <div class="actions"><button type="submit">{ "Save" }</button></div>
                    if !can_change { <p class="hint">{ "Only admins and superadmins change settings." }</p> }
                    <p class="hint" role="status" aria-live="polite">{ (*said).clone() }</p>
                </fieldset>
            </form>
        </>
    }
}
