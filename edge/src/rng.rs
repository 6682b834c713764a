//! The platform's CSPRNG (`crypto.getRandomValues`) as the core's [`Csprng`].

use tally_core::rng::{Csprng, Pool};

/// `crypto.getRandomValues`, through `getrandom`'s `js` backend.
pub(crate) struct PlatformRng;

impl Csprng for PlatformRng {
    fn fill(&mut self, dest: &mut [u8]) {
        // getRandomValues cannot fail for buffers this size in Workers; if the platform
        // ever broke, refusing to continue is the only safe answer for key material.
        if getrandom::getrandom(dest).is_err() {
            panic!("crypto.getRandomValues is unavailable");
        }
    }
}

/// A new prefixed id, e.g. `req_…`.
pub(crate) fn new_id(prefix: &str) -> String {
    tally_core::ids::new_id(prefix, &mut PlatformRng)
}

/// A request id (`req_…`), for the log and the `X-Request-Id` header: not a secret, and made
/// on every request, so its random bytes come from a pool the platform's CSPRNG refills
/// [`POOL_BYTES`] at a time (one `getRandomValues` call for about sixty ids, not one each:
/// a call cost a widget read from memory a thirtieth of its CPU).
pub(crate) fn request_id() -> String {
    tally_core::ids::new_id("req", &mut PooledRng)
}

const POOL_BYTES: usize = 4096;

thread_local! {
    static POOL: std::cell::RefCell<Pool> = const { std::cell::RefCell::new(Pool::new(POOL_BYTES)) };
}

/// Request ids' random bytes: the platform's, through [`POOL`].
struct PooledRng;

impl Csprng for PooledRng {
    fn fill(&mut self, dest: &mut [u8]) {
        POOL.with(|pool| pool.borrow_mut().draw(&mut PlatformRng, dest));
    }
}
