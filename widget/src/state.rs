//! The widget's state machine: one [`Phase`] at a time, changed only by [`Action`]s.

use std::rc::Rc;

use yew::Reducible;

/// What the edge answered for this shopper.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletView {
    pub name: Option<String>,
    pub balance: f64,
    pub label: String,
    pub code: String,
    pub link: String,
    pub count: f64,
    pub reward: String,
    /// Cashback in minor units, and the currency with its ISO 4217 exponent (`EUR2`).
    pub cashback: Option<(f64, String)>,
    /// The stamp card to show: the first with stamps on it, else the first.
    pub stamps: Option<Stamps>,
}

/// One stamp card's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamps {
    pub count: f64,
    pub required: f64,
    pub reward: String,
}

/// What the widget shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// First load: a skeleton of the final size.
    Loading,
    /// The shopper's wallet. `refreshing` keeps it on screen while a refresh is in flight.
    Ready {
        view: Rc<WalletView>,
        refreshing: bool,
    },
    /// No customer token: the shopper is not signed in.
    SignedOut,
    /// The customer token expired or was refused: the page must mint a new one.
    Expired,
    /// The edge could not be reached, or asked to slow down; a retry may work.
    Unavailable,
    /// The snippet is wrong (a secret key, a missing attribute, an unknown key...). For the
    /// merchant, not the shopper.
    Misconfigured(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub phase: Phase,
}

pub enum Action {
    Fetching,
    Loaded(WalletView),
    Failed(Phase),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let phase = match (action, &self.phase) {
            // A refresh keeps the wallet visible: no flash back to the skeleton.
            (Action::Fetching, Phase::Ready { view, .. }) => Phase::Ready {
                view: view.clone(),
                refreshing: true,
            },
            (Action::Fetching, _) => Phase::Loading,
            (Action::Loaded(view), _) => Phase::Ready {
                view: Rc::new(view),
                refreshing: false,
            },
            // A failed background refresh of a visible wallet keeps it unless the failure
            // changes what the shopper may see (signed out, expired, misconfigured).
            (Action::Failed(Phase::Unavailable), Phase::Ready { view, .. }) => Phase::Ready {
                view: view.clone(),
                refreshing: false,
            },
            (Action::Failed(phase), _) => phase,
        };
        Rc::new(State { phase })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> WalletView {
        WalletView {
            name: None,
            balance: 5.0,
            label: "coins".into(),
            code: "C".into(),
            link: "L".into(),
            count: 0.0,
            reward: String::new(),
            cashback: None,
            stamps: None,
        }
    }

    fn step(s: State, a: Action) -> State {
        (*Rc::new(s).reduce(a)).clone()
    }

    #[test]
    fn a_refresh_keeps_the_wallet_on_screen_and_survives_a_network_error() {
        let ready = step(
            State {
                phase: Phase::Loading,
            },
            Action::Loaded(view()),
        );
        let refreshing = step(ready, Action::Fetching);
        assert!(matches!(
            refreshing.phase,
            Phase::Ready {
                refreshing: true,
                ..
            }
        ));
        let after_error = step(refreshing, Action::Failed(Phase::Unavailable));
        assert!(matches!(
            after_error.phase,
            Phase::Ready {
                refreshing: false,
                ..
            }
        ));
        let expired = step(after_error, Action::Failed(Phase::Expired));
        assert_eq!(expired.phase, Phase::Expired);
    }

    #[test]
    fn the_first_load_shows_the_skeleton_and_errors_replace_it() {
        let loading = step(
            State {
                phase: Phase::SignedOut,
            },
            Action::Fetching,
        );
        assert_eq!(loading.phase, Phase::Loading);
        assert_eq!(
            step(loading, Action::Failed(Phase::Unavailable)).phase,
            Phase::Unavailable
        );
    }
}
