//! The one way pages open a dialog: what it is about to do (the intent), the `<dialog>` it
//! shows modally, and what happens when it is done (the intent cleared, the page's list
//! loaded again).

use web_sys::HtmlDialogElement;
use yew::prelude::*;

/// A page's dialog.
pub struct Modal<I: 'static> {
    /// The `<dialog>` element.
    pub node: NodeRef,
    /// What it is doing, while open.
    pub intent: UseStateHandle<Option<I>>,
    /// Opens it for an intent.
    pub open: Callback<I>,
    /// Closes the matter: clears the intent and bumps `generation` (the page reloads).
    pub done: Callback<()>,
}

/// A dialog whose completion reloads what `generation` keys.
#[hook]
pub fn use_modal<I: Clone + 'static>(generation: &UseStateHandle<u32>) -> Modal<I> {
    let node = use_node_ref();
    let intent = use_state(|| None::<I>);
    let open = {
        let (intent, node) = (intent.clone(), node.clone());
        Callback::from(move |i: I| {
            intent.set(Some(i));
            if let Some(d) = node.cast::<HtmlDialogElement>() {
                let _ = d.show_modal();
            }
        })
    };
    let done = {
        let (intent, generation) = (intent.clone(), generation.clone());
        Callback::from(move |()| {
            intent.set(None);
            generation.set(generation.wrapping_add(1));
        })
    };
    Modal {
        node,
        intent,
        open,
        done,
    }
}

/// Closes a `<dialog>`.
pub fn close(node: &NodeRef) {
    if let Some(d) = node.cast::<HtmlDialogElement>() {
        d.close();
    }
}
