//! The dashboard's overview: per-day counters fed from the write path.
//!
//! Nothing here scans a wallet or the request log. Each request's outcome, each new ledger
//! entry and each exposure adds to a counter for `(workspace, UTC day, metric)` when it
//! happens; the edge folds the counters of the requests in flight into one upsert per row
//! ([`Rollup`]) next to the request log's rows, and the overview reads at most
//! `days × metrics` rows back ([`overview`]).

use std::collections::BTreeMap;

use crate::time::{rfc3339, UnixMillis};
use crate::wire::{DayStats, Overview};

/// Days the overview shows.
pub const OVERVIEW_DAYS: i64 = 30;

/// Days a counter row is kept: a little more than the overview shows.
pub const RETENTION_DAYS: i64 = 90;

const DAY_MS: i64 = 86_400_000;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Requests answered 1xx to 3xx.
    RequestsSucceeded,
    /// Requests refused 4xx, except 429.
    RequestsRefused,
    /// Requests answered 429.
    RequestsRateLimited,
    /// Requests answered 5xx.
    RequestsFailed,
    /// Coins added by new ledger entries (replays add nothing).
    CoinsCredited,
    /// Coins taken by new ledger entries.
    CoinsDebited,
    /// Uses of a secret key from a browser or in a URL.
    Exposures,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 7] = [
        Metric::RequestsSucceeded,
        Metric::RequestsRefused,
        Metric::RequestsRateLimited,
        Metric::RequestsFailed,
        Metric::CoinsCredited,
        Metric::CoinsDebited,
        Metric::Exposures,
    ];

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Metric::RequestsSucceeded => "requests_succeeded",
            Metric::RequestsRefused => "requests_refused",
            Metric::RequestsRateLimited => "requests_rate_limited",
            Metric::RequestsFailed => "requests_failed",
            Metric::CoinsCredited => "coins_credited",
            Metric::CoinsDebited => "coins_debited",
            Metric::Exposures => "exposures",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The request counter an answer's status adds to.
    pub const fn for_status(status: u16) -> Metric {
        match status {
            429 => Metric::RequestsRateLimited,
            400..=499 => Metric::RequestsRefused,
            500..=u16::MAX => Metric::RequestsFailed,
            _ => Metric::RequestsSucceeded,
        }
    }
}

/// The UTC day of an instant, `YYYY-MM-DD`.
pub fn day(at: UnixMillis) -> String {
    let mut s = rfc3339(at);
    s.truncate(10);
    s
}

/// Counters gathered while requests are in flight, folded to one row per
/// `(workspace, day, metric)`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rollup(BTreeMap<(String, String, Metric), i64>);

impl Rollup {
    /// Adds `n` to the workspace's `metric` on the day of `at`. Zero adds no row.
    pub fn add(&mut self, workspace_id: &str, at: UnixMillis, metric: Metric, n: i64) {
        if n == 0 {
            return;
        }
        let counter = self
            .0
            .entry((workspace_id.to_owned(), day(at), metric))
            .or_default();
        *counter = counter.saturating_add(n);
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the rows, leaving the rollup empty: `(workspace, day, metric, n)`.
    pub fn take(&mut self) -> Vec<(String, String, Metric, i64)> {
        std::mem::take(&mut self.0)
            .into_iter()
            .map(|((w, d, m), n)| (w, d, m, n))
            .collect()
    }
}

/// The overview of the `days` days ending with the day of `now`, oldest first, from stored
/// `(day, metric, n)` rows. Days without rows are zeros; unknown metrics and days outside
/// the window are ignored.
pub fn overview(rows: &[(String, String, i64)], now: UnixMillis, days: i64) -> Overview {
    let days = days.max(1);
    let first = now - (days - 1) * DAY_MS;
    let mut out: Vec<DayStats> = (0..days)
        .map(|i| DayStats {
            day: day(first + i * DAY_MS),
            ..DayStats::default()
        })
        .collect();
    for (d, metric, n) in rows {
        let (Some(metric), Some(slot)) =
            (Metric::parse(metric), out.iter_mut().find(|s| s.day == *d))
        else {
            continue;
        };
        let counter = match metric {
            Metric::RequestsSucceeded => &mut slot.requests_succeeded,
            Metric::RequestsRefused => &mut slot.requests_refused,
            Metric::RequestsRateLimited => &mut slot.requests_rate_limited,
            Metric::RequestsFailed => &mut slot.requests_failed,
            Metric::CoinsCredited => &mut slot.coins_credited,
            Metric::CoinsDebited => &mut slot.coins_debited,
            Metric::Exposures => &mut slot.exposures,
        };
        *counter = counter.saturating_add(*n);
    }
    Overview {
        since: day(first),
        days: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_rfc3339;

    fn at(s: &str) -> UnixMillis {
        parse_rfc3339(s).expect("an instant")
    }

    #[test]
    fn every_status_counts_as_one_outcome() {
        assert_eq!(Metric::for_status(200), Metric::RequestsSucceeded);
        assert_eq!(Metric::for_status(304), Metric::RequestsSucceeded);
        assert_eq!(Metric::for_status(399), Metric::RequestsSucceeded);
        assert_eq!(Metric::for_status(400), Metric::RequestsRefused);
        assert_eq!(Metric::for_status(403), Metric::RequestsRefused);
        assert_eq!(Metric::for_status(499), Metric::RequestsRefused);
        assert_eq!(Metric::for_status(429), Metric::RequestsRateLimited);
        assert_eq!(Metric::for_status(500), Metric::RequestsFailed);
        assert_eq!(Metric::for_status(503), Metric::RequestsFailed);
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
        assert_eq!(Metric::parse("requests"), None);
    }

    #[test]
    fn days_are_utc() {
        assert_eq!(day(at("2026-11-30T23:59:59.999Z")), "2026-11-30");
        assert_eq!(day(at("2026-12-01T00:00:00Z")), "2026-12-01");
        assert_eq!(day(at("2026-12-01T00:30:00+01:00")), "2026-11-30");
    }

    #[test]
    fn the_requests_in_flight_fold_to_one_row_per_workspace_day_and_metric() {
        let mut r = Rollup::default();
        assert!(r.is_empty());
        let t = at("2026-11-30T10:00:00Z");
        r.add("ws_a", t, Metric::RequestsSucceeded, 1);
        r.add("ws_a", t + 1_000, Metric::RequestsSucceeded, 1);
        r.add("ws_a", t, Metric::CoinsCredited, 50);
        r.add("ws_a", t, Metric::CoinsCredited, 25);
        r.add("ws_b", t, Metric::RequestsSucceeded, 1);
        r.add(
            "ws_a",
            at("2026-12-01T00:00:01Z"),
            Metric::RequestsSucceeded,
            1,
        );
        r.add("ws_a", t, Metric::Exposures, 0);
        assert!(!r.is_empty());
        let rows = r.take();
        assert!(r.is_empty(), "taking empties it");
        assert_eq!(
            rows,
            vec![
                (
                    "ws_a".into(),
                    "2026-11-30".into(),
                    Metric::RequestsSucceeded,
                    2
                ),
                (
                    "ws_a".into(),
                    "2026-11-30".into(),
                    Metric::CoinsCredited,
                    75
                ),
                (
                    "ws_a".into(),
                    "2026-12-01".into(),
                    Metric::RequestsSucceeded,
                    1
                ),
                (
                    "ws_b".into(),
                    "2026-11-30".into(),
                    Metric::RequestsSucceeded,
                    1
                ),
            ]
        );
    }

    #[test]
    fn the_overview_is_every_day_of_the_window_with_zeros_where_nothing_happened() {
        let now = at("2026-11-30T12:00:00Z");
        let rows = vec![
            ("2026-11-30".into(), "requests_succeeded".into(), 7),
            ("2026-11-30".into(), "requests_refused".into(), 2),
            ("2026-11-30".into(), "requests_rate_limited".into(), 1),
            ("2026-11-30".into(), "requests_failed".into(), 3),
            ("2026-11-29".into(), "coins_credited".into(), 150),
            ("2026-11-29".into(), "coins_debited".into(), 40),
            ("2026-11-01".into(), "exposures".into(), 1),
            // Outside the window, or unknown: ignored.
            ("2026-10-31".into(), "requests_succeeded".into(), 99),
            ("2026-11-30".into(), "something_new".into(), 5),
        ];
        let o = overview(&rows, now, 30);
        assert_eq!(o.since, "2026-11-01");
        assert_eq!(o.days.len(), 30);
        assert_eq!(o.days[0].day, "2026-11-01");
        assert_eq!(o.days[0].exposures, 1);
        let last = &o.days[29];
        assert_eq!(last.day, "2026-11-30");
        assert_eq!(
            (
                last.requests_succeeded,
                last.requests_refused,
                last.requests_rate_limited,
                last.requests_failed
            ),
            (7, 2, 1, 3)
        );
        assert_eq!(
            (o.days[28].coins_credited, o.days[28].coins_debited),
            (150, 40)
        );
        let total: i64 = o.days.iter().map(|d| d.requests_succeeded).sum();
        assert_eq!(total, 7, "the day before the window is not counted");
        // Across a month and a leap day.
        let o = overview(&[], at("2028-03-01T00:00:00Z"), 3);
        let days: Vec<_> = o.days.iter().map(|d| d.day.as_str()).collect();
        assert_eq!(days, ["2028-02-28", "2028-02-29", "2028-03-01"]);
        assert_eq!(overview(&[], now, 0).days.len(), 1, "at least today");
    }

    #[test]
    fn a_counter_cannot_overflow() {
        let mut r = Rollup::default();
        let t = at("2026-11-30T00:00:00Z");
        r.add("ws", t, Metric::CoinsCredited, i64::MAX);
        r.add("ws", t, Metric::CoinsCredited, 1);
        assert_eq!(r.take()[0].3, i64::MAX);
        let rows = vec![
            ("2026-11-30".into(), "coins_credited".into(), i64::MAX),
            ("2026-11-30".into(), "coins_credited".into(), 1),
        ];
        let o = overview(&rows, at("2026-11-30T00:00:00Z"), 1);
        assert_eq!(o.days[0].coins_credited, i64::MAX);
    }
}
