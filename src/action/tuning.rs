//! The recommendation a pull request's comment shows with `tune: true`: collapsed, below the
//! plan, never applied (docs/tune.md).

use super::simulation::{Replay, metrics_end};
use crate::check::Checked;
use crate::error::with_hint;
use crate::github::runner;
use crate::inputs::Inputs;
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
    let now = metrics_end();
    let mut quiet = |_: &str, _: usize, _: usize| {};
    let run = tune::tune(&source.name, source.text(), desired, &settings, now, &mut quiet);
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
    let Replay { days, price, startup } = Replay::from(inputs)?;
    Some(tune::Settings {
        days,
        goal: tune::goal::Goal::default(),
        price,
        startup_minutes: startup,
        throughput: None,
    })
}
