//! The verifier's decision for a cached key: what every authenticated request pays
//! before any storage call. Run with `make bench` (or `cargo bench -p tally-core`).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tally_core::caller::BrowserSignals;
use tally_core::key::{self, Environment, KeyKind};
use tally_core::route::{self, Operation};
use tally_core::scope::ScopeSet;
use tally_core::token::{self, IdentitySecret};
use tally_core::verifier::{self, Credentials, ExposureAction, KeyRecord, RequestFacts};

fn rng(seed: u64) -> impl FnMut(&mut [u8]) {
    let mut s = seed | 1;
    move |buf: &mut [u8]| {
        for b in buf {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *b = s as u8;
        }
    }
}

fn bench(c: &mut Criterion) {
    let pk = key::generate(Environment::Test, KeyKind::Publishable, &mut rng(1));
    let record = KeyRecord {
        id: "key_bench".into(),
        hash: pk.hash,
        workspace_id: "ws_demo".into(),
        env: Environment::Test,
        kind: KeyKind::Publishable,
        scopes: ScopeSet::read_only(),
        expires_at: None,
        revoked_at: None,
        allowed_origins: vec!["https://shop.example".into()],
        exposure_action: ExposureAction::Alert,
    };
    let secret = IdentitySecret {
        kid: "ids_1".into(),
        secret: vec![3; 32],
        retires_at: None,
    };
    let now_ms = 1_800_000_000_000i64;
    let now = now_ms / 1000;
    let token = token::sign("ada", now, now + 3600, "ids_1", &secret.secret);
    let secrets = vec![secret];

    let verify_widget = |verified: &mut token::Verified| {
        let route = route::resolve("GET", black_box("/v1/widget")).expect("route");
        let creds = Credentials {
            query_key: Some(black_box(pk.plaintext.as_str())),
            workspace_query: Some("ws_demo"),
            ..Default::default()
        };
        let presented = verifier::extract(&creds).expect("extract");
        let facts = RequestFacts {
            signals: BrowserSignals {
                origin: Some("https://shop.example"),
                sec_fetch_site: Some("cross-site"),
                ..Default::default()
            },
            credentials: creds,
            now: now_ms,
        };
        let grant =
            verifier::authorize(&presented, Some(&record), &facts, route.op).expect("grant");
        verifier::check_customer_token(
            &grant,
            Operation::Widget,
            None,
            Some(black_box(&token)),
            &secrets,
            now_ms,
            verified,
        )
        .expect("token")
    };
    // A shopper's next page view with the token of the last one: answered from the
    // isolate's memory of verified tokens.
    c.bench_function("verify widget request (cached key, token seen)", |b| {
        let mut verified = token::Verified::new(16);
        b.iter(|| black_box(verify_widget(&mut verified)))
    });
    // A token this isolate has not seen: the HMAC and both JSON parses.
    c.bench_function("verify widget request (cached key, new token)", |b| {
        b.iter(|| black_box(verify_widget(&mut token::Verified::new(1))))
    });

    c.bench_function("reject secret key from browser", |b| {
        let sk = key::generate(Environment::Test, KeyKind::Secret, &mut rng(2));
        let rec = KeyRecord {
            hash: sk.hash,
            kind: KeyKind::Secret,
            scopes: ScopeSet::all(),
            ..record.clone()
        };
        let auth = format!("Bearer {}", sk.plaintext);
        b.iter(|| {
            let creds = Credentials {
                authorization: Some(black_box(&auth)),
                workspace_header: Some("ws_demo"),
                ..Default::default()
            };
            let presented = verifier::extract(&creds).expect("extract");
            let facts = RequestFacts {
                signals: BrowserSignals {
                    origin: Some("https://evil.example"),
                    ..Default::default()
                },
                credentials: creds,
                now: now_ms,
            };
            black_box(
                verifier::authorize(&presented, Some(&rec), &facts, Operation::GetCoins).is_err(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
