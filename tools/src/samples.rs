//! A request and an answer sample for every operation, as typed values: a field renamed or
//! added in `tally_core::wire` fails to compile here instead of leaving a stale sample.

use serde::Serialize;
use serde_json::Value;
use tally_core::admin::{AdminOp, KeyPatch, NewKey};
use tally_core::claims::ClaimStatus;
use tally_core::ledger::Direction;
use tally_core::programs::Program;
use tally_core::route::Operation;
use tally_core::stamps::StampKind;
use tally_core::wire::*;

/// The request id in error samples.
pub const REQUEST_ID: &str = "req_3hV9kQ2mX8pL1aZt";

const T0: &str = "2026-11-23T10:00:00.000Z";
const T1: &str = "2026-11-23T10:15:00.000Z";
const CUSTOMER: &str = "cus_demo_ada";
const CODE: &str = "7KQ2MX9PLW";
const IDENTITY_SECRET: &str = "q7Vb2Nx9Kp4Lm8Zt1Wc6Rj3Hs5Dy0Fa2Gu7Ie4Ok9Pw";

/// What the document shows for one operation.
pub struct Sample {
    /// The request body, for operations that read one.
    pub body: Option<Value>,
    /// The success answer (JSON answers only).
    pub answer: Option<Value>,
}

fn v<T: Serialize>(t: T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

fn answer<T: Serialize>(t: T) -> Sample {
    Sample {
        body: None,
        answer: Some(v(t)),
    }
}

fn both<B: Serialize, A: Serialize>(b: B, a: A) -> Sample {
    Sample {
        body: Some(v(b)),
        answer: Some(v(a)),
    }
}

fn referral() -> Referral {
    Referral {
        code: CODE.into(),
        link: format!("https://shop.example/?ref={CODE}"),
        count: 3,
        reward: "Give 100 coins, get 100 coins".into(),
    }
}

fn entry(kind: Direction, amount: i64, balance_after: i64, reason: &str) -> LedgerEntry {
    LedgerEntry {
        id: "led_9fK2mQ7xP1vB3nZa".into(),
        customer_id: CUSTOMER.into(),
        kind,
        amount,
        balance_after,
        reason: Some(reason.into()),
        idempotency_key: "order-1042".into(),
        created_at: T1.into(),
    }
}

const CARD: &str = "card_6Vb2Nx9Kp4Lm8Zt1";

fn coffee_card() -> Card {
    Card {
        id: CARD.into(),
        name: "Coffee card".into(),
        required: 6,
        reward: "A free coffee".into(),
        stamp_expiry_days: Some(180),
        active: true,
        created_at: T0.into(),
    }
}

fn coffee_progress(count: u32) -> StampCardView {
    StampCardView {
        card_id: CARD.into(),
        name: "Coffee card".into(),
        count,
        required: 6,
        reward: "A free coffee".into(),
        rewards_earned: 1,
    }
}

fn stamp_entry(kind: StampKind, count: u32, count_after: u32) -> StampEntry {
    StampEntry {
        id: "stp_2Lm8Zt1Wc6Rj3Hs5".into(),
        customer_id: CUSTOMER.into(),
        card_id: CARD.into(),
        kind,
        count,
        count_after,
        reason: Some("Two flat whites".into()),
        idempotency_key: Some("till-7-receipt-5531".into()),
        created_at: T1.into(),
    }
}

fn cashback_entry(kind: Direction, amount: i64, balance: i64, reason: &str) -> CashbackEntry {
    CashbackEntry {
        id: "cbk_8Zt1Wc6Rj3Hs5Dy0".into(),
        customer_id: CUSTOMER.into(),
        kind,
        amount_minor: amount,
        balance_after_minor: balance,
        currency: "EUR".into(),
        reason: Some(reason.into()),
        idempotency_key: "order-1043".into(),
        created_at: T1.into(),
    }
}

fn reward() -> Reward {
    Reward {
        id: "rwd_1Wc6Rj3Hs5Dy0Fa2".into(),
        name: "Free coffee".into(),
        description: Some("Any size, any milk".into()),
        program: Program::Stamps,
        cost: 6,
        card_id: Some(CARD.into()),
        active: true,
        created_at: T0.into(),
    }
}

fn programs() -> Programs {
    let mut p = Programs::default();
    p.stamps.enabled = true;
    p.cashback.enabled = true;
    p
}

fn evidence() -> serde_json::Map<String, Value> {
    let mut e = serde_json::Map::new();
    e.insert("receipt".into(), Value::String("R-2026-5531".into()));
    e.insert("store".into(), Value::String("Market Street".into()));
    e
}

fn claim(status: ClaimStatus, rejection_reason: Option<String>) -> Claim {
    Claim {
        id: "clm_4Rt8Lp2Xw6Qz9Nd1".into(),
        status,
        customer_id: CUSTOMER.into(),
        program: Program::Coins,
        amount: 120,
        card_id: None,
        currency: None,
        evidence: evidence(),
        decided_at: (status != ClaimStatus::Pending).then(|| T1.into()),
        rejection_reason,
        created_at: T0.into(),
        version: None,
    }
}

/// Samples for a data-plane operation.
pub fn data_plane(op: Operation) -> Sample {
    let customer = Customer {
        id: CUSTOMER.into(),
        name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        created_at: T0.into(),
        updated_at: T1.into(),
    };
    match op {
        Operation::Health => answer(Health {
            status: "ok".into(),
            version: "0.1.0".into(),
        }),
        Operation::OpenApi => answer(serde_json::json!({
            "openapi": "3.1.0",
            "info": { "title": "Tally API", "version": "0.1.0" },
            "paths": { "/v1/health": { "get": { "operationId": "health" } } },
        })),
        Operation::Docs | Operation::Dashboard | Operation::DashboardPage => Sample {
            body: None,
            answer: None,
        },
        Operation::Widget => answer(WidgetView {
            customer: WidgetCustomer {
                id: CUSTOMER.into(),
                name: Some("Ada".into()),
            },
            coins: WidgetCoins {
                balance: 1250,
                label: "coins".into(),
            },
            referral: referral(),
            stamps: Some(vec![coffee_progress(4)]),
            cashback: Some(WidgetCashback {
                balance_minor: 1250,
                currency: "EUR".into(),
                exponent: 2,
            }),
            version: 42,
        }),
        Operation::GetCustomer => answer(customer),
        Operation::PutCustomer => both(PutCustomer { name: "Ada".into() }, customer),
        Operation::GetCoins => answer(CoinBalance {
            customer_id: CUSTOMER.into(),
            balance: 1250,
            label: "coins".into(),
        }),
        Operation::ListCoinTransactions => answer(Page {
            data: vec![
                entry(Direction::Debit, 200, 1050, "Redeemed: free coffee"),
                entry(Direction::Credit, 1250, 1250, "Order #1042"),
            ],
            next_cursor: Some("41".into()),
        }),
        Operation::CreditCoins => both(
            CoinMutation {
                amount: 250,
                reason: Some("Order #1042".into()),
            },
            CoinMutationResult {
                customer_id: CUSTOMER.into(),
                balance: 1500,
                label: "coins".into(),
                entry: entry(Direction::Credit, 250, 1500, "Order #1042"),
                version: 43,
            },
        ),
        Operation::DebitCoins => both(
            CoinMutation {
                amount: 200,
                reason: Some("Redeemed: free coffee".into()),
            },
            CoinMutationResult {
                customer_id: CUSTOMER.into(),
                balance: 1050,
                label: "coins".into(),
                entry: entry(Direction::Debit, 200, 1050, "Redeemed: free coffee"),
                version: 44,
            },
        ),
        Operation::GetCustomerReferral => answer(CustomerReferral {
            customer_id: CUSTOMER.into(),
            referral: referral(),
        }),
        Operation::ValidateReferralCode => answer(ReferralCodeCheck {
            code: CODE.into(),
            valid: true,
            reward: "Give 100 coins, get 100 coins".into(),
        }),
        Operation::ApplyReferral => both(
            ApplyReferral {
                customer_id: "cus_new_grace".into(),
                code: CODE.into(),
            },
            AppliedReferral {
                code: CODE.into(),
                referrer_id: CUSTOMER.into(),
                referee_id: "cus_new_grace".into(),
                reward_coins: 100,
                referrer_count: 4,
                created_at: T1.into(),
            },
        ),
        Operation::ListCustomers => answer(Page {
            data: vec![customer.clone()],
            next_cursor: Some("1041".into()),
        }),
        Operation::CreateCustomer => both(
            NewCustomer {
                id: Some(CUSTOMER.into()),
                name: "Ada".into(),
                email: Some("ada@example.com".into()),
            },
            customer,
        ),
        Operation::GetStamps => answer(StampCards {
            data: vec![coffee_progress(4)],
        }),
        Operation::ListStampTransactions => answer(Page {
            data: vec![stamp_entry(StampKind::Add, 2, 4)],
            next_cursor: Some("17".into()),
        }),
        Operation::AddStamps => both(
            AddStamps {
                card_id: CARD.into(),
                count: 2,
                reason: Some("Two flat whites".into()),
            },
            StampWriteResult {
                customer_id: CUSTOMER.into(),
                card: coffee_progress(6),
                entry: stamp_entry(StampKind::Add, 2, 6),
                version: 45,
            },
        ),
        Operation::RedeemStamps => both(
            RedeemStamps {
                card_id: CARD.into(),
                reason: Some("Free coffee".into()),
            },
            StampWriteResult {
                customer_id: CUSTOMER.into(),
                card: StampCardView {
                    rewards_earned: 2,
                    ..coffee_progress(0)
                },
                entry: stamp_entry(StampKind::Redeem, 6, 0),
                version: 46,
            },
        ),
        Operation::GetCashback => answer(CashbackBalance {
            customer_id: CUSTOMER.into(),
            balance_minor: 1250,
            currency: "EUR".into(),
        }),
        Operation::ListCashbackTransactions => answer(Page {
            data: vec![cashback_entry(Direction::Credit, 1250, 1250, "Order #1042")],
            next_cursor: None,
        }),
        Operation::CreditCashback => both(
            CashbackMutation {
                amount_minor: 250,
                currency: "EUR".into(),
                reason: Some("Order #1043: 5 % back".into()),
            },
            CashbackMutationResult {
                customer_id: CUSTOMER.into(),
                balance_minor: 1500,
                currency: "EUR".into(),
                entry: cashback_entry(Direction::Credit, 250, 1500, "Order #1043: 5 % back"),
                version: 47,
            },
        ),
        Operation::RedeemCashback => both(
            CashbackMutation {
                amount_minor: 1000,
                currency: "EUR".into(),
                reason: Some("Paid at the till".into()),
            },
            CashbackMutationResult {
                customer_id: CUSTOMER.into(),
                balance_minor: 250,
                currency: "EUR".into(),
                entry: cashback_entry(Direction::Debit, 1000, 250, "Paid at the till"),
                version: 48,
            },
        ),
        Operation::ListCards => answer(Page {
            data: vec![coffee_card()],
            next_cursor: None,
        }),
        Operation::ListRewards => answer(Page {
            data: vec![reward()],
            next_cursor: None,
        }),
        Operation::CreateClaim => both(
            NewClaimBody {
                customer_id: CUSTOMER.into(),
                program: Program::Coins,
                amount: 120,
                card_id: None,
                evidence: Some(evidence()),
            },
            claim(ClaimStatus::Pending, None),
        ),
        Operation::ListClaims => answer(Page {
            data: vec![claim(ClaimStatus::Pending, None)],
            next_cursor: Some("1795424400000.clm_4Rt8Lp2Xw6Qz9Nd1".into()),
        }),
        Operation::GetClaim => answer(claim(ClaimStatus::Pending, None)),
        Operation::ApproveClaim => answer(Claim {
            version: Some(49),
            ..claim(ClaimStatus::Approved, None)
        }),
        Operation::RejectClaim => both(
            RejectClaim {
                reason: "No receipt with this number".into(),
            },
            Claim {
                version: Some(50),
                ..claim(
                    ClaimStatus::Rejected,
                    Some("No receipt with this number".into()),
                )
            },
        ),
        Operation::CreateCustomerToken => both(
            CustomerTokenRequest {
                customer_id: CUSTOMER.into(),
                ttl_seconds: Some(3600),
            },
            CustomerTokenResponse {
                // A real JWT, signed with the sample identity secret below.
                token: tally_core::token::sign(
                    CUSTOMER,
                    1_795_424_400,
                    1_795_428_000,
                    "ids_8Hn3Kq1Wz5Tc7Vb2",
                    IDENTITY_SECRET.as_bytes(),
                ),
                expires_at: "2026-11-23T11:00:00.000Z".into(),
            },
        ),
    }
}

fn key_view(secret: bool) -> KeyView {
    let (kind, access, env, redacted) = if secret {
        ("secret", "full_access", "prod", "prod_sk_…wxyz")
    } else {
        ("publishable", "read_only", "test", "test_pk_…a1b2")
    };
    KeyView {
        id: if secret {
            "key_7Qm2ZkV9xT3pLw8a"
        } else {
            "key_Pk4nW2qR8sT1vX6y"
        }
        .into(),
        name: if secret {
            "Checkout backend"
        } else {
            "Storefront widget"
        }
        .into(),
        description: if secret {
            "Credits coins after each order."
        } else {
            ""
        }
        .into(),
        kind: kind.into(),
        access: access.into(),
        scopes: if secret {
            vec!["member_read", "member_write", "coins_read", "coins_write"]
        } else {
            vec!["member_read", "coins_read", "referral_read"]
        }
        .into_iter()
        .map(String::from)
        .collect(),
        environment: env.into(),
        redacted: redacted.into(),
        created_at: T0.into(),
        created_by: Some("admin@demo.tally.test".into()),
        last_used_at: None,
        expires_at: None,
        revoked_at: None,
        allowed_origins: if secret {
            vec![]
        } else {
            vec!["https://shop.example".into()]
        },
        status: "active".into(),
        write_capable: secret,
        wallets: vec![WalletReach {
            wallet: "coins".into(),
            currency_type: "points".into(),
        }],
        rolled_to: None,
    }
}

fn member(role: &str, email: &str) -> MemberView {
    MemberView {
        id: "mem_4Rt8Vb2Nq6Lx9Zp1".into(),
        email: email.into(),
        role: role.into(),
        pin_set: true,
        pin_locked: false,
        created_at: T0.into(),
    }
}

fn identity_secret(status: &str) -> IdentitySecretView {
    IdentitySecretView {
        kid: "ids_8Hn3Kq1Wz5Tc7Vb2".into(),
        environment: "test".into(),
        created_at: T0.into(),
        retires_at: None,
        status: status.into(),
    }
}

fn endpoint() -> WebhookEndpoint {
    WebhookEndpoint {
        id: "wh_2Gm7Pq4Xs9Kd1Lf3".into(),
        environment: "prod".into(),
        url: "https://shop.example/hooks/tally".into(),
        description: "Order service".into(),
        events: vec!["coins.credited".into(), "api_key.exposed".into()],
        disabled: false,
        created_at: T0.into(),
    }
}

fn delivery() -> Delivery {
    Delivery {
        id: "dlv_6Ws1Hy8Jc3Mv5Nb7".into(),
        event_id: "evt_1Qa9Zx3Cv7Bn5Ml2".into(),
        event_type: "coins.credited".into(),
        status: "succeeded".into(),
        attempt_count: 2,
        next_attempt_at: None,
        last_status_code: Some(200),
        last_error: None,
        created_at: T0.into(),
        updated_at: T1.into(),
        attempts: vec![
            DeliveryAttempt {
                attempt: 1,
                status_code: Some(503),
                error: None,
                duration_ms: 84,
                at: T0.into(),
            },
            DeliveryAttempt {
                attempt: 2,
                status_code: Some(200),
                error: None,
                duration_ms: 61,
                at: "2026-11-23T10:00:05.000Z".into(),
            },
        ],
    }
}

fn session() -> Session {
    Session {
        member: SessionMember {
            id: "mem_4Rt8Vb2Nq6Lx9Zp1".into(),
            email: "admin@demo.tally.test".into(),
            role: "superadmin".into(),
            pin_set: true,
        },
        csrf_token: "Xy3kP9qL2mN8vB4cT6wZ1aR5sD7fG0hJ".into(),
        workspace: SessionWorkspace {
            id: "ws_demo".into(),
            name: "Demo Coffee".into(),
            status: "approved".into(),
        },
        expires_at: "2026-11-23T22:00:00.000Z".into(),
    }
}

fn workspace() -> Workspace {
    Workspace {
        id: "ws_demo".into(),
        name: "Demo Coffee".into(),
        status: "approved".into(),
        exposure_action: "alert".into(),
        coin_label: "coins".into(),
        referral_url: "https://shop.example/?ref={code}".into(),
        referral_reward_coins: 100,
        referral_reward_text: "Give 100 coins, get 100 coins".into(),
        created_at: T0.into(),
    }
}

fn overview() -> Overview {
    let rows = [
        ("2026-05-19", "requests_succeeded", 1_204),
        ("2026-05-19", "requests_refused", 17),
        ("2026-05-19", "requests_rate_limited", 2),
        ("2026-05-19", "coins_credited", 5_150),
        ("2026-05-19", "coins_debited", 1_200),
        ("2026-05-20", "requests_succeeded", 1_391),
        ("2026-05-20", "requests_refused", 9),
        ("2026-05-20", "exposures", 1),
        ("2026-05-20", "coins_credited", 4_800),
    ]
    .map(|(d, m, n)| (d.to_owned(), m.to_owned(), n));
    let now = tally_core::time::parse_rfc3339("2026-05-20T12:00:00Z").unwrap_or_default();
    tally_core::stats::overview(&rows, now, 3)
}

fn deleted(id: &str) -> Deleted {
    Deleted {
        id: id.into(),
        deleted: true,
    }
}

/// Samples for a control-plane operation.
pub fn control_plane(op: AdminOp) -> Sample {
    match op {
        AdminOp::SignIn => both(
            SignIn {
                email: "admin@demo.tally.test".into(),
                password: "correct horse battery staple".into(),
            },
            session(),
        ),
        AdminOp::GetSession => answer(session()),
        AdminOp::SignOut => answer(SignedOut { signed_out: true }),
        AdminOp::SetPin => both(
            SetPin {
                password: "correct horse battery staple".into(),
                pin: "482913".into(),
            },
            PinSet { pin_set: true },
        ),
        AdminOp::GetWorkspace => answer(workspace()),
        AdminOp::GetOverview => answer(overview()),
        AdminOp::PatchWorkspace => both(
            WorkspacePatch {
                exposure_action: Some("alert_and_revoke".into()),
                ..WorkspacePatch::default()
            },
            Workspace {
                exposure_action: "alert_and_revoke".into(),
                ..workspace()
            },
        ),
        AdminOp::ListMembers => answer(MemberList {
            data: vec![
                member("superadmin", "admin@demo.tally.test"),
                member("developer", "dev@demo.tally.test"),
            ],
        }),
        AdminOp::CreateMember => both(
            NewMember {
                email: "grace@shop.example".into(),
                role: "developer".into(),
                password: "a long initial passphrase".into(),
                pin: None,
            },
            MemberAnswer {
                member: MemberView {
                    pin_set: false,
                    ..member("developer", "grace@shop.example")
                },
            },
        ),
        AdminOp::PatchMember => both(
            MemberPatch {
                role: "admin".into(),
            },
            MemberAnswer {
                member: member("admin", "grace@shop.example"),
            },
        ),
        AdminOp::DeleteMember => answer(deleted("mem_4Rt8Vb2Nq6Lx9Zp1")),
        AdminOp::ListKeys => answer(KeyList {
            data: vec![key_view(true), key_view(false)],
        }),
        AdminOp::CreateKey => both(
            NewKey {
                name: Some("Storefront widget".into()),
                access: Some("read_only".into()),
                environment: Some("test".into()),
                allowed_origins: Some(vec!["https://shop.example".into()]),
                ..NewKey::default()
            },
            CreatedKey {
                key: key_view(false),
                secret: "test_pk_4f8Kq2mX9pL1vB7nZ3cR6tW0yH5jD8sA2b".into(),
            },
        ),
        AdminOp::GetKey => answer(key_view(true)),
        AdminOp::PatchKey => both(
            KeyPatch {
                description: Some("Credits coins after each order.".into()),
                ..KeyPatch::default()
            },
            key_view(true),
        ),
        AdminOp::DeleteKey => answer(deleted("key_7Qm2ZkV9xT3pLw8a")),
        AdminOp::RollKey => both(
            RollKey {
                overlap_seconds: Some(86_400),
            },
            // A publishable key's roll: no secret-key string is ever written in the document.
            RolledKey {
                key: KeyView {
                    id: "key_9Xc3Vb7Nm1Qw5Er8".into(),
                    redacted: "test_pk_…c3d4".into(),
                    ..key_view(false)
                },
                secret: "test_pk_8Rt2Yu6Io0Pa4Sd9Fg3Hj7Kl1Zx5Cv2Bnc3d4".into(),
                previous_key: KeyView {
                    expires_at: Some("2026-11-24T10:00:00.000Z".into()),
                    rolled_to: Some("key_9Xc3Vb7Nm1Qw5Er8".into()),
                    ..key_view(false)
                },
            },
        ),
        AdminOp::RevokeKey => answer(KeyView {
            revoked_at: Some(T1.into()),
            status: "revoked".into(),
            ..key_view(true)
        }),
        AdminOp::ListIdentitySecrets => answer(IdentitySecretList {
            data: vec![identity_secret("current")],
        }),
        AdminOp::RollIdentitySecret => both(
            RollIdentitySecret {
                environment: Some("test".into()),
                overlap_seconds: Some(3600),
            },
            RevealedIdentitySecret {
                identity_secret: identity_secret("current"),
                secret: IDENTITY_SECRET.into(),
            },
        ),
        AdminOp::PreviewToken => both(
            PreviewTokenRequest {
                customer_id: CUSTOMER.into(),
            },
            CustomerTokenResponse {
                // Ten minutes, signed with the sample identity secret.
                token: tally_core::token::sign(
                    CUSTOMER,
                    1_795_424_400,
                    1_795_425_000,
                    "ids_8Hn3Kq1Wz5Tc7Vb2",
                    IDENTITY_SECRET.as_bytes(),
                ),
                expires_at: "2026-11-23T10:10:00.000Z".into(),
            },
        ),
        AdminOp::RevealIdentitySecret => answer(RevealedIdentitySecret {
            identity_secret: identity_secret("current"),
            secret: IDENTITY_SECRET.into(),
        }),
        AdminOp::ListExposures => answer(Page {
            data: vec![Exposure {
                id: "exp_3Lk8Mn2Bv6Cx1Zq9".into(),
                key_id: "key_7Qm2ZkV9xT3pLw8a".into(),
                kind: "secret_key_in_browser".into(),
                origin: "https://shop.example".into(),
                ip: "203.0.113.7".into(),
                user_agent: "Mozilla/5.0".into(),
                route: "coins.credit".into(),
                first_seen: T0.into(),
                last_seen: T1.into(),
                count: 2,
            }],
            next_cursor: None,
        }),
        AdminOp::ListLogs => answer(Page {
            data: vec![LogEntry {
                id: 1042,
                request_id: REQUEST_ID.into(),
                key_id: Some("key_7Qm2ZkV9xT3pLw8a".into()),
                method: "POST".into(),
                route: "coins.credit".into(),
                status: 200,
                latency_ms: 7,
                caller: "server".into(),
                error_code: None,
                created_at: T1.into(),
            }],
            next_cursor: Some("1042".into()),
        }),
        AdminOp::ListAudit => answer(Page {
            data: vec![AuditEntry {
                id: 77,
                member_id: Some("mem_4Rt8Vb2Nq6Lx9Zp1".into()),
                member_email: "admin@demo.tally.test".into(),
                action: "keys.roll".into(),
                target: "key_7Qm2ZkV9xT3pLw8a".into(),
                status: 200,
                ip: "203.0.113.7".into(),
                created_at: T1.into(),
            }],
            next_cursor: None,
        }),
        AdminOp::ListWebhooks => answer(WebhookList {
            data: vec![endpoint()],
            event_types: tally_core::webhook::event_names(),
        }),
        AdminOp::CreateWebhook => both(
            NewWebhook {
                url: "https://shop.example/hooks/tally".into(),
                events: vec!["coins.credited".into(), "api_key.exposed".into()],
                environment: Some("prod".into()),
                description: Some("Order service".into()),
            },
            CreatedWebhook {
                endpoint: endpoint(),
                secret: "whsec_Vq3Lm8Kx2Np7Zr1Tb6Wc9Hy4Jd0Fs5Ga3Ue8Io2Pk".into(),
            },
        ),
        AdminOp::GetWebhook => answer(endpoint()),
        AdminOp::GetPrograms => answer(programs()),
        AdminOp::PutPrograms => both(programs(), programs()),
        AdminOp::ListProgramCards => answer(Page {
            data: vec![coffee_card()],
            next_cursor: None,
        }),
        AdminOp::CreateCard | AdminOp::PutCard => both(
            CardSpec {
                name: "Coffee card".into(),
                required: 6,
                reward: "A free coffee".into(),
                stamp_expiry_days: Some(180),
                active: true,
            },
            coffee_card(),
        ),
        AdminOp::ListProgramRewards => answer(Page {
            data: vec![reward()],
            next_cursor: None,
        }),
        AdminOp::CreateReward | AdminOp::PutReward => both(
            RewardSpec {
                name: "Free coffee".into(),
                description: Some("Any size, any milk".into()),
                program: Program::Stamps,
                cost: 6,
                card_id: Some(CARD.into()),
                active: true,
            },
            reward(),
        ),
        AdminOp::ListQueuedClaims => answer(Page {
            data: vec![claim(ClaimStatus::Pending, None)],
            next_cursor: None,
        }),
        AdminOp::ApproveQueuedClaim => answer(Claim {
            version: Some(49),
            ..claim(ClaimStatus::Approved, None)
        }),
        AdminOp::RejectQueuedClaim => both(
            RejectClaim {
                reason: "No receipt with this number".into(),
            },
            Claim {
                version: Some(50),
                ..claim(
                    ClaimStatus::Rejected,
                    Some("No receipt with this number".into()),
                )
            },
        ),
        AdminOp::RevealWebhookSecret => answer(CreatedWebhook {
            endpoint: endpoint(),
            secret: "whsec_Vq3Lm8Kx2Np7Zr1Tb6Wc9Hy4Jd0Fs5Ga3Ue8Io2Pk".into(),
        }),
        AdminOp::PatchWebhook => both(
            WebhookPatch {
                disabled: Some(true),
                ..WebhookPatch::default()
            },
            WebhookEndpoint {
                disabled: true,
                ..endpoint()
            },
        ),
        AdminOp::DeleteWebhook => answer(deleted("wh_2Gm7Pq4Xs9Kd1Lf3")),
        AdminOp::ListDeliveries => answer(Page {
            data: vec![delivery()],
            next_cursor: None,
        }),
        AdminOp::Redeliver => answer(Delivery {
            status: "pending".into(),
            next_attempt_at: Some(T1.into()),
            ..delivery()
        }),
    }
}
