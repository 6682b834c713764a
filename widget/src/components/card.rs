use std::rc::Rc;

use yew::prelude::*;

use crate::components::referral::Referral;
use crate::i18n::{key, Tr};
use crate::state::WalletView;

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub view: Rc<WalletView>,
    pub tr: Tr,
    #[prop_or_default]
    pub refreshing: bool,
}

/// The shopper's wallet: greeting, balance (in the page's locale, in a polite live region),
/// and the referral link.
#[function_component]
pub fn Card(props: &CardProps) -> Html {
    let (view, tr) = (&props.view, &props.tr);
    let greeting = match &view.name {
        Some(n) => tr.get(key::HELLO, 0.0, n),
        None => tr.get(key::HELLO_ANON, 0.0, ""),
    };
    html! {
        <div class="card" aria-busy={props.refreshing.to_string()}>
            <p class="hello">{ greeting }</p>
            <p class="balance" aria-live="polite" aria-atomic="true">
                { tr.n(view.balance) }<small>{ view.label.clone() }</small>
            </p>
            <Referral link={view.link.clone()} reward={view.reward.clone()} joined={tr.get(key::JOINED, view.count, "")} tr={tr.clone()} />
        </div>
    }
}
