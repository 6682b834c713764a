//! Base62 (`0-9A-Za-z`): the alphabet of key bodies, chosen so a key is one "word" that
//! double-click selects and secret scanners can match.

use crate::rng::Csprng;

/// The 62 symbols, in value order.
pub const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// True when `b` is one of the 62 symbols.
pub fn is_symbol(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Encodes `value` in exactly `width` symbols, most significant first, left-padded with `0`.
///
/// Digits beyond `width` are dropped, so callers choose a width that holds their range
/// (six symbols hold every `u32`: 62^6 > 2^32).
pub fn encode_fixed(mut value: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(value % 62) as usize];
        value /= 62;
    }
    // Every byte comes from ALPHABET, which is ASCII.
    out.into_iter().map(char::from).collect()
}

/// `len` uniformly random symbols.
///
/// Uses rejection sampling: bytes of 248 or more (62 * 4) are thrown away so that every
/// symbol is equally likely; a plain `byte % 62` would favour the first eight symbols.
pub fn random(rng: &mut impl Csprng, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        rng.fill(&mut buf);
        for &b in &buf {
            if b < 248 && out.len() < len {
                out.push(char::from(ALPHABET[(b % 62) as usize]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_width_encoding_pads_and_orders_digits() {
        assert_eq!(encode_fixed(0, 6), "000000");
        assert_eq!(encode_fixed(61, 2), "0z");
        assert_eq!(encode_fixed(62, 2), "10");
        assert_eq!(encode_fixed(u64::from(u32::MAX), 6), "4gfFC3");
    }

    #[test]
    fn bytes_from_248_up_are_thrown_away_so_no_symbol_is_favoured() {
        // 248 % 62 == 0: keeping it would draw `0` more often than the others.
        let mut rng = |buf: &mut [u8]| {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = if i % 2 == 0 { 248 + (i % 8) as u8 } else { 61 };
            }
        };
        assert_eq!(random(&mut rng, 3), "zzz");
    }

    #[test]
    fn random_strings_use_only_the_alphabet_and_cover_it() {
        let mut state = 7u32;
        let mut rng = |buf: &mut [u8]| {
            for b in buf {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *b = (state >> 16) as u8;
            }
        };
        let s = random(&mut rng, 5_000);
        assert_eq!(s.len(), 5_000);
        assert!(s.bytes().all(is_symbol));
        for &c in ALPHABET {
            assert!(
                s.as_bytes().contains(&c),
                "symbol {} never drawn",
                c as char
            );
        }
    }
}
