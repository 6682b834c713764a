//! A request's target, read from the URL the platform hands the Worker.
//!
//! workerd gives `request.url` already parsed and serialized by the WHATWG rules (scheme
//! and host lower-cased, default port dropped, path and query percent-encoded, no fragment
//! sent by clients). Parsing that string again with a full URL parser cost more of a widget
//! read's CPU than the verifier's decision, and the pipeline only needs three slices of it:
//! the origin, the path and the query. [`Target::split`] cuts them out of a serialized
//! `http`/`https` URL; its tests hold it to the `url` crate's answers.

/// The parts of a serialized `http(s)` URL the pipeline reads, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    /// `scheme://host[:port]`, as the URL's origin serializes.
    pub origin: &'a str,
    /// The path, percent-encoded as received; `/` at least.
    pub path: &'a str,
    /// The query without its `?`, when the URL has one.
    pub query: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// Splits a serialized `http` or `https` URL; `None` for anything else.
    pub fn split(url: &'a str) -> Option<Self> {
        let scheme_end = if url.starts_with("https://") {
            8
        } else if url.starts_with("http://") {
            7
        } else {
            return None;
        };
        let rest = &url[scheme_end..];
        // The authority ends at the path (special schemes always serialize one), or at a
        // query or fragment.
        let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        // `scheme://user@host`: credentials are not part of the origin, so it would not be
        // one slice of the URL. Such a URL never reaches a Worker from a client (the host
        // comes from the `Host` header): refused rather than copied.
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let origin_end = scheme_end + authority_len;
        let origin = &url[..origin_end];
        let after = &url[origin_end..];
        let fragment = after.find('#').unwrap_or(after.len());
        let after = &after[..fragment];
        let (path, query) = match after.find('?') {
            Some(q) => (&after[..q], Some(&after[q + 1..])),
            None => (after, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Some(Target {
            origin,
            path,
            query,
        })
    }

    /// The query's `name=value` pairs, decoded (`application/x-www-form-urlencoded`).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query.map_or_else(Vec::new, |q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the `url` crate makes of the same URL: origin, path, query.
    fn reference(url: &str) -> Option<(String, String, Option<String>)> {
        let u = url::Url::parse(url).ok()?;
        if !matches!(u.scheme(), "http" | "https") || !u.username().is_empty() {
            return None;
        }
        Some((
            u.origin().ascii_serialization(),
            u.path().to_owned(),
            u.query().map(str::to_owned),
        ))
    }

    fn ours(url: &str) -> Option<(String, String, Option<String>)> {
        Target::split(url).map(|t| {
            (
                t.origin.to_owned(),
                t.path.to_owned(),
                t.query.map(str::to_owned),
            )
        })
    }

    #[test]
    fn splits_what_workerd_hands_a_worker() {
        let t = Target::split("https://tally.example/v1/widget?ws=ws_1&key=pk&v=").unwrap();
        assert_eq!(t.origin, "https://tally.example");
        assert_eq!(t.path, "/v1/widget");
        assert_eq!(t.query, Some("ws=ws_1&key=pk&v="));
        let t = Target::split("http://127.0.0.1:8787/v1/health").unwrap();
        assert_eq!(t.origin, "http://127.0.0.1:8787");
        assert_eq!((t.path, t.query), ("/v1/health", None));
    }

    #[test]
    fn an_empty_query_is_there_and_a_fragment_is_not_part_of_it() {
        let t = Target::split("https://a.example/x?#frag").unwrap();
        assert_eq!((t.path, t.query), ("/x", Some("")));
        let t = Target::split("https://a.example/x?a=1#f?b=2").unwrap();
        assert_eq!(t.query, Some("a=1"));
        let t = Target::split("https://a.example").unwrap();
        assert_eq!((t.origin, t.path), ("https://a.example", "/"));
    }

    #[test]
    fn query_pairs_are_decoded_and_keep_their_order() {
        let t = Target::split("https://a.example/?key=a%2Bb&key=2&x=%20y+z&flag").unwrap();
        let pairs = t.query_pairs();
        let want = [("key", "a+b"), ("key", "2"), ("x", " y z"), ("flag", "")];
        assert_eq!(pairs.len(), want.len());
        for ((k, v), (wk, wv)) in pairs.iter().zip(want) {
            assert_eq!((k.as_str(), v.as_str()), (wk, wv));
        }
        assert!(Target::split("https://a.example/p")
            .unwrap()
            .query_pairs()
            .is_empty());
    }

    #[test]
    fn refuses_what_is_not_an_http_url_with_a_host() {
        for url in [
            "",
            "/v1/health",
            "ftp://a.example/",
            "https://",
            "https:///path",
            "https://user:pw@a.example/",
            "HTTPS://a.example/",
        ] {
            assert_eq!(Target::split(url), None, "{url}");
        }
    }

    proptest! {
        /// On every URL the `url` crate serializes (as workerd does), the split agrees
        /// with the crate's origin, path and query.
        #[test]
        fn agrees_with_the_url_crate(
            scheme in prop::sample::select(vec!["http", "https"]),
            host in "[a-zA-Z0-9.-]{1,20}|\\[::1\\]|[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            port in prop::option::of(0u16..),
            path in "(/[a-zA-Z0-9%._~!$&'()*+,;=:@ ?#-]{0,12}){0,4}",
            tail in "[a-zA-Z0-9%=&+?#/ ]{0,30}",
        ) {
            let port = port.map_or(String::new(), |p| format!(":{p}"));
            let raw = format!("{scheme}://{host}{port}{path}{tail}");
            if let Ok(u) = url::Url::parse(&raw) {
                let serialized = u.as_str();
                prop_assert_eq!(ours(serialized), reference(serialized), "{}", serialized);
            }
        }
    }
}
