//! Step adjustments: the interval rules Application Auto Scaling enforces, checked up front.
//! Bounds are relative to the alarm threshold; None is minus (lower) or plus (upper) infinity.

use super::{MAX_STEPS_PER_POLICY, int_in};
use crate::config::raw::{Located, RawStep};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::AdjustmentType;
use crate::model::StepAdjustment;

pub fn validate(
    steps: &Located<Vec<RawStep>>,
    adjustment_type: AdjustmentType,
    d: &mut Diagnostics,
) -> Option<Vec<StepAdjustment>> {
    let errors = |d: &Diagnostics| d.count(crate::diagnostic::Severity::Error);
    let errors_before = errors(d);
    if !counted(steps, d) {
        return None;
    }
    let mut parsed = parse_each(steps, adjustment_type, d);
    if errors(d) > errors_before {
        return None;
    }
    check_open_ends(&parsed, &steps.origin, d);
    if errors(d) > errors_before {
        return None;
    }
    parsed.sort_by(|(a, _), (b, _)| {
        a.lower_bound
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&b.lower_bound.unwrap_or(f64::NEG_INFINITY))
    });
    check_contiguous(&parsed, d);
    if errors(d) > errors_before {
        return None;
    }
    Some(parsed.into_iter().map(|(s, _)| s).collect())
}

/// Whether there are steps at all (an error if not); more than AWS's default quota is one too.
fn counted(steps: &Located<Vec<RawStep>>, d: &mut Diagnostics) -> bool {
    if steps.value.is_empty() {
        d.push(
            Diagnostic::new(&codes::NO_STEPS, &steps.origin, "`steps` is empty")
                .help("add at least one step, e.g. `steps = [{ lower = 0.0, adjustment = 1 }]`"),
        );
        return false;
    }
    if steps.value.len() > MAX_STEPS_PER_POLICY {
        d.push(
            Diagnostic::new(
                &codes::TOO_MANY_STEPS,
                &steps.origin,
                format!(
                    "{} steps; AWS's default quota is {MAX_STEPS_PER_POLICY} per policy, and apply fails unless the account's quota was raised",
                    steps.value.len()
                ),
            )
            .help("merge steps, or request a higher \"Step adjustments per scaling policy\" quota in Service Quotas"),
        );
    }
    true
}

/// Each step with its origin: its bounds finite, at least one of them, in order, and its
/// adjustment in range for `adjustment_type` (a step with a bad value is left out).
fn parse_each<'a>(
    steps: &'a Located<Vec<RawStep>>,
    adjustment_type: AdjustmentType,
    d: &mut Diagnostics,
) -> Vec<(StepAdjustment, &'a Origin)> {
    let mut parsed: Vec<(StepAdjustment, &Origin)> = Vec::new();
    for s in &steps.value {
        let lower = s.lower.as_ref().and_then(|b| bound(b, "lower", d));
        let upper = s.upper.as_ref().and_then(|b| bound(b, "upper", d));
        let Some(adj) = s.adjustment.as_ref().and_then(|a| {
            let min = if adjustment_type == AdjustmentType::ExactCapacity {
                0
            } else {
                i64::from(i32::MIN)
            };
            int_in(a, "adjustment", min, i64::from(i32::MAX), d)
        }) else {
            continue;
        };
        if (s.lower.is_some() && lower.is_none()) || (s.upper.is_some() && upper.is_none()) {
            continue;
        }
        match (lower, upper) {
            (None, None) => d.push(
                Diagnostic::new(
                    &codes::STEP_BOUNDS,
                    &s.origin,
                    "a step needs `lower`, `upper` or both",
                )
                .help("use `lower = 0.0` for \"at or above the threshold\""),
            ),
            (Some(l), Some(u)) if u <= l => d.push(Diagnostic::new(
                &codes::STEP_BOUNDS,
                &s.origin,
                format!("step upper bound ({u}) must be greater than its lower bound ({l})"),
            )),
            _ => {}
        }
        parsed.push((
            StepAdjustment {
                lower_bound: lower,
                upper_bound: upper,
                scaling_adjustment: adj,
            },
            &s.origin,
        ));
    }
    parsed
}

/// At most one step open below and one above; and open ends wherever the steps reach below or
/// above the threshold.
fn check_open_ends(parsed: &[(StepAdjustment, &Origin)], origin: &Origin, d: &mut Diagnostics) {
    let open_lower = parsed.iter().filter(|(s, _)| s.lower_bound.is_none()).count();
    let open_upper = parsed.iter().filter(|(s, _)| s.upper_bound.is_none()).count();
    if open_lower > 1 {
        d.push(
            Diagnostic::new(
                &codes::STEP_OPEN_LOWER,
                origin,
                "more than one step has no `lower` bound",
            )
            .help("only the lowest step may extend to minus infinity"),
        );
    }
    if open_upper > 1 {
        d.push(
            Diagnostic::new(
                &codes::STEP_OPEN_UPPER,
                origin,
                "more than one step has no `upper` bound",
            )
            .help("only the highest step may extend to plus infinity"),
        );
    }
    if open_lower == 0 && parsed.iter().any(|(s, _)| s.lower_bound.is_some_and(|l| l < 0.0)) {
        d.push(
            Diagnostic::new(
                &codes::STEP_OPEN_LOWER,
                origin,
                "steps reach below the threshold, so the lowest step must have no `lower` bound",
            )
            .help("remove `lower` from the lowest step"),
        );
    }
    if open_upper == 0 && parsed.iter().any(|(s, _)| s.upper_bound.is_some_and(|u| u > 0.0)) {
        d.push(
            Diagnostic::new(
                &codes::STEP_OPEN_UPPER,
                origin,
                "steps reach above the threshold, so the highest step must have no `upper` bound",
            )
            .help("remove `upper` from the highest step"),
        );
    }
}

/// Steps sorted by their lower bound that neither overlap nor leave a gap.
fn check_contiguous(parsed: &[(StepAdjustment, &Origin)], d: &mut Diagnostics) {
    for pair in parsed.windows(2) {
        let (prev, _) = &pair[0];
        let (next, origin) = &pair[1];
        let prev_upper = prev.upper_bound.unwrap_or(f64::INFINITY);
        let next_lower = next.lower_bound.unwrap_or(f64::NEG_INFINITY);
        if prev_upper > next_lower {
            d.push(
                Diagnostic::new(
                    &codes::STEP_OVERLAP,
                    origin,
                    format!(
                        "this step overlaps the one below it: [{}, {}) and [{}, {})",
                        show(prev.lower_bound),
                        show(prev.upper_bound),
                        show(next.lower_bound),
                        show(next.upper_bound)
                    ),
                )
                .help("make each step's `lower` equal the previous step's `upper`"),
            );
        } else if prev_upper < next_lower {
            d.push(
                Diagnostic::new(
                    &codes::STEP_GAP,
                    origin,
                    format!("there is a gap between {prev_upper} and {next_lower}: no step covers it"),
                )
                .help("make each step's `lower` equal the previous step's `upper`"),
            );
        }
    }
}

fn bound(b: &Located<f64>, key: &str, d: &mut Diagnostics) -> Option<f64> {
    if b.value.is_finite() {
        return Some(b.value);
    }
    d.push(
        Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &b.origin,
            format!("step `{key}` must be a finite number, not {}", b.value),
        )
        .help(format!(
            "leave `{key}` out for an interval that is open on that side"
        )),
    );
    None
}

fn show(b: Option<f64>) -> String {
    b.map_or("inf".into(), |v| v.to_string())
}
