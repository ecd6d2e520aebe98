//! The simulation a pull request's comment shows with `simulate: true`.

use crate::error::with_hint;
use crate::github::runner;
use crate::inputs::{Input, Inputs};
use crate::model::DesiredState;
use crate::simulate;

/// The simulation for the PR: its cost-and-risk line for the top of the comment (when it ran)
/// and its markdown, or why there is none. Never fails the run: the plan is what the run is for.
pub(super) async fn simulation(
    desired: &DesiredState,
    inputs: &Inputs,
    deadline: tokio::time::Instant,
) -> (Option<String>, String) {
    runner::group("Simulate");
    let Some(Replay { days, price, startup }) = Replay::from(inputs) else {
        runner::end_group();
        let message = "simulation skipped: `simulate-days` must be 1-15, `instance-price` a positive number, `startup-minutes` a whole number";
        runner::warning(message);
        return (None, format!("### Simulation\n\n{message}.\n"));
    };
    let settings = simulate::Settings {
        days,
        options: simulate::replay::Model {
            startup_minutes: startup,
            initial: None,
            queue: None,
        },
        price,
    };
    let run = simulate::simulate(desired, &simulate::Baseline::Current, &settings, metrics_end());
    let out = match tokio::time::timeout_at(deadline, run).await {
        Ok(Ok(report)) => (
            Some(simulate::render::cost_and_risk(&report)),
            simulate::render::markdown(&report),
        ),
        Ok(Err(e)) => {
            runner::warning(&format!("simulation failed: {}", with_hint(&e)));
            (None, format!("### Simulation\n\nNot available: {e}.\n"))
        }
        Err(_) => {
            runner::warning("simulation stopped: the run's time limit was reached");
            (
                None,
                "### Simulation\n\nNot available: the run's time limit was reached.\n".to_string(),
            )
        }
    };
    runner::end_group();
    out
}

/// The inputs a replay of recent metrics takes (the simulation's and tuning's): days, price
/// of an instance-hour, start-up minutes.
pub(super) struct Replay {
    pub(super) days: u32,
    pub(super) price: Option<f64>,
    pub(super) startup: usize,
}

impl Replay {
    /// The inputs, with their defaults; None when one is not a valid value.
    pub(super) fn from(inputs: &Inputs) -> Option<Replay> {
        let days = match inputs.get(Input::SIMULATE_DAYS) {
            None => 7,
            Some(d) => d.parse::<u32>().ok().filter(|d| (1..=15).contains(d))?,
        };
        let price = match inputs.get(Input::INSTANCE_PRICE) {
            None => None,
            Some(p) => Some(p.parse::<f64>().ok().filter(|p| p.is_finite() && *p > 0.0)?),
        };
        let startup = match inputs.get(Input::STARTUP_MINUTES) {
            None => 5,
            Some(m) => m.parse::<usize>().ok()?,
        };
        Some(Replay { days, price, startup })
    }
}

/// The metrics end now, or where the plan's clock is set (tests replay recorded metrics).
pub(super) fn metrics_end() -> i64 {
    std::env::var(crate::inputs::Env::NOW)
        .ok()
        .and_then(|t| crate::timestamp::parse_utc(&t).ok())
        .unwrap_or_else(crate::timestamp::now)
}
