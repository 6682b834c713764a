//! The platform's CSPRNG (`crypto.getRandomValues`) as the core's [`Csprng`].

use tally_core::rng::Csprng;

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
