//! `simulate`: the last days' metrics replayed through the current and the proposed config.

use std::path::PathBuf;

use clap::Args;
use sagemaker_autoscale::config::ConfigPath;
use sagemaker_autoscale::inputs::Inputs;
use sagemaker_autoscale::{check, simulate, timestamp};

use super::{CommandResult, ConfigArgs, Error, ExitStatus, desired, load, report, runtime};

#[derive(Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Days of one-minute metric history (CloudWatch keeps it 15 days).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=15))]
    pub days: u32,
    /// `current` (what AWS holds now) or a config FILE to compare with.
    #[arg(long, default_value = "current", value_name = "current|FILE")]
    pub baseline: String,
    /// Minutes from launching an instance until it serves.
    #[arg(long, default_value_t = 5, value_name = "MINUTES")]
    pub startup: u16,
    /// Price of one instance-hour (or copy-hour), for the cost row.
    #[arg(long, value_name = "USD")]
    pub price: Option<f64>,
    /// End of the period, `YYYY-MM-DDTHH:MM:SSZ` [default: now].
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print markdown with a mermaid chart (what the PR comment shows).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: SimulateArgs) -> CommandResult {
    let now = metrics_end(args.until.as_deref())?;
    if args.price.is_some_and(|p| !(p.is_finite() && p > 0.0)) {
        return Err(Error::new("--price must be a positive number of USD per hour"));
    }
    let proposed = match desired(load(&args.config, false), args.config.deny_warnings) {
        Ok(d) => d,
        Err(status) => return Ok(status),
    };
    let baseline = baseline(&args.baseline)?;
    let settings = simulate::Settings {
        days: args.days,
        options: simulate::replay::Model {
            startup_minutes: args.startup.into(),
            initial: None,
            queue: None,
        },
        price: args.price,
    };
    let r = runtime()?.block_on(simulate::simulate(&proposed, &baseline, &settings, now))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
    } else if args.markdown {
        print!("{}", simulate::render::markdown(&r));
    } else {
        print!("{}", simulate::render::text(&r));
    }
    Ok(ExitStatus::Success)
}

/// The end of the metrics replayed: `--until`, else now.
pub(super) fn metrics_end(until: Option<&str>) -> Result<i64, Error> {
    let until = until
        .map(timestamp::parse_utc)
        .transpose()
        .map_err(|e| Error::new(format!("--until: {e}")).hint("e.g. --until 2026-11-29T12:00:00Z"))?;
    Ok(until.unwrap_or_else(timestamp::now))
}

/// `current`, or another config file (validated, its diagnostics shown).
fn baseline(arg: &str) -> Result<simulate::Baseline, Error> {
    if arg == "current" {
        return Ok(simulate::Baseline::Current);
    }
    let other = check(&ConfigPath::Explicit(PathBuf::from(arg)), &Inputs::default());
    report(&other, false);
    match other.desired {
        Some(d) if other.errors() == 0 => Ok(simulate::Baseline::Config(Box::new(d))),
        _ => Err(Error::new(format!("the baseline config {arg} is not valid"))),
    }
}
