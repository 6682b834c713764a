use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub text: AttrValue,
    #[prop_or_default]
    pub error: bool,
    /// Shows a retry button when set.
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
}

/// A message in the card's place: signed out, expired, unavailable, misconfigured.
#[function_component]
pub fn Notice(props: &NoticeProps) -> Html {
    let retry = props.on_retry.clone().map(|cb| {
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(()));
        html! { <button type="button" {onclick}>{"Try again"}</button> }
    });
    html! {
        <div class="card">
            <div class={classes!("note", props.error.then_some("err"))} role={props.error.then_some("alert")}>
                <p>{ props.text.clone() }</p>
                { for retry }
            </div>
        </div>
    }
}
