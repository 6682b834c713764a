//! The request log (seed 002): every verifier decision, newest first, filtered by key,
//! status, route and day, a page at a time. The filters live in the address, so a reload or
//! a shared link shows the same rows, and a key's "Requests" link lands here filtered.

use serde::{Deserialize, Serialize};
use tally_core::admin::{Action, AdminOp};
use tally_core::route::Operation;
use tally_core::time::{parse_rfc3339, rfc3339};
use tally_core::wire::{KeyView, LogEntry};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::keys::use_keys;
use crate::components::paged::{more_button, status, use_paged};
use crate::route::Route;
use crate::session::{may, use_session};

/// The filters, as the address carries them (`?key_id=…&status=4xx&route=coins.debit&from=…&to=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    /// A key's id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_id: String,
    /// `403` or a class, `4xx`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// An operation's name, e.g. `coins.debit`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub route: String,
    /// The first day shown, `YYYY-MM-DD` (UTC).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    /// The last day shown, `YYYY-MM-DD` (UTC), included.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
}

impl LogFilter {
    /// The API's query: `since` is the first day's start, `until` the day after the last
    /// (the API's `until` is exclusive). A day that is not a date is left out.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let start = |day: &str| parse_rfc3339(&format!("{day}T00:00:00Z"));
        vec![
            ("key_id", self.key_id.clone()),
            ("status", self.status.clone()),
            ("route", self.route.clone()),
            ("since", start(&self.from).map(rfc3339).unwrap_or_default()),
            (
                "until",
                start(&self.to)
                    .map(|ms| rfc3339(ms + 86_400_000))
                    .unwrap_or_default(),
            ),
        ]
    }
}

/// The status filters offered.
pub const STATUSES: [(&str, &str); 7] = [
    ("", "Any status"),
    ("2xx", "Succeeded (2xx)"),
    ("4xx", "Refused (4xx)"),
    ("401", "401: bad or missing key"),
    ("403", "403: not allowed"),
    ("429", "429: rate limited"),
    ("5xx", "Failed (5xx)"),
];

/// The routes a key can be used on: the data plane's rows that need one.
pub fn keyed_routes() -> impl Iterator<Item = &'static str> {
    Operation::ALL
        .iter()
        .filter(|op| op.needs_key())
        .map(|op| op.name())
}

#[function_component]
pub fn Logs() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let location = use_location();
    let navigator = use_navigator();
    let filter = location
        .and_then(|l| l.query::<LogFilter>().ok())
        .unwrap_or_default();
    let keys = use_keys(may(&session, Action::ViewKeys));
    let (paged, more) = use_paged::<LogEntry>(AdminOp::ListLogs, Vec::new(), filter.query(), 0);
    let set = {
        let filter = filter.clone();
        move |apply: fn(&mut LogFilter, String)| {
            let (filter, navigator) = (filter.clone(), navigator.clone());
            Callback::from(move |e: Event| {
                let value = e
                    .target_dyn_into::<HtmlSelectElement>()
                    .map(|s| s.value())
                    .or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))
                    .unwrap_or_default();
                let mut next = filter.clone();
                apply(&mut next, value);
                if let Some(n) = &navigator {
                    let _ = n.replace_with_query(&Route::Logs, &next);
                }
            })
        }
    };
    let key_filter = match &keys {
        Some(Ok(list)) => html! {
            <select id="log-key" onchange={set(|f, v| f.key_id = v)}>
                <option value="" selected={filter.key_id.is_empty()}>{ "Any key" }</option>
                { for list.iter().map(|k| html! {
                    <option value={k.id.clone()} selected={filter.key_id == k.id}>{ format!("{} ({})", k.name, k.redacted) }</option>
                }) }
            </select>
        },
        _ => html! {
            <input id="log-key" value={filter.key_id.clone()} placeholder="key_…" onchange={set(|f, v| f.key_id = v)} />
        },
    };
    let known: &[KeyView] = match &keys {
        Some(Ok(list)) => list,
        _ => &[],
    };
    html! {
        <>
            <p>{ "Every request a key made, allowed or refused, with the code it was refused with. The key itself is never logged. Kept 30 days." }</p>
            <form class="filters" aria-label="Filter the request log" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <div><label for="log-key">{ "Key" }</label>{ key_filter }</div>
                <div><label for="log-status">{ "Status" }</label>
                    <select id="log-status" onchange={set(|f, v| f.status = v)}>
                        { for STATUSES.iter().map(|(value, label)| html! {
                            <option value={*value} selected={filter.status == *value}>{ *label }</option>
                        }) }
                    </select></div>
                <div><label for="log-route">{ "Route" }</label>
                    <select id="log-route" onchange={set(|f, v| f.route = v)}>
                        <option value="" selected={filter.route.is_empty()}>{ "Any route" }</option>
                        { for keyed_routes().map(|name| html! {
                            <option value={name} selected={filter.route == name}>{ name }</option>
                        }) }
                    </select></div>
                <div><label for="log-from">{ "From (UTC)" }</label>
                    <input id="log-from" type="date" value={filter.from.clone()} onchange={set(|f, v| f.from = v)} /></div>
                <div><label for="log-to">{ "To (UTC)" }</label>
                    <input id="log-to" type="date" value={filter.to.clone()} onchange={set(|f, v| f.to = v)} /></div>
            </form>
            { status(&paged, "No requests match. Requests appear here within seconds of being made.") }
            if !paged.rows.is_empty() {
                <div class="table-wrap" tabindex="0"><table>
                    <caption class="sr-only">{ "Requests, newest first" }</caption>
                    <thead><tr>
                        <th scope="col">{ "Time (UTC)" }</th><th scope="col">{ "Request" }</th>
                        <th scope="col">{ "Status" }</th><th scope="col">{ "Key" }</th>
                        <th scope="col">{ "Caller" }</th><th scope="col">{ "Latency" }</th>
                        <th scope="col">{ "Request id" }</th>
                    </tr></thead>
                    <tbody>
                        { for paged.rows.iter().map(|r| html! {
                            <tr key={r.id}>
                                <td><time datetime={r.created_at.clone()}>{ when(&r.created_at) }</time></td>
                                <td><code>{ format!("{} {}", r.method, r.route) }</code></td>
                                <td><span class={classes!("chip", (r.status >= 400).then_some("warn"))}>{ r.status }</span>
                                    if let Some(code) = &r.error_code { <br /><small><code>{ code.clone() }</code></small> }</td>
                                <td>{ r.key_id.as_ref().map_or_else(|| html! { { "—" } }, |id| match known.iter().find(|k| k.id == *id) {
                                    Some(k) => html! { <>{ k.name.clone() }<br /><small><code>{ k.redacted.clone() }</code></small></> },
                                    None => html! { <code>{ id.clone() }</code> },
                                }) }</td>
                                <td>{ r.caller.clone() }</td>
                                <td>{ format!("{} ms", r.latency_ms) }</td>
                                <td><code>{ r.request_id.clone() }</code></td>
                            </tr>
                        }) }
                    </tbody>
                </table></div>
            }
            { more_button(&paged, &more, "requests") }
        </>
    }
}

/// `2026-11-30T10:04:05.123Z` as `2026-11-30 10:04:05`.
pub fn when(t: &str) -> String {
    match (t.get(..10), t.get(11..19)) {
        (Some(d), Some(h)) => format!("{d} {h}"),
        _ => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn days_become_the_apis_half_open_range() {
        let f = LogFilter {
            from: "2026-02-27".into(),
            to: "2026-02-28".into(),
            status: "4xx".into(),
            ..LogFilter::default()
        };
        let q: HashMap<_, _> = f.query().into_iter().collect();
        assert_eq!(q["since"], "2026-02-27T00:00:00.000Z");
        // The last day is included: until is the start of the next (here across a month).
        assert_eq!(q["until"], "2026-03-01T00:00:00.000Z");
        assert_eq!(q["status"], "4xx");
        assert_eq!(q["key_id"], "");
        // Not a date: no bound, rather than a refused request.
        let q: HashMap<_, _> = LogFilter {
            from: "yesterday".into(),
            ..LogFilter::default()
        }
        .query()
        .into_iter()
        .collect();
        assert_eq!(q["since"], "");
    }

    #[test]
    fn every_status_filter_is_one_the_api_accepts() {
        for (value, _) in STATUSES {
            let raw = (!value.is_empty()).then_some(value);
            assert!(tally_core::admin::status_filter(raw).is_ok(), "{value}");
        }
    }

    #[test]
    fn the_route_filter_offers_the_keyed_routes_only() {
        let routes: Vec<_> = keyed_routes().collect();
        assert!(routes.contains(&"coins.debit"));
        assert!(routes.contains(&"widget"));
        assert!(!routes.contains(&"health"));
        assert!(!routes.contains(&"dashboard.page"));
    }

    #[test]
    fn times_read_without_the_machine_parts() {
        assert_eq!(when("2026-11-30T10:04:05.123Z"), "2026-11-30 10:04:05");
        assert_eq!(when("soon"), "soon");
    }
}
