//! Tally's storefront widget: a Yew app, mounted by `www/embed.js` into the Shadow DOM of each
//! `<tally-wallet>` element, showing the shopper's coin balance and referral link with a
//! publishable key and a customer token. It refuses a secret key before any request.
#![allow(unreachable_pub)]

mod api;
mod browser;
pub mod components;
pub mod i18n;
pub mod state;

use wasm_bindgen::prelude::*;
use yew::AppHandle;

use crate::components::wallet::{Config, Wallet as WalletApp};

/// One mounted widget, driven by the loader.
#[wasm_bindgen]
pub struct Wallet {
    handle: Option<AppHandle<WalletApp>>,
}

/// The element's settings, as the loader passes them: one array `[edge, workspace, key,
/// customer token, sign-in text, translator]` (one argument instead of six keeps the
/// generated glue small).
fn config(args: &js_sys::Array) -> Config {
    let arg = |i: u32| args.get(i).as_string().unwrap_or_default();
    Config {
        edge: arg(0).into(),
        workspace: arg(1).into(),
        api_key: arg(2).into(),
        token: arg(3).into(),
        sign_in_text: arg(4).into(),
        tr: i18n::Tr::from_js(args.get(5)),
    }
}

#[wasm_bindgen]
impl Wallet {
    /// Mounts a widget into `root` (an element inside the host's shadow root).
    #[wasm_bindgen(constructor)]
    pub fn new(root: web_sys::Element, args: js_sys::Array) -> Wallet {
        let props = config(&args);
        Wallet {
            handle: Some(yew::Renderer::<WalletApp>::with_root_and_props(root, props).render()),
        }
    }

    /// Follows changed attributes.
    pub fn update(&mut self, args: js_sys::Array) {
        if let Some(h) = self.handle.as_mut() {
            h.update(config(&args));
        }
    }

    /// Unmounts (the element left the page).
    pub fn destroy(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
    }
}
