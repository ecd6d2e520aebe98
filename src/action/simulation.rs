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
    let days = match inputs.get(Input::SIMULATE_DAYS) {
        None => Some(7),
        Some(d) => d.parse::<u32>().ok().filter(|d| (1..=15).contains(d)),
    };
    let price = match inputs.get(Input::INSTANCE_PRICE) {
        None => Some(None),
        Some(p) => p
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p > 0.0)
            .map(Some),
    };
    let startup = match inputs.get(Input::STARTUP_MINUTES) {
        None => Some(5),
        Some(m) => m.parse::<usize>().ok(),
    };
    let (Some(days), Some(price), Some(startup)) = (days, price, startup) else {
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
    // The metrics end now, or where the plan's clock is set (tests replay recorded metrics).
    let now = std::env::var(crate::inputs::Env::NOW)
        .ok()
        .and_then(|t| crate::timestamp::parse_utc(&t).ok())
        .unwrap_or_else(crate::timestamp::now);
    let run = simulate::simulate(desired, &simulate::Baseline::Current, &settings, now);
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
