//! What a search of one target starts from: the goal (the command line's over the config's),
//! the knobs its kind allows, the capacity the history was recorded under, the async queue,
//! and the floors and daily peak of the load.

use super::goal::Goal;
use super::search::Setup;
use super::space::{Alternative, Days, Peak, Space};
use super::{Settings, TargetTune};
use crate::config::raw::{RawConfig, RawEndpoint};
use crate::keywords::{Keyword, PredefinedMetric, Preset};
use crate::model::{MetricSpec, PolicyConfig, ScalableTarget, Scaled};
use crate::simulate::History;
use crate::simulate::queue::Queue;
use crate::simulate::replay::{self, Model};

/// What a search of one target starts from.
pub(super) struct Prepared<'a> {
    pub(super) endpoint: Option<&'a RawEndpoint>,
    pub(super) goal: Goal,
    pub(super) space: Space,
    /// The capacity the history was recorded under, minute by minute.
    pub(super) recorded: Vec<i32>,
    pub(super) queue: Option<Queue>,
}

impl Prepared<'_> {
    pub(super) fn setup<'h>(&'h self, h: &'h History, settings: &Settings) -> Setup<'h> {
        Setup {
            signals: &h.signals,
            recorded: Some(&self.recorded),
            initial: self.recorded.first().copied(),
            queue: self.queue.clone(),
            startup_minutes: settings.startup_minutes,
            concurrency: self
                .goal
                .max_concurrency_per_instance
                .map(|_| concurrency_metric(&h.target.scaled)),
            price: settings.price.unwrap_or(1.0),
        }
    }
}

/// The goal, search space, recorded capacity and queue of `h`'s target; None (with the
/// reason in `out.notes`) when it cannot be tuned.
pub(super) fn prepare<'a>(
    raw: &'a RawConfig,
    h: &History,
    settings: &Settings,
    out: &mut TargetTune,
) -> Option<Prepared<'a>> {
    if h.signals.recorded.is_empty() {
        out.notes.push(format!(
            "no metric had data in the last {} days: there is no history to tune on",
            settings.days
        ));
        return None;
    }
    let endpoint = raw_endpoint(raw, &h.target);
    let goal = settings
        .goal
        .with_config(endpoint.and_then(|e| e.goal.as_ref()).map(|g| &g.value));
    out.goal = goal.clone();
    let preset = endpoint.and_then(|e| e.preset.as_ref()).map(|p| p.value);
    let Some(space) = Space::new(&h.target, preset, alternatives(&h.target, preset)) else {
        out.notes.push(
            "no target-tracking policy: its knobs are fixed (step policies and schedules are not tuned by this version)"
                .into(),
        );
        return None;
    };
    let (recorded, queue) = recorded_and_queue(h, settings, out);
    if goal.max_concurrency_per_instance.is_some()
        && !h
            .signals
            .recorded
            .contains_key(&concurrency_metric(&h.target.scaled))
    {
        let (_, metric) = concurrency_metric(&h.target.scaled);
        out.notes.push(format!(
            "the goal caps concurrency per instance, but {metric} has no data in the period"
        ));
        return None;
    }
    if goal.needs_queue() && queue.is_none() {
        out.notes
            .push("the goal asks about the queue, which cannot be modelled for this target".into());
        return None;
    }
    let mut space = with_floors(space, queue.as_ref(), &recorded, h);
    space.high_resolution = high_resolution(&space, h);
    space.step_periods = match (endpoint, space.stepped) {
        (Some(e), Some(i)) => super::edit::step_periods_editable(e, &space.base.policies[i].name),
        _ => false,
    };
    Some(Prepared {
        endpoint,
        goal,
        space,
        recorded,
        queue,
    })
}

/// The capacity the history was recorded under (the live config's replay: AWS's, else this
/// one) and, for an async endpoint whose queue can be modelled, its queue.
fn recorded_and_queue(h: &History, settings: &Settings, out: &mut TargetTune) -> (Vec<i32>, Option<Queue>) {
    let model = Model {
        startup_minutes: settings.startup_minutes,
        ..Model::default()
    };
    let recorded = replay::run(h.baseline.as_ref().unwrap_or(&h.target), &h.signals, None, &model).serving;
    let queue = match (&h.target.scaled, &h.signals.backlog) {
        (Scaled::Variant { .. }, Some(_)) => {
            match Queue::from_history(&h.signals, &recorded, settings.throughput) {
                Ok((q, how)) => {
                    out.throughput = Some((q.per_instance, how));
                    Some(q)
                }
                Err(why) => {
                    out.notes.push(why);
                    None
                }
            }
        }
        _ => None,
    };
    (recorded, queue)
}

/// `space` with the load's floors (its median, 90th percentile, and that plus 15 %) and, where
/// the target has no schedules of its own, its daily peak.
fn with_floors(mut space: Space, queue: Option<&Queue>, recorded: &[i32], h: &History) -> Space {
    let needed = needed_capacity(queue, recorded);
    space.floors = [(0.5, 1.0), (0.9, 1.0), (0.9, 1.15)]
        .iter()
        .filter_map(|(q, headroom)| percentile(needed.clone(), *q).map(|c| c * headroom))
        .map(|c| (c.ceil() as i32).clamp(0, h.target.max_capacity))
        .collect();
    space.floors.dedup();
    if h.target.scheduled_actions.is_empty() {
        space.peak = peak(&needed, h.signals.start);
    }
    space
}

/// The config's `[[endpoint]]` (or `[[inference_component]]`) that makes `target`.
pub(super) fn raw_endpoint<'a>(raw: &'a RawConfig, target: &ScalableTarget) -> Option<&'a RawEndpoint> {
    raw.endpoints.iter().chain(&raw.components).find(|e| {
        let name = e.name.as_ref().map(|n| n.value.as_str());
        let variant = e.variant.as_ref().map_or("AllTraffic", |v| v.value.as_str());
        match &target.scaled {
            Scaled::Variant { endpoint, variant: v } => {
                !e.component && name == Some(endpoint) && variant == v
            }
            Scaled::InferenceComponent { inference_component } => {
                e.component && name == Some(inference_component)
            }
        }
    })
}

/// The async presets' other tracked metric: CPU and backlog per instance.
pub(super) fn alternatives(target: &ScalableTarget, preset: Option<Preset>) -> Vec<Alternative> {
    let other = match preset {
        Some(Preset::AsyncCpu) => Preset::AsyncBacklog,
        Some(Preset::AsyncBacklog) => Preset::AsyncCpu,
        _ => return Vec::new(),
    };
    let Scaled::Variant { endpoint, variant } = &target.scaled else {
        return Vec::new();
    };
    let text = format!(
        "[[endpoint]]\nname = \"{endpoint}\"\nvariant = \"{variant}\"\nmax_capacity = {}\npreset = \"{}\"\n",
        target.max_capacity.max(1),
        other.as_str()
    );
    let policy = crate::check::check_text("preset", &text)
        .desired
        .and_then(|d| d.targets.into_iter().next())
        .and_then(|t| {
            t.policies
                .into_iter()
                .find(|p| matches!(p.config, PolicyConfig::TargetTracking(_)))
        });
    policy
        .map(|policy| Alternative {
            preset: other,
            policy,
        })
        .into_iter()
        .collect()
}

/// SageMaker's 10-second concurrency metric for `h`'s target, with the median of its
/// recorded minutes under load as a target value to start from; None when the history has
/// no such data (async endpoints and serverless variants publish none) or the policy already
/// tracks it.
fn high_resolution(space: &Space, h: &History) -> Option<(PredefinedMetric, f64)> {
    use PredefinedMetric::*;
    let (metric, name) = match &h.target.scaled {
        Scaled::Variant { .. } => (
            VariantConcurrentRequestsPerModelHighResolution,
            "ConcurrentRequestsPerModel",
        ),
        Scaled::InferenceComponent { .. } => (
            InferenceComponentConcurrentRequestsPerCopyHighResolution,
            "ConcurrentRequestsPerCopy",
        ),
    };
    if let PolicyConfig::TargetTracking(tt) = &space.base.policies[space.tracked].config
        && tt.metric == MetricSpec::Predefined(metric)
    {
        return None;
    }
    let series = h
        .signals
        .recorded
        .get(&("AWS/SageMaker".to_string(), name.to_string()))?;
    let busy: Vec<f64> = series.iter().flatten().copied().filter(|v| *v > 0.0).collect();
    let start = percentile(busy, 0.5)?;
    Some((metric, (start * 10.0).round().max(1.0) / 10.0))
}

/// The series the concurrency goal reads: the metric's highest value each minute.
fn concurrency_metric(s: &Scaled) -> (String, String) {
    let name = match s {
        Scaled::Variant { .. } => "ConcurrentRequestsPerModel",
        Scaled::InferenceComponent { .. } => "ConcurrentRequestsPerCopy",
    };
    crate::simulate::signals::peak_of(&("AWS/SageMaker".into(), name.into()))
}

/// The hours (UTC) of the day whose mean need is at least half the busiest hour's, as the
/// shortest window around the clock that holds them all (it may cross midnight: 17:00-01:00
/// UTC is a Pacific working day), and the days it is busy on; None without a daily cycle
/// (under a day of history, no need at all, or busy 20 hours or more).
fn peak(needed: &[f64], start: i64) -> Option<Peak> {
    if needed.len() < 1440 {
        return None;
    }
    let first_minute = start.div_euclid(60);
    let hour_of = |m: usize| ((first_minute + m as i64).rem_euclid(1440) / 60) as usize;
    let mut sum = [0.0f64; 24];
    let mut count = [0usize; 24];
    for (m, n) in needed.iter().enumerate() {
        sum[hour_of(m)] += n;
        count[hour_of(m)] += 1;
    }
    let mean: Vec<f64> = (0..24).map(|h| sum[h] / count[h].max(1) as f64).collect();
    let top = mean.iter().copied().fold(0.0, f64::max);
    let busy: Vec<bool> = mean.iter().map(|m| top > 0.0 && *m >= top / 2.0).collect();
    let (from, hours) = busy_window(&busy)?;
    (hours < 20).then(|| Peak {
        from: from as u8,
        to: ((from + hours - 1) % 24 + 1) as u8,
        days: busy_days(needed, first_minute, from, hours),
    })
}

/// The shortest window of hours, around the clock, that holds every busy hour: it starts
/// after the longest run of quiet ones. Its first hour and length; None when no hour is
/// busy or none is quiet.
fn busy_window(busy: &[bool]) -> Option<(usize, usize)> {
    let quiet_run = |start: usize| (0..24).take_while(|i| !busy[(start + i) % 24]).count();
    let (gap_start, gap) = (0..24)
        .filter(|h| !busy[*h] && busy[(h + 23) % 24])
        .map(|h| (h, quiet_run(h)))
        .max_by_key(|(_, run)| *run)?;
    Some(((gap_start + gap) % 24, 24 - gap))
}

/// The days of the week (UTC) whose busy hours need at least half what the busiest day's
/// do: a quiet weekend leaves Saturday and Sunday out. A window that crosses midnight counts
/// for the day it opens on. Every day under two weeks of history (one weekend is not a
/// cycle).
fn busy_days(needed: &[f64], first_minute: i64, from: usize, hours: usize) -> Days {
    if needed.len() < 2 * WEEK {
        return Days::EVERY;
    }
    let mut sum = [0.0f64; 7];
    let mut count = [0usize; 7];
    for (m, n) in needed.iter().enumerate() {
        // Minutes since the window last opened, and the day it opened on.
        let since = (first_minute + m as i64 - 60 * from as i64).rem_euclid(1440);
        if since < 60 * hours as i64 {
            let opened = (first_minute + m as i64 - 60 * from as i64).div_euclid(1440);
            // 1970-01-01, day 0, was a Thursday (4; 0 = Sunday).
            let day = (opened + 4).rem_euclid(7) as usize;
            sum[day] += n;
            count[day] += 1;
        }
    }
    let mean: Vec<f64> = (0..7).map(|d| sum[d] / count[d].max(1) as f64).collect();
    let top = mean.iter().copied().fold(0.0, f64::max);
    let days = (0..7)
        .filter(|d| mean[*d] >= top / 2.0)
        .fold(0u8, |set, d| set | 1 << d);
    Days(days)
}

const WEEK: usize = 7 * 1440;

/// The `q` quantile of `values` (None when empty).
pub(super) fn percentile(mut values: Vec<f64>, q: f64) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 * q) as usize).min(values.len().checked_sub(1)?);
    values.get(i).copied()
}

/// The capacity the load needed each minute: arrivals over throughput for a queue, else the
/// capacity it was recorded under.
pub(super) fn needed_capacity(queue: Option<&Queue>, recorded: &[i32]) -> Vec<f64> {
    match queue {
        Some(q) => q
            .arrivals
            .iter()
            .map(|a| a / q.per_instance.max(f64::MIN_POSITIVE))
            .collect(),
        None => recorded.iter().map(|c| f64::from(*c)).collect(),
    }
}
