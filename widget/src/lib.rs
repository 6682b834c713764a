//! Tally's storefront widget: a Yew app, mounted by `www/embed.js` into the Shadow DOM of each
//! `<tally-wallet>` element, showing the shopper's coin balance and referral link with a
//! publishable key and a customer token. It refuses a secret key before any request.
#![allow(unreachable_pub)]

mod api;
mod browser;
pub mod components;
pub mod state;
mod style;

use wasm_bindgen::prelude::*;
use yew::AppHandle;

use crate::components::wallet::{Config, Wallet as WalletApp};

/// One mounted widget, driven by the loader.
#[wasm_bindgen]
pub struct Wallet {
    handle: Option<AppHandle<WalletApp>>,
}

#[allow(clippy::too_many_arguments)]
fn config(
    edge: String,
    workspace: String,
    key: String,
    token: String,
    sign_in_text: String,
    locale: String,
) -> Config {
    Config {
        edge: edge.into(),
        workspace: workspace.into(),
        api_key: key.into(),
        token: token.into(),
        sign_in_text: if sign_in_text.is_empty() {
            "Sign in to see your coins and your referral link.".into()
        } else {
            sign_in_text.into()
        },
        locale: if locale.is_empty() {
            "en".into()
        } else {
            locale.into()
        },
    }
}

#[wasm_bindgen]
impl Wallet {
    /// Mounts a widget into `root` (an element inside the host's shadow root).
    #[wasm_bindgen(constructor)]
    pub fn new(
        root: web_sys::Element,
        edge: String,
        workspace: String,
        key: String,
        token: String,
        sign_in_text: String,
        locale: String,
    ) -> Wallet {
        let props = config(edge, workspace, key, token, sign_in_text, locale);
        Wallet {
            handle: Some(yew::Renderer::<WalletApp>::with_root_and_props(root, props).render()),
        }
    }

    /// Follows changed attributes.
    pub fn update(
        &mut self,
        edge: String,
        workspace: String,
        key: String,
        token: String,
        sign_in_text: String,
        locale: String,
    ) {
        if let Some(h) = self.handle.as_mut() {
            h.update(config(edge, workspace, key, token, sign_in_text, locale));
        }
    }

    /// Unmounts (the element left the page).
    pub fn destroy(&mut self) {
        if let Some(h) = self.handle.take() {
            h.destroy();
        }
    }
}
