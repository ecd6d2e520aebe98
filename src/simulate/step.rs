//! Step scaling's pieces: the alarm's datapoints and state, the interval a breach falls in,
//! and the capacity an adjustment asks for.

use std::collections::VecDeque;

use crate::keywords::{AdjustmentType, Comparison, MetricStatistic, TreatMissingData};
use crate::model::{Alarm, AlarmStatistic, StepScaling};

#[derive(Clone, Copy, PartialEq)]
pub enum AlarmState {
    Ok,
    Alarm,
    Insufficient,
}

pub fn aggregate(statistic: &AlarmStatistic, samples: &[f64]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let stat = match statistic {
        AlarmStatistic::Statistic(s) => *s,
        AlarmStatistic::Extended(_) => MetricStatistic::Maximum,
    };
    Some(match stat {
        MetricStatistic::Average => samples.iter().sum::<f64>() / samples.len() as f64,
        MetricStatistic::Sum => samples.iter().sum(),
        MetricStatistic::Minimum => samples.iter().copied().fold(f64::INFINITY, f64::min),
        MetricStatistic::Maximum => samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        MetricStatistic::SampleCount => samples.len() as f64,
    })
}

fn breaches(a: &Alarm, v: f64) -> bool {
    match a.comparison {
        Comparison::GreaterThanOrEqualToThreshold => v >= a.threshold,
        Comparison::GreaterThanThreshold => v > a.threshold,
        Comparison::LessThanThreshold => v < a.threshold,
        Comparison::LessThanOrEqualToThreshold => v <= a.threshold,
    }
}

/// M of the last N datapoints breaching, with CloudWatch's treatment of missing data.
pub fn evaluate(a: &Alarm, points: &VecDeque<Option<f64>>, previous: AlarmState) -> AlarmState {
    let m = usize::try_from(a.datapoints_to_alarm).unwrap_or(1).max(1);
    let missing = points.iter().filter(|p| p.is_none()).count();
    let breaching = points.iter().flatten().filter(|v| breaches(a, **v)).count();
    if missing == points.len() {
        return match a.treat_missing_data {
            TreatMissingData::Breaching if points.len() >= m => AlarmState::Alarm,
            TreatMissingData::NotBreaching => AlarmState::Ok,
            TreatMissingData::Ignore => previous,
            _ => AlarmState::Insufficient,
        };
    }
    let breaching = breaching
        + match a.treat_missing_data {
            TreatMissingData::Breaching => missing,
            _ => 0,
        };
    if breaching >= m {
        AlarmState::Alarm
    } else {
        AlarmState::Ok
    }
}

/// The adjustment of the interval `delta` (metric minus threshold) falls in. Above the
/// threshold lower bounds are inclusive; below it upper bounds are.
pub fn step_for(step: &StepScaling, a: &Alarm, delta: f64) -> Option<i32> {
    let above = matches!(
        a.comparison,
        Comparison::GreaterThanOrEqualToThreshold | Comparison::GreaterThanThreshold
    );
    step.steps
        .iter()
        .find(|s| {
            let lo = s.lower_bound.unwrap_or(f64::NEG_INFINITY);
            let hi = s.upper_bound.unwrap_or(f64::INFINITY);
            if above {
                lo <= delta && delta < hi
            } else {
                lo < delta && delta <= hi
            }
        })
        .map(|s| s.scaling_adjustment)
}

/// The capacity a step adjustment asks for from `base`, rounded as Application Auto Scaling
/// rounds percentages (towards zero beyond 1, away from zero below 1) and lifted to the
/// minimum adjustment magnitude.
pub fn adjusted(step: &StepScaling, base: i32, adjustment: i32) -> i32 {
    match step.adjustment_type {
        AdjustmentType::ChangeInCapacity => base.saturating_add(adjustment),
        AdjustmentType::ExactCapacity => adjustment,
        AdjustmentType::PercentChangeInCapacity => {
            let raw = f64::from(base) * f64::from(adjustment) / 100.0;
            let mut change = if raw.abs() < 1.0 && raw != 0.0 {
                raw.signum() as i32
            } else {
                raw.trunc() as i32
            };
            if let Some(m) = step.min_adjustment_magnitude
                && change != 0
                && change.abs() < m
            {
                change = m * change.signum();
            }
            if change == 0 && adjustment > 0 {
                change = step.min_adjustment_magnitude.unwrap_or(0);
            }
            base.saturating_add(change)
        }
    }
}
