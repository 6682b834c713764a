use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::components::referral::Referral;
use crate::state::WalletView;

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub view: Rc<WalletView>,
    pub locale: AttrValue,
    #[prop_or_default]
    pub refreshing: bool,
}

/// The shopper's wallet: greeting, balance (in the page's locale, in a polite live region),
/// and the referral link.
#[function_component]
pub fn Card(props: &CardProps) -> Html {
    let view = &props.view;
    let greeting = match &view.name {
        Some(n) => ["Hi ", n, ", you have"].concat(),
        None => "You have".to_owned(),
    };
    html! {
        <div class="card" aria-busy={props.refreshing.to_string()}>
            <p class="hello">{ greeting }</p>
            <p class="balance" aria-live="polite" aria-atomic="true">
                { browser::format_number(view.balance, &props.locale) }<small>{ view.label.clone() }</small>
            </p>
            <Referral link={view.link.clone()} reward={view.reward.clone()} count={browser::format_number(view.count, &props.locale)} />
        </div>
    }
}
