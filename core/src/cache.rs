//! A bounded least-recently-used cache whose entries expire: what an isolate keeps of keys,
//! identity secrets and webhook endpoints between requests.
//!
//! Bounded so a flood of distinct lookups (well-formed unknown keys are free to mint: the
//! checksum is public) cannot grow memory, and least-recently-used so that flood evicts
//! only its own entries and the oldest idle ones, never everything at once: the keys in
//! real use stay cached. Isolates are single-threaded, so the edge keeps one in a
//! `thread_local!` `RefCell`.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::time::UnixMillis;

struct Slot<V> {
    value: V,
    expires_at: UnixMillis,
    used: u64,
}

/// At most `capacity` entries; each lives until its own `expires_at`.
pub struct Lru<K, V> {
    slots: HashMap<K, Slot<V>>,
    /// Recency: `used` tick → key, oldest first.
    order: BTreeMap<u64, K>,
    tick: u64,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Lru<K, V> {
    /// An empty cache holding at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Lru {
            slots: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            capacity: capacity.max(1),
        }
    }

    /// Entries held (expired ones included until they are touched or evicted).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn bump(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The value under `k` if it has not expired at `now`; marks it recently used.
    pub fn get(&mut self, k: &K, now: UnixMillis) -> Option<V> {
        let tick = self.bump();
        let slot = self.slots.get_mut(k)?;
        if slot.expires_at <= now {
            let used = slot.used;
            self.slots.remove(k);
            self.order.remove(&used);
            return None;
        }
        self.order.remove(&slot.used);
        slot.used = tick;
        self.order.insert(tick, k.clone());
        Some(slot.value.clone())
    }

    /// Stores `v` under `k` until `expires_at`, evicting the least recently used entry
    /// when full.
    pub fn put(&mut self, k: K, v: V, expires_at: UnixMillis) {
        let tick = self.bump();
        if let Some(old) = self.slots.get(&k) {
            self.order.remove(&old.used);
        } else if self.slots.len() >= self.capacity {
            if let Some((_, oldest)) = self.order.pop_first() {
                self.slots.remove(&oldest);
            }
        }
        self.order.insert(tick, k.clone());
        self.slots.insert(
            k,
            Slot {
                value: v,
                expires_at,
                used: tick,
            },
        );
    }

    /// Drops `k`.
    pub fn remove(&mut self, k: &K) {
        if let Some(slot) = self.slots.remove(k) {
            self.order.remove(&slot.used);
        }
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let order = &mut self.order;
        self.slots.retain(|k, slot| {
            let kept = keep(k, &slot.value);
            if !kept {
                order.remove(&slot.used);
            }
            kept
        });
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn entries_expire_at_their_own_time() {
        let mut c = Lru::new(10);
        c.put("short", 1, 100);
        c.put("long", 2, 1_000);
        assert_eq!(c.get(&"short", 99), Some(1));
        assert_eq!(c.get(&"short", 100), None);
        assert_eq!(c.get(&"long", 999), Some(2));
        assert_eq!(c.len(), 1, "an expired entry is dropped when touched");
    }

    #[test]
    fn a_full_cache_evicts_the_least_recently_used_entry_only() {
        let mut c = Lru::new(3);
        c.put("a", 1, 1_000);
        c.put("b", 2, 1_000);
        c.put("c", 3, 1_000);
        assert_eq!(c.get(&"a", 0), Some(1)); // a is now the most recent
        c.put("d", 4, 1_000); // evicts b
        assert_eq!(c.get(&"b", 0), None);
        assert_eq!(c.get(&"a", 0), Some(1));
        assert_eq!(c.get(&"c", 0), Some(3));
        assert_eq!(c.get(&"d", 0), Some(4));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn a_flood_of_new_entries_keeps_an_entry_in_use() {
        let mut c = Lru::new(100);
        c.put(u64::MAX, 7, 1_000);
        for i in 0..10_000u64 {
            c.put(i, 0, 1_000);
            if i % 50 == 0 {
                assert_eq!(c.get(&u64::MAX, 0), Some(7), "evicted after {i}");
            }
        }
        assert_eq!(c.len(), 100);
    }

    #[test]
    fn replacing_and_removing_keep_the_bookkeeping_straight() {
        let mut c = Lru::new(2);
        assert!(c.is_empty());
        c.put("a", 1, 1_000);
        c.put("a", 2, 1_000);
        c.put("b", 3, 1_000);
        assert_eq!(c.get(&"a", 0), Some(2));
        c.remove(&"a");
        c.put("c", 4, 1_000);
        assert_eq!(c.get(&"b", 0), Some(3));
        c.retain(|k, _| *k != "b");
        assert_eq!(c.get(&"b", 0), None);
        assert_eq!(c.get(&"c", 0), Some(4));
        assert_eq!(c.len(), 1);
        assert!(!c.is_empty());
    }

    proptest! {
        /// Any sequence of operations keeps the size bounded and the two indexes in step.
        #[test]
        fn bounded_and_consistent(ops in proptest::collection::vec((0u8..4, 0u8..20, 0i64..50), 0..300)) {
            let mut c = Lru::new(8);
            for (op, k, t) in ops {
                match op {
                    0 => c.put(k, t, t + 10),
                    1 => { let _ = c.get(&k, t); }
                    2 => c.remove(&k),
                    _ => c.retain(|key, _| key % 3 != 0),
                }
                prop_assert!(c.len() <= 8);
                prop_assert_eq!(c.slots.len(), c.order.len());
            }
        }
    }
}
