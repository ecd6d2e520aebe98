//! `detach`: remove the scaling of some endpoints (their scalable targets, policies, scheduled
//! actions and this tool's alarms) so that SageMaker accepts an endpoint update that changes or
//! removes a scaled variant. The config is unchanged: the next `apply` restores it all.

use clap::Args;
use sagemaker_autoscale::apply;

use super::{CommandResult, ConfigArgs, Planning, prepare};

#[derive(Args)]
pub struct DetachArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Endpoint (or inference component) names, as the config's `name`.
    #[arg(required = true, value_name = "ENDPOINT")]
    pub endpoints: Vec<String>,
    /// Detach without asking (required when not run in a terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Scalable targets changed at once.
    #[arg(long, value_name = "N", default_value_t = apply::DEFAULT_PARALLELISM,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
}

pub fn run(args: DetachArgs) -> CommandResult {
    let prepared = match prepare(&args.config, Planning::Detach(&args.endpoints))? {
        Ok(p) => p,
        Err(status) => return Ok(status),
    };
    super::apply::confirm_and_apply(prepared, args.auto_approve, args.parallelism)
}
