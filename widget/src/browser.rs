//! The few browser APIs the widget uses, through `js_sys::Reflect` where web-sys would need
//! unstable features or extra bindings: the Clipboard API, Web Share.

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn prop(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn navigator() -> JsValue {
    web_sys::window().map_or(JsValue::UNDEFINED, |w| w.navigator().into())
}

/// Copies `text` with the Clipboard API. `false` when unavailable or refused.
pub async fn copy(text: &str) -> bool {
    let clipboard = prop(&navigator(), "clipboard");
    let Ok(write) = prop(&clipboard, "writeText").dyn_into::<Function>() else {
        return false;
    };
    match write
        .call1(&clipboard, &JsValue::from_str(text))
        .map(Promise::from)
    {
        Ok(p) => JsFuture::from(p).await.is_ok(),
        Err(_) => false,
    }
}

/// True when the Web Share API is there.
pub fn can_share() -> bool {
    prop(&navigator(), "share").is_function()
}

/// Opens the system share sheet.
pub async fn share(title: &str, text: &str, url: &str) {
    let nav = navigator();
    let Ok(share) = prop(&nav, "share").dyn_into::<Function>() else {
        return;
    };
    let data = Object::new();
    for (k, v) in [("title", title), ("text", text), ("url", url)] {
        let _ = Reflect::set(&data, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    if let Ok(p) = share.call1(&nav, &data) {
        // The shopper may cancel; nothing to do either way.
        let _ = JsFuture::from(Promise::from(p)).await;
    }
}

/// Logs an error for the merchant in the console.
pub fn console_error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(msg));
}
