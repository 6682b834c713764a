//! The workspace's settings: name, coin label, and what happens when a key is exposed.

use serde::Deserialize;
use tally_core::stats;
use tally_core::time::rfc3339;
use tally_core::verifier::ExposureAction;
use tally_core::wire::{Workspace, WorkspacePatch};
use tally_core::ErrorCode;
use worker::Response;

use super::AdminCall;
use crate::error::Failure;
use crate::http::Request;
use crate::keys as key_store;
use crate::store::{self, Arg};

#[derive(Deserialize)]
struct WorkspaceRow {
    id: String,
    name: String,
    status: String,
    exposure_action: String,
    coin_label: String,
    referral_url: String,
    referral_reward_coins: i64,
    referral_reward_text: String,
    created_at: i64,
}

pub(super) async fn get(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let row: Option<WorkspaceRow> = store::first(
        &db,
        "SELECT id, name, status, exposure_action, coin_label, referral_url, referral_reward_coins, referral_reward_text, created_at \
         FROM workspaces WHERE id = ?1",
        &[Arg::Text(call.ws())],
    ).await?;
    let w = row.ok_or_else(|| Failure::from(ErrorCode::Internal))?;
    super::answer(
        200,
        &Workspace {
            id: w.id,
            name: w.name,
            status: w.status,
            exposure_action: w.exposure_action,
            coin_label: w.coin_label,
            referral_url: w.referral_url,
            referral_reward_coins: w.referral_reward_coins,
            referral_reward_text: w.referral_reward_text,
            created_at: rfc3339(w.created_at),
        },
    )
}

#[derive(Deserialize)]
struct StatRow {
    day: String,
    metric: String,
    n: i64,
}

/// `GET /v1/admin/overview`: at most 30 days × 7 counters, read by primary key.
pub(super) async fn overview(call: &AdminCall<'_>) -> Result<Response, Failure> {
    let db = store::db(call.env)?;
    let now = store::now_ms();
    let since = stats::day(now - (stats::OVERVIEW_DAYS - 1) * 86_400_000);
    let rows: Vec<StatRow> = store::all(
        &db,
        "SELECT day, metric, n FROM daily_stats WHERE workspace_id = ?1 AND day >= ?2",
        &[Arg::Text(call.ws()), Arg::Text(&since)],
    )
    .await?;
    let rows: Vec<(String, String, i64)> =
        rows.into_iter().map(|r| (r.day, r.metric, r.n)).collect();
    super::answer(200, &stats::overview(&rows, now, stats::OVERVIEW_DAYS))
}

/// `PATCH /v1/admin/workspace`: name, coin label, and what happens on exposure (`alert`
/// or `alert_and_revoke`).
pub(super) async fn patch(req: &Request, call: &AdminCall<'_>) -> Result<Response, Failure> {
    let body: WorkspacePatch = super::body(req).await?;
    let action = match body.exposure_action.as_deref() {
        None => None,
        Some(a @ ("alert" | "alert_and_revoke")) => Some(ExposureAction::parse(a).as_str()),
        Some(_) => {
            return Err(super::invalid(
                "exposure_action is alert or alert_and_revoke.",
            ))
        }
    };
    let short = |v: &Option<String>, what: &str| -> Result<Option<String>, Failure> {
        match v.as_deref().map(str::trim) {
            None => Ok(None),
            Some(t) if !t.is_empty() && t.chars().count() <= 60 => Ok(Some(t.to_owned())),
            Some(_) => Err(super::invalid(&format!("{what} is 1 to 60 characters."))),
        }
    };
    let name = short(&body.name, "name")?;
    let label = short(&body.coin_label, "coin_label")?;
    let db = store::db(call.env)?;
    store::stmt(
        &db,
        "UPDATE workspaces SET name = COALESCE(?2, name), exposure_action = COALESCE(?3, exposure_action), \
         coin_label = COALESCE(?4, coin_label) WHERE id = ?1",
        &[
            Arg::Text(call.ws()),
            name.as_deref().into(),
            action.into(),
            label.as_deref().into(),
        ],
    )?
    .run()
    .await?;
    // Key records carry these settings in the isolate cache.
    key_store::forget_all();
    get(call).await
}
