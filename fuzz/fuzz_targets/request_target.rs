//! The request's target (origin, path, query) cut from the URL workerd serializes: never a
//! panic, and on every URL the `url` crate serializes, the same origin, path and query as
//! that crate's full parse.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::target::Target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(t) = Target::split(text) {
        let _ = t.query_pairs();
        assert!(t.path.starts_with('/'));
        assert!(text.starts_with(t.origin));
    }
    // Serialized by the WHATWG rules, as workerd hands `request.url` to the Worker: ASCII,
    // hosts in punycode. Hosts that are not ASCII, or percent-encode bytes that are not, are
    // left out: the workspace pins `url`'s ASCII-only IDNA backend, whose debug assertions
    // trip on them.
    let escapes_non_ascii = text
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && matches!(w[1], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F'));
    if !text.is_ascii() || escapes_non_ascii {
        return;
    }
    for candidate in [text.to_owned(), format!("https://tally.example/{text}")] {
        let Ok(url) = url::Url::parse(&candidate) else {
            continue;
        };
        let http = matches!(url.scheme(), "http" | "https");
        if !http || !url.username().is_empty() || url.password().is_some() {
            continue;
        }
        let t = Target::split(url.as_str()).expect("a serialized http(s) URL splits");
        assert_eq!(t.origin, url.origin().ascii_serialization());
        assert_eq!(t.path, url.path());
        assert_eq!(t.query, url.query());
    }
});
