//! Hybrid logical clock: wall-clock milliseconds plus a counter, so that causally later events
//! always compare greater even when the wall clocks of two devices disagree.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A hybrid logical clock reading. Fields in alphabetical order: serialised compactly this is
/// the canonical form signed inside an op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hlc {
    pub counter: u32,
    pub wall_ms: u64,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.wall_ms, self.counter).cmp(&(other.wall_ms, other.counter))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hlc {
    /// The reading for a local event after `self`, the wall clock reading `now_ms`.
    pub fn tick(self, now_ms: u64) -> Hlc {
        if now_ms > self.wall_ms {
            Hlc {
                wall_ms: now_ms,
                counter: 0,
            }
        } else {
            Hlc {
                wall_ms: self.wall_ms,
                counter: self.counter.saturating_add(1),
            }
        }
    }

    /// The reading after receiving `remote`: greater than both, so that what is written next
    /// orders after what was seen.
    pub fn observe(self, remote: Hlc, now_ms: u64) -> Hlc {
        let wall_ms = self.wall_ms.max(remote.wall_ms).max(now_ms);
        let counter = match (wall_ms == self.wall_ms, wall_ms == remote.wall_ms) {
            (true, true) => self.counter.max(remote.counter).saturating_add(1),
            (true, false) => self.counter.saturating_add(1),
            (false, true) => remote.counter.saturating_add(1),
            (false, false) => 0,
        };
        Hlc { wall_ms, counter }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_follow_the_wall_clock_and_never_go_back() {
        let a = Hlc::default().tick(1_000);
        assert_eq!(
            a,
            Hlc {
                wall_ms: 1_000,
                counter: 0
            }
        );
        // The wall clock stepped back (NTP correction): the counter keeps order.
        let b = a.tick(900);
        assert!(b > a);
        assert_eq!(
            b,
            Hlc {
                wall_ms: 1_000,
                counter: 1
            }
        );
        assert!(b.tick(1_001) > b);
    }

    #[test]
    fn observing_a_device_two_hours_ahead_orders_after_it() {
        let ahead = Hlc {
            wall_ms: 1_000 + 7_200_000,
            counter: 3,
        };
        let local = Hlc {
            wall_ms: 1_000,
            counter: 0,
        }
        .observe(ahead, 1_500);
        assert!(local > ahead);
        assert_eq!(
            local,
            Hlc {
                wall_ms: 7_201_000,
                counter: 4
            }
        );
        // And a later local event still orders after both.
        assert!(local.tick(2_000) > local);
    }

    #[test]
    fn observing_an_older_reading_keeps_the_local_one_ahead() {
        let local = Hlc {
            wall_ms: 5_000,
            counter: 2,
        };
        let seen = local.observe(
            Hlc {
                wall_ms: 4_000,
                counter: 9,
            },
            4_500,
        );
        assert_eq!(
            seen,
            Hlc {
                wall_ms: 5_000,
                counter: 3
            }
        );
        let fresh = local.observe(
            Hlc {
                wall_ms: 4_000,
                counter: 9,
            },
            6_000,
        );
        assert_eq!(
            fresh,
            Hlc {
                wall_ms: 6_000,
                counter: 0
            }
        );
    }
}
