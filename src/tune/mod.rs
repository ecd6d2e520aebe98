//! tune: the cheapest scaling config that would have met a goal on the endpoint's own
//! history. The `simulate` engine replays each candidate (with the async queue modelled);
//! docs/tune.md explains the goal, the search and the model's limits.

pub mod edit;
pub mod goal;
mod prepare;
pub mod render;
pub mod search;
pub mod space;
#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::aws::AwsError;
use crate::config::raw::{RawConfig, RawEndpoint};
use crate::model::{DesiredState, PolicyConfig, ScalableTarget};
use crate::simulate::queue::Throughput;
use crate::simulate::{Baseline, Extra, History};
use goal::{Goal, Part};
use prepare::{needed_capacity, percentile, prepare};
use search::{Outcome, STRESS, Scored, Setup};
use space::{Knobs, Space};

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

/// Tunes every target of `desired` (`DesiredState::only` picks endpoints) over the last
/// `settings.days` days before `now`. `name` and `text`: the config file.
pub async fn tune(
    name: &str,
    text: &str,
    desired: &DesiredState,
    settings: &Settings,
    now: i64,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Report, AwsError> {
    let read = crate::simulate::history(desired, &Baseline::Current, settings.days, now, Extra::Tune).await?;
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
            match recommended_text(name, text, e, space, best) {
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

/// The most a calmer alternative may cost, as a multiple of the recommendation.
const CALMER_AT_MOST: f64 = 2.0;

/// Up to three more configs that meet the goal: the cheapest of each other metric and
/// minimum, and the cheapest that scales less often than the best (a calmer choice, at most
/// `CALMER_AT_MOST` times its cost). None with scale-in turned off unless the best has it: a
/// minimum that meets the goal only by never scaling in is not a choice of minimum.
fn alternatives_of<'a>(o: &'a Outcome, best: &Scored) -> Vec<&'a Scored> {
    let class = |s: &Scored| (s.knobs.preset, s.knobs.high_resolution, s.knobs.min_capacity);
    let affordable = |s: &Scored| s.whole.instance_hours <= CALMER_AT_MOST * best.whole.instance_hours;
    let mut out: Vec<&Scored> = Vec::new();
    let candidates = o
        .feasible
        .iter()
        .filter(|s| !s.knobs.disable_scale_in || best.knobs.disable_scale_in);
    for s in candidates.clone() {
        if out.len() < 2 && class(s) != class(best) && out.iter().all(|x| class(x) != class(s)) {
            out.push(s);
        }
    }
    if let Some(calmer) = candidates.clone().find(|s| {
        s.whole.scaling_events < best.whole.scaling_events
            && affordable(s)
            && !out.iter().any(|x| x.knobs == s.knobs || same_outcome(x, s))
    }) {
        out.push(calmer);
    }
    out
}

/// Two configs that cost the same and scale as often: one row says what both would.
fn same_outcome(a: &Scored, b: &Scored) -> bool {
    a.whole.instance_hours == b.whole.instance_hours && a.whole.scaling_events == b.whole.scaling_events
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
    space: &Space,
    best: &Scored,
) -> Result<String, String> {
    let edited = edit::apply(text, endpoint, space, &best.knobs)?;
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
    // The diff must be the config that was replayed, or it recommends something untested.
    let replayed = space.target(&best.knobs);
    let written = checked
        .desired
        .iter()
        .flat_map(|d| &d.targets)
        .find(|t| t.scaled == replayed.scaled && t.region == replayed.region);
    if written != Some(&replayed) {
        return Err(
            "the edited file would not be the config replayed, so no diff is shown (a bug: please report it)"
                .into(),
        );
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
