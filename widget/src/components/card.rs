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

/// The shopper's wallet: greeting, balance (in the page's locale, in a polite live region)
/// with cashback beside it, a stamp card's progress, and the referral link.
#[function_component]
pub fn Card(props: &CardProps) -> Html {
    let (view, tr) = (&props.view, &props.tr);
    let greeting = match &view.name {
        Some(n) => tr.get(key::HELLO, 0.0, n),
        None => tr.get(key::HELLO_ANON, 0.0, ""),
    };
    let cashback = view.cashback.as_ref().map(|(minor, currency)| {
        html! { <small>{ " · " }{ tr.get(key::MONEY, *minor, currency) }{ " " }{ tr.t(key::CASHBACK) }</small> }
    });
    // The card keeps its height in every case: a stamp card takes the referral's reward line.
    let stamps = view.stamps.as_ref().map(|st| {
        let text = if st.count >= st.required {
            tr.get(key::STAMPS_FULL, 0.0, &st.reward)
        } else {
            tr.get(key::STAMPS_LEFT, st.required - st.count, &st.reward)
        };
        let dots = (0..st.required as u32).map(|i| {
            html! { <i class={(f64::from(i) < st.count).then_some("f")}></i> }
        });
        html! {
            <p class="stamps" aria-live="polite" aria-atomic="true">
                <span aria-hidden="true">{ for dots }</span>
                <span class="sr">{ tr.get(key::STAMPS_OF, st.count, &tr.n(st.required)) }{ ". " }</span>
                { text }
            </p>
        }
    });
    let joined = view
        .stamps
        .is_none()
        .then(|| tr.get(key::JOINED, view.count, ""));
    html! {
        <div class="card" aria-busy={props.refreshing.to_string()}>
            <p class="hello">{ greeting }</p>
            <p class="balance" aria-live="polite" aria-atomic="true">
                { tr.n(view.balance) }<small>{ view.label.clone() }</small>{ cashback }
            </p>
            { stamps }
            <Referral link={view.link.clone()} reward={view.reward.clone()} {joined} tr={tr.clone()} />
        </div>
    }
}
