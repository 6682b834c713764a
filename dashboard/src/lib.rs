//! Tally's merchant dashboard: a Yew app served by the Worker at `/dashboard`, talking only to
//! the control plane (`/v1/admin/…`) with the session cookie, the session's CSRF token and,
//! where the route table says so, the member's PIN. Its bodies and answers are
//! `tally_core::wire` types and its rules (which call needs a PIN, what a role may do) come
//! from `tally_core::admin`: nothing here restates the API by hand.
#![allow(unreachable_pub)]

pub mod api;
mod app;
mod components;
mod pages;
pub mod route;
mod session;

use wasm_bindgen::prelude::*;

/// Mounts the app into `<main id="app">`.
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    if let Some(root) = root {
        yew::Renderer::<app::App>::with_root(root).render();
    }
}
