//! Capacity asked for and capacity serving (docs/simulate.md, "start-up"): a launch is billed at
//! once and serves after the start-up time; a scale-in first cancels launches still starting.

use std::collections::VecDeque;

/// The capacity a replay has asked for, with the launches not serving yet.
pub(super) struct Capacity {
    pub(super) desired: i32,
    /// (minute it serves from, how many), oldest first.
    pending: VecDeque<(usize, i32)>,
    startup_minutes: usize,
}

impl Capacity {
    pub(super) fn new(desired: i32, startup_minutes: usize) -> Capacity {
        Capacity {
            desired,
            pending: VecDeque::new(),
            startup_minutes,
        }
    }

    /// The capacity in service during minute `t`.
    pub(super) fn serving_at(&mut self, t: usize) -> i32 {
        self.pending.retain(|(ready, _)| *ready > t);
        self.desired - self.pending.iter().map(|(_, n)| n).sum::<i32>()
    }

    /// Moves to `to` at minute `t`; false when there is nothing to move.
    pub(super) fn set(&mut self, t: usize, to: i32) -> bool {
        if to == self.desired {
            return false;
        }
        if to > self.desired {
            self.pending
                .push_back((t + 1 + self.startup_minutes, to.saturating_sub(self.desired)));
        } else {
            // Newest launches first.
            let mut remove = self.desired.saturating_sub(to);
            while remove > 0 {
                let Some((ready, n)) = self.pending.pop_back() else {
                    break;
                };
                let taken = n.min(remove);
                remove -= taken;
                if n > taken {
                    self.pending.push_back((ready, n - taken));
                }
            }
        }
        self.desired = to;
        true
    }
}
