//! Step 0's URL scan: never a panic, and a secret key spliced anywhere into arbitrary URL text
//! is always found with its hash.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::key::{self, Environment, KeyKind};
use tally_core::screen::find_in_url;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (path, query) = match text.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (text, None),
    };
    let _ = find_in_url(path, query);

    // Splice a real key in at a character boundary, followed by a separator.
    let mut seed = data
        .iter()
        .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(*b));
    let k = key::generate(
        Environment::Prod,
        KeyKind::Secret,
        &mut |buf: &mut [u8]| {
            for b in buf {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *b = (seed >> 33) as u8;
            }
        },
    );
    let at = text
        .char_indices()
        .map(|(i, _)| i)
        .nth(data.first().copied().unwrap_or(0) as usize % (text.chars().count() + 1))
        .unwrap_or(text.len());
    // Glued to what comes before it, a key is still found. Which key is recorded may not be
    // ours: the input's symbols and the start of ours can make a well-formed key of their own
    // (libFuzzer solves checksums), and the first well-formed key is the one recorded.
    let glued = format!("{}{}&{}", &text[..at], k.plaintext, &text[at..]);
    let found = find_in_url("/v1/health", Some(&glued)).and_then(|l| l.hash);
    assert!(found.is_some(), "{glued:?}");
    // Between separators, ours is the one recorded, unless the input held a key of its own,
    // or one of its two pieces does (a cut can shorten a run of symbols into a valid key).
    let (before, after) = text.split_at(at);
    let separated = format!("{before}&{}&{after}", k.plaintext);
    let found = find_in_url("/v1/health", Some(&separated)).and_then(|l| l.hash);
    let theirs = [text, before, after]
        .into_iter()
        .any(|t| find_in_url("/v1/health", Some(t)).is_some_and(|l| l.hash.is_some()));
    if theirs {
        assert!(found.is_some(), "{separated:?}");
    } else {
        assert_eq!(found, Some(k.hash), "{separated:?}");
    }
});
