//! What a team asks of an endpoint, in its own terms, and how a replay is held against it.

use serde::Serialize;

/// Minutes in a week: weekly budgets are pro rata over shorter windows.
pub const WEEK_MINUTES: f64 = 10_080.0;

/// The goal a recommendation must meet. Every part is optional; an empty goal asks only for
/// the cheapest config.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Goal {
    /// Most minutes a week with requests queued and no instance in service (async).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backlog_minutes_per_week: Option<f64>,
    /// Most requests queued at the end of any minute (async).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_backlog: Option<f64>,
    /// Most concurrent requests per instance (or copy) in any minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency_per_instance: Option<f64>,
    /// Most scaling events a day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_scaling_events_per_day: Option<f64>,
}

/// The goal's keys, as `--goal KEY=VALUE` and `[endpoint.goal]` spell them.
pub const KEYS: [&str; 4] = [
    "backlog_minutes_per_week",
    "max_backlog",
    "max_concurrency_per_instance",
    "max_scaling_events_per_day",
];

impl Goal {
    /// Sets one part from `KEY=VALUE`.
    pub fn set(&mut self, pair: &str) -> Result<(), String> {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` is not KEY=VALUE"))?;
        let (key, value) = (key.trim(), value.trim());
        let number: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("`{key}`: `{value}` is not a number of 0 or more"))?;
        let slot = match key {
            "backlog_minutes_per_week" => &mut self.backlog_minutes_per_week,
            "max_backlog" => &mut self.max_backlog,
            "max_concurrency_per_instance" => &mut self.max_concurrency_per_instance,
            "max_scaling_events_per_day" => &mut self.max_scaling_events_per_day,
            _ => {
                let near = crate::suggest::did_you_mean(key, KEYS.iter().copied())
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(format!("unknown goal `{key}`{near}; goals: {}", KEYS.join(", ")));
            }
        };
        *slot = Some(number);
        Ok(())
    }

    /// This goal, with the config's `goal` table filling the parts it leaves out (the command
    /// line wins).
    pub fn with_config(&self, config: Option<&crate::config::raw::RawGoal>) -> Goal {
        let Some(c) = config else {
            return self.clone();
        };
        let or = |mine: Option<f64>, theirs: &crate::config::raw::Field<f64>| {
            mine.or(theirs.as_ref().map(|v| v.value))
        };
        Goal {
            backlog_minutes_per_week: or(self.backlog_minutes_per_week, &c.backlog_minutes_per_week),
            max_backlog: or(self.max_backlog, &c.max_backlog),
            max_concurrency_per_instance: or(
                self.max_concurrency_per_instance,
                &c.max_concurrency_per_instance,
            ),
            max_scaling_events_per_day: or(self.max_scaling_events_per_day, &c.max_scaling_events_per_day),
        }
    }

    /// Whether the goal asks anything of the queue (only async endpoints have one).
    pub fn needs_queue(&self) -> bool {
        self.backlog_minutes_per_week.is_some() || self.max_backlog.is_some()
    }

    /// How far `m` is from the goal: 0 when met, else the sum over the broken parts of how
    /// far over each is, relative to its limit (for "the closest" when nothing meets it).
    pub fn shortfall(&self, m: &Measured) -> f64 {
        self.parts(m)
            .iter()
            .map(|p| {
                if p.value > p.limit {
                    (p.value - p.limit) / p.limit.max(1.0)
                } else {
                    0.0
                }
            })
            .sum()
    }

    /// Each part of the goal, with what `m` measured for it, in `m`'s window.
    pub fn parts(&self, m: &Measured) -> Vec<Part> {
        let weeks = m.minutes as f64 / WEEK_MINUTES;
        let days = m.minutes as f64 / 1440.0;
        let mut out = Vec::new();
        let mut part = |name: &'static str, limit: Option<f64>, value: f64| {
            if let Some(limit) = limit {
                out.push(Part { name, limit, value });
            }
        };
        part(
            "backlog_minutes_per_week",
            self.backlog_minutes_per_week,
            m.backlog_without_capacity as f64 / weeks.max(f64::MIN_POSITIVE),
        );
        part("max_backlog", self.max_backlog, m.max_backlog);
        part(
            "max_concurrency_per_instance",
            self.max_concurrency_per_instance,
            m.max_concurrency,
        );
        part(
            "max_scaling_events_per_day",
            self.max_scaling_events_per_day,
            m.scaling_events as f64 / days.max(f64::MIN_POSITIVE),
        );
        out
    }
}

/// One part of the goal held against a replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The goal's key.
    pub name: &'static str,
    /// What the goal allows.
    pub limit: f64,
    /// What the replay did (per week or per day where the key says so).
    pub value: f64,
}

/// What a replay did over a window, in the goal's terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Measured {
    /// Minutes in the window.
    pub minutes: usize,
    /// Instance-hours (copy-hours) billed.
    pub instance_hours: f64,
    /// Minutes with requests queued and nothing in service.
    pub backlog_without_capacity: usize,
    /// Largest queue at the end of a minute.
    pub max_backlog: f64,
    /// Largest concurrency per instance in a minute.
    pub max_concurrency: f64,
    /// Capacity changes.
    pub scaling_events: usize,
}
