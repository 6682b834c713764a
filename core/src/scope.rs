//! Scopes, access types, and the rules of what a key may hold.

use std::fmt;

use crate::error::{ApiError, ErrorCode};
use crate::key::KeyKind;

macro_rules! scopes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $bit:literal => $name:literal, )*) => {
        /// One permission. `*_read` scopes read; every other scope writes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Scope {
            $( $(#[doc = $doc])* $variant = $bit, )*
        }

        impl Scope {
            /// Every scope, in documentation order.
            pub const ALL: &'static [Scope] = &[$(Scope::$variant,)*];

            /// The scope's name, e.g. `coins_write`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Scope::$variant => $name,)* }
            }

            /// Parses a scope name.
            pub fn parse(s: &str) -> Option<Scope> {
                match s { $($name => Some(Scope::$variant),)* _ => None }
            }

            /// What the scope allows, in words (its documentation line), for the dashboard.
            pub fn description(self) -> &'static str {
                match self { $(Scope::$variant => concat!($($doc),*),)* }.trim()
            }
        }
    };
}

scopes! {
    /// Read members and validate them.
    MemberRead = 0 => "member_read",
    /// Create and update members.
    MemberWrite = 1 => "member_write",
    /// Read cards and rewards.
    CardRead = 2 => "card_read",
    /// Create, approve and reject claims.
    ClaimWrite = 3 => "claim_write",
    /// Read referral stats and validate codes.
    ReferralRead = 4 => "referral_read",
    /// Apply referral codes.
    ReferralWrite = 5 => "referral_write",
    /// Read stamp balances and history.
    StampsRead = 6 => "stamps_read",
    /// Add stamps and redeem rewards.
    StampsWrite = 7 => "stamps_write",
    /// Read cashback balances and history.
    CashbackRead = 8 => "cashback_read",
    /// Credit and redeem cashback.
    CashbackWrite = 9 => "cashback_write",
    /// Read coin balances and history.
    CoinsRead = 10 => "coins_read",
    /// Credit and debit coins.
    CoinsWrite = 11 => "coins_write",
}

impl Scope {
    /// True for every scope that is not `*_read`.
    pub fn is_write(self) -> bool {
        !self.as_str().ends_with("_read")
    }

    /// The wallet this scope reaches, if any.
    pub fn wallet(self) -> Option<Wallet> {
        match self {
            Scope::CoinsRead | Scope::CoinsWrite => Some(Wallet::Coins),
            Scope::StampsRead | Scope::StampsWrite => Some(Wallet::Stamps),
            Scope::CashbackRead | Scope::CashbackWrite => Some(Wallet::Cashback),
            _ => None,
        }
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes (a bit set: cheap to copy and compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ScopeSet(u16);

impl ScopeSet {
    /// No scopes.
    pub const EMPTY: ScopeSet = ScopeSet(0);

    /// Every scope.
    pub fn all() -> Self {
        Scope::ALL.iter().copied().collect()
    }

    /// Every `*_read` scope.
    pub fn read_only() -> Self {
        Scope::ALL
            .iter()
            .copied()
            .filter(|s| !s.is_write())
            .collect()
    }

    /// True when `scope` is in the set.
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    /// Adds a scope.
    pub fn insert(&mut self, scope: Scope) {
        self.0 |= scope.bit();
    }

    /// True when any scope in the set writes: the definition of a write-capable key.
    pub fn is_write_capable(self) -> bool {
        Scope::ALL.iter().any(|&s| s.is_write() && self.contains(s))
    }

    /// True when the set holds no scope.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes, in documentation order.
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(move |&s| self.contains(s))
    }

    /// Space-separated names, as stored.
    pub fn to_storage(self) -> String {
        self.iter().map(Scope::as_str).collect::<Vec<_>>().join(" ")
    }

    /// Parses space- or comma-separated names; unknown names are an error.
    pub fn parse_list(s: &str) -> Result<Self, String> {
        let mut set = ScopeSet::EMPTY;
        for name in s.split([' ', ',']).filter(|n| !n.is_empty()) {
            set.insert(Scope::parse(name).ok_or_else(|| name.to_owned())?);
        }
        Ok(set)
    }

    /// The wallets these scopes reach.
    pub fn wallets(self) -> Vec<Wallet> {
        let mut out: Vec<Wallet> = Vec::new();
        for w in self.iter().filter_map(Scope::wallet) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut set = ScopeSet::EMPTY;
        for s in iter {
            set.insert(s);
        }
        set
    }
}

/// How a key's scopes were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Every `*_read` scope ("Read Only").
    ReadOnly,
    /// Every scope ("Full Access").
    FullAccess,
    /// A chosen list.
    Custom,
}

impl Access {
    /// `read_only`, `full_access` or `custom`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Access::ReadOnly => "read_only",
            Access::FullAccess => "full_access",
            Access::Custom => "custom",
        }
    }

    /// Parses the API name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "read_only" => Some(Access::ReadOnly),
            "full_access" => Some(Access::FullAccess),
            "custom" => Some(Access::Custom),
            _ => None,
        }
    }
}

/// A wallet a key can reach, and the kind of value it holds (seed 002's "currency type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wallet {
    /// Coins: program points.
    Coins,
    /// Stamps: program points.
    Stamps,
    /// Cashback: fiat money with a currency code.
    Cashback,
}

impl Wallet {
    /// `coins`, `stamps` or `cashback`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Wallet::Coins => "coins",
            Wallet::Stamps => "stamps",
            Wallet::Cashback => "cashback",
        }
    }

    /// `points` (coins, stamps) or `fiat` (cashback).
    pub const fn currency_type(self) -> &'static str {
        match self {
            Wallet::Coins | Wallet::Stamps => "points",
            Wallet::Cashback => "fiat",
        }
    }
}

/// Resolves what a key of `kind` may hold for the requested access.
///
/// A publishable key can never hold a write scope (it may already be public), so asking for
/// one is `publishable_key_cannot_write`; `full_access` is refused for the same reason. A
/// secret key may hold anything, including read-only (a downgrade keeps its `sk` prefix).
pub fn grant(kind: KeyKind, access: Access, custom: ScopeSet) -> Result<ScopeSet, GrantError> {
    let scopes = match access {
        Access::ReadOnly => ScopeSet::read_only(),
        Access::FullAccess => ScopeSet::all(),
        Access::Custom if custom.is_empty() => return Err(GrantError::NoScopes),
        Access::Custom => custom,
    };
    if kind == KeyKind::Publishable && scopes.is_write_capable() {
        return Err(GrantError::PublishableCannotWrite);
    }
    Ok(scopes)
}

/// Why a grant is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// A write scope was asked for a publishable key.
    #[error("a publishable key can never hold a write scope")]
    PublishableCannotWrite,
    /// `custom` access with no scope.
    #[error("custom access needs at least one scope")]
    NoScopes,
}

impl From<GrantError> for ApiError {
    fn from(e: GrantError) -> Self {
        match e {
            GrantError::PublishableCannotWrite => ErrorCode::PublishableKeyCannotWrite.into(),
            GrantError::NoScopes => {
                ApiError::with_message(ErrorCode::InvalidRequest, e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_says_what_it_allows() {
        assert_eq!(Scope::CoinsWrite.description(), "Credit and debit coins.");
        assert_eq!(
            Scope::MemberRead.description(),
            "Read members and validate them."
        );
        for s in Scope::ALL {
            let d = s.description();
            assert!(
                !d.is_empty() && d.trim() == d && d.ends_with('.'),
                "{s}: {d:?}"
            );
        }
    }

    #[test]
    fn read_and_write_scopes_follow_the_name() {
        let writes: Vec<_> = Scope::ALL
            .iter()
            .filter(|s| s.is_write())
            .map(|s| s.as_str())
            .collect();
        assert_eq!(
            writes,
            [
                "member_write",
                "claim_write",
                "referral_write",
                "stamps_write",
                "cashback_write",
                "coins_write"
            ]
        );
        assert_eq!(Scope::ALL.len(), 12);
    }

    #[test]
    fn read_only_is_never_write_capable_and_full_access_is() {
        assert!(!ScopeSet::read_only().is_write_capable());
        assert!(ScopeSet::all().is_write_capable());
        assert!(ScopeSet::read_only().contains(Scope::CoinsRead));
        assert!(!ScopeSet::read_only().contains(Scope::CoinsWrite));
        let one_write: ScopeSet = [Scope::CoinsRead, Scope::ClaimWrite].into_iter().collect();
        assert!(one_write.is_write_capable());
    }

    #[test]
    fn storage_round_trips() {
        let set: ScopeSet = [Scope::CoinsWrite, Scope::MemberRead].into_iter().collect();
        assert_eq!(set.to_storage(), "member_read coins_write");
        assert_eq!(ScopeSet::parse_list("member_read coins_write"), Ok(set));
        assert_eq!(ScopeSet::parse_list("member_read,coins_write"), Ok(set));
        assert_eq!(
            ScopeSet::parse_list("coins_admin"),
            Err("coins_admin".to_owned())
        );
        assert_eq!(
            ScopeSet::parse_list(&ScopeSet::all().to_storage()),
            Ok(ScopeSet::all())
        );
    }

    #[test]
    fn publishable_keys_can_never_gain_a_write_scope() {
        assert_eq!(
            grant(KeyKind::Publishable, Access::FullAccess, ScopeSet::EMPTY),
            Err(GrantError::PublishableCannotWrite)
        );
        for &s in Scope::ALL.iter().filter(|s| s.is_write()) {
            let custom: ScopeSet = [Scope::CoinsRead, s].into_iter().collect();
            assert_eq!(
                grant(KeyKind::Publishable, Access::Custom, custom),
                Err(GrantError::PublishableCannotWrite)
            );
        }
        assert_eq!(
            grant(KeyKind::Publishable, Access::ReadOnly, ScopeSet::EMPTY),
            Ok(ScopeSet::read_only())
        );
    }

    #[test]
    fn secret_keys_may_be_read_only_or_full() {
        assert_eq!(
            grant(KeyKind::Secret, Access::ReadOnly, ScopeSet::EMPTY),
            Ok(ScopeSet::read_only())
        );
        assert_eq!(
            grant(KeyKind::Secret, Access::FullAccess, ScopeSet::EMPTY),
            Ok(ScopeSet::all())
        );
        assert_eq!(
            grant(KeyKind::Secret, Access::Custom, ScopeSet::EMPTY),
            Err(GrantError::NoScopes)
        );
    }

    #[test]
    fn wallets_name_the_currency_type() {
        let set: ScopeSet = [
            Scope::CoinsWrite,
            Scope::CoinsRead,
            Scope::CashbackRead,
            Scope::MemberRead,
        ]
        .into_iter()
        .collect();
        assert_eq!(set.wallets(), vec![Wallet::Cashback, Wallet::Coins]);
        assert_eq!(Wallet::Cashback.currency_type(), "fiat");
        assert_eq!(Wallet::Coins.currency_type(), "points");
    }

    #[test]
    fn access_and_wallet_names_are_the_key_objects() {
        for a in [Access::ReadOnly, Access::FullAccess, Access::Custom] {
            assert_eq!(Access::parse(a.as_str()), Some(a));
        }
        assert_eq!(
            [Access::ReadOnly, Access::FullAccess, Access::Custom].map(Access::as_str),
            ["read_only", "full_access", "custom"]
        );
        assert_eq!(
            [Wallet::Coins, Wallet::Stamps, Wallet::Cashback].map(Wallet::as_str),
            ["coins", "stamps", "cashback"]
        );
    }

    #[test]
    fn every_program_scope_reaches_its_wallet() {
        // The key list's "wallets" column (seed 002): stamps are points too.
        for (scope, wallet) in [
            (Scope::StampsRead, Wallet::Stamps),
            (Scope::StampsWrite, Wallet::Stamps),
            (Scope::CashbackRead, Wallet::Cashback),
            (Scope::CashbackWrite, Wallet::Cashback),
            (Scope::CoinsRead, Wallet::Coins),
            (Scope::CoinsWrite, Wallet::Coins),
        ] {
            assert_eq!(scope.wallet(), Some(wallet), "{scope}");
        }
        assert_eq!(Scope::MemberRead.wallet(), None);
        assert_eq!(Wallet::Stamps.currency_type(), "points");
        let stamps: ScopeSet = [Scope::StampsRead].into_iter().collect();
        assert_eq!(stamps.wallets(), vec![Wallet::Stamps]);
    }
}
