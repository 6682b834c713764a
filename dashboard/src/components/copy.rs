//! A copy button: `navigator.clipboard.writeText`, and "Copied" said in a polite live region
//! outside the button (so screen readers hear it), cleared after two seconds.

use wasm_bindgen_futures::JsFuture;
use yew::platform::spawn_local;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyProps {
    /// What is copied.
    pub text: AttrValue,
    /// What the button says to assistive technology, e.g. "Copy the workspace ID".
    pub label: AttrValue,
}

#[function_component]
pub fn CopyButton(props: &CopyProps) -> Html {
    let said = use_state(|| AttrValue::from(""));
    let onclick = {
        let (text, said) = (props.text.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let (text, said) = (text.clone(), said.clone());
            spawn_local(async move {
                let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
                let ok = match clipboard {
                    Some(c) => JsFuture::from(c.write_text(&text)).await.is_ok(),
                    None => false,
                };
                said.set(if ok {
                    "Copied".into()
                } else {
                    "Copy failed: select the text and press Ctrl+C".into()
                });
                let said = said.clone();
                yew::platform::time::sleep(std::time::Duration::from_secs(2)).await;
                said.set("".into());
            });
        })
    };
    html! {
        <>
            <button type="button" class="secondary" aria-label={props.label.clone()} {onclick}>{ "Copy" }</button>
            <span class="sr-only" role="status" aria-live="polite">{ (*said).clone() }</span>
        </>
    }
}
