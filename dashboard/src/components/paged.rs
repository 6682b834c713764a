//! A paged list from the control plane (`{"data":[…],"next_cursor":…}`): the first page when
//! the filters change, more on demand. An answer to filters the member has since changed is
//! dropped, so a slow page never overwrites a newer one.

use std::cell::Cell;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use tally_core::admin::AdminOp;
use wasm_bindgen::{JsCast, JsValue};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::api::{self, Failure};

/// What the list shows.
#[derive(Debug, PartialEq)]
pub struct Paged<T> {
    /// Rows so far, newest first.
    pub rows: Rc<Vec<T>>,
    /// The cursor of the next page; `None` at the end.
    pub next: Option<String>,
    /// A page is on its way.
    pub loading: bool,
    /// The last page failed.
    pub error: Option<Failure>,
}

impl<T> Clone for Paged<T> {
    fn clone(&self) -> Self {
        Paged {
            rows: self.rows.clone(),
            next: self.next.clone(),
            loading: self.loading,
            error: self.error.clone(),
        }
    }
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            rows: Rc::new(Vec::new()),
            next: None,
            loading: true,
            error: None,
        }
    }
}

/// A page as the browser parsed it: the rows stay JavaScript values until [`use_paged`]
/// reads them, so the paging below is one function for every kind of row rather than one
/// copy per row type (the dashboard's code size is a budget).
#[derive(serde::Deserialize)]
struct RawPage {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    data: JsValue,
    next_cursor: Option<String>,
}

/// The list's state before its rows are read.
#[derive(Clone, PartialEq, Default)]
struct Raw {
    rows: Rc<Vec<JsValue>>,
    next: Option<String>,
    loading: bool,
    error: Option<Failure>,
}

/// The paging itself: first page when the inputs change, the next on demand, stale answers
/// dropped.
#[hook]
fn use_raw_pages(
    op: AdminOp,
    ids: Vec<String>,
    query: Vec<(&'static str, String)>,
    generation: u32,
) -> (UseStateHandle<Raw>, Callback<()>) {
    let state = use_state(|| Raw {
        loading: true,
        ..Raw::default()
    });
    // The number of the newest request: older answers are dropped.
    let latest = use_memo((), |()| Cell::new(0u32));
    let fetch = {
        let (state, latest, ids, query) =
            (state.clone(), latest.clone(), ids.clone(), query.clone());
        Rc::new(move |cursor: Option<String>, keep: Rc<Vec<JsValue>>| {
            let ticket = latest.get().wrapping_add(1);
            latest.set(ticket);
            let (state, latest, ids, mut query) =
                (state.clone(), latest.clone(), ids.clone(), query.clone());
            query.push(("cursor", cursor.unwrap_or_default()));
            state.set(Raw {
                rows: keep.clone(),
                next: None,
                loading: true,
                error: None,
            });
            spawn_local(async move {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let answer = api::get::<RawPage>(op, &ids, &query).await;
                if latest.get() != ticket {
                    return;
                }
                state.set(match answer {
                    Ok(page) => {
                        let mut rows = (*keep).clone();
                        if let Some(a) = page.data.dyn_ref::<js_sys::Array>() {
                            rows.extend(a.iter());
                        }
                        Raw {
                            rows: Rc::new(rows),
                            next: page.next_cursor,
                            loading: false,
                            error: None,
                        }
                    }
                    Err(f) => Raw {
                        rows: keep,
                        next: None,
                        loading: false,
                        error: Some(f),
                    },
                });
            });
        })
    };
    {
        let fetch = fetch.clone();
        use_effect_with((ids, query, generation), move |_| {
            fetch(None, Rc::new(Vec::new()));
        });
    }
    let more = {
        let state = state.clone();
        Callback::from(move |()| {
            if let Some(cursor) = state.next.clone() {
                fetch(Some(cursor), state.rows.clone());
            }
        })
    };
    (state, more)
}

/// The list for `op` with `query` (filters; `cursor` is added here), and a callback that
/// loads the next page. Changing `query` or `generation` starts again from the first page.
#[hook]
pub fn use_paged<T>(
    op: AdminOp,
    ids: Vec<String>,
    query: Vec<(&'static str, String)>,
    generation: u32,
) -> (Paged<T>, Callback<()>)
where
    T: DeserializeOwned + 'static,
{
    let (raw, more) = use_raw_pages(op, ids, query, generation);
    // Read once per new set of rows; a row that is not what the type says fails the list.
    let rows = use_memo(raw.rows.clone(), |rows| {
        rows.iter()
            .map(|v| serde_wasm_bindgen::from_value::<T>(v.clone()))
            .collect::<Result<Vec<T>, _>>()
            .ok()
            .map(Rc::new)
    });
    let paged = match &*rows {
        Some(read) => Paged {
            rows: read.clone(),
            next: raw.next.clone(),
            loading: raw.loading,
            error: raw.error.clone(),
        },
        None => Paged {
            rows: Rc::new(Vec::new()),
            next: None,
            loading: false,
            error: Some(Failure::network()),
        },
    };
    (paged, more)
}

/// What a list says above its rows: the API's refusal, or that there is nothing (yet).
pub fn status<T>(paged: &Paged<T>, empty: &str) -> Html {
    match &paged.error {
        Some(f) => html! { <p class="error" role="alert">{ crate::api::explain(f) }</p> },
        None if !paged.loading && paged.rows.is_empty() => {
            html! { <p class="empty">{ empty.to_owned() }</p> }
        }
        None => html! {},
    }
}

/// The "Load more" button, or the end of the list.
pub fn more_button<T>(paged: &Paged<T>, more: &Callback<()>, what: &str) -> Html {
    if paged.loading {
        return html! { <p class="more" aria-busy="true">{ "Loading…" }</p> };
    }
    if paged.next.is_some() {
        let more = more.clone();
        return html! {
            <p class="more"><button type="button" class="secondary" onclick={Callback::from(move |_: MouseEvent| more.emit(()))}>
                { format!("Load more {what}") }
            </button></p>
        };
    }
    if paged.rows.is_empty() {
        return html! {};
    }
    html! { <p class="more hint">{ format!("No more {what}.") }</p> }
}
