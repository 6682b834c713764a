use yew::prelude::*;

use crate::i18n::{key, Tr};

/// Placeholders in the exact layout of the wallet, while it loads. A plain view function:
/// it has no state, and each component type adds its own lifecycle code to the download.
pub fn skeleton(tr: &Tr) -> Html {
    html! {
        <div class="card" aria-busy="true" aria-label={tr.t(key::LOADING)}>
            <div class="sk" style="height:16px;width:40%"></div>
            <div class="sk" style="height:34px;width:55%"></div>
            <div class="sk" style="height:14px;width:80%"></div>
            <div class="sk" style="height:32px;margin-top:auto"></div>
        </div>
    }
}
