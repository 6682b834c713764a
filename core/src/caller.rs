//! Who is calling: a browser or a server.
//!
//! A request is **from a browser** when it carries an `Origin` header, a `Sec-Fetch-Site`
//! or `Sec-Fetch-Dest` header, or is a CORS preflight. Browsers add these themselves and
//! page scripts cannot remove them. `Sec-Fetch-Mode` alone is *not* a browser signal:
//! Node.js's built-in `fetch` (undici) sends `sec-fetch-mode: cors` from merchants'
//! servers, with no `Origin` and no `Sec-Fetch-Site`, and those calls must keep working.

/// The headers (and method facts) that tell a browser from a server.
///
/// Each field is the raw header value when present. Presence is what counts: an empty
/// `Origin` or `Origin: null` (sandboxed frames, `file:` pages) is still a browser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrowserSignals<'a> {
    /// `Origin`.
    pub origin: Option<&'a str>,
    /// `Sec-Fetch-Site`.
    pub sec_fetch_site: Option<&'a str>,
    /// `Sec-Fetch-Dest`.
    pub sec_fetch_dest: Option<&'a str>,
    /// `Sec-Fetch-Mode`: recorded, but never a browser signal on its own.
    pub sec_fetch_mode: Option<&'a str>,
    /// `OPTIONS` with `Access-Control-Request-Method`: a CORS preflight.
    pub is_preflight: bool,
}

/// The class of caller, as logged and as the verifier decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerClass {
    /// A web browser (any page, any origin, any extension).
    Browser,
    /// Anything else: a merchant's server, curl, a job.
    Server,
}

impl CallerClass {
    /// `browser` or `server`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CallerClass::Browser => "browser",
            CallerClass::Server => "server",
        }
    }
}

impl BrowserSignals<'_> {
    /// Classifies the caller.
    pub fn classify(&self) -> CallerClass {
        if self.origin.is_some()
            || self.sec_fetch_site.is_some()
            || self.sec_fetch_dest.is_some()
            || self.is_preflight
        {
            CallerClass::Browser
        } else {
            CallerClass::Server
        }
    }

    /// True when the browser itself says the request comes from the edge's own origin.
    pub fn is_same_origin(&self) -> bool {
        self.sec_fetch_site == Some("same-origin")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_logs_caller_column_names_the_class() {
        // Read by the dashboard and by anyone exporting the log: stable wire names.
        assert_eq!(CallerClass::Browser.as_str(), "browser");
        assert_eq!(CallerClass::Server.as_str(), "server");
    }

    #[test]
    fn a_plain_server_request_is_a_server() {
        assert_eq!(BrowserSignals::default().classify(), CallerClass::Server);
    }

    #[test]
    fn node_fetch_with_only_sec_fetch_mode_is_a_server() {
        let node = BrowserSignals {
            sec_fetch_mode: Some("cors"),
            ..Default::default()
        };
        assert_eq!(node.classify(), CallerClass::Server);
    }

    #[test]
    fn each_browser_signal_alone_makes_a_browser() {
        let cases = [
            BrowserSignals {
                origin: Some("https://shop.example"),
                ..Default::default()
            },
            BrowserSignals {
                origin: Some("null"),
                ..Default::default()
            },
            BrowserSignals {
                origin: Some(""),
                ..Default::default()
            },
            BrowserSignals {
                sec_fetch_site: Some("cross-site"),
                ..Default::default()
            },
            BrowserSignals {
                sec_fetch_dest: Some("empty"),
                ..Default::default()
            },
            BrowserSignals {
                is_preflight: true,
                ..Default::default()
            },
        ];
        for case in cases {
            assert_eq!(case.classify(), CallerClass::Browser, "{case:?}");
        }
    }
}
