//! Integration (seed 004): the storefront snippet with a publishable key filled in, a live
//! preview of the widget for a test shopper, and the server-side snippets (customer tokens,
//! coins credited and debited) in Node.js, Python, PHP, Rust and curl. The snippets are the
//! files in `dashboard/snippets/`, shown as they are: `tests/e2e/snippets.rs` runs the same
//! files against the Worker. They are fetched when this page opens (one content-hashed JSON
//! file the page's `tally-snippets` meta tag names), not carried in every dashboard load.

use tally_core::admin::{Action, AdminOp};
use tally_core::key::{self, Environment, KeyKind};
use tally_core::wire::{CustomerTokenResponse, PreviewTokenRequest};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::explain;
use crate::api::{self, Guard};
use crate::components::copy::CopyButton;
use crate::session::{may, use_session, SnippetKeyCtx};

/// The server-side snippets: label, file name, how to run it, the file in `dashboard/snippets/`.
pub const SNIPPETS: [(&str, &str, &str, &str); 5] = [
    (
        "Node.js",
        "tally.mjs",
        "npm install jsonwebtoken && node tally.mjs cus_123 order-1042",
        "tally.mjs",
    ),
    (
        "Python",
        "tally.py",
        "pip install PyJWT && python tally.py cus_123 order-1042",
        "tally.py",
    ),
    (
        "PHP",
        "tally.php",
        "php tally.php cus_123 order-1042",
        "tally.php",
    ),
    (
        "Rust",
        "src/main.rs",
        "cargo run -- cus_123 order-1042",
        "tally.rs",
    ),
    (
        "curl",
        "tally.sh",
        "bash tally.sh cus_123 order-1042",
        "tally.sh",
    ),
];

/// The snippets file, as `scripts/assets.mjs` named it in the page.
fn snippets_url() -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector("meta[name=tally-snippets]")
        .ok()??
        .get_attribute("content")
}

/// The snippets (`{"tally.mjs": "…", …}`), parsed by the browser; `None` while loading,
/// `Err` when they could not be fetched.
#[hook]
fn use_snippets() -> Option<Result<js_sys::Object, ()>> {
    let snippets = use_state(|| None::<Result<js_sys::Object, ()>>);
    {
        let snippets = snippets.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                let fetched = async {
                    let url = snippets_url()?;
                    let r = gloo_net::http::Request::get(&url).send().await.ok()?;
                    let text = r.text().await.ok().filter(|_| r.ok())?;
                    js_sys::JSON::parse(&text)
                        .ok()?
                        .dyn_into::<js_sys::Object>()
                        .ok()
                };
                snippets.set(Some(fetched.await.ok_or(())));
            });
        });
    }
    (*snippets).clone()
}

/// One snippet's text from the fetched file.
fn snippet(all: &js_sys::Object, file: &str) -> String {
    js_sys::Reflect::get(all, &file.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// What the key field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyCheck {
    /// Nothing yet.
    Empty,
    /// A publishable key of this environment.
    Publishable(Environment),
    /// A secret key: it must never go in a page.
    Secret,
    /// Not a Tally key (or mistyped: the checksum catches it).
    Invalid,
}

/// Checks a pasted key the way the edge will: format and checksum, then its kind.
pub fn check_key(text: &str) -> KeyCheck {
    let text = text.trim();
    if text.is_empty() {
        return KeyCheck::Empty;
    }
    match key::parse(text) {
        Ok(k) if k.kind == KeyKind::Publishable => KeyCheck::Publishable(k.env),
        Ok(_) => KeyCheck::Secret,
        Err(_) if key::claimed_kind(text) == Some(KeyKind::Secret) => KeyCheck::Secret,
        Err(_) => KeyCheck::Invalid,
    }
}

/// The storefront snippet: the loader once per page, the element where the wallet goes.
pub fn storefront_snippet(origin: &str, workspace_id: &str, key: &str) -> String {
    format!(
        "<script async type=\"module\" src=\"{origin}/embed.js\"></script>\n\n\
         <tally-wallet\n  workspace=\"{workspace_id}\"\n  key=\"{key}\"\n  customer-token=\"CUSTOMER_TOKEN_FROM_YOUR_SERVER\"\n></tally-wallet>"
    )
}

/// The environment the server snippets read.
pub fn env_block(origin: &str, workspace_id: &str) -> String {
    format!(
        "TALLY_URL={origin}\nTALLY_WORKSPACE_ID={workspace_id}\n\
         TALLY_SECRET_KEY=test_sk_...        # a secret key from API keys: server only\n\
         TALLY_IDENTITY_SECRET=...           # from Identity secret, as shown"
    )
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

#[function_component]
pub fn Integration() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let handed = use_context::<SnippetKeyCtx>();
    let key = use_state(|| {
        handed
            .as_ref()
            .and_then(|h| (**h).clone())
            .map(|k| k.to_string())
            .unwrap_or_default()
    });
    let lang = use_state(|| 0usize);
    let snippets = use_snippets();
    let origin = origin();
    let ws = session.workspace.id.clone();
    let checked = check_key(&key);
    let shown_key = match checked {
        KeyCheck::Publishable(_) => key.trim().to_owned(),
        _ => "YOUR_PUBLISHABLE_KEY".to_owned(),
    };
    let oninput = {
        let key = key.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                key.set(i.value());
            }
        })
    };
    let verdict = match &checked {
        KeyCheck::Empty => {
            html! { <p class="hint">{ "Paste a publishable key (pk). Create one on the API keys page: its full value is shown once, when it is created." }</p> }
        }
        KeyCheck::Publishable(Environment::Test) => {
            html! { <p class="hint ok" role="status">{ "A test publishable key: filled in below, and the preview uses it." }</p> }
        }
        KeyCheck::Publishable(Environment::Prod) => {
            html! { <p class="hint ok" role="status">{ "A production publishable key: filled in below. The preview shows test shoppers, so it needs a test key." }</p> }
        }
        KeyCheck::Secret => {
            html! { <p class="error" role="alert">{ "That is a secret key. Never put it in a web page: it can change balances. Use a publishable key here, and roll this secret key if it has been anywhere public." }</p> }
        }
        KeyCheck::Invalid => {
            html! { <p class="error" role="alert">{ "That is not a Tally key (or a character is missing): keys look like test_pk_ followed by 38 letters and digits." }</p> }
        }
    };
    let (label, file, run, source) = SNIPPETS[*lang];
    let code = match &snippets {
        None => html! { <p aria-busy="true">{ "Loading the snippets…" }</p> },
        Some(Err(())) => {
            html! { <p class="error" role="alert">{ "The snippets could not be loaded. Reload the page to try again." }</p> }
        }
        Some(Ok(all)) => {
            let code = snippet(all, source);
            html! {
                <div class="code">
                    <pre><code class="snippet" data-lang={label}>{ code.clone() }</code></pre>
                    <CopyButton text={code} label={format!("Copy the {label} snippet")} />
                </div>
            }
        }
    };
    let env_text = env_block(&origin, &ws);
    html! {
        <>
            <h2>{ "1. On your storefront" }</h2>
            <p>{ "Add the loader once per page and the wallet where it should appear. Your server renders each signed-in shopper's customer token into the element (step 2)." }</p>
            <label for="snippet-key">{ "Publishable key" }</label>
            <input id="snippet-key" class="secret" value={(*key).clone()} {oninput} autocomplete="off" spellcheck="false" placeholder="test_pk_…" />
            { verdict }
            <div class="code">
                <pre><code id="storefront-snippet">{ storefront_snippet(&origin, &ws, &shown_key) }</code></pre>
                <CopyButton text={storefront_snippet(&origin, &ws, &shown_key)} label="Copy the storefront snippet" />
            </div>
            <p class="warning" role="note">{ "Only a publishable key belongs in a page. Tally refuses a secret key used from a browser and reports it under Exposures." }</p>
            if may(&session, Action::ViewKeys) {
                <Preview publishable={matches!(checked, KeyCheck::Publishable(Environment::Test)).then(|| AttrValue::from(key.trim().to_owned()))}
                    workspace={AttrValue::from(ws.clone())} csrf={AttrValue::from(session.csrf_token.clone())} />
            }
            <h2>{ "2. On your server" }</h2>
            <p>{ "Mint the shopper's customer token, and credit or debit coins with a secret key. Each snippet reads these settings from its environment:" }</p>
            <div class="code">
                <pre><code>{ env_text.clone() }</code></pre>
                <CopyButton text={env_text} label="Copy the environment settings" />
            </div>
            <div class="langs" role="group" aria-label="Language">
                { for SNIPPETS.iter().enumerate().map(|(i, (name, _, _, _))| {
                    let lang = lang.clone();
                    html! {
                        <button type="button" class={classes!("secondary", (*lang == i).then_some("on"))} aria-pressed={(*lang == i).to_string()}
                            onclick={Callback::from(move |_: MouseEvent| lang.set(i))}>{ *name }</button>
                    }
                }) }
            </div>
            <p class="hint">{ format!("{label}: save as {file}, then ") }<code>{ run }</code></p>
            { code }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct PreviewProps {
    /// A test publishable key, when one is filled in.
    publishable: Option<AttrValue>,
    workspace: AttrValue,
    csrf: AttrValue,
}

/// The real widget, loaded by the real loader, for a test shopper and a ten-minute token the
/// control plane signs with the test identity secret.
#[function_component]
fn Preview(props: &PreviewProps) -> Html {
    let customer = use_node_ref();
    let mount = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let (customer, mount, error, csrf) = (
            customer.clone(),
            mount.clone(),
            error.clone(),
            props.csrf.clone(),
        );
        let (key, workspace) = (props.publishable.clone(), props.workspace.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(key) = key.clone() else { return };
            let id = customer
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let (mount, error, csrf, workspace) = (
                mount.clone(),
                error.clone(),
                csrf.clone(),
                workspace.clone(),
            );
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                let body = PreviewTokenRequest {
                    customer_id: id.trim().to_owned(),
                };
                match api::call::<_, CustomerTokenResponse>(
                    AdminOp::PreviewToken,
                    &[],
                    Some(&body),
                    Some(guard),
                )
                .await
                {
                    Ok(t) => {
                        error.set(None);
                        show_widget(&mount, &workspace, &key, &t.token);
                    }
                    Err(f) => error.set(Some(explain(&f))),
                }
            });
        })
    };
    html! {
        <section class="preview" aria-labelledby="preview-title">
            <h3 id="preview-title">{ "Live preview" }</h3>
            <form class="row" {onsubmit}>
                <label class="sr-only" for="preview-customer">{ "Test shopper's customer id" }</label>
                <input id="preview-customer" ref={customer} required=true maxlength="64" placeholder="Test shopper's customer id, e.g. cus_123" />
                <button type="submit" disabled={props.publishable.is_none()}>{ "Preview" }</button>
            </form>
            if props.publishable.is_none() {
                <p class="hint">{ "Fill in a test publishable key above to preview the widget." }</p>
            }
            <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            <div class="preview-frame" ref={mount}></div>
        </section>
    }
}

/// Puts `<tally-wallet>` into the frame (attributes set one by one, never as markup) and
/// loads the storefront loader once.
fn show_widget(mount: &NodeRef, workspace: &str, key: &str, token: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(frame) = mount.cast::<web_sys::Element>() else {
        return;
    };
    let Ok(wallet) = document.create_element("tally-wallet") else {
        return;
    };
    let _ = wallet.set_attribute("workspace", workspace);
    let _ = wallet.set_attribute("key", key);
    let _ = wallet.set_attribute("customer-token", token);
    frame.set_inner_html("");
    let _ = frame.append_child(&wallet);
    if document.get_element_by_id("tally-embed").is_none() {
        if let (Ok(script), Some(head)) = (document.create_element("script"), document.head()) {
            let _ = script.set_attribute("id", "tally-embed");
            let _ = script.set_attribute("type", "module");
            let _ = script.set_attribute("src", "/embed.js");
            let _ = head.append_child(&script);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::rng::Csprng;

    struct Counter(u8);
    impl Csprng for Counter {
        fn fill(&mut self, buf: &mut [u8]) {
            for b in buf {
                self.0 = self.0.wrapping_add(37);
                *b = self.0;
            }
        }
    }

    #[test]
    fn a_pasted_key_is_checked_like_the_edge_checks_it() {
        let pk = key::generate(Environment::Test, KeyKind::Publishable, &mut Counter(1)).plaintext;
        let sk = key::generate(Environment::Prod, KeyKind::Secret, &mut Counter(2)).plaintext;
        let prod_pk =
            key::generate(Environment::Prod, KeyKind::Publishable, &mut Counter(3)).plaintext;
        assert_eq!(check_key(""), KeyCheck::Empty);
        assert_eq!(
            check_key(&format!(" {pk} ")),
            KeyCheck::Publishable(Environment::Test)
        );
        assert_eq!(
            check_key(&prod_pk),
            KeyCheck::Publishable(Environment::Prod)
        );
        assert_eq!(check_key(&sk), KeyCheck::Secret);
        // A mangled secret key is still called a secret key: it must not go in a page either.
        assert_eq!(check_key(&sk[..sk.len() - 1]), KeyCheck::Secret);
        assert_eq!(
            check_key(&pk[..pk.len() - 1]),
            KeyCheck::Invalid,
            "the checksum catches a missing character"
        );
        assert_eq!(check_key("hello"), KeyCheck::Invalid);
    }

    #[test]
    fn the_storefront_snippet_carries_the_workspace_and_key() {
        let s = storefront_snippet("https://tally.example", "ws_1", "test_pk_x");
        assert!(s.starts_with(
            "<script async type=\"module\" src=\"https://tally.example/embed.js\"></script>"
        ));
        assert!(s.contains("workspace=\"ws_1\"") && s.contains("key=\"test_pk_x\""));
        assert!(s.contains("customer-token="));
    }

    #[test]
    fn every_snippet_reads_the_settings_the_page_lists() {
        let env = env_block("https://tally.example", "ws_1");
        for name in [
            "TALLY_URL",
            "TALLY_WORKSPACE_ID",
            "TALLY_SECRET_KEY",
            "TALLY_IDENTITY_SECRET",
        ] {
            assert!(env.contains(&format!("{name}=")), "{name}");
        }
        for (label, _, _, file) in SNIPPETS {
            let code =
                std::fs::read_to_string(format!("{}/snippets/{file}", env!("CARGO_MANIFEST_DIR")))
                    .expect("the snippet file");
            for name in ["TALLY_URL", "TALLY_WORKSPACE_ID", "TALLY_SECRET_KEY"] {
                assert!(code.contains(name), "{label} reads {name}");
            }
            // Every snippet credits and debits under idempotency keys.
            assert!(code.contains("credit") && code.contains("debit"), "{label}");
            assert!(code.to_lowercase().contains("idempotency"), "{label}");
            // No key or secret is ever written into a snippet.
            assert!(
                !code.contains("test_sk_") && !code.contains("prod_sk_"),
                "{label}"
            );
        }
    }
}
