use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;
use crate::i18n::{key, Tr};

#[derive(Properties, PartialEq)]
pub struct ReferralProps {
    pub link: AttrValue,
    pub reward: AttrValue,
    /// How many friends joined with the link, in words; none when a stamp card takes the
    /// line.
    pub joined: Option<String>,
    /// The shopper's language.
    pub tr: Tr,
}

/// The referral link with Copy and Share (Web Share where the browser has it, else email).
#[function_component]
pub fn Referral(props: &ReferralProps) -> Html {
    let tr = &props.tr;
    let status = use_state(|| AttrValue::from(""));
    let copy = {
        let (link, status, tr) = (props.link.clone(), status.clone(), tr.clone());
        Callback::from(move |_: MouseEvent| {
            let (link, status, tr) = (link.clone(), status.clone(), tr.clone());
            spawn_local(async move {
                let ok = browser::copy(&link).await;
                status.set(tr.t(if ok { key::COPIED } else { key::COPY_FAILED }));
            });
        })
    };
    let join_me = tr.t(key::JOIN_ME);
    let share = if browser::can_share() {
        let (link, reward) = (props.link.clone(), props.reward.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let (link, reward, title) = (link.clone(), reward.clone(), join_me.clone());
            spawn_local(async move { browser::share(&title, &reward, &link).await });
        });
        html! { <button type="button" {onclick}>{ tr.t(key::SHARE) }</button> }
    } else {
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        let body = enc(&[props.reward.as_str(), " ", props.link.as_str()].concat());
        let href = ["mailto:?subject=", &enc(&join_me), "&body=", &body].concat();
        html! { <a class="btn" {href}>{ tr.t(key::EMAIL) }</a> }
    };
    html! {
        <>
            if let Some(joined) = props.joined.clone() {
                <p class="reward" title={props.reward.clone()}>
                    <b>{ joined }{" · "}</b>{ props.reward.clone() }
                </p>
            }
            <div class="ref">
                // The link reads left to right in every language.
                <output dir="ltr" aria-label={tr.t(key::LINK_LABEL)} title={props.link.clone()}>{ props.link.clone() }</output>
                <button type="button" onclick={copy} aria-label={tr.t(key::COPY_LABEL)}>{ tr.t(key::COPY) }</button>
                { share }
            </div>
            <span class="sr" aria-live="polite">{ (*status).clone() }</span>
        </>
    }
}
