//! The overview: the last 30 days at a glance. Requests by outcome, coins credited and
//! redeemed, exposures; every role sees it. The numbers are per-day counters the edge keeps
//! as requests and ledger entries happen (`GET /v1/admin/overview`).

use tally_core::admin::AdminOp;
use tally_core::wire::{DayStats, Overview as OverviewData};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::explain;
use crate::api::{self, Failure};
use crate::components::chart::{BarChart, Series};

/// A column of the overview.
fn column(days: &[DayStats], pick: fn(&DayStats) -> i64) -> Vec<i64> {
    days.iter().map(pick).collect()
}

/// The share of requests refused or failed, in whole percent (`None` without requests).
pub fn refused_share(days: &[DayStats]) -> Option<i64> {
    let sum = |f: fn(&DayStats) -> i64| days.iter().map(f).fold(0i64, i64::saturating_add);
    let bad = sum(|d| d.requests_refused)
        .saturating_add(sum(|d| d.requests_rate_limited))
        .saturating_add(sum(|d| d.requests_failed));
    let all = bad.saturating_add(sum(|d| d.requests_succeeded));
    (all > 0).then(|| (bad.saturating_mul(100) + all / 2) / all)
}

#[function_component]
pub fn Overview() -> Html {
    let data = use_state(|| None::<Result<OverviewData, Failure>>);
    {
        let data = data.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                data.set(Some(
                    api::call_empty::<OverviewData>(AdminOp::GetOverview, &[], None).await,
                ));
            });
        });
    }
    let o = match &*data {
        None => {
            return html! { <div class="overview-skeleton" aria-busy="true"><p>{ "Loading the last 30 days…" }</p></div> }
        }
        Some(Err(f)) => return html! { <p class="error" role="alert">{ explain(f) }</p> },
        Some(Ok(o)) => o,
    };
    let d = &o.days;
    let days: Vec<String> = d.iter().map(|s| s.day.clone()).collect();
    let total = |f: fn(&DayStats) -> i64| d.iter().map(f).fold(0i64, i64::saturating_add);
    let requests = total(|s| s.requests_succeeded)
        .saturating_add(total(|s| s.requests_refused))
        .saturating_add(total(|s| s.requests_rate_limited))
        .saturating_add(total(|s| s.requests_failed));
    let exposures = total(|s| s.exposures);
    html! {
        <>
            <p class="hint">{ format!("Since {} (UTC), today included.", o.since) }</p>
            <ul class="cards">
                <li><span>{ "Requests" }</span><strong>{ requests }</strong></li>
                <li><span>{ "Refused or failed" }</span><strong>{ refused_share(d).map_or_else(|| "—".to_owned(), |p| format!("{p}%")) }</strong></li>
                <li><span>{ "Coins credited" }</span><strong>{ total(|s| s.coins_credited) }</strong></li>
                <li><span>{ "Coins redeemed" }</span><strong>{ total(|s| s.coins_debited) }</strong></li>
                <li class={classes!((exposures > 0).then_some("alert"))}><span>{ "Exposures" }</span><strong>{ exposures }</strong></li>
            </ul>
            if exposures > 0 {
                <p class="warning" role="note">{ "A secret key was used from a browser or a URL in this period. See Exposures and roll it." }</p>
            }
            <div class="charts">
                <BarChart title="Requests by outcome" days={days.clone()} stacked=true series={vec![
                    Series { label: "Succeeded", class: "s-ok", values: column(d, |s| s.requests_succeeded) },
                    Series { label: "Refused", class: "s-refused", values: column(d, |s| s.requests_refused) },
                    Series { label: "Rate limited", class: "s-limited", values: column(d, |s| s.requests_rate_limited) },
                    Series { label: "Failed", class: "s-failed", values: column(d, |s| s.requests_failed) },
                ]} />
                <BarChart title="Coins" days={days.clone()} series={vec![
                    Series { label: "Credited", class: "s-credit", values: column(d, |s| s.coins_credited) },
                    Series { label: "Redeemed", class: "s-debit", values: column(d, |s| s.coins_debited) },
                ]} />
                <BarChart title="Exposures" days={days} series={vec![
                    Series { label: "Exposures", class: "s-failed", values: column(d, |s| s.exposures) },
                ]} />
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refused_share_is_rounded_and_absent_without_requests() {
        assert_eq!(refused_share(&[]), None);
        let day = |ok, refused, limited, failed| DayStats {
            requests_succeeded: ok,
            requests_refused: refused,
            requests_rate_limited: limited,
            requests_failed: failed,
            ..DayStats::default()
        };
        assert_eq!(refused_share(&[day(0, 0, 0, 0)]), None);
        assert_eq!(refused_share(&[day(2, 1, 0, 0)]), Some(33));
        assert_eq!(refused_share(&[day(1, 0, 1, 0), day(0, 0, 0, 1)]), Some(67));
        assert_eq!(refused_share(&[day(0, 3, 0, 0)]), Some(100));
        assert_eq!(
            refused_share(&[day(199, 1, 0, 0)]),
            Some(1),
            "0.5% rounds up"
        );
    }
}
