//! The shopper's language. The loader (`www/embed.js`) resolves it (the element's `locale`,
//! the nearest `lang`, `<html lang>`, the browser's, English), loads that language's strings
//! and hands the widget one function, `t(key, n, name)`, that picks the plural form with
//! `Intl.PluralRules` and formats numbers with `Intl.NumberFormat`. The wasm keeps no strings
//! and no formatting code of its own: every language costs the English page nothing.

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};
use yew::AttrValue;

/// The strings, by their place in `widget/i18n/en.json` (the loader sends catalogs as arrays
/// in that order, so no key name travels in either file). A test holds the two in step.
pub mod key {
    pub const SIGN_IN: u8 = 0;
    pub const EXPIRED: u8 = 1;
    pub const FAILED: u8 = 2;
    pub const RETRY: u8 = 3;
    pub const BROKEN: u8 = 4;
    pub const REGION: u8 = 5;
    pub const LOADING: u8 = 6;
    pub const HELLO: u8 = 7;
    pub const HELLO_ANON: u8 = 8;
    pub const JOINED: u8 = 9;
    pub const LINK_LABEL: u8 = 10;
    pub const COPY: u8 = 11;
    pub const COPY_LABEL: u8 = 12;
    pub const COPIED: u8 = 13;
    pub const COPY_FAILED: u8 = 14;
    pub const SHARE: u8 = 15;
    pub const EMAIL: u8 = 16;
    pub const JOIN_ME: u8 = 17;
    pub const CASHBACK: u8 = 18;
    pub const STAMPS_LEFT: u8 = 19;
    pub const STAMPS_FULL: u8 = 20;
    pub const STAMPS_OF: u8 = 21;
    /// Not a string: an amount of money, `n` minor units, `name` the currency and its
    /// exponent (`EUR2`), through `Intl.NumberFormat` with exactly that many decimals.
    pub const MONEY: u8 = 254;
    /// Not a string: a number in the shopper's locale.
    pub const NUMBER: u8 = 255;

    /// Every key's name in `en.json`, in order.
    pub const NAMES: [&str; 22] = [
        "signIn",
        "expired",
        "failed",
        "retry",
        "broken",
        "region",
        "loading",
        "hello",
        "helloAnon",
        "joined",
        "linkLabel",
        "copy",
        "copyLabel",
        "copied",
        "copyFailed",
        "share",
        "email",
        "joinMe",
        "cashback",
        "stampsLeft",
        "stampsFull",
        "stampsOf",
    ];
}

/// The loader's translator.
#[derive(Clone, PartialEq, Debug)]
pub struct Tr(pub Function);

impl Tr {
    /// From the loader's argument. Calling a value that is not a function fails, and a
    /// failed call is an empty string (never a panic).
    pub fn from_js(v: JsValue) -> Tr {
        Tr(v.unchecked_into())
    }

    /// String `key` (see [`key`]); `n` picks the plural form and fills `{n}`, `name` fills
    /// `{name}`. Not inlined: one copy of the call serves every string of the widget.
    #[inline(never)]
    pub fn get(&self, key: u8, n: f64, name: &str) -> String {
        self.0
            .call3(
                &JsValue::NULL,
                &JsValue::from(key),
                &JsValue::from_f64(n),
                &JsValue::from_str(name),
            )
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    /// String `key`.
    #[inline(never)]
    pub fn t(&self, key: u8) -> AttrValue {
        self.get(key, 0.0, "").into()
    }

    /// A number in the shopper's locale: `1,250`, `1.250`, `١٬٢٥٠`.
    pub fn n(&self, n: f64) -> String {
        self.get(key::NUMBER, n, "")
    }
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn the_keys_are_the_english_catalogs_in_order() {
        let en = include_str!("../i18n/en.json");
        let mut at = 0;
        for (i, name) in key::NAMES.iter().enumerate() {
            let quoted = format!("\"{name}\":");
            let found = en[at..].find(&quoted).map(|p| p + at);
            assert!(
                found.is_some(),
                "{name} is key {i} of en.json, in this order"
            );
            at = found.unwrap_or(at);
        }
        assert_eq!(
            en.matches("\":").count()
                - en.matches("\"one\":").count()
                - en.matches("\"other\":").count(),
            key::NAMES.len()
        );
        let consts = [
            key::SIGN_IN,
            key::EXPIRED,
            key::FAILED,
            key::RETRY,
            key::BROKEN,
            key::REGION,
            key::LOADING,
            key::HELLO,
            key::HELLO_ANON,
            key::JOINED,
            key::LINK_LABEL,
            key::COPY,
            key::COPY_LABEL,
            key::COPIED,
            key::COPY_FAILED,
            key::SHARE,
            key::EMAIL,
            key::JOIN_ME,
            key::CASHBACK,
            key::STAMPS_LEFT,
            key::STAMPS_FULL,
            key::STAMPS_OF,
        ];
        for (i, c) in consts.iter().enumerate() {
            assert_eq!(usize::from(*c), i);
        }
    }
}
