//! tune: the cheapest scaling config that would have met a goal on the endpoint's own
//! history. The `simulate` engine replays each candidate (with the async queue modelled);
//! docs/tune.md explains the goal, the search and the model's limits.

pub mod edit;
pub mod goal;
pub mod render;
pub mod search;
pub mod space;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::aws::AwsError;
use crate::config::raw::{RawConfig, RawEndpoint};
use crate::keywords::{Keyword, Preset};
use crate::model::{DesiredState, PolicyConfig, ScalableTarget, Scaled};
use crate::simulate::queue::{Queue, Throughput};
use crate::simulate::replay::{self, Model};
use crate::simulate::{Baseline, Extra, History};
use goal::{Goal, Part};
use search::{Outcome, STRESS, Scored, Setup};
use space::{Alternative, Knobs, Space};

/// How to tune.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Days of one-minute history (CloudWatch keeps 15).
    pub days: u32,
    /// What every recommendation must meet.
    pub goal: Goal,
    /// Price of an instance-hour (copy-hour); None: costs are in instance-hours.
    pub price: Option<f64>,
    /// Minutes from launch until an instance serves.
    pub startup_minutes: usize,
    /// Requests one instance takes from an async queue per minute; None: from the history.
    pub throughput: Option<f64>,
}

/// One config's row in the frontier.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// current, recommended, alternative, or a baseline's name.
    pub label: String,
    /// Its values (None for a baseline that is not a policy, e.g. a fixed capacity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knobs: Option<Knobs>,
    /// Fixed capacity, for the static baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_capacity: Option<i32>,
    /// Cost of 30 days at the history's rate (instance-hours when no price is given).
    pub cost_per_month: f64,
    /// Scaling events a day.
    pub events_per_day: f64,
    /// The goal's parts, each the worst week under the recorded and the stressed load.
    pub goal: Vec<Part>,
    /// Met in every week under both loads.
    pub meets: bool,
}

/// One target's recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct TargetTune {
    /// Resource id, with the region when the target has its own.
    pub target: String,
    /// current first, then recommended (or the closest), alternatives and baselines.
    pub rows: Vec<Row>,
    /// Whether some config met the goal.
    pub met: bool,
    /// The goal held to: the command line's, with the config's `goal` table under it.
    pub goal: Goal,
    /// What drives the choice, in one line.
    pub driver: String,
    /// The recommendation as a diff of the config file (empty: keep the config).
    pub diff: String,
    /// Requests one instance takes a minute, and how that was found (async only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput: Option<(f64, Throughput)>,
    /// Configs replayed.
    pub tried: usize,
    /// What the model could not do as configured, or why the target was not tuned.
    pub notes: Vec<String>,
}

/// The recommendations for every target tuned.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Days of history.
    pub days: u32,
    /// The goal asked for.
    pub goal: Goal,
    /// The per-hour price, if given.
    pub price: Option<f64>,
    /// One per target.
    pub targets: Vec<TargetTune>,
    /// AWS calls made.
    pub calls: usize,
}

/// Tunes the targets of `desired` whose endpoint (or component) is `only`, or all of them,
/// over the last `settings.days` days before `now`. `name` and `text`: the config file.
pub async fn tune(
    name: &str,
    text: &str,
    desired: &DesiredState,
    only: Option<&str>,
    settings: &Settings,
    now: i64,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Report, AwsError> {
    let mut chosen = desired.clone();
    chosen
        .targets
        .retain(|t| only.is_none_or(|o| scaled_name(&t.scaled) == o));
    let read = crate::simulate::history(&chosen, &Baseline::Current, settings.days, now, Extra::Tune).await?;
    let raw = crate::config::parse_text(name, text);
    let targets = read
        .histories
        .iter()
        .map(|h| {
            let label = crate::render::target_label(h.target.region.as_deref(), &h.target.resource_id);
            let mut p = |done: usize, total: usize| progress(&label, done, total);
            let mut t = tune_target(name, text, &raw, h, settings, &mut p);
            t.target = label.clone();
            t
        })
        .collect();
    Ok(Report {
        days: settings.days,
        goal: settings.goal.clone(),
        price: settings.price,
        targets,
        calls: read.calls,
    })
}

/// The endpoint (or component) name of a target.
pub fn scaled_name(s: &Scaled) -> &str {
    match s {
        Scaled::Variant { endpoint, .. } => endpoint,
        Scaled::InferenceComponent { inference_component } => inference_component,
    }
}

/// Tunes one target on its history.
pub fn tune_target(
    name: &str,
    text: &str,
    raw: &RawConfig,
    h: &History,
    settings: &Settings,
    progress: &mut dyn FnMut(usize, usize),
) -> TargetTune {
    let mut out = TargetTune::empty(h, settings);
    let Some(prepared) = prepare(raw, h, settings, &mut out) else {
        return out;
    };
    let (space, goal, endpoint) = (&prepared.space, &prepared.goal, prepared.endpoint);
    let setup = prepared.setup(h, settings);
    let outcome = search::search(&setup, space, goal, progress);
    out.tried = outcome.tried;
    let current = search::evaluate(&setup, goal, &space.target(&space.current()), space.current());
    out.rows.push(row(&setup, goal, "current", &current));
    out.met = !outcome.feasible.is_empty();
    let best = outcome.feasible.first().or(outcome.closest.as_ref());
    if let Some(best) = best {
        let label = if out.met {
            "recommended"
        } else {
            "closest (misses the goal)"
        };
        out.rows.push(row(&setup, goal, label, best));
        for alt in alternatives_of(&outcome, best) {
            out.rows.push(row(&setup, goal, "alternative", alt));
        }
        out.driver = driver(goal, &outcome);
        if let Some(e) = endpoint {
            let tracked = &space.base.policies[space.tracked].name;
            match recommended_text(name, text, e, tracked, space, best) {
                Ok(diff) => out.diff = diff,
                Err(why) => out.notes.push(why),
            }
        }
    }
    for (label, target, knobs, fixed) in baselines(&setup, space, &h.target) {
        let mut r = row(
            &setup,
            goal,
            &label,
            &search::evaluate(&setup, goal, &target, space.current()),
        );
        r.knobs = knobs;
        r.fixed_capacity = fixed;
        out.rows.push(r);
    }
    out
}

impl TargetTune {
    /// Nothing tuned yet for `h`'s target.
    fn empty(h: &History, settings: &Settings) -> TargetTune {
        TargetTune {
            target: h.target.resource_id.clone(),
            rows: Vec::new(),
            met: false,
            goal: settings.goal.clone(),
            driver: String::new(),
            diff: String::new(),
            throughput: None,
            tried: 0,
            notes: Vec::new(),
        }
    }
}

/// What a search of one target starts from.
struct Prepared<'a> {
    endpoint: Option<&'a RawEndpoint>,
    goal: Goal,
    space: Space,
    /// The capacity the history was recorded under, minute by minute.
    recorded: Vec<i32>,
    queue: Option<Queue>,
}

impl Prepared<'_> {
    fn setup<'h>(&'h self, h: &'h History, settings: &Settings) -> Setup<'h> {
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
fn prepare<'a>(
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
    let space = with_floors(space, queue.as_ref(), &recorded, h);
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
        space.peak = daily_peak(&needed, h.signals.start);
    }
    space
}

/// `rows` (a frontier found on another history) replayed on `h`: how each would have done
/// there, e.g. on a held-out week. Rows without values to replay are left out.
pub fn replay_rows(raw: &RawConfig, h: &History, settings: &Settings, rows: &[Row]) -> Vec<Row> {
    let mut scratch = TargetTune::empty(h, settings);
    let Some(prepared) = prepare(raw, h, settings, &mut scratch) else {
        return Vec::new();
    };
    let setup = prepared.setup(h, settings);
    rows.iter()
        .filter_map(|r| {
            let target = match (r.fixed_capacity, &r.knobs) {
                (Some(c), _) => {
                    let mut t = h.target.clone();
                    t.policies.clear();
                    t.scheduled_actions.clear();
                    (t.min_capacity, t.max_capacity) = (c, c);
                    t
                }
                (None, Some(k)) => prepared.space.target(k),
                (None, None) => return None,
            };
            let knobs = r.knobs.clone().unwrap_or_else(|| prepared.space.current());
            let mut again = row(
                &setup,
                &prepared.goal,
                &r.label,
                &search::evaluate(&setup, &prepared.goal, &target, knobs),
            );
            again.knobs = r.knobs.clone();
            again.fixed_capacity = r.fixed_capacity;
            Some(again)
        })
        .collect()
}

/// The config's `[[endpoint]]` (or `[[inference_component]]`) that makes `target`.
fn raw_endpoint<'a>(raw: &'a RawConfig, target: &ScalableTarget) -> Option<&'a RawEndpoint> {
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
fn alternatives(target: &ScalableTarget, preset: Option<Preset>) -> Vec<Alternative> {
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

fn concurrency_metric(s: &Scaled) -> (String, String) {
    let name = match s {
        Scaled::Variant { .. } => "ConcurrentRequestsPerModel",
        Scaled::InferenceComponent { .. } => "ConcurrentRequestsPerCopy",
    };
    ("AWS/SageMaker".into(), name.into())
}

fn row(setup: &Setup<'_>, goal: &Goal, label: &str, s: &Scored) -> Row {
    let month = 30.0 * 1440.0 / s.whole.minutes.max(1) as f64;
    let mut parts: Vec<Part> = Vec::new();
    for w in &s.worst {
        for p in goal.parts(w) {
            match parts.iter_mut().find(|g| g.name == p.name) {
                Some(g) if g.value < p.value => g.value = p.value,
                Some(_) => {}
                None => parts.push(p),
            }
        }
    }
    Row {
        label: label.to_string(),
        knobs: Some(s.knobs.clone()),
        fixed_capacity: None,
        cost_per_month: s.whole.instance_hours * setup.price * month,
        events_per_day: s.whole.scaling_events as f64 * 1440.0 / s.whole.minutes.max(1) as f64,
        goal: parts,
        meets: s.meets == Some(true),
    }
}

/// Up to three more configs that meet the goal: the cheapest of each other metric and
/// minimum, and the cheapest that scales less often than the best (a calmer choice).
fn alternatives_of<'a>(o: &'a Outcome, best: &Scored) -> Vec<&'a Scored> {
    let class = |s: &Scored| (s.knobs.preset, s.knobs.min_capacity);
    let mut out: Vec<&Scored> = Vec::new();
    for s in &o.feasible {
        if out.len() < 2 && class(s) != class(best) && out.iter().all(|x| class(x) != class(s)) {
            out.push(s);
        }
    }
    if let Some(calmer) = o.feasible.iter().find(|s| {
        s.whole.scaling_events < best.whole.scaling_events && !out.iter().any(|x| x.knobs == s.knobs)
    }) {
        out.push(calmer);
    }
    out
}

/// One line on what decides the recommendation: the part of the goal the cheaper configs
/// break, or that nothing cheaper was found.
fn driver(goal: &Goal, o: &Outcome) -> String {
    if o.feasible.is_empty() {
        return "no config searched meets the goal; the closest is shown".into();
    }
    let mut broken: Vec<(&'static str, usize)> = Vec::new();
    for s in &o.cheaper_failing {
        for w in &s.worst {
            for p in goal.parts(w).into_iter().filter(|p| p.value > p.limit) {
                match broken.iter_mut().find(|(n, _)| *n == p.name) {
                    Some((_, c)) => *c += 1,
                    None => broken.push((p.name, 1)),
                }
            }
        }
    }
    broken.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
    match broken.first() {
        Some((name, _)) => format!(
            "{name} binds: {} cheaper configs break it (in some week, or under {STRESS} x the load)",
            o.cheaper_failing.len()
        ),
        None => "the goal does not bind: no cheaper config was found, whatever it did".to_string(),
    }
}

/// The recommendation as a diff of the config file, after checking the edited file is valid.
fn recommended_text(
    name: &str,
    text: &str,
    endpoint: &RawEndpoint,
    tracked: &str,
    space: &Space,
    best: &Scored,
) -> Result<String, String> {
    let edited = edit::apply(text, endpoint, tracked, &space.current(), &best.knobs)?;
    let checked = crate::check::check_text(name, &edited);
    if checked.errors() > 0 {
        return Err(format!(
            "the recommended config does not validate, so no diff is shown: {}",
            checked
                .diagnostics
                .first()
                .map(|d| d.message.clone())
                .unwrap_or_default()
        ));
    }
    Ok(edit::unified(name, text, &edited, 2))
}

/// The same engine's baselines: SageMaker Inference Recommender's default (target tracking
/// at 50 % CPU, cooldowns 300 s) where the metric is CPU, and a fixed capacity at the P90
/// of the capacity the load needed plus 15 % (Kubernetes VPA's recommender).
fn baselines(
    setup: &Setup<'_>,
    space: &Space,
    target: &ScalableTarget,
) -> Vec<(String, ScalableTarget, Option<Knobs>, Option<i32>)> {
    let mut out = Vec::new();
    let cpu = |k: &Knobs| {
        let t = space.target(k);
        matches!(&t.policies[space.tracked].config, PolicyConfig::TargetTracking(tt) if crate::simulate::tracked_metric(tt).1 == "CPUUtilization")
    };
    let ir = [space.current()]
        .into_iter()
        .chain(space.alternatives.iter().map(|a| Knobs {
            preset: Some(a.preset),
            ..space.current()
        }))
        .find(cpu);
    if let Some(k) = ir {
        let k = Knobs {
            target: 50.0,
            scale_in_cooldown: Some(300),
            scale_out_cooldown: Some(300),
            ..k
        };
        out.push((
            "baseline: IR 50 % CPU".to_string(),
            space.target(&k),
            Some(k),
            None,
        ));
    }
    let needed = needed_capacity(setup.queue.as_ref(), setup.recorded.unwrap_or_default());
    if let Some(p90) = percentile(needed, 0.9) {
        let fixed =
            ((p90 * 1.15).ceil() as i32).clamp(target.min_capacity.max(1), target.max_capacity.max(1));
        let mut t = target.clone();
        t.policies.clear();
        t.scheduled_actions.clear();
        t.min_capacity = fixed;
        t.max_capacity = fixed;
        out.push(("baseline: P90+15 % fixed".to_string(), t, None, Some(fixed)));
    }
    out
}

/// The hours (UTC) of the day whose mean need is at least half the busiest hour's, as one
/// window from the first to the last of them; None without a daily cycle (under a day of
/// history, no need at all, or busy around the clock).
fn daily_peak(needed: &[f64], start: i64) -> Option<(u8, u8)> {
    if needed.len() < 1440 {
        return None;
    }
    let mut sum = [0.0f64; 24];
    let mut count = [0usize; 24];
    for (m, n) in needed.iter().enumerate() {
        let hour = ((start / 60 + m as i64).rem_euclid(1440) / 60) as usize;
        sum[hour] += n;
        count[hour] += 1;
    }
    let mean: Vec<f64> = (0..24).map(|h| sum[h] / count[h].max(1) as f64).collect();
    let top = mean.iter().copied().fold(0.0, f64::max);
    let busy: Vec<usize> = (0..24).filter(|h| top > 0.0 && mean[*h] >= top / 2.0).collect();
    let (first, last) = (*busy.first()?, *busy.last()?);
    (last + 1 - first < 20).then_some((first as u8, last as u8 + 1))
}

/// The `q` quantile of `values` (None when empty).
fn percentile(mut values: Vec<f64>, q: f64) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 * q) as usize).min(values.len().checked_sub(1)?);
    values.get(i).copied()
}

/// The capacity the load needed each minute: arrivals over throughput for a queue, else the
/// capacity it was recorded under.
fn needed_capacity(queue: Option<&Queue>, recorded: &[i32]) -> Vec<f64> {
    match queue {
        Some(q) => q
            .arrivals
            .iter()
            .map(|a| a / q.per_instance.max(f64::MIN_POSITIVE))
            .collect(),
        None => recorded.iter().map(|c| f64::from(*c)).collect(),
    }
}
