//! The audit log: every state-changing control-plane call, allowed or refused, with who made
//! it, on what, and from where. Admins and superadmins.

use tally_core::admin::AdminOp;
use tally_core::wire::AuditEntry;
use yew::prelude::*;

use super::logs::when;
use crate::components::paged::{more_button, status, use_paged};

#[function_component]
pub fn Audit() -> Html {
    let (paged, more) = use_paged::<AuditEntry>(AdminOp::ListAudit, Vec::new(), Vec::new(), 0);
    html! {
        <>
            <p>{ "Who changed what in this workspace: keys, identity secrets, members, webhooks and settings, including the attempts that were refused (a wrong PIN, a role that may not)." }</p>
            { status(&paged, "Nothing has been changed yet.") }
            if !paged.rows.is_empty() {
                <div class="table-wrap" tabindex="0"><table>
                    <caption class="sr-only">{ "Audit log, newest first" }</caption>
                    <thead><tr>
                        <th scope="col">{ "Time (UTC)" }</th><th scope="col">{ "Member" }</th>
                        <th scope="col">{ "Action" }</th><th scope="col">{ "Target" }</th>
                        <th scope="col">{ "Result" }</th><th scope="col">{ "From" }</th>
                    </tr></thead>
                    <tbody>
                        { for paged.rows.iter().map(|a| html! {
                            <tr key={a.id}>
                                <td><time datetime={a.created_at.clone()}>{ when(&a.created_at) }</time></td>
                                <td>{ a.member_email.clone() }</td>
                                <td><code>{ a.action.clone() }</code></td>
                                <td><code>{ a.target.clone() }</code></td>
                                <td><span class={classes!("chip", (a.status >= 400).then_some("warn"))}>
                                    { if a.status < 400 { format!("Done ({})", a.status) } else { format!("Refused ({})", a.status) } }
                                </span></td>
                                <td>{ a.ip.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            { more_button(&paged, &more, "entries") }
        </>
    }
}
