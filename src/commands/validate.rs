//! `validate`: the config and the action inputs, checked offline.

use clap::Args;
use sagemaker_autoscale::render;

use super::{CommandResult, ConfigArgs, ExitStatus, desired, load};

#[derive(Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print diagnostics and the desired state as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ValidateArgs) -> CommandResult {
    let checked = load(&args.config, args.json);
    if args.json {
        println!("{}", render::validation_json(&checked));
    } else if checked.desired.is_some() {
        println!("{}", render::validation_summary(&checked));
    } else {
        eprintln!("{}", render::validation_summary(&checked));
    }
    Ok(match desired(checked, args.config.deny_warnings) {
        Ok(_) => ExitStatus::Success,
        Err(status) => status,
    })
}
