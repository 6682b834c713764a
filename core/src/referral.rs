//! Referral codes and links.
//!
//! A customer's code is derived from `(workspace, environment, customer, attempt)` by
//! SHA-256, so two isolates racing to create the same customer's code compute the same
//! one and storage converges without a lock. A code owned by somebody else (a rare
//! collision) moves the customer on to the next attempt.

use sha2::{Digest, Sha256};

use crate::key::Environment;

/// Symbols in a code.
pub const CODE_LEN: usize = 10;
/// Crockford's base32: no I, L, O or U, so codes survive being read aloud or retyped.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The customer's code for a given attempt (0 first).
pub fn code_for(workspace_id: &str, env: Environment, customer_id: &str, attempt: u32) -> String {
    let mut h = Sha256::new();
    for part in [workspace_id, env.as_str(), customer_id] {
        h.update((part.len() as u32).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.update(attempt.to_be_bytes());
    let digest = h.finalize();
    // 10 symbols * 5 bits = 50 bits from the first 7 bytes.
    let mut bits = 0u64;
    for &b in &digest[..7] {
        bits = (bits << 8) | u64::from(b);
    }
    (0..CODE_LEN)
        .map(|i| char::from(CROCKFORD[((bits >> (51 - 5 * i)) & 31) as usize]))
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
    fn codes_are_stable_distinct_and_well_formed() {
        let a = code_for("ws_demo", Environment::Test, "ada", 0);
        assert_eq!(a, code_for("ws_demo", Environment::Test, "ada", 0));
        assert_ne!(a, code_for("ws_demo", Environment::Test, "ada", 1));
        assert_ne!(a, code_for("ws_demo", Environment::Prod, "ada", 0));
        assert_ne!(a, code_for("ws_demo", Environment::Test, "bob", 0));
        // Length-prefixing keeps ("ab","c") and ("a","bc") apart.
        assert_ne!(
            code_for("ws_a", Environment::Test, "bc", 0),
            code_for("ws_ab", Environment::Test, "c", 0)
        );
        assert_eq!(normalize_code(&a), Some(a.clone()));
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
