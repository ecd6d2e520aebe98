//! simulate: replay recorded metrics through the current and the proposed policies and
//! compare what each would have done. docs/simulate.md states the model and its limits.

mod capacity;
mod fetch;
pub mod queue;
pub mod render;
pub mod replay;
pub mod signals;
mod step;
mod stepping;
#[cfg(test)]
mod traces;
mod tracking;
mod watched;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aws::{AwsError, connect, read_current};
use crate::model::{DesiredState, ScalableDimension, ScalableTarget};
use replay::{Model, Trace};
use signals::Signals;

/// What to compare the proposed config with.
pub enum Baseline {
    /// What AWS holds now (read and turned into a config as `import` does).
    Current,
    /// Another config, e.g. the default branch's.
    Config(Box<DesiredState>),
}

/// How to run a simulation.
pub struct Settings {
    /// Days of one-minute history to replay (CloudWatch keeps 15).
    pub days: u32,
    /// How the replay models capacity.
    pub options: Model,
    /// Price of one instance (or copy) hour, for the cost row.
    pub price: Option<f64>,
}

/// The outcome of replaying one config on one target.
#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    pub(crate) instance_hours: f64,
    pub(crate) cost: Option<f64>,
    /// Minutes with requests queued and nothing in service.
    pub backlog_without_capacity_minutes: usize,
    pub(crate) scaling_events: usize,
    /// Capacity at the end of each minute.
    #[serde(skip)]
    pub desired: Vec<i32>,
}

/// One target's replays: with the baseline config and with the proposed one.
#[derive(Debug, Clone, Serialize)]
pub struct TargetReport {
    /// Resource id, with the region when the target has its own.
    pub target: String,
    /// None when AWS (or the baseline config) has no such target yet.
    pub baseline: Option<Replayed>,
    pub(crate) proposed: Replayed,
    /// Metrics that had no data in the period (their policies never acted).
    pub missing_metrics: Vec<String>,
    /// No metric had any data in the period: there was nothing to replay.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_data: bool,
    pub(crate) notes: Vec<String>,
}

/// A simulation's result for every target.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub(crate) days: u32,
    /// Epoch seconds of the first simulated minute.
    pub start: i64,
    pub(crate) minutes: usize,
    pub(crate) targets: Vec<TargetReport>,
    /// AWS calls made.
    pub calls: usize,
}

/// Simulates every target of `proposed` over the last `settings.days` days before `now`.
pub async fn simulate(
    proposed: &DesiredState,
    baseline: &Baseline,
    settings: &Settings,
    now: i64,
) -> Result<Report, AwsError> {
    let read = history(proposed, baseline, settings.days, now, Extra::Queue).await?;
    let targets = read
        .histories
        .iter()
        .map(|h| {
            let mut r = compare(h.baseline.as_ref(), &h.target, &h.signals, settings);
            r.missing_metrics = h.missing.clone();
            r.no_data = h.signals.recorded.is_empty();
            r.target = crate::render::target_label(h.target.region.as_deref(), &h.target.resource_id);
            r
        })
        .collect();
    Ok(Report {
        days: settings.days,
        start: read.start,
        minutes: read.minutes,
        targets,
        calls: read.calls,
    })
}

/// What to read besides the metrics the policies use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Only the policies' metrics.
    None,
    /// The requests taken from the queue, for targets whose policies watch an async queue
    /// (the queue model).
    Queue,
    /// What `tune` needs too: the requests taken from async queues (the queue model) and
    /// the concurrency per instance or copy (its goal).
    Tune,
}

/// One target's recorded history, with the config it was recorded under.
pub struct History {
    /// The target as the config to simulate has it.
    pub target: ScalableTarget,
    /// The config that was live (None: AWS, or the baseline file, has no such target).
    pub baseline: Option<ScalableTarget>,
    /// The recorded metrics.
    pub signals: Signals,
    /// Metrics that had no data in the period.
    pub missing: Vec<String>,
}

/// The history of every target, read in as few calls as CloudWatch allows.
pub struct Read {
    /// One per target.
    pub histories: Vec<History>,
    /// Epoch seconds of the first minute.
    pub start: i64,
    /// Minutes read.
    pub minutes: usize,
    /// AWS calls made.
    pub calls: usize,
}

/// Reads the last `days` days before `now` of the metrics every target of `proposed` and of
/// its baseline use.
pub async fn history(
    proposed: &DesiredState,
    baseline: &Baseline,
    days: u32,
    now: i64,
    extra: Extra,
) -> Result<Read, AwsError> {
    let minutes = days as usize * 1440;
    let start = now.div_euclid(60) * 60 - 60 * minutes as i64;
    let mut groups: BTreeMap<Option<String>, Vec<&ScalableTarget>> = BTreeMap::new();
    for t in &proposed.targets {
        groups.entry(t.region.clone()).or_default().push(t);
    }
    let mut read = Read {
        histories: Vec::new(),
        start,
        minutes,
        calls: 0,
    };
    for (region, targets) in groups {
        let clients = connect(region.as_deref().or(proposed.region.as_deref())).await?;
        let baselines = match baseline {
            Baseline::Config(desired) => desired
                .targets
                .iter()
                .filter(|t| t.region == region)
                .map(|t| (t.resource_id.clone(), t.clone()))
                .collect(),
            Baseline::Current => {
                let ids: Vec<(String, ScalableDimension)> = targets
                    .iter()
                    .map(|t| (t.resource_id.clone(), t.scalable_dimension))
                    .collect();
                let current = read_current(&clients, &ids, &Default::default(), &Default::default()).await?;
                read.calls += current.calls;
                current_targets(&clients.region, &current.records)
            }
        };
        read_metrics(&clients, &targets, &baselines, extra, &mut read).await?;
    }
    Ok(read)
}

/// Each target's own metrics (the same metric of two endpoints is two series), fetched in one
/// batch of calls for every distinct series of the region, into `read`.
async fn read_metrics(
    clients: &crate::aws::Clients,
    targets: &[&ScalableTarget],
    baselines: &BTreeMap<String, ScalableTarget>,
    extra: Extra,
    read: &mut Read,
) -> Result<(), AwsError> {
    let (start, minutes) = (read.start, read.minutes);
    let wanted: Vec<(&ScalableTarget, Vec<fetch::Series>, Vec<fetch::Series>)> = targets
        .iter()
        .map(|t| {
            let mut mine = vec![*t];
            mine.extend(baselines.get(&t.resource_id));
            let policies = fetch::queries(&mine);
            let mut all = policies.clone();
            match extra {
                Extra::Tune => all.extend(fetch::tune_queries(&[t])),
                Extra::Queue if watches_the_queue(t) => {
                    all.extend(fetch::queue_queries(&[t]));
                }
                Extra::Queue | Extra::None => {}
            }
            (*t, all, policies)
        })
        .collect();
    let mut distinct: Vec<fetch::Series> = Vec::new();
    for q in wanted.iter().flat_map(|(_, all, _)| all) {
        if !distinct.contains(q) {
            distinct.push(q.clone());
        }
    }
    let (series, calls) = fetch::fetch(clients, &distinct, start, minutes).await?;
    read.calls += calls;
    for (t, all, policies) in wanted {
        let signals = fetch::signals_of(&all, &distinct, &series, start, minutes);
        // HasBacklogWithoutCapacity is derived from the queue size when that is known.
        let derived = |q: &&fetch::Series| {
            signals.backlog.is_some()
                && signals::class(&q.id.0, &q.id.1) == signals::Class::BacklogWithoutCapacity
        };
        let missing = policies
            .iter()
            .filter(|q| !signals.recorded.contains_key(&q.id) && !derived(q))
            .map(|q| format!("{} {}", q.id.0, q.id.1))
            .collect();
        read.histories.push(History {
            target: t.clone(),
            baseline: baselines.get(&t.resource_id).cloned(),
            signals,
            missing,
        });
    }
    Ok(())
}

/// The metric a target-tracking policy watches, as the replay names it.
pub fn tracked_metric(tt: &crate::model::TargetTracking) -> signals::MetricId {
    watched::metric_of(tt)
}

/// AWS's current objects as targets, through the same text `import` writes.
fn current_targets(region: &str, records: &crate::resource::Records) -> BTreeMap<String, ScalableTarget> {
    let imported = crate::import::compose(region, records, Vec::new());
    crate::check_text("current", &imported.text)
        .desired
        .map(|d| {
            d.targets
                .into_iter()
                .map(|t| (t.resource_id.clone(), t))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs both configs over the same history. The history's per-capacity metrics are taken
/// to have been recorded under the baseline's capacity (the config that was live). An async
/// queue with the requests taken from it in the history is simulated under each config's
/// capacity (docs/simulate.md, "the queue"), for both, so that they compare alike.
pub fn compare(
    baseline: Option<&ScalableTarget>,
    proposed: &ScalableTarget,
    signals: &Signals,
    settings: &Settings,
) -> TargetReport {
    let mut base = baseline.map(|b| replay::run(b, signals, None, &settings.options));
    let mut options = settings.options.clone();
    let mut queue_note = None;
    if let Some(recorded) = base.as_ref().map(|b| b.serving.clone())
        && let Some((queue, note)) = queue_of(signals, &recorded)
    {
        options.queue = Some(queue);
        base = baseline.map(|b| replay::run(b, signals, Some(&recorded), &options));
        queue_note = Some(note);
    }
    let recorded = base.as_ref().map(|b| b.serving.as_slice());
    let new = replay::run(proposed, signals, recorded, &options);
    let mut notes: Vec<String> = queue_note.into_iter().collect();
    notes.extend(base.iter().flat_map(|b| b.notes.clone()));
    for n in &new.notes {
        if !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    TargetReport {
        target: proposed.resource_id.clone(),
        baseline: base.map(|b| replayed(b, settings.price)),
        proposed: replayed(new, settings.price),
        missing_metrics: Vec::new(),
        no_data: false,
        notes,
    }
}

/// The async queue of `signals`, when the history has its size and the requests taken from
/// it, with a note saying how fast an instance drains it.
fn queue_of(signals: &Signals, recorded: &[i32]) -> Option<(queue::Queue, String)> {
    signals.backlog.as_ref()?;
    if signals.processed.as_ref()?.iter().all(Option::is_none) {
        return None;
    }
    let (q, how) = queue::Queue::from_history(signals, recorded, None).ok()?;
    let how = match how {
        queue::Throughput::Given | queue::Throughput::Saturated => {
            "the median of the minutes with a standing queue"
        }
        queue::Throughput::LowerBound => {
            "a lower bound: the queue never stood, so the backlog may be under-estimated"
        }
    };
    let note = format!(
        "the queue is simulated under each config's capacity at {:.1} requests a minute per instance ({how})",
        q.per_instance
    );
    Some((q, note))
}

/// Whether a policy of `t` watches an async endpoint's queue (the queue size every endpoint
/// variant's history holds does not count: it is read for every variant).
fn watches_the_queue(t: &ScalableTarget) -> bool {
    t.policies.iter().any(|p| {
        let (namespace, metric) = match &p.config {
            crate::model::PolicyConfig::TargetTracking(tt) => watched::metric_of(tt),
            crate::model::PolicyConfig::Step(s) => (s.alarm.namespace.clone(), s.alarm.metric_name.clone()),
        };
        namespace == "AWS/SageMaker"
            && (metric.starts_with("ApproximateBacklogSize") || metric == "HasBacklogWithoutCapacity")
    })
}

fn replayed(trace: Trace, price: Option<f64>) -> Replayed {
    let instance_hours = f64::from(trace.desired.iter().sum::<i32>()) / 60.0;
    Replayed {
        instance_hours,
        cost: price.map(|p| p * instance_hours),
        backlog_without_capacity_minutes: trace.backlog_without_capacity,
        scaling_events: trace.events.len(),
        desired: trace.desired,
    }
}
