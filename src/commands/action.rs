//! `action`: what the GitHub Action runs, routed by the event and the `mode` input.

use sagemaker_autoscale::config::ConfigPath;
use sagemaker_autoscale::github::runner::Files;
use sagemaker_autoscale::inputs::Inputs;
use sagemaker_autoscale::{action, check};

use super::{CommandResult, ExitStatus, report, runtime};

pub fn run() -> CommandResult {
    let inputs = Inputs::from_env();
    let checked = check(&ConfigPath::resolve(None, &inputs), &inputs);
    report(&checked, false);
    let ctx = action::Runner::from_env();
    let files = Files::from_env();
    let code = runtime()?.block_on(action::run(&checked, &inputs, &ctx, &files));
    // The action reports everything it shows itself (annotations, summary, outputs).
    Ok(if code == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
