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

/// Bytes of a [`Csprng`] drawn `capacity` at a time and each handed out once: for values
/// made on every request that are not secrets (request ids), where one call into the
/// platform per value costs more than the value. Key material never comes from a pool.
#[derive(Debug)]
pub struct Pool {
    bytes: Vec<u8>,
    taken: usize,
    capacity: usize,
}

impl Pool {
    /// An empty pool, filled on its first draw.
    pub const fn new(capacity: usize) -> Self {
        Pool {
            bytes: Vec::new(),
            taken: 0,
            capacity,
        }
    }

    /// Fills `dest` from the pool, refilling it from `source` whenever it runs dry.
    pub fn draw(&mut self, source: &mut impl Csprng, dest: &mut [u8]) {
        let mut filled = 0;
        while filled < dest.len() {
            if self.taken == self.bytes.len() {
                self.bytes.resize(self.capacity.max(1), 0);
                source.fill(&mut self.bytes);
                self.taken = 0;
            }
            let n = (dest.len() - filled).min(self.bytes.len() - self.taken);
            dest[filled..filled + n].copy_from_slice(&self.bytes[self.taken..self.taken + n]);
            self.taken += n;
            filled += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that counts its calls and never repeats a byte sequence: byte i of its
    /// output is i (mod 256).
    struct Counting {
        calls: usize,
        next: u8,
    }

    impl Csprng for Counting {
        fn fill(&mut self, dest: &mut [u8]) {
            self.calls += 1;
            for b in dest {
                *b = self.next;
                self.next = self.next.wrapping_add(1);
            }
        }
    }

    #[test]
    fn a_pool_hands_each_byte_out_once_and_calls_the_source_once_per_capacity() {
        let mut source = Counting { calls: 0, next: 0 };
        let mut pool = Pool::new(100);
        let mut seen = Vec::new();
        for _ in 0..10 {
            let mut buf = [0u8; 64];
            pool.draw(&mut source, &mut buf);
            seen.extend_from_slice(&buf);
        }
        // 640 bytes from a pool of 100: seven fills, and the bytes in the source's order.
        assert_eq!(source.calls, 7);
        let want: Vec<u8> = (0..640u32).map(|i| (i % 256) as u8).collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn a_draw_larger_than_the_pool_spans_refills() {
        let mut source = Counting { calls: 0, next: 0 };
        let mut pool = Pool::new(16);
        let mut buf = [0u8; 40];
        pool.draw(&mut source, &mut buf);
        assert_eq!(source.calls, 3);
        assert!(buf.iter().enumerate().all(|(i, b)| usize::from(*b) == i));
        let mut zero_capacity = Pool::new(0);
        let mut one = [0u8; 3];
        zero_capacity.draw(&mut source, &mut one);
        assert_eq!(one, [48, 49, 50]);
    }
}
