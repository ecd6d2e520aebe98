//! `plan`: what apply would change, read from AWS; writes nothing there.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use sagemaker_autoscale::render;

use super::{
    CommandResult, ConfigArgs, Error, ExitStatus, OwnershipArgs, Planning, Prepared, color, prepare,
};

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub ownership: OwnershipArgs,
    /// Print the plan as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write the plan as JSON to FILE (for `apply --plan FILE`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error (like terraform).
    #[arg(long)]
    pub detailed_exitcode: bool,
}

pub fn run(args: PlanArgs) -> CommandResult {
    let Prepared { planned, .. } = match prepare(&args.config, Planning::Config(&args.ownership))? {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    let plan = &planned.plan;
    if let Some(path) = &args.out {
        std::fs::write(path, render::json(plan))
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        println!("{}", render::json(plan));
    } else {
        print!("{}", render::text(plan, color(std::io::stdout().is_terminal())));
    }
    Ok(if !plan.blocked.is_empty() {
        ExitStatus::Failure
    } else if args.detailed_exitcode && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
