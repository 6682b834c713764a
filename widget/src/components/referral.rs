use yew::platform::spawn_local;
use yew::prelude::*;

use crate::browser;

#[derive(Properties, PartialEq)]
pub struct ReferralProps {
    pub link: AttrValue,
    pub reward: AttrValue,
    /// How many friends joined with the link, formatted.
    pub count: AttrValue,
}

/// The referral link with Copy and Share (Web Share where the browser has it, else email).
#[function_component]
pub fn Referral(props: &ReferralProps) -> Html {
    let status = use_state(|| AttrValue::from(""));
    let copy = {
        let (link, status) = (props.link.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let (link, status) = (link.clone(), status.clone());
            spawn_local(async move {
                let ok = browser::copy(&link).await;
                status.set(if ok {
                    "Link copied".into()
                } else {
                    "Copy failed: select the link to copy it".into()
                });
            });
        })
    };
    let share = if browser::can_share() {
        let (link, reward) = (props.link.clone(), props.reward.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            let (link, reward) = (link.clone(), reward.clone());
            spawn_local(async move { browser::share("Join me", &reward, &link).await });
        });
        html! { <button type="button" {onclick}>{"Share"}</button> }
    } else {
        let body = String::from(js_sys::encode_uri_component(
            &[props.reward.as_str(), " ", props.link.as_str()].concat(),
        ));
        let href = ["mailto:?subject=Join%20me&body=", &body].concat();
        html! { <a class="btn" {href}>{"Email"}</a> }
    };
    html! {
        <>
            <p class="reward" title={props.reward.clone()}>
                <b>{ props.count.clone() }{" joined · "}</b>{ props.reward.clone() }
            </p>
            <div class="ref">
                <output aria-label="Your referral link" title={props.link.clone()}>{ props.link.clone() }</output>
                <button type="button" onclick={copy} aria-label="Copy your referral link">{"Copy"}</button>
                { share }
            </div>
            <span class="sr" aria-live="polite">{ (*status).clone() }</span>
        </>
    }
}
