//! The ledger's rules: any body parses or is refused (never a panic), and a planned write
//! never takes a balance below zero or above the largest safe balance, and replays only the
//! identical request.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tally_core::ledger::{self, Direction, Plan, Prior, MAX_BALANCE};

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let (head, body) = data.split_at(9);
    let direction = if head[0] & 1 == 0 {
        Direction::Credit
    } else {
        Direction::Debit
    };
    let mut b = [0u8; 8];
    b.copy_from_slice(&head[1..9]);
    let balance = (i64::from_le_bytes(b) & i64::MAX) % (MAX_BALANCE + 1);
    let Ok(m) = ledger::parse_mutation(direction, body) else {
        return;
    };
    assert!(m.amount > 0 && m.amount <= ledger::MAX_AMOUNT);
    match ledger::plan(balance, &m, None) {
        Ok(Plan::Apply { balance_after }) => {
            assert!((0..=MAX_BALANCE).contains(&balance_after));
            assert_eq!(
                balance_after - balance,
                ledger::signed_amount(m.direction, m.amount)
            );
        }
        Ok(Plan::Replay) => panic!("a first write is never a replay"),
        Err(_) => {}
    }
    let prior = Prior {
        mutation: m.clone(),
    };
    assert_eq!(
        ledger::plan(balance, &m, Some(&prior)).ok(),
        Some(Plan::Replay)
    );
});
