//! The claims queue (seed 001: "create, approve and reject claim requests"): what shoppers
//! asked to be credited for (a receipt from the shop, a missed order), oldest questions first
//! in the merchant's mind, newest first on the page. Approving applies the credit exactly once
//! (the wallet's idempotency under the claim id); rejecting needs a reason the shopper can be
//! told. The status filter lives in the address, so a reload or a shared link shows the same
//! rows.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use tally_core::admin::{Action, AdminOp};
use tally_core::claims::ClaimStatus;
use tally_core::money::Currency;
use tally_core::programs::Program;
use tally_core::stamps::Card;
use tally_core::wire::RejectClaim;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use super::keys::explain;
use super::logs::when;
use crate::api::{self, Guard};
use crate::components::modal::{self, use_modal, Modal};
use crate::components::paged::{more_button, status, use_paged};
use crate::route::Route;
use crate::session::{may, use_session, Env, EnvCtx};

/// The filter, as the address carries it: `?status=approved`; none is the pending queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimFilter {
    /// `pending` (also when absent), `approved`, `rejected` or `all`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

impl ClaimFilter {
    /// The API's `status`: the pending queue unless another status (or all) was asked for.
    pub fn api_status(&self) -> String {
        match self.status.as_str() {
            "all" => String::new(),
            s => ClaimStatus::parse(s)
                .unwrap_or(ClaimStatus::Pending)
                .as_str()
                .to_owned(),
        }
    }
}

/// The filters offered: the address's value and what the member reads.
pub const FILTERS: [(&str, &str); 4] = [
    ("", "Waiting for you (pending)"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("all", "All claims"),
];

/// A claim as the queue reads it: the fields of [`tally_core::claims::Claim`] (the API's answer), with the
/// evidence kept as the browser parsed it. The page only shows the evidence, so the dashboard
/// carries no JSON value model for it (about 5 KB brotli of its load).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ClaimRow {
    /// `clm_…`
    pub id: String,
    /// `pending`, `approved` or `rejected`.
    pub status: ClaimStatus,
    /// The shopper.
    pub customer_id: String,
    /// What the credit is in.
    pub program: Program,
    /// Coins, stamps, or cashback minor units.
    pub amount: i64,
    /// The stamp card (stamps claims).
    #[serde(default)]
    pub card_id: Option<String>,
    /// The cashback currency (cashback claims).
    #[serde(default)]
    pub currency: Option<String>,
    /// What was attached: a JSON object.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub evidence: JsValue,
    /// Why it was rejected.
    #[serde(default)]
    pub rejection_reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, when approved or rejected.
    #[serde(default)]
    pub decided_at: Option<String>,
}

/// What a claim credits, in words: `40 coins`, `2 stamps on Coffee card`, `12.50 EUR`.
pub fn credit(
    program: Program,
    amount: i64,
    card_id: Option<&str>,
    currency: Option<&str>,
    cards: &[Card],
) -> String {
    match program {
        Program::Coins => format!("{amount} coins"),
        Program::Stamps => {
            let card = card_id.map_or("a card", |id| {
                cards
                    .iter()
                    .find(|c| c.id == id)
                    .map_or(id, |c| c.name.as_str())
            });
            let unit = if amount == 1 { "stamp" } else { "stamps" };
            format!("{amount} {unit} on {card}")
        }
        Program::Cashback => match currency.and_then(Currency::parse) {
            Some(c) => c.display_minor(amount),
            None => format!("{amount} (minor units)"),
        },
    }
}

impl ClaimRow {
    fn credit(&self, cards: &[Card]) -> String {
        credit(
            self.program,
            self.amount,
            self.card_id.as_deref(),
            self.currency.as_deref(),
            cards,
        )
    }

    /// The evidence's entries, each value as text: strings as they are, anything else as
    /// JSON.
    fn evidence(&self) -> Vec<(String, String)> {
        let Some(object) = self.evidence.dyn_ref::<js_sys::Object>() else {
            return Vec::new();
        };
        js_sys::Object::entries(object)
            .iter()
            .filter_map(|entry| {
                let pair = entry.dyn_into::<js_sys::Array>().ok()?;
                let key = pair.get(0).as_string()?;
                let value = pair.get(1);
                let text = value.as_string().or_else(|| {
                    js_sys::JSON::stringify(&value)
                        .ok()
                        .and_then(|s| s.as_string())
                })?;
                Some((key, text))
            })
            .collect()
    }
}

/// The evidence as a definition list.
fn evidence(entries: &[(String, String)]) -> Html {
    if entries.is_empty() {
        return html! { <span class="hint">{ "None attached" }</span> };
    }
    html! {
        <dl class="evidence">
            { for entries.iter().map(|(k, v)| html! { <><dt>{ k.clone() }</dt><dd>{ v.clone() }</dd></> }) }
        </dl>
    }
}

/// What the dialog is doing.
#[derive(Clone, PartialEq, Debug)]
struct Rejecting(Rc<ClaimRow>);

#[function_component]
pub fn Claims() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let env = use_context::<EnvCtx>().map(|e| *e).unwrap_or_default();
    let location = use_location();
    let navigator = use_navigator();
    let filter = location
        .and_then(|l| l.query::<ClaimFilter>().ok())
        .unwrap_or_default();
    let generation = use_state(|| 0u32);
    let (paged, more) = use_paged::<ClaimRow>(
        AdminOp::ListQueuedClaims,
        Vec::new(),
        vec![
            ("environment", env.as_str().to_owned()),
            ("status", filter.api_status()),
        ],
        *generation,
    );
    // For the stamp cards' names.
    let (cards, _) = use_paged::<Card>(
        AdminOp::ListProgramCards,
        Vec::new(),
        vec![("environment", env.as_str().to_owned())],
        0,
    );
    let cards = cards.rows;
    let Modal {
        node: dialog,
        intent,
        open,
        done,
    } = use_modal::<Rejecting>(&generation);
    let said = use_state(String::new);
    let decide = may(&session, Action::HandleClaims);
    let csrf = AttrValue::from(session.csrf_token.clone());
    let on_filter = {
        let navigator = navigator.clone();
        Callback::from(move |e: Event| {
            let status = e
                .target_dyn_into::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some(n) = &navigator {
                let _ = n.replace_with_query(&Route::Claims, &ClaimFilter { status });
            }
        })
    };
    let approve = |c: &ClaimRow| {
        let (id, what, customer) = (c.id.clone(), c.credit(&cards), c.customer_id.clone());
        let (csrf, said, generation) = (csrf.clone(), said.clone(), generation.clone());
        Callback::from(move |_: MouseEvent| {
            let (id, what, customer, csrf, said, generation) = (
                id.clone(),
                what.clone(),
                customer.clone(),
                csrf.clone(),
                said.clone(),
                generation.clone(),
            );
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                let q = [("environment", env.as_str().to_owned())];
                match api::call_in::<(), ClaimRow>(
                    AdminOp::ApproveQueuedClaim,
                    &[&id],
                    &q,
                    None,
                    Some(guard),
                )
                .await
                {
                    Ok(_) => said.set(format!("Approved: {what} credited to {customer}.")),
                    Err(f) => said.set(explain(&f)),
                }
                generation.set(generation.wrapping_add(1));
            });
        })
    };
    let rows = html! {
        <div class="table-wrap" tabindex="0"><table>
            <caption class="sr-only">{ "Claims, newest first" }</caption>
            <thead><tr>
                <th scope="col">{ "Filed (UTC)" }</th><th scope="col">{ "Shopper" }</th>
                <th scope="col">{ "Credit" }</th><th scope="col">{ "Evidence" }</th>
                <th scope="col">{ "Status" }</th><th scope="col"><span class="sr-only">{ "Actions" }</span></th>
            </tr></thead>
            <tbody>
                { for paged.rows.iter().map(|c| {
                    let pending = c.status == ClaimStatus::Pending;
                    let reject = {
                        let (open, claim) = (open.clone(), Rc::new(c.clone()));
                        Callback::from(move |_: MouseEvent| open.emit(Rejecting(claim.clone())))
                    };
                    html! {
                        <tr key={c.id.clone()}>
                            <td>{ when(&c.created_at) }<br /><small><code>{ c.id.clone() }</code></small></td>
                            <td><code>{ c.customer_id.clone() }</code></td>
                            <td>{ c.credit(&cards) }</td>
                            <td>{ evidence(&c.evidence()) }</td>
                            <td>
                                <span class={classes!("chip", pending.then_some("warn"))}>{ c.status.as_str() }</span>
                                if let Some(at) = &c.decided_at { <br /><small>{ when(at) }</small> }
                                if let Some(reason) = &c.rejection_reason { <br /><small>{ format!("Reason: {reason}") }</small> }
                            </td>
                            <td>if pending && decide {
                                <div class="row-actions">
                                    <button type="button" class="small" aria-label={format!("Approve {}", c.id)} onclick={approve(c)}>{ "Approve" }</button>
                                    <button type="button" class="secondary small" aria-label={format!("Reject {}", c.id)} onclick={reject}>{ "Reject" }</button>
                                </div>
                            }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table></div>
    };
    let empty = match filter.api_status().as_str() {
        "pending" => "Nothing waiting: every claim has been decided.",
        _ => "No claims match.",
    };
    html! {
        <>
            <p>{ "Shoppers' requests for credit your backend filed with " }<code>{ "POST /v1/claims" }</code>
                { ": check the evidence, then approve (the credit is applied once, however often approve is pressed) or reject with a reason the shopper can be told." }</p>
            <div class="filters">
                <div>
                    <label for="claim-status">{ "Status" }</label>
                    <select id="claim-status" onchange={on_filter}>
                        { for FILTERS.iter().map(|(v, label)| html! {
                            <option value={*v} selected={filter.status == *v}>{ *label }</option>
                        }) }
                    </select>
                </div>
            </div>
            <p class="hint" role="status" aria-live="polite">{ (*said).clone() }</p>
            { status(&paged, empty) }
            if !paged.rows.is_empty() { { rows } }
            { more_button(&paged, &more, "claims") }
            <RejectDialog {dialog} claim={(*intent).clone().map(|r| r.0)} {csrf} {env} on_done={done} said={said.clone()} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RejectProps {
    dialog: NodeRef,
    claim: Option<Rc<ClaimRow>>,
    csrf: AttrValue,
    env: Env,
    on_done: Callback<()>,
    said: UseStateHandle<String>,
}

/// Rejects a claim with the reason the shopper will be told.
#[function_component]
fn RejectDialog(props: &RejectProps) -> Html {
    let reason = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let close = {
        let (dialog, on_done, error) = (props.dialog.clone(), props.on_done.clone(), error.clone());
        Callback::from(move |()| {
            error.set(None);
            modal::close(&dialog);
            on_done.emit(());
        })
    };
    let Some(claim) = props.claim.clone() else {
        return html! { <dialog ref={props.dialog.clone()} aria-label="Reject a claim"></dialog> };
    };
    let onsubmit = {
        let (reason, error, busy, close, csrf, env, said) = (
            reason.clone(),
            error.clone(),
            busy.clone(),
            close.clone(),
            props.csrf.clone(),
            props.env,
            props.said.clone(),
        );
        let id = claim.id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = RejectClaim {
                reason: reason
                    .cast::<HtmlTextAreaElement>()
                    .map(|t| t.value())
                    .unwrap_or_default(),
            };
            let (error, busy, close, csrf, said, id) = (
                error.clone(),
                busy.clone(),
                close.clone(),
                csrf.clone(),
                said.clone(),
                id.clone(),
            );
            busy.set(true);
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                let q = [("environment", env.as_str().to_owned())];
                let outcome = api::call_in::<_, ClaimRow>(
                    AdminOp::RejectQueuedClaim,
                    &[&id],
                    &q,
                    Some(&body),
                    Some(guard),
                )
                .await;
                busy.set(false);
                match outcome {
                    Ok(_) => {
                        said.set(format!("Rejected {id}."));
                        close.emit(());
                    }
                    Err(f) => error.set(Some(explain(&f))),
                }
            });
        })
    };
    let cancel = close.reform(|_: MouseEvent| ());
    html! {
        <dialog ref={props.dialog.clone()} aria-labelledby="reject-title">
            <form {onsubmit}>
                <h2 id="reject-title">{ "Reject this claim" }</h2>
                <p>{ format!("{} for {}. Nothing is credited.", claim.id, claim.customer_id) }</p>
                <label for="reject-reason">{ "Reason (the shopper may be told)" }</label>
                <textarea id="reject-reason" ref={reason} required=true maxlength="200" rows="3" placeholder="The receipt is from another shop." />
                <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                <div class="actions">
                    <button type="button" class="secondary" onclick={cancel}>{ "Cancel" }</button>
                    <button type="submit" disabled={*busy}>{ "Reject claim" }</button>
                </div>
            </form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_is_the_pending_claims_unless_the_address_asks_for_others() {
        let f = |s: &str| ClaimFilter { status: s.into() }.api_status();
        assert_eq!(f(""), "pending");
        assert_eq!(f("approved"), "approved");
        assert_eq!(f("rejected"), "rejected");
        assert_eq!(f("all"), "", "no status: every claim");
        assert_eq!(f("nonsense"), "pending");
        for (value, _) in FILTERS {
            assert!(value.is_empty() || f(value) != "pending", "{value}");
        }
    }

    #[test]
    fn a_claims_credit_reads_in_its_programs_units() {
        let cards = [Card {
            id: "card_a".into(),
            name: "Coffee card".into(),
            required: 6,
            reward: "A free coffee".into(),
            stamp_expiry_days: None,
            active: true,
            created_at: "2026-12-01T00:00:00Z".into(),
        }];
        assert_eq!(credit(Program::Coins, 40, None, None, &cards), "40 coins");
        assert_eq!(
            credit(Program::Stamps, 2, Some("card_a"), None, &cards),
            "2 stamps on Coffee card"
        );
        assert_eq!(
            credit(Program::Stamps, 1, Some("card_zz"), None, &cards),
            "1 stamp on card_zz"
        );
        assert_eq!(
            credit(Program::Cashback, 1250, None, Some("EUR"), &cards),
            "12.50 EUR"
        );
        assert_eq!(
            credit(Program::Cashback, 500, None, Some("JPY"), &cards),
            "500 JPY"
        );
    }

    /// A deserializer that only records the field names a struct asks for.
    struct Names<'a>(&'a mut Vec<&'static str>);

    impl<'de> serde::Deserializer<'de> for Names<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: serde::de::Visitor<'de>>(
            self,
            _: V,
        ) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("field names only"))
        }

        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend_from_slice(fields);
            Err(serde::de::Error::custom("field names only"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    #[test]
    fn the_queue_reads_every_field_the_api_answers() {
        // The row mirrors the API's claim: every field but an approval's `version`, which the
        // queue has no use for. A field added to either side fails this.
        let schema = schemars::schema_for!(tally_core::claims::Claim);
        let mut api: Vec<&str> = schema
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut row = vec!["version"];
        let _ = ClaimRow::deserialize(Names(&mut row));
        // In declaration order or sorted, as serde_json's features (unified across the
        // workspace) decide.
        api.sort_unstable();
        row.sort_unstable();
        assert_eq!(api, row);
        assert_eq!(row.len(), 12);
    }
}
