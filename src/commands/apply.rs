//! `apply`: make AWS match the config, after a confirmation (or `--auto-approve`), optionally
//! only while a saved plan still matches.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use sagemaker_autoscale::plan::{Plan, PlanDiffers};
use sagemaker_autoscale::{apply, engine, render};

use super::{
    CommandResult, ConfigArgs, Error, ExitStatus, OwnershipArgs, Planning, Prepared, color, prepare,
};

#[derive(Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub ownership: OwnershipArgs,
    /// Apply without asking (required when not run in a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Apply only if a fresh plan has the same fingerprint as this saved plan.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Scalable targets changed at once (changes to one target always run in order).
    #[arg(long, value_name = "N", default_value_t = apply::DEFAULT_PARALLELISM,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
}

pub fn run(args: ApplyArgs) -> CommandResult {
    let prepared = match prepare(&args.config, Planning::Config(&args.ownership))? {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    if let Some(path) = &args.plan {
        let saved = read_saved(path).map_err(|message| Error::new(message).hint(PlanDiffers::HINT))?;
        saved.same_as(&prepared.planned.plan)?;
    }
    confirm_and_apply(prepared, args.auto_approve, args.parallelism)
}

/// Shows the plan, asks (unless `auto_approve`), applies it and shows what happened.
pub(super) fn confirm_and_apply(prepared: Prepared, auto_approve: bool, parallelism: u16) -> CommandResult {
    let Prepared {
        runtime,
        planned,
        deadline,
    } = prepared;
    let stdout_color = color(std::io::stdout().is_terminal());
    print!("{}", render::text(&planned.plan, stdout_color));
    // Targets left out of the plan make the run fail, after the rest is applied.
    let done = if planned.plan.blocked.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    };
    if planned.plan.is_empty() {
        return Ok(done);
    }
    if !auto_approve && !confirm()? {
        println!("Apply cancelled.");
        return Ok(ExitStatus::Failure);
    }
    let parallelism = parallelism.into();
    let report = runtime.block_on(engine::apply_planned(planned, deadline, parallelism));
    print!("{}", render::apply_report(&report, stdout_color));
    Ok(if report.failed() {
        ExitStatus::Failure
    } else {
        done
    })
}

fn read_saved(path: &std::path::Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a saved plan: {e}", path.display()))
}

/// Asks on the terminal; only "yes" approves.
fn confirm() -> Result<bool, Error> {
    ask().map_err(|message| Error::new(message).hint("pass --auto-approve to apply without a terminal"))
}

fn ask() -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("apply needs confirmation, and there is no terminal to ask in".into());
    }
    print!("\nApply these changes? Only 'yes' will be accepted: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(answer.trim() == "yes")
}
