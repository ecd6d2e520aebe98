//! When scheduled actions run, and the capacity bounds they leave in force: one evaluator for
//! validation, plan and simulate.
//!
//! Application Auto Scaling's rules, as this module applies them:
//! - `at(yyyy-mm-ddThh:mm:ss)` and `cron(...)` are wall-clock times in the action's `Timezone`
//!   (an IANA name, daylight saving included; default UTC); `rate(N unit)` is an interval
//!   (Application Auto Scaling user guide, scheduled-scaling-using-cron-expressions.html;
//!   API reference, PutScheduledAction `Timezone`). Time zones come from the IANA database
//!   that jiff embeds in the binary (`tzdb-bundle-always`): the release binary is static and
//!   the machines it runs on need not have tzdata, and every machine reads the same rules.
//! - `StartTime` and `EndTime` (UTC) bound the recurring forms only ("When you specify start
//!   and end times with a recurring schedule using a cron expression or rates, they form the
//!   boundaries for when the recurring action starts and stops", PutScheduledAction). A run
//!   at exactly `EndTime` still happens ("the action stops repeating after this time").
//! - With a `StartTime`, a recurring action also runs at that time ("If you specify a start
//!   time, Application Auto Scaling performs the action at this time, and then performs the
//!   action based on the specified recurrence", the user guide page above); `rate` counts its
//!   interval from there. Without one, `rate` counts from the action's creation and first runs
//!   one interval later (AWS does not say; the AWS stand-in in tests/standin reads it so too).
//! - A run sets the bounds the action names and keeps the other; a run that would leave min
//!   above max fails and changes nothing (user guide, examples-scheduled-actions.html: "if the
//!   maximum capacity is less than the value specified for minimum capacity, you must specify
//!   a new minimum and maximum capacity, and not just the minimum capacity").

mod cron;
mod in_force;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

pub use cron::Cron;
pub(crate) use cron::DAYS as CRON_DAYS;
pub use in_force::{BoundConflict, InForce, bound_conflicts, capacity_in_force};

use crate::model::ScheduledAction;
use crate::timestamp;

/// A schedule expression, as AWS reads it. The grammar is stated here once; validation,
/// plan and simulate all read expressions through [`Expression::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expression {
    /// `at(yyyy-mm-ddThh:mm:ss)`: a wall-clock time in the action's time zone.
    At(DateTime),
    /// `rate(N minute(s)|hour(s)|day(s))`: the interval in seconds.
    Rate(i64),
    /// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`.
    Cron(Cron),
}

impl Expression {
    /// Reads `at(...)`, `rate(...)` or `cron(...)` (surrounding spaces ignored). An error
    /// completes the sentence `schedule "<text>" ...`, e.g. "has 5 fields; AWS cron needs 6: ...".
    pub fn parse(text: &str) -> Result<Expression, String> {
        let text = text.trim();
        let inner = |prefix: &str| text.strip_prefix(prefix).and_then(|t| t.strip_suffix(')'));
        if let Some(inner) = inner("at(") {
            return timestamp::parse_civil(inner).map(Expression::At).ok_or_else(|| {
                "needs a date and time as yyyy-mm-ddThh:mm:ss (no offset; set `timezone`)".into()
            });
        }
        if let Some(inner) = inner("rate(") {
            return rate(inner).map(Expression::Rate);
        }
        if let Some(inner) = inner("cron(") {
            return Cron::parse(inner).map(Expression::Cron);
        }
        Err("must be at(...), rate(...) or cron(...)".into())
    }
}

fn rate(inner: &str) -> Result<i64, String> {
    let mut parts = inner.split_whitespace();
    let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("needs a number and a unit, as rate(5 minutes)".into());
    };
    let Some(n) = n.parse::<u32>().ok().filter(|n| *n > 0) else {
        return Err(format!("has \"{n}\" where a positive whole number belongs"));
    };
    let unit = match unit {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return Err(format!("has unit \"{unit}\"; use minute(s), hour(s) or day(s)")),
    };
    Ok(i64::from(n) * unit)
}

/// The time zone an action's `timezone` names (None: UTC), from the bundled database. The
/// name must be spelled as the database spells it (AWS's Joda-Time names are case-sensitive).
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, String> {
    let Some(name) = name else {
        return Ok(TimeZone::UTC);
    };
    let zone = TimeZone::get(name).map_err(|_| format!("\"{name}\" is not an IANA time zone name"))?;
    match zone.iana_name() {
        Some(spelled) if spelled != name => Err(format!(
            "\"{name}\" is not an IANA time zone name; the time zone database spells it \"{spelled}\""
        )),
        _ => Ok(zone),
    }
}

/// One scheduled action's schedule: its expression, read in its time zone, within its window.
#[derive(Debug, Clone)]
pub struct Schedule {
    expression: Expression,
    zone: TimeZone,
    /// Epoch seconds.
    start: Option<i64>,
    end: Option<i64>,
    /// Where a `rate` without a start time counts from (the action's creation).
    anchor: Option<i64>,
}

impl Schedule {
    /// `anchor`: when the action was created, where a `rate(...)` without `start_time` counts
    /// from (the first run is one interval later). Errors say what is wrong, naming the field.
    pub fn new(action: &ScheduledAction, anchor: Option<Timestamp>) -> Result<Schedule, String> {
        let expression = Expression::parse(&action.schedule)
            .map_err(|why| format!("schedule \"{}\" {why}", action.schedule))?;
        let zone = time_zone(action.timezone.as_deref())?;
        let time = |t: &Option<String>, key: &str| {
            t.as_deref()
                .map(|t| timestamp::parse_utc(t).map_err(|e| format!("{key}: {e}")))
                .transpose()
        };
        let start = time(&action.start_time, "start_time")?;
        let end = time(&action.end_time, "end_time")?;
        let anchor = anchor.map(Timestamp::as_second);
        if matches!(expression, Expression::Rate(_)) && start.is_none() && anchor.is_none() {
            return Err(format!(
                "schedule \"{}\" counts from `start_time` or from when the action was created, and neither is known",
                action.schedule
            ));
        }
        Ok(Schedule {
            expression,
            zone,
            start,
            end,
            anchor,
        })
    }

    /// Whether the action runs in the minute that starts at `minute`.
    pub fn fires(&self, minute: Timestamp) -> bool {
        let m = minute.as_second();
        self.latest_in(m, m.saturating_add(59)).is_some()
    }

    /// The latest run at or before `t`, within the window. Cron searches walk back day by day
    /// from `t`, skipping the years and months the expression excludes, and go straight to the
    /// latest hour and minute of a day; they stop at `start_time`, or at 1970 (cron's first
    /// year) without one, so a schedule that never runs costs a walk over the years in between.
    pub fn last_run_at_or_before(&self, t: Timestamp) -> Option<Timestamp> {
        self.latest_in(i64::MIN, t.as_second())
            .and_then(|s| Timestamp::from_second(s).ok())
    }

    /// The latest run in `lo..=hi`, epoch seconds.
    fn latest_in(&self, lo: i64, hi: i64) -> Option<i64> {
        match &self.expression {
            Expression::At(dt) => {
                let t = self
                    .zone
                    .to_ambiguous_timestamp(*dt)
                    .compatible()
                    .ok()?
                    .as_second();
                (lo..=hi).contains(&t).then_some(t)
            }
            Expression::Rate(every) => {
                let hi = self.end.map_or(hi, |end| hi.min(end));
                // From the start time, a run at it; from the creation, the first a step later.
                let (from, first) = match (self.start, self.anchor) {
                    (Some(start), _) => (start, 0),
                    (None, Some(created)) => (created, 1),
                    (None, None) => return None,
                };
                let steps = hi.checked_sub(from)?.div_euclid(*every);
                let t = from + steps.checked_mul(*every)?;
                (steps >= first && t >= lo).then_some(t)
            }
            Expression::Cron(cron) => {
                let hi = self.end.map_or(hi, |end| hi.min(end));
                let run = cron.latest(&self.zone, self.start.map_or(lo, |start| lo.max(start)), hi);
                let at_start = self.start.filter(|start| (lo..=hi).contains(start));
                run.max(at_start)
            }
        }
    }
}

#[cfg(test)]
mod tests;
