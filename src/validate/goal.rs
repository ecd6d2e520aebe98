//! An endpoint's `goal` table: numbers `tune` can hold a replay to.

use crate::config::raw::RawGoal;
use crate::diagnostic::{Diagnostic, Diagnostics, codes};

/// Every limit is a finite number of 0 or more.
pub fn validate(goal: &RawGoal, d: &mut Diagnostics) {
    for (key, field) in goal.entries() {
        if let Some(v) = field
            && !(v.value.is_finite() && v.value >= 0.0)
        {
            d.push(
                Diagnostic::new(
                    &codes::OUT_OF_RANGE,
                    &v.origin,
                    format!("goal `{key}` must be a number of 0 or more, not {}", v.value),
                )
                .help("docs/tune.md explains each part of the goal"),
            );
        }
    }
}
