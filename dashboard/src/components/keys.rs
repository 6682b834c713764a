//! The workspace's keys, for pages that name keys by their name rather than their id (logs,
//! exposures). Loaded only when the member's role may see keys.

use std::rc::Rc;

use tally_core::admin::AdminOp;
use tally_core::wire::{KeyList, KeyView};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

/// The keys (`None` while loading or when the role may not see them).
pub type Keys = Option<Result<Rc<Vec<KeyView>>, Failure>>;

/// Loads the key list once per `generation` when `allowed`.
#[hook]
pub fn use_keys(allowed: bool) -> Keys {
    use_key_list(allowed, 0)
}

/// [`use_keys`], reloaded whenever `generation` changes.
#[hook]
pub fn use_key_list(allowed: bool, generation: u32) -> Keys {
    let keys = use_state(|| None::<Result<Rc<Vec<KeyView>>, Failure>>);
    {
        let keys = keys.clone();
        use_effect_with((allowed, generation), move |&(allowed, _)| {
            if allowed {
                spawn_local(async move {
                    let answer = api::call_empty::<KeyList>(AdminOp::ListKeys, &[], None).await;
                    keys.set(Some(answer.map(|l| Rc::new(l.data))));
                });
            }
        });
    }
    (*keys).clone()
}
