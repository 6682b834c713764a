//! The one seam through which randomness enters the core.
//!
//! The core never reaches for an operating system or a JavaScript global itself: callers
//! hand it a [`Csprng`] (the edge wraps `crypto.getRandomValues`, native tools wrap the
//! OS generator). Tests use a deterministic one.

/// A cryptographically secure source of random bytes.
pub trait Csprng {
    /// Fills `dest` entirely with random bytes.
    fn fill(&mut self, dest: &mut [u8]);
}

impl<F: FnMut(&mut [u8])> Csprng for F {
    fn fill(&mut self, dest: &mut [u8]) {
        self(dest)
    }
}
