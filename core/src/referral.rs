//! Referral codes and links.
//!
//! A customer's code is random (50 bits from the CSPRNG), not derived from who they are:
//! a derived code would let anyone holding the public workspace id check whether a
//! guessable customer id is a member, by computing its code and asking whether it exists.
//! Storage makes codes unique per workspace and environment and gives each customer one
//! code; racing registrations converge on whichever row was written first.

use crate::rng::Csprng;

/// Symbols in a code.
pub const CODE_LEN: usize = 10;
/// Crockford's base32: no I, L, O or U, so codes survive being read aloud or retyped.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new random code.
pub fn random_code(rng: &mut impl Csprng) -> String {
    let mut bytes = [0u8; CODE_LEN];
    rng.fill(&mut bytes);
    // 32 symbols divide 256 evenly, so taking each byte mod 32 is unbiased.
    bytes
        .iter()
        .map(|b| char::from(CROCKFORD[usize::from(b % 32)]))
        .collect()
}

/// Normalises a code as typed by a shopper: trims, upper-cases, and maps the look-alikes
/// Crockford allows (`O`→`0`, `I`/`L`→`1`). `None` when it cannot be a code.
pub fn normalize_code(input: &str) -> Option<String> {
    let out: String = input
        .trim()
        .chars()
        .filter(|&c| c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    (out.len() == CODE_LEN && out.bytes().all(|b| CROCKFORD.contains(&b))).then_some(out)
}

/// The shareable link: `template` with `{code}` replaced, or `?ref=`/`&ref=` appended.
pub fn link(template: &str, code: &str) -> String {
    if template.contains("{code}") {
        template.replace("{code}", code)
    } else if template.contains('?') {
        format!("{template}&ref={code}")
    } else {
        format!("{template}?ref={code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_well_formed() {
        let mut rng = crate::key::tests::test_rng(1);
        let codes: Vec<String> = (0..1000).map(|_| random_code(&mut rng)).collect();
        for c in &codes {
            assert_eq!(normalize_code(c).as_deref(), Some(c.as_str()));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        // Every symbol turns up: no part of the alphabet is unreachable.
        let all: std::collections::HashSet<char> = codes.iter().flat_map(|c| c.chars()).collect();
        assert_eq!(all.len(), 32);
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(
            normalize_code(" abcd-efgh0o "),
            Some("ABCDEFGH00".to_owned())
        );
        assert_eq!(normalize_code("il23456789"), Some("1123456789".to_owned()));
        assert_eq!(normalize_code("short"), None);
        assert_eq!(normalize_code("ABCDEFGHU0"), None);
    }

    #[test]
    fn links_fill_templates_or_append_a_parameter() {
        assert_eq!(
            link("https://shop.example/r/{code}", "AB"),
            "https://shop.example/r/AB"
        );
        assert_eq!(
            link("https://shop.example/", "AB"),
            "https://shop.example/?ref=AB"
        );
        assert_eq!(
            link("https://shop.example/?utm=x", "AB"),
            "https://shop.example/?utm=x&ref=AB"
        );
    }
}
