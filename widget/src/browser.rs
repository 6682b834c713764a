//! The few browser APIs the widget uses, through `js_sys::Reflect` where web-sys would need
//! unstable features or extra bindings: `Intl.NumberFormat`, the Clipboard API, Web Share.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn prop(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn navigator() -> JsValue {
    web_sys::window().map_or(JsValue::UNDEFINED, |w| w.navigator().into())
}

/// `1234` → `1,234` (en) / `1.234` (de) / `1 234` (fr), in the page's locale.
pub fn format_number(n: f64, locale: &str) -> String {
    let locales = Array::of1(&JsValue::from_str(locale));
    let format = js_sys::Intl::NumberFormat::new(&locales, &Object::new()).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(n))
        .ok()
        .and_then(|s| s.as_string())
        // JavaScript's own number formatting: Rust's float formatting would add ~6 KB.
        .unwrap_or_else(|| {
            String::from(
                js_sys::Number::from(n)
                    .to_string_with_radix(10)
                    .unwrap_or_default(),
            )
        })
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
