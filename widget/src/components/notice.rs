use yew::prelude::*;

use crate::i18n::{key, Tr};

/// A message in the card's place: signed out, expired, unavailable, misconfigured. `retry`
/// adds a "Try again" button. A plain view function, like `skeleton`.
pub fn notice(text: AttrValue, error: bool, retry: Option<Callback<()>>, tr: &Tr) -> Html {
    let retry = retry.map(|cb| {
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(()));
        html! { <button type="button" {onclick}>{ tr.t(key::RETRY) }</button> }
    });
    html! {
        <div class="card">
            <div class={classes!("note", error.then_some("err"))} role={error.then_some("alert")}>
                <p>{ text }</p>
                { for retry }
            </div>
        </div>
    }
}
