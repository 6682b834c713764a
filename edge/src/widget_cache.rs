//! The tiers in front of the wallet for `/v1/widget` (`tally_core::version`): the isolate's
//! memory for a couple of seconds, then the data centre's Cache API for half a minute, then
//! the wallet object. A tier answers only with a view at least as new as the reader asked
//! (`v`) and still fresh; a miss fills both tiers off the response path. Writes that pass
//! through this Worker drop the shopper's entries (here at once, in the Cache API in the
//! background), so the next read goes to the wallet. Only the widget's handler reads the
//! tiers, and only after the verifier allowed the request: a revoked key never meets a
//! cached view.

use std::cell::RefCell;

use tally_core::cache::Lru;
use tally_core::key::Environment;
use tally_core::time::UnixMillis;
use tally_core::version::{etag, slot_name, Floors, Stored, EDGE_TTL_MS};
use worker::{Cache, Context, Headers, Response};

/// Views an isolate keeps: a few kilobytes each.
const MEMORY_ENTRIES: usize = 4_096;

/// A view as served: its JSON and its `ETag`, hashed once when the view is made or copied
/// from the Cache API, not on every hit.
#[derive(Clone)]
pub(crate) struct View {
    pub(crate) body: String,
    pub(crate) etag: String,
}

impl View {
    pub(crate) fn new(body: String) -> View {
        View {
            etag: etag(body.as_bytes()),
            body,
        }
    }
}

#[derive(Clone)]
struct Entry {
    view: View,
    stored: Stored,
    /// Which programs the view shows (a key that may read fewer sees fewer).
    shows: u8,
}

thread_local! {
    static MEMORY: RefCell<Lru<String, Entry>> = RefCell::new(Lru::new(MEMORY_ENTRIES));
    /// The newest version of each shopper's wallet this isolate has met (`Floors`).
    static SEEN: RefCell<Floors> = RefCell::new(Floors::new(MEMORY_ENTRIES));
}

fn seen(key: &str, now: UnixMillis) -> u64 {
    SEEN.with(|s| s.borrow_mut().get(key, now))
}

fn see(key: &str, version: u64, now: UnixMillis) -> bool {
    SEEN.with(|s| s.borrow_mut().meet(key, version, now))
}

/// One shopper's view, as one kind of key sees it.
pub(crate) struct Slot<'a> {
    /// `<workspace>:<env>:<customer>`: the memory tier's key.
    key: String,
    /// This Worker's origin, for the Cache API's key ([`cache_url`]), made only on a miss.
    origin: &'a str,
    shows: u8,
}

impl<'a> Slot<'a> {
    /// The slot of `customer` in `ws`/`environment` on the host `origin`, for a key whose
    /// view shows the programs `shows` (bits).
    pub(crate) fn new(
        origin: &'a str,
        ws: &str,
        environment: Environment,
        customer: &str,
        shows: u8,
    ) -> Slot<'a> {
        Slot {
            key: format!("{ws}:{}:{customer}", environment.as_str()),
            origin,
            shows,
        }
    }

    /// The isolate's copy (its JSON), when new enough; the LRU has already dropped it when
    /// its time in memory is up (see [`Slot::keep`]).
    pub(crate) fn memory(&self, min: u64, now: UnixMillis) -> Option<View> {
        let entry = MEMORY.with(|m| m.borrow_mut().get(&self.key, now))?;
        (entry.shows == self.shows && entry.stored.serves(min, now, EDGE_TTL_MS))
            .then_some(entry.view)
    }

    /// The data centre's copy (its JSON), when new and fresh enough; kept in memory too.
    pub(crate) async fn edge(&self, min: u64, now: UnixMillis) -> Option<View> {
        let url = cache_url(self.origin, &self.key);
        let mut r = Cache::default().get(url.as_str(), true).await.ok()??;
        let header = |name: &str| {
            r.headers()
                .get(name)
                .ok()
                .flatten()
                .and_then(|v| v.parse::<i64>().ok())
        };
        let stored = Stored {
            version: u64::try_from(header("x-wallet-version")?).ok()?,
            stored_at: header("x-stored-at")?,
        };
        let min = min.max(seen(&self.key, now));
        if header("x-shows")? != i64::from(self.shows) || !stored.serves(min, now, EDGE_TTL_MS) {
            return None;
        }
        let view = View::new(r.text().await.ok()?);
        self.keep(&view, stored, now);
        Some(view)
    }

    /// A view just read from the wallet: into memory now, into the Cache API in the
    /// background.
    pub(crate) fn fill(&self, ctx: &Context, view: &View, version: u64, now: UnixMillis) {
        let stored = Stored {
            version,
            stored_at: now,
        };
        self.keep(view, stored, now);
        let url = cache_url(self.origin, &self.key);
        let (body, shows, key) = (view.body.clone(), self.shows, self.key.clone());
        ctx.wait_until(async move {
            // A write through this isolate since the read: its drop may already have run.
            if seen(&key, now) > version {
                return;
            }
            let headers = Headers::new();
            let max_age = EDGE_TTL_MS / 1000;
            let _ = headers.set("Cache-Control", &format!("public, max-age={max_age}"));
            let _ = headers.set("Content-Type", "application/json; charset=utf-8");
            let _ = headers.set("X-Wallet-Version", &version.to_string());
            let _ = headers.set("X-Stored-At", &now.to_string());
            let _ = headers.set("X-Shows", &shows.to_string());
            let Ok(r) = Response::ok(body) else { return };
            if let Err(e) = Cache::default()
                .put(url.as_str(), r.with_headers(headers))
                .await
            {
                worker::console_error!("widget view not cached: {e}");
            }
        });
    }

    /// Into this isolate's memory (`Stored::memory_until`).
    fn keep(&self, view: &View, stored: Stored, now: UnixMillis) {
        // Never older than a version met here: a read that was in flight when a write
        // dropped the entry must not put its older view back. A memory entry is therefore
        // never below the floor (a write removes it, a newer view replaces it), so a memory
        // hit needs no second lookup.
        if !see(&self.key, stored.version, now) {
            return;
        }
        let entry = Entry {
            view: view.clone(),
            stored,
            shows: self.shows,
        };
        let expires = stored.memory_until(now);
        MEMORY.with(|m| m.borrow_mut().put(self.key.clone(), entry, expires));
    }
}

/// After a write to `customer`'s wallet (which answered `written`, when the caller knows
/// it): its views are dropped from this isolate's memory now and from the data centre's
/// Cache API in the background, and no view older than the write is served here again.
pub(crate) fn forget(
    ctx: &Context,
    origin: &str,
    ws: &str,
    environment: Environment,
    customer: &str,
    written: Option<u64>,
) {
    let key = format!("{ws}:{}:{customer}", environment.as_str());
    if let Some(version) = written {
        see(&key, version, js_sys::Date::now() as UnixMillis);
    }
    let url = cache_url(origin, &key);
    MEMORY.with(|m| m.borrow_mut().remove(&key));
    ctx.wait_until(async move {
        if let Err(e) = Cache::default().delete(url.as_str(), true).await {
            worker::console_error!("widget view not dropped: {e}");
        }
    });
}

/// A path under this Worker's own host that no route answers (`/__tally/…` is not under
/// `/v1`, and the assets hold nothing there); the shopper's key is hashed, so no id appears.
fn cache_url(origin: &str, key: &str) -> String {
    format!("{origin}/__tally/widget-view/{}", slot_name(key))
}
