//! Component tests in headless Chromium (wasm-bindgen-test): the widget's states, locale
//! formatting and the copy button, rendered by Yew into a real DOM.
//! Run by `make unit` (scripts/widget-tests.sh).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use std::rc::Rc;

use tally_widget::components::card::{Card, CardProps};
use tally_widget::components::wallet::{Config, Wallet};
use tally_widget::i18n::Tr;
use tally_widget::state::{Stamps, WalletView};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn root() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// Waits (up to 3 s) for `selector` to appear under `root`.
async fn find(root: &web_sys::Element, selector: &str) -> web_sys::Element {
    for _ in 0..150 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el;
        }
        sleep(20).await;
    }
    panic!("{selector} never appeared; DOM: {}", root.inner_html());
}

/// A translator like the loader's (`www/embed.js`), over the real English or German strings,
/// asked by index in the order of en.json.
fn tr(locale: &str) -> Tr {
    let en = include_str!("../i18n/en.json");
    let strings = match locale {
        "de" => include_str!("../i18n/de.json"),
        _ => en,
    };
    let body = format!(
        "const keys = Object.keys({en}); const s = {strings};
         if (k === 254) {{ const d = +name[3]; return new Intl.NumberFormat('{locale}', {{ style: 'currency', currency: name.slice(0, 3), minimumFractionDigits: d, maximumFractionDigits: d }}).format(n / 10 ** d); }}
         let v = k === 255 ? '{{n}}' : s[keys[k]];
         if (typeof v === 'object') v = v[new Intl.PluralRules('{locale}').select(n)] ?? v.other;
         return v.replace('{{n}}', new Intl.NumberFormat('{locale}').format(n)).replace('{{name}}', () => name);"
    );
    Tr(js_sys::Function::new_with_args("k, n, name", &body))
}

fn view(balance: f64) -> Rc<WalletView> {
    Rc::new(WalletView {
        name: Some("Ada".into()),
        balance,
        label: "coins".into(),
        code: "7B6B37QQJM".into(),
        link: "https://shop.example/?ref=7B6B37QQJM".into(),
        count: 2.0,
        reward: "Earn 50 coins per friend".into(),
        cashback: None,
        stamps: None,
    })
}

fn config(key: &str, token: &str) -> Config {
    Config {
        edge: "http://127.0.0.1:9".into(),
        workspace: "ws_demo".into(),
        api_key: key.to_owned().into(),
        token: token.to_owned().into(),
        sign_in_text: "Log in to see your coins".into(),
        tr: tr("en"),
    }
}

/// Counts `fetch` calls from here on.
fn count_fetches() {
    js_sys::eval(
        "if (!window.__realFetch) { window.__realFetch = window.fetch; } window.__fetches = [];
         window.fetch = (...a) => { window.__fetches.push(String(a[0])); return window.__realFetch(...a); };",
    )
    .unwrap();
}

fn fetches() -> u32 {
    js_sys::eval("window.__fetches.length")
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

#[wasm_bindgen_test]
async fn the_balance_is_formatted_in_the_shoppers_language_in_a_live_region() {
    for (locale, expected, hello, joined) in [
        ("en", "1,234,567", "Hi Ada", "2 friends joined"),
        ("de", "1.234.567", "Hallo Ada", "2 Freunde dabei"),
    ] {
        let r = root();
        let props = CardProps {
            view: view(1_234_567.0),
            tr: tr(locale),
            refreshing: false,
        };
        yew::Renderer::<Card>::with_root_and_props(r.clone(), props).render();
        let balance = find(&r, ".balance").await;
        let text = balance.text_content().unwrap();
        assert!(text.starts_with(expected), "{locale}: {text}");
        assert!(text.ends_with("coins"));
        assert_eq!(
            balance.get_attribute("aria-live").as_deref(),
            Some("polite")
        );
        let all = r.text_content().unwrap();
        assert!(all.contains(hello), "{all}");
        assert!(all.contains(joined), "the referral count is shown: {all}");
        let link = r.query_selector("output").unwrap().unwrap();
        assert_eq!(link.get_attribute("dir").as_deref(), Some("ltr"));
        assert!(
            all.contains("Earn 50 coins per friend"),
            "the reward text is shown: {all}"
        );
    }
}

#[wasm_bindgen_test]
async fn stamps_and_cashback_are_shown_in_the_shoppers_language_within_the_same_card() {
    for (locale, money, left) in [
        ("en", "€12.50 cashback", "A free coffee in 2 more stamps"),
        (
            "de",
            "12,50\u{a0}€ Cashback",
            "A free coffee in noch 2 Stempeln",
        ),
    ] {
        let r = root();
        let mut v = (*view(1_250.0)).clone();
        v.cashback = Some((1250.0, "EUR2".into()));
        v.stamps = Some(Stamps {
            count: 4.0,
            required: 6.0,
            reward: "A free coffee".into(),
        });
        let props = CardProps {
            view: Rc::new(v),
            tr: tr(locale),
            refreshing: false,
        };
        yew::Renderer::<Card>::with_root_and_props(r.clone(), props).render();
        let balance = find(&r, ".balance").await.text_content().unwrap();
        assert!(balance.ends_with(money), "{locale}: {balance}");
        let stamps = find(&r, ".stamps").await;
        assert_eq!(stamps.query_selector_all("i").unwrap().length(), 6);
        assert_eq!(stamps.query_selector_all("i.f").unwrap().length(), 4);
        let text = stamps.text_content().unwrap();
        assert!(text.ends_with(left), "{locale}: {text}");
        // Read as words, not dots: the dots are hidden from screen readers.
        let sr = stamps
            .query_selector(".sr")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        assert!(sr.contains('4') && sr.contains('6'), "{sr}");
        assert!(
            r.query_selector(".reward").unwrap().is_none(),
            "the stamp card takes the referral count's line"
        );
    }
}

#[wasm_bindgen_test]
async fn the_copy_button_copies_the_link_and_announces_it() {
    // Record what is written (a test page may not be granted the real clipboard).
    js_sys::eval(
        "window.__copied = []; Object.defineProperty(navigator, 'clipboard', { configurable: true,
           value: { writeText: (t) => { window.__copied.push(t); return Promise.resolve(); } } });",
    )
    .unwrap();
    let r = root();
    let props = CardProps {
        view: view(10.0),
        tr: tr("en"),
        refreshing: false,
    };
    yew::Renderer::<Card>::with_root_and_props(r.clone(), props).render();
    let button = find(&r, "button[aria-label='Copy your referral link']").await;
    button.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    sleep(50).await;
    let copied = js_sys::eval("window.__copied[0]").unwrap().as_string();
    assert_eq!(
        copied.as_deref(),
        Some("https://shop.example/?ref=7B6B37QQJM")
    );
    let status = r
        .query_selector("[aria-live=polite].sr")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(status, "Link copied");
}

#[wasm_bindgen_test]
async fn a_secret_key_is_refused_before_any_request() {
    count_fetches();
    let r = root();
    // Shaped like a secret key (built here so no key-shaped literal is committed).
    let key = &["test", "sk", &"0".repeat(40)].join("_");
    yew::Renderer::<Wallet>::with_root_and_props(
        r.clone(),
        config(key, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
    )
    .render();
    let err = find(&r, ".err").await;
    assert!(err.text_content().unwrap().contains("not set up correctly"));
    sleep(50).await;
    assert_eq!(fetches(), 0, "nothing was sent");
}

#[wasm_bindgen_test]
async fn without_a_customer_token_the_sign_in_text_is_shown_and_nothing_is_fetched() {
    count_fetches();
    let r = root();
    let key = "test_pk_0000000000000000000000000000000000000000";
    yew::Renderer::<Wallet>::with_root_and_props(r.clone(), config(key, "")).render();
    let note = find(&r, ".note").await;
    assert!(note
        .text_content()
        .unwrap()
        .contains("Log in to see your coins"));
    assert_eq!(fetches(), 0);
}

#[wasm_bindgen_test]
async fn an_unreachable_edge_shows_a_retry_button_that_asks_again() {
    count_fetches();
    let r = root();
    let key = "test_pk_0000000000000000000000000000000000000000";
    yew::Renderer::<Wallet>::with_root_and_props(
        r.clone(),
        config(key, "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"),
    )
    .render();
    let retry = find(&r, ".note button").await;
    assert_eq!(retry.text_content().as_deref(), Some("Try again"));
    let first = fetches();
    assert_eq!(first, 1, "one request per load");
    assert!(js_sys::eval("window.__fetches[0]")
        .unwrap()
        .as_string()
        .unwrap()
        .contains("/v1/widget?ws=ws_demo&key=test_pk_"));
    retry.dyn_into::<web_sys::HtmlElement>().unwrap().click();
    sleep(100).await;
    assert_eq!(fetches(), 2, "retry asks again");
}
