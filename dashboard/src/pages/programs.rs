//! Programs (seed 001): which of coins, stamp cards and cashback run in the environment the
//! header shows, what coins are called and the currency cashback is paid in; then the stamp
//! cards and the rewards catalogue, each added and changed in a dialog. Every role sees the
//! page; admins and superadmins change it.

use std::rc::Rc;

use tally_core::admin::{Action, AdminOp};
use tally_core::money::Currency;
use tally_core::programs::{Program, Programs as Settings};
use tally_core::stamps::{Card, CardSpec};
use tally_core::wire::{Reward, RewardSpec};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::keys::explain;
use crate::api::{self, Failure, Guard};
use crate::components::copy::CopyButton;
use crate::components::modal::{self, use_modal, Modal};
use crate::components::paged::{status, use_paged, Paged};
use crate::session::{may, use_session, Env, EnvCtx};

/// A reward's price, in words: `500 coins`, `6 stamps on Coffee card`.
pub fn cost(reward: &Reward, cards: &[Card]) -> String {
    match (reward.program, &reward.card_id) {
        (Program::Stamps, Some(id)) => {
            let card = cards
                .iter()
                .find(|c| c.id == *id)
                .map_or(id.as_str(), |c| c.name.as_str());
            format!("{} {} on {card}", reward.cost, plural(reward.cost, "stamp"))
        }
        (program, _) => format!("{} {}", reward.cost, program.as_str()),
    }
}

/// When a card's stamps lapse, in words.
pub fn lapse(days: Option<u32>) -> String {
    match days {
        None => "Never".to_owned(),
        Some(d) => format!(
            "{d} {} after the shopper's last stamp",
            plural(i64::from(d), "day")
        ),
    }
}

/// What a currency's minor unit is, for the merchant who sends `amount_minor`.
pub fn minor_units(code: &str) -> String {
    match Currency::parse(code) {
        Some(c) if c.exponent() == 0 => format!(
            "{code} has no minor unit: \"amount_minor\": 1250 is {}.",
            c.display_minor(1250)
        ),
        Some(c) => format!(
            "{code} has {} decimals: \"amount_minor\": 1250 is {}.",
            c.exponent(),
            c.display_minor(1250)
        ),
        None => "Pick an ISO 4217 currency.".to_owned(),
    }
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// A whole number from a form field; empty or anything else is `None`.
pub fn whole(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A list with no rows yet: loading, the API's refusal, or that there are none.
fn loading_or<T>(list: &Paged<T>, empty: &str) -> Html {
    if list.loading {
        html! { <p aria-busy="true">{ "Loading…" }</p> }
    } else {
        status(list, empty)
    }
}

/// What the dialog is doing.
#[derive(Clone, PartialEq, Debug)]
enum Intent {
    Card(Option<Rc<Card>>),
    Reward(Option<Rc<Reward>>),
}

fn env_query(env: Env) -> [(&'static str, String); 1] {
    [("environment", env.as_str().to_owned())]
}

#[function_component]
pub fn Programs() -> Html {
    let Some(session) = use_session() else {
        return html! {};
    };
    let env = use_context::<EnvCtx>().map(|e| *e).unwrap_or_default();
    let generation = use_state(|| 0u32);
    let settings = use_state(|| None::<Result<Settings, Failure>>);
    {
        // A new environment starts from "loading", so its form is built from its own settings.
        let settings = settings.clone();
        use_effect_with(env, move |&env| {
            settings.set(None);
            spawn_local(async move {
                let s = api::get::<Settings>(AdminOp::GetPrograms, &[], &env_query(env)).await;
                settings.set(Some(s));
            });
        });
    }
    // A new environment or a saved dialog reloads both lists from empty: another
    // environment's rows are never shown.
    let q = vec![("environment", env.as_str().to_owned())];
    let (cards, _) = use_paged::<Card>(
        AdminOp::ListProgramCards,
        Vec::new(),
        q.clone(),
        *generation,
    );
    let (rewards, _) = use_paged::<Reward>(AdminOp::ListProgramRewards, Vec::new(), q, *generation);
    let Modal {
        node: dialog,
        intent,
        open,
        done,
    } = use_modal::<Intent>(&generation);
    let manage = may(&session, Action::ManageWorkspace);
    let csrf = AttrValue::from(session.csrf_token.clone());
    let card_list = cards.rows.clone();
    let add = |label: &str, i: Intent| {
        let open = open.clone();
        if manage {
            html! { <button type="button" onclick={Callback::from(move |_: MouseEvent| open.emit(i.clone()))}>{ label.to_owned() }</button> }
        } else {
            html! { <button type="button" disabled=true>{ label.to_owned() }</button> }
        }
    };
    let edit = |what: String, i: Intent| {
        let open = open.clone();
        html! {
            <button type="button" class="secondary small" aria-label={format!("Edit {what}")} disabled={!manage}
                onclick={Callback::from(move |_: MouseEvent| open.emit(i.clone()))}>{ "Edit" }</button>
        }
    };
    let active = |on: bool| {
        html! { <span class={classes!("chip", (!on).then_some("warn"))}>{ if on { "Active" } else { "Inactive" } }</span> }
    };
    let card_table = match &cards {
        c if c.rows.is_empty() => loading_or(c, &format!("No {} stamp cards yet. A card fills with stamps (one per coffee, per visit) and earns its reward when full.", env.label().to_lowercase())),
        c => html! {
            <div class="table-wrap" tabindex="0"><table>
                <caption class="sr-only">{ "Stamp cards" }</caption>
                <thead><tr>
                    <th scope="col">{ "Card" }</th><th scope="col">{ "Stamps" }</th><th scope="col">{ "Reward when full" }</th>
                    <th scope="col">{ "Stamps lapse" }</th><th scope="col">{ "Status" }</th>
                    <th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                </tr></thead>
                <tbody>
                    { for c.rows.iter().map(|c| html! {
                        <tr key={c.id.clone()}>
                            <td>{ c.name.clone() }<br /><small><code>{ c.id.clone() }</code></small>{ " " }<CopyButton text={c.id.clone()} label={format!("Copy the id of {}", c.name)} /></td>
                            <td>{ c.required }</td>
                            <td>{ c.reward.clone() }</td>
                            <td>{ lapse(c.stamp_expiry_days) }</td>
                            <td>{ active(c.active) }</td>
                            <td>{ edit(c.name.clone(), Intent::Card(Some(Rc::new(c.clone())))) }</td>
                        </tr>
                    }) }
                </tbody>
            </table></div>
        },
    };
    let reward_table = match &rewards {
        r if r.rows.is_empty() => loading_or(r, "No rewards yet. The catalogue (GET /v1/rewards) lists what shoppers can spend coins or stamps on."),
        r => html! {
            <div class="table-wrap" tabindex="0"><table>
                <caption class="sr-only">{ "Rewards" }</caption>
                <thead><tr>
                    <th scope="col">{ "Reward" }</th><th scope="col">{ "Cost" }</th><th scope="col">{ "Description" }</th>
                    <th scope="col">{ "Status" }</th><th scope="col"><span class="sr-only">{ "Actions" }</span></th>
                </tr></thead>
                <tbody>
                    { for r.rows.iter().map(|r| html! {
                        <tr key={r.id.clone()}>
                            <td>{ r.name.clone() }<br /><small><code>{ r.id.clone() }</code></small></td>
                            <td>{ cost(r, &card_list) }</td>
                            <td>{ r.description.clone().unwrap_or_default() }</td>
                            <td>{ active(r.active) }</td>
                            <td>{ edit(r.name.clone(), Intent::Reward(Some(Rc::new(r.clone())))) }</td>
                        </tr>
                    }) }
                </tbody>
            </table></div>
        },
    };
    let settings_form = match &*settings {
        None => html! { <p aria-busy="true">{ "Loading programs…" }</p> },
        Some(Err(f)) => html! { <p class="error" role="alert">{ explain(f) }</p> },
        Some(Ok(s)) => html! {
            <SettingsForm key={env.as_str()} settings={Rc::new(s.clone())}
                {env} csrf={csrf.clone()} {manage} />
        },
    };
    // The dialog's form, built afresh for each card or reward it opens on.
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |()| {
            modal::close(&dialog);
            done.emit(());
        })
    };
    let form = match &*intent {
        None => html! {},
        Some(Intent::Card(card)) => html! {
            <CardForm card={card.clone()} csrf={csrf.clone()} {env} on_close={close} />
        },
        Some(Intent::Reward(reward)) => html! {
            <RewardForm reward={reward.clone()} cards={card_list.clone()} csrf={csrf.clone()} {env} on_close={close} />
        },
    };
    html! {
        <>
            <p>{ format!("What shoppers collect in {}. A program that is off answers ", env.label().to_lowercase()) }<code>{ "program_disabled" }</code>{ " and the widget leaves it out." }</p>
            { settings_form }
            <section aria-labelledby="cards-title">
                <h2 id="cards-title">{ "Stamp cards" }</h2>
                <div class="toolbar">{ add("Add card", Intent::Card(None)) }</div>
                { card_table }
            </section>
            <section aria-labelledby="rewards-title">
                <h2 id="rewards-title">{ "Rewards" }</h2>
                <div class="toolbar">{ add("Add reward", Intent::Reward(None)) }</div>
                { reward_table }
            </section>
            if !manage { <p class="hint">{ "Only admins and superadmins change programs, cards and rewards." }</p> }
            <dialog ref={dialog} aria-labelledby="catalogue-title">{ form }</dialog>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SettingsProps {
    settings: Rc<Settings>,
    env: Env,
    csrf: AttrValue,
    manage: bool,
}

/// The three switches, the coin label and the currency.
#[function_component]
fn SettingsForm(props: &SettingsProps) -> Html {
    let draft = use_state(|| (*props.settings).clone());
    let said = use_state(String::new);
    let busy = use_state(|| false);
    // Every field edits the draft the same way: `apply` gets the field's value and, for a
    // checkbox, whether it is ticked.
    let edit = |apply: fn(&mut Settings, String, bool)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let field = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| (i.value(), i.checked()))
                .or_else(|| {
                    e.target_dyn_into::<HtmlSelectElement>()
                        .map(|s| (s.value(), false))
                });
            if let Some((value, ticked)) = field {
                let mut next = (*draft).clone();
                apply(&mut next, value, ticked);
                draft.set(next);
            }
        })
    };
    let on_label = edit(|s, label, _| s.coins.label = label).reform(Event::from);
    let onsubmit = {
        let (draft, said, busy, csrf, env) = (
            draft.clone(),
            said.clone(),
            busy.clone(),
            props.csrf.clone(),
            props.env,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = (*draft).clone();
            let (draft, said, busy, csrf) =
                (draft.clone(), said.clone(), busy.clone(), csrf.clone());
            busy.set(true);
            said.set(String::new());
            spawn_local(async move {
                let guard = Guard {
                    csrf: &csrf,
                    pin: None,
                };
                match api::call_in::<_, Settings>(
                    AdminOp::PutPrograms,
                    &[],
                    &env_query(env),
                    Some(&body),
                    Some(guard),
                )
                .await
                {
                    Ok(saved) => {
                        draft.set(saved);
                        said.set("Saved. The widget shows the change within seconds.".into());
                    }
                    Err(f) => said.set(explain(&f)),
                }
                busy.set(false);
            });
        })
    };
    let d = &*draft;
    html! {
        <form class="settings" {onsubmit}>
            <fieldset class="setting" disabled={!props.manage}>
                <legend>{ format!("Programs ({})", props.env.label()) }</legend>
                <label><input type="checkbox" checked={d.coins.enabled} onchange={edit(|s, _, on| s.coins.enabled = on)} />
                    { " Coins" }<small>{ "Points shoppers earn and spend; the balance the widget shows." }</small></label>
                <label><input type="checkbox" checked={d.stamps.enabled} onchange={edit(|s, _, on| s.stamps.enabled = on)} />
                    { " Stamp cards" }<small>{ "Cards that fill with stamps and earn a reward when full." }</small></label>
                <label><input type="checkbox" checked={d.cashback.enabled} onchange={edit(|s, _, on| s.cashback.enabled = on)} />
                    { " Cashback" }<small>{ "Money back in one currency, credited and redeemed by your backend." }</small></label>
            </fieldset>
            <fieldset disabled={!props.manage}>
                <legend>{ "Settings" }</legend>
                <label for="program-coin-label">{ "What shoppers see coins called" }</label>
                <input id="program-coin-label" value={d.coins.label.clone()} oninput={on_label} required=true maxlength="40" aria-describedby="program-coin-label-hint" />
                <p class="hint" id="program-coin-label-hint">{ "Beans, points, stars… The same in test and production." }</p>
                <label for="program-currency">{ "Cashback currency" }</label>
                <select id="program-currency" onchange={edit(|s, code, _| s.cashback.currency = code)} aria-describedby="program-currency-hint">
                    { for Currency::all_codes().into_iter().map(|code| html! {
                        <option value={code} selected={d.cashback.currency == code}>{ code }</option>
                    }) }
                </select>
                <p class="hint" id="program-currency-hint">{ minor_units(&d.cashback.currency) }{ " Fixed once a shopper holds cashback: amounts are never converted." }</p>
                <div class="actions"><button type="submit" disabled={*busy}>{ "Save programs" }</button></div>
                <p class="hint" role="status" aria-live="polite">{ (*said).clone() }</p>
            </fieldset>
        </form>
    }
}

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| r.cast::<HtmlSelectElement>().map(|s| s.value()))
        .or_else(|| r.cast::<HtmlTextAreaElement>().map(|t| t.value()))
        .unwrap_or_default()
}

fn checked(r: &NodeRef) -> bool {
    r.cast::<HtmlInputElement>().is_some_and(|i| i.checked())
}

/// Sends a card or reward; closes the dialog when it is saved, says why when it is not.
fn save<B: serde::Serialize + 'static, T: serde::de::DeserializeOwned + 'static>(
    op: AdminOp,
    id: Option<String>,
    body: B,
    (csrf, env): (AttrValue, Env),
    error: UseStateHandle<Option<String>>,
    busy: UseStateHandle<bool>,
    on_close: Callback<()>,
) {
    busy.set(true);
    spawn_local(async move {
        let guard = Guard {
            csrf: &csrf,
            pin: None,
        };
        let ids: Vec<&str> = id.as_deref().into_iter().collect();
        let outcome =
            api::call_in::<B, T>(op, &ids, &env_query(env), Some(&body), Some(guard)).await;
        busy.set(false);
        match outcome {
            Ok(_) => {
                error.set(None);
                on_close.emit(());
            }
            Err(f) => error.set(Some(explain(&f))),
        }
    });
}

fn actions(busy: bool, submit: &str, on_close: &Callback<()>) -> Html {
    let cancel = on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="actions">
            <button type="button" class="secondary" onclick={cancel}>{ "Cancel" }</button>
            <button type="submit" disabled={busy}>{ submit.to_owned() }</button>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CardFormProps {
    card: Option<Rc<Card>>,
    csrf: AttrValue,
    env: Env,
    on_close: Callback<()>,
}

#[function_component]
fn CardForm(props: &CardFormProps) -> Html {
    let (name, required, reward, expiry, active) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let refs = (
            name.clone(),
            required.clone(),
            reward.clone(),
            expiry.clone(),
            active.clone(),
        );
        let (error, busy, on_close) = (error.clone(), busy.clone(), props.on_close.clone());
        let (to, id) = (
            (props.csrf.clone(), props.env),
            props.card.as_ref().map(|c| c.id.clone()),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, required, reward, expiry, active) = &refs;
            let spec = CardSpec {
                name: value(name),
                required: whole(&value(required)).unwrap_or(0),
                reward: value(reward),
                stamp_expiry_days: whole(&value(expiry)),
                active: checked(active),
            };
            let op = if id.is_some() {
                AdminOp::PutCard
            } else {
                AdminOp::CreateCard
            };
            save::<_, Card>(
                op,
                id.clone(),
                spec,
                to.clone(),
                error.clone(),
                busy.clone(),
                on_close.clone(),
            );
        })
    };
    let c = props.card.as_deref();
    html! {
        <form {onsubmit}>
            <h2 id="catalogue-title">{ if c.is_some() { "Change the stamp card" } else { "Add a stamp card" } }</h2>
            <label for="card-name">{ "Name" }</label>
            <input id="card-name" ref={name} required=true maxlength="120" placeholder="Coffee card" value={c.map(|c| c.name.clone())} />
            <label for="card-required">{ "Stamps to fill it" }</label>
            <input id="card-required" ref={required} type="number" required=true min="1" max="100" inputmode="numeric"
                value={c.map_or_else(|| "6".to_owned(), |c| c.required.to_string())} />
            <label for="card-reward">{ "Reward when full" }</label>
            <input id="card-reward" ref={reward} required=true maxlength="120" placeholder="A free coffee" value={c.map(|c| c.reward.clone())} />
            <label for="card-expiry">{ "Stamps lapse after (days, optional)" }</label>
            <input id="card-expiry" ref={expiry} type="number" min="1" max="3650" inputmode="numeric" aria-describedby="card-expiry-hint"
                value={c.and_then(|c| c.stamp_expiry_days).map(|d| d.to_string())} />
            <p class="hint" id="card-expiry-hint">{ "Counted from the shopper's last stamp; empty: stamps never lapse." }</p>
            <label><input type="checkbox" ref={active} checked={c.is_none_or(|c| c.active)} />{ " Active: takes new stamps" }</label>
            <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            { actions(*busy, if c.is_some() { "Save card" } else { "Add card" }, &props.on_close) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct RewardFormProps {
    reward: Option<Rc<Reward>>,
    cards: Rc<Vec<Card>>,
    csrf: AttrValue,
    env: Env,
    on_close: Callback<()>,
}

#[function_component]
fn RewardForm(props: &RewardFormProps) -> Html {
    let (name, description, cost, card, active) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let r = props.reward.clone();
    let program = use_state(|| r.as_ref().map_or(Program::Coins, |r| r.program));
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let pick = {
        let program = program.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                program.set(Program::parse(&s.value()).unwrap_or(Program::Coins));
            }
        })
    };
    let onsubmit = {
        let refs = (
            name.clone(),
            description.clone(),
            cost.clone(),
            card.clone(),
            active.clone(),
        );
        let (error, busy, on_close, program) = (
            error.clone(),
            busy.clone(),
            props.on_close.clone(),
            program.clone(),
        );
        let (to, id) = (
            (props.csrf.clone(), props.env),
            r.as_ref().map(|r| r.id.clone()),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, description, cost, card, active) = &refs;
            let description = value(description);
            let spec = RewardSpec {
                name: value(name),
                description: (!description.trim().is_empty()).then_some(description),
                program: *program,
                cost: whole(&value(cost)).map_or(0, i64::from),
                card_id: (*program == Program::Stamps).then(|| value(card)),
                active: checked(active),
            };
            let op = if id.is_some() {
                AdminOp::PutReward
            } else {
                AdminOp::CreateReward
            };
            save::<_, Reward>(
                op,
                id.clone(),
                spec,
                to.clone(),
                error.clone(),
                busy.clone(),
                on_close.clone(),
            );
        })
    };
    let r = r.as_deref();
    let stamps = *program == Program::Stamps;
    html! {
        <form {onsubmit}>
            <h2 id="catalogue-title">{ if r.is_some() { "Change the reward" } else { "Add a reward" } }</h2>
            <label for="reward-name">{ "Name" }</label>
            <input id="reward-name" ref={name} required=true maxlength="120" placeholder="A free coffee" value={r.map(|r| r.name.clone())} />
            <label for="reward-description">{ "Description (optional)" }</label>
            <textarea id="reward-description" ref={description} maxlength="500" rows="2" value={r.and_then(|r| r.description.clone()).unwrap_or_default()} />
            <label for="reward-program">{ "Paid in" }</label>
            <select id="reward-program" onchange={pick}>
                <option value="coins" selected={!stamps}>{ "Coins" }</option>
                <option value="stamps" selected={stamps}>{ "Stamps of one card" }</option>
            </select>
            if stamps {
                <label for="reward-card">{ "Card" }</label>
                if props.cards.is_empty() {
                    <p class="hint" id="reward-card">{ "Add a stamp card first." }</p>
                } else {
                    <select id="reward-card" ref={card}>
                        { for props.cards.iter().map(|c| html! {
                            <option value={c.id.clone()} selected={r.and_then(|r| r.card_id.as_deref()) == Some(c.id.as_str())}>{ c.name.clone() }</option>
                        }) }
                    </select>
                }
            }
            <label for="reward-cost">{ if stamps { "Cost (stamps, 1 to 100)" } else { "Cost (coins)" } }</label>
            <input id="reward-cost" ref={cost} type="number" required=true min="1" max={if stamps { "100" } else { "1000000000" }} inputmode="numeric"
                value={r.map(|r| r.cost.to_string())} />
            <label><input type="checkbox" ref={active} checked={r.is_none_or(|r| r.active)} />{ " Active: offered to shoppers" }</label>
            <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            { actions(*busy, if r.is_some() { "Save reward" } else { "Add reward" }, &props.on_close) }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &str, name: &str) -> Card {
        Card {
            id: id.into(),
            name: name.into(),
            required: 6,
            reward: "A free coffee".into(),
            stamp_expiry_days: None,
            active: true,
            created_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    fn reward(program: Program, cost: i64, card_id: Option<&str>) -> Reward {
        Reward {
            id: "rwd_1".into(),
            name: "Coffee".into(),
            description: None,
            program,
            cost,
            card_id: card_id.map(str::to_owned),
            active: true,
            created_at: "2026-12-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn a_rewards_cost_names_its_program_and_card() {
        let cards = [card("card_a", "Coffee card")];
        assert_eq!(
            cost(&reward(Program::Coins, 500, None), &cards),
            "500 coins"
        );
        assert_eq!(
            cost(&reward(Program::Stamps, 6, Some("card_a")), &cards),
            "6 stamps on Coffee card"
        );
        assert_eq!(
            cost(&reward(Program::Stamps, 1, Some("card_a")), &cards),
            "1 stamp on Coffee card"
        );
        // A card not (yet) loaded: its id.
        assert_eq!(
            cost(&reward(Program::Stamps, 2, Some("card_b")), &cards),
            "2 stamps on card_b"
        );
    }

    #[test]
    fn stamps_lapse_in_words() {
        assert_eq!(lapse(None), "Never");
        assert_eq!(lapse(Some(1)), "1 day after the shopper's last stamp");
        assert_eq!(lapse(Some(90)), "90 days after the shopper's last stamp");
    }

    #[test]
    fn the_currency_hint_shows_its_minor_unit() {
        assert_eq!(
            minor_units("EUR"),
            "EUR has 2 decimals: \"amount_minor\": 1250 is 12.50 EUR."
        );
        assert_eq!(
            minor_units("JPY"),
            "JPY has no minor unit: \"amount_minor\": 1250 is 1250 JPY."
        );
        assert_eq!(
            minor_units("BHD"),
            "BHD has 3 decimals: \"amount_minor\": 1250 is 1.250 BHD."
        );
        assert_eq!(minor_units("XXX"), "Pick an ISO 4217 currency.");
    }

    #[test]
    fn form_numbers_are_whole_numbers_or_nothing() {
        assert_eq!(whole("6"), Some(6));
        assert_eq!(whole(" 90 "), Some(90));
        for bad in ["", " ", "-1", "1.5", "1e3", "abc", "99999999999"] {
            assert_eq!(whole(bad), None, "{bad}");
        }
    }
}
