//! The recommendation a pull request's comment shows with `tune: true`: collapsed, below the
//! plan, never applied (docs/tune.md).

use crate::check::Checked;
use crate::error::with_hint;
use crate::github::runner;
use crate::inputs::{Input, Inputs};
use crate::model::DesiredState;
use crate::tune;

/// The tuning section for the PR, or a line saying why there is none. Never fails the run.
pub(super) async fn tuning(
    checked: &Checked,
    desired: &DesiredState,
    inputs: &Inputs,
    deadline: tokio::time::Instant,
) -> String {
    let Some(source) = &checked.source else {
        return "### Tune\n\nNot available: `tune` needs a config file.\n".into();
    };
    let Some(settings) = settings(inputs) else {
        let message = "tuning skipped: `simulate-days` must be 1-15, `instance-price` a positive number, `startup-minutes` a whole number";
        runner::warning(message);
        return format!("### Tune\n\n{message}.\n");
    };
    runner::group("Tune");
    let now = std::env::var(crate::inputs::Env::NOW)
        .ok()
        .and_then(|t| crate::timestamp::parse_utc(&t).ok())
        .unwrap_or_else(crate::timestamp::now);
    let mut quiet = |_: &str, _: usize, _: usize| {};
    let run = tune::tune(
        &source.name,
        source.text(),
        desired,
        None,
        &settings,
        now,
        &mut quiet,
    );
    let out = match tokio::time::timeout_at(deadline, run).await {
        Ok(Ok(report)) => tune::render::markdown(&report),
        Ok(Err(e)) => {
            runner::warning(&format!("tuning failed: {}", with_hint(&e)));
            format!("### Tune\n\nNot available: {e}.\n")
        }
        Err(_) => {
            runner::warning("tuning stopped: the run's time limit was reached");
            "### Tune\n\nNot available: the run's time limit was reached.\n".to_string()
        }
    };
    runner::end_group();
    out
}

/// The simulation's inputs serve tuning too; the goal is each endpoint's `[endpoint.goal]`.
fn settings(inputs: &Inputs) -> Option<tune::Settings> {
    let days = match inputs.get(Input::SIMULATE_DAYS) {
        None => 7,
        Some(d) => d.parse::<u32>().ok().filter(|d| (1..=15).contains(d))?,
    };
    let price = match inputs.get(Input::INSTANCE_PRICE) {
        None => None,
        Some(p) => Some(p.parse::<f64>().ok().filter(|p| p.is_finite() && *p > 0.0)?),
    };
    let startup_minutes = match inputs.get(Input::STARTUP_MINUTES) {
        None => 5,
        Some(m) => m.parse::<usize>().ok()?,
    };
    Some(tune::Settings {
        days,
        goal: tune::goal::Goal::default(),
        price,
        startup_minutes,
        throughput: None,
    })
}
