//! Step 0 of the verifier: what every path the Worker answers checks before routing.
//!
//! Health, the documents, unknown paths, wrong methods, preflights and the control plane
//! all answer without looking up a key, so a secret key sent to any of them would otherwise
//! pass unnoticed. [`screen`] looks at the raw URL and the `Authorization` header only:
//! - a secret-kind key anywhere in the URL (query names, values, path segments; percent
//!   encoded, even twice) is `secret_key_in_url`: it is in somebody's logs already;
//! - a secret-kind key in `Authorization` with any browser signal is
//!   `secret_key_in_browser`, whatever the key's scopes (a read-only `sk` still reads every
//!   shopper without a customer token);
//! - and whether the request carries a secret key at all, so that no answer to it has
//!   `Access-Control-Allow-Origin`.
//!
//! Both refusals are exposures: the edge records them when the key is on file.

use crate::caller::{BrowserSignals, CallerClass};
use crate::error::ErrorCode;
use crate::key::{self, KeyHash, KeyKind, CHECKSUM_LEN, MAX_KEY_LEN, RANDOM_LEN};
use crate::verifier::{Denial, ExposureKind};

/// What a URL must hold after a secret-key prefix to count as a (possibly truncated) key.
/// Eight symbols keep look-alikes such as a customer id `test_sk_1` usable.
pub const MIN_LEAKED_SYMBOLS: usize = 8;

const PREFIXES: [&str; 2] = ["test_sk_", "prod_sk_"];

/// The verdict of step 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// The request carries a secret-kind key (URL or `Authorization`): no CORS headers.
    pub carries_secret: bool,
    /// Refuse before routing, recording an exposure of the key with this hash when it is a
    /// well-formed key (the edge looks it up).
    pub refusal: Option<(Denial, Option<KeyHash>)>,
}

/// Step 0. `path` and `query` are as received (percent-encoded); `authorization` is the
/// raw header.
pub fn screen(
    path: &str,
    query: Option<&str>,
    authorization: Option<&str>,
    signals: &BrowserSignals<'_>,
) -> Screen {
    if let Some(leak) = find_in_url(path, query) {
        return Screen {
            carries_secret: true,
            refusal: Some((exposure(ExposureKind::Url), leak.hash)),
        };
    }
    let bearer = authorization.and_then(bearer_token);
    let secret_header = bearer.is_some_and(|t| key::claimed_kind(t) == Some(KeyKind::Secret));
    if secret_header && signals.classify() == CallerClass::Browser {
        let hash = bearer.and_then(|t| key::parse(t).ok()).map(|k| k.hash());
        return Screen {
            carries_secret: true,
            refusal: Some((exposure(ExposureKind::Browser), hash)),
        };
    }
    Screen {
        carries_secret: secret_header,
        refusal: None,
    }
}

fn exposure(kind: ExposureKind) -> Denial {
    let code = match kind {
        ExposureKind::Url => ErrorCode::SecretKeyInUrl,
        ExposureKind::Browser => ErrorCode::SecretKeyInBrowser,
    };
    Denial {
        exposure: Some(kind),
        ..Denial::from(crate::error::ApiError::new(code))
    }
}

/// The token of `Bearer <token>`, any case of the scheme.
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A secret key found in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlLeak {
    /// Its hash when the text found is a well-formed key (so it can be looked up).
    pub hash: Option<KeyHash>,
}

/// Looks for a secret-kind key anywhere in the path and query, decoding percent escapes
/// (up to three layers) and `+`.
pub fn find_in_url(path: &str, query: Option<&str>) -> Option<UrlLeak> {
    [Some(path), query]
        .into_iter()
        .flatten()
        .find_map(|part| find_in_text(&decode_layers(part)))
}

fn find_in_text(text: &str) -> Option<UrlLeak> {
    let mut found: Option<UrlLeak> = None;
    for prefix in PREFIXES {
        let mut from = 0;
        while let Some(at) = text[from..].find(prefix) {
            let start = from + at;
            let body = &text[start + prefix.len()..];
            let symbols = body
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            from = start + prefix.len();
            if symbols < MIN_LEAKED_SYMBOLS {
                continue;
            }
            // The whole run, or a key of the generated length followed by more symbols.
            let run = (start + prefix.len() + symbols).min(start + MAX_KEY_LEN);
            let exact = (start + prefix.len() + RANDOM_LEN + CHECKSUM_LEN).min(run);
            let hash = [run, exact]
                .into_iter()
                .find_map(|end| key::parse(&text[start..end]).ok())
                .map(|k| k.hash());
            if hash.is_some() {
                return Some(UrlLeak { hash });
            }
            found.get_or_insert(UrlLeak { hash: None });
        }
    }
    found
}

/// Percent-decodes (lossily: a broken escape stays as written) until nothing changes,
/// at most three times, with `+` as a space.
fn decode_layers(s: &str) -> String {
    let mut text = s.replace('+', " ");
    for _ in 0..3 {
        if !text.contains('%') {
            break;
        }
        let next = decode_once(&text);
        if next == text {
            break;
        }
        text = next;
    }
    text
}

fn decode_once(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (b[i], b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(v as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::key::tests::test_rng;
    use crate::key::Environment;

    fn sk(seed: u64) -> key::GeneratedKey {
        key::generate(Environment::Prod, KeyKind::Secret, &mut test_rng(seed))
    }

    fn percent_all(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }

    #[test]
    fn a_secret_key_anywhere_in_the_url_is_found_with_its_hash() {
        let k = sk(1);
        let p = &k.plaintext;
        let cases = [
            ("/v1/health".to_owned(), Some(format!("key={p}"))),
            ("/v1/health".to_owned(), Some(p.clone())),
            ("/v1/health".to_owned(), Some(format!("{p}=1&x=2"))),
            (
                "/v1/health".to_owned(),
                Some(format!("a=1&note=see+{p}+now")),
            ),
            (format!("/v1/customers/{p}/coins"), None),
            (format!("/nope/{p}"), None),
            (format!("/v1/admin/keys/{}", percent_all(p)), None),
            (
                "/v1/widget".to_owned(),
                Some(format!("x={}", percent_all(&percent_all(p)))),
            ),
        ];
        for (path, query) in cases {
            let leak = find_in_url(&path, query.as_deref())
                .unwrap_or_else(|| panic!("missed {path} ? {query:?}"));
            assert_eq!(leak.hash, Some(k.hash), "{path} ? {query:?}");
        }
    }

    #[test]
    fn a_truncated_secret_key_is_a_leak_without_a_hash() {
        let k = sk(2);
        let cut = &k.plaintext[..20];
        assert_eq!(
            find_in_url("/v1/health", Some(&format!("q={cut}"))),
            Some(UrlLeak { hash: None })
        );
        // Symbols glued to the end do not hide the key from the exposure log.
        let glued = format!("q={}abc", k.plaintext);
        assert_eq!(
            find_in_url("/v1/health", Some(&glued)).and_then(|l| l.hash),
            Some(k.hash)
        );
    }

    #[test]
    fn eight_symbols_after_the_prefix_are_a_leak_seven_are_not() {
        assert_eq!(
            find_in_url("/v1/customers/test_sk_abcdefgh/coins", None),
            Some(UrlLeak { hash: None })
        );
        assert_eq!(
            find_in_url("/v1/customers/test_sk_abcdefg/coins", None),
            None
        );
    }

    #[test]
    fn a_broken_escape_stays_as_written_and_does_not_hide_what_follows() {
        let k = sk(7);
        // "%%70…": the first `%` is not an escape; "%70" is `p`.
        let text = format!("x=%%70{}", &k.plaintext[1..]);
        assert_eq!(
            find_in_url("/v1/health", Some(&text)).and_then(|l| l.hash),
            Some(k.hash)
        );
    }

    #[test]
    fn publishable_keys_and_short_look_alikes_are_not_leaks() {
        let pk = key::generate(Environment::Test, KeyKind::Publishable, &mut test_rng(3));
        assert_eq!(
            find_in_url(
                "/v1/widget",
                Some(&format!("ws=ws_demo&key={}", pk.plaintext))
            ),
            None
        );
        assert_eq!(find_in_url("/v1/customers/test_sk_1/coins", None), None);
        assert_eq!(
            find_in_url("/v1/customers/ada/coins", Some("limit=10")),
            None
        );
        assert_eq!(find_in_url("/v1/x%zz%", Some("%")), None);
    }

    #[test]
    fn a_secret_key_in_the_header_from_a_browser_is_refused_before_routing() {
        let k = sk(4);
        let auth = format!("Bearer {}", k.plaintext);
        let browser = [
            BrowserSignals {
                origin: Some(""),
                ..Default::default()
            },
            BrowserSignals {
                origin: Some("null"),
                ..Default::default()
            },
            BrowserSignals {
                sec_fetch_dest: Some("empty"),
                ..Default::default()
            },
        ];
        for signals in browser {
            let s = screen("/v1/health", None, Some(&auth), &signals);
            let (denial, hash) = s.refusal.expect("refused");
            assert_eq!(denial.error.code, ErrorCode::SecretKeyInBrowser);
            assert_eq!(denial.exposure, Some(ExposureKind::Browser));
            assert_eq!(hash, Some(k.hash));
            assert!(s.carries_secret);
        }
        // From a server it passes step 0, but still carries a secret (no CORS).
        let node = BrowserSignals {
            sec_fetch_mode: Some("cors"),
            ..Default::default()
        };
        let s = screen("/v1/openapi.json", None, Some(&auth), &node);
        assert_eq!(s.refusal, None);
        assert!(s.carries_secret);
        // A malformed sk from a browser is refused too, with nothing to record.
        let s = screen(
            "/nope",
            None,
            Some("bearer test_sk_oops"),
            &BrowserSignals {
                origin: Some("https://shop.example"),
                ..Default::default()
            },
        );
        assert_eq!(
            s.refusal.map(|(d, h)| (d.error.code, h)),
            Some((ErrorCode::SecretKeyInBrowser, None))
        );
    }

    #[test]
    fn the_url_is_checked_before_the_header() {
        let k = sk(5);
        let auth = format!("Bearer {}", k.plaintext);
        let s = screen(
            "/v1/health",
            Some(&format!("k={}", k.plaintext)),
            Some(&auth),
            &BrowserSignals {
                origin: Some("https://shop.example"),
                ..Default::default()
            },
        );
        assert_eq!(
            s.refusal.map(|(d, _)| d.error.code),
            Some(ErrorCode::SecretKeyInUrl)
        );
    }

    #[test]
    fn publishable_keys_pass_and_carry_no_secret() {
        let pk = key::generate(Environment::Test, KeyKind::Publishable, &mut test_rng(6));
        let auth = format!("Bearer {}", pk.plaintext);
        let s = screen(
            "/v1/widget",
            None,
            Some(&auth),
            &BrowserSignals {
                origin: Some("https://shop.example"),
                ..Default::default()
            },
        );
        assert_eq!(
            s,
            Screen {
                carries_secret: false,
                refusal: None
            }
        );
    }

    proptest! {
        /// Wherever a secret key is spliced into a URL, and however its bytes are escaped,
        /// step 0 finds it.
        #[test]
        fn a_spliced_secret_key_is_always_found(
            seed in any::<u64>(),
            before in "[a-z/=&]{0,12}",
            after in "[/=&][a-z0-9]{0,12}",
            escape in proptest::collection::vec(any::<bool>(), 46),
            in_query in any::<bool>(),
        ) {
            let k = sk(seed);
            let spliced: String = k.plaintext.bytes().zip(escape.iter().chain(std::iter::repeat(&false)))
                .map(|(b, e)| if *e { format!("%{b:02x}") } else { char::from(b).to_string() })
                .collect();
            let text = format!("{before}{spliced}{after}");
            let leak = if in_query {
                find_in_url("/v1/health", Some(&text))
            } else {
                find_in_url(&format!("/{text}"), None)
            };
            prop_assert_eq!(leak.and_then(|l| l.hash), Some(k.hash));
        }

        /// Arbitrary URLs never panic the scan.
        #[test]
        fn arbitrary_urls_never_panic(path in ".{0,120}", query in proptest::option::of(".{0,120}")) {
            let _ = find_in_url(&path, query.as_deref());
        }
    }
}
