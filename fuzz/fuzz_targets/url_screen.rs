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
    let spliced = format!("{}{}&{}", &text[..at], k.plaintext, &text[at..]);
    let found = find_in_url("/v1/health", Some(&spliced)).and_then(|l| l.hash);
    // The first well-formed key in the URL is the one recorded: ours, unless the input already
    // held one of its own (libFuzzer is good at planting valid checksums).
    match find_in_url("/v1/health", Some(text)).and_then(|l| l.hash) {
        None => assert_eq!(found, Some(k.hash), "{spliced:?}"),
        Some(_) => assert!(found.is_some(), "{spliced:?}"),
    }
});
