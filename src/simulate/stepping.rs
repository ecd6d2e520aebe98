//! Step scaling as Application Auto Scaling runs it (docs/simulate.md, "step scaling" and "step
//! cooldown"): the alarm's datapoint at the end of each period, its state, and the capacity
//! the policy asks for while it is in ALARM.

use std::collections::VecDeque;

use super::signals::{MetricId, Signals};
use super::step::{AlarmState, adjusted, aggregate, evaluate, step_for};
use super::tracking::cooldown_minutes;
use crate::model::StepScaling;

/// One step policy's state during a replay.
pub(super) struct Stepping<'a> {
    pub(super) name: &'a str,
    step: &'a StepScaling,
    pub(super) metric: MetricId,
    /// The alarm's period in minutes.
    period: usize,
    datapoints: VecDeque<Option<f64>>,
    state: AlarmState,
    /// Until when a scale-out's cooldown lasts, and the capacity before that scale-out.
    out_cooldown: Option<(usize, i32)>,
    /// Until when no scale-in by this policy.
    pub(super) in_until: usize,
}

/// What a step policy asks for at the end of one of its alarm's periods.
pub(super) enum Ask {
    Out(i32),
    In(i32),
}

impl<'a> Stepping<'a> {
    pub(super) fn new(name: &'a str, step: &'a StepScaling) -> Stepping<'a> {
        Stepping {
            name,
            step,
            metric: super::watched::alarm_metric(&step.alarm),
            period: usize::try_from(step.alarm.period / 60).unwrap_or(1).max(1),
            datapoints: VecDeque::new(),
            state: AlarmState::Insufficient,
            out_cooldown: None,
            in_until: 0,
        }
    }

    /// At minute `t`: when a period ends, the alarm takes its datapoint (each minute of the
    /// period as it was served: `served(m)`, this minute's not recorded yet) and, in ALARM,
    /// the policy asks for capacity. A scale-out within its cooldown counts from the capacity
    /// before the first one.
    pub(super) fn at_minute(
        &mut self,
        t: usize,
        desired: i32,
        signals: &Signals,
        served: impl Fn(usize) -> (i32, Option<i32>),
    ) -> Option<Ask> {
        if !(t + 1).is_multiple_of(self.period) {
            return None;
        }
        let first = t + 1 - self.period;
        let samples: Vec<f64> = (first..=t)
            .filter_map(|m| {
                let (serving, recorded) = served(m);
                signals.value(&self.metric, m, serving, recorded)
            })
            .collect();
        let alarm = &self.step.alarm;
        self.datapoints.push_back(aggregate(&alarm.statistic, &samples));
        let n = usize::try_from(alarm.evaluation_periods).unwrap_or(1).max(1);
        while self.datapoints.len() > n {
            self.datapoints.pop_front();
        }
        self.state = evaluate(alarm, &self.datapoints, self.state);
        if self.state != AlarmState::Alarm {
            return None;
        }
        let latest = self.datapoints.iter().rev().find_map(|d| *d)?;
        let adjustment = step_for(self.step, alarm, latest - alarm.threshold)?;
        let in_cooldown = self.out_cooldown.filter(|(until, _)| t < *until);
        let base = in_cooldown.map_or(desired, |(_, before)| before);
        let wanted = adjusted(self.step, base, adjustment);
        if wanted > desired {
            Some(Ask::Out(wanted))
        } else if wanted < desired && in_cooldown.is_none() && t >= self.in_until {
            Some(Ask::In(wanted))
        } else {
            None
        }
    }

    /// It scaled out from `before` at minute `t`: its cooldown starts, unless one is running.
    pub(super) fn scaled_out(&mut self, t: usize, before: i32) {
        if self.out_cooldown.is_none_or(|(until, _)| t >= until) {
            self.out_cooldown = Some((t + cooldown_minutes(Some(self.step.cooldown)), before));
        }
    }

    /// It scaled in at minute `t`: no scale-in by it until its cooldown ends.
    pub(super) fn scaled_in(&mut self, t: usize) {
        self.in_until = t + cooldown_minutes(Some(self.step.cooldown));
    }
}
