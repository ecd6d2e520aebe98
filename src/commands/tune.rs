//! `tune`: the cheapest config that would have met a goal on the endpoint's own history.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use sagemaker_autoscale::error::Hint;
use sagemaker_autoscale::tune::{self, goal::Goal};

use super::{CommandResult, ConfigArgs, Error, ExitStatus, desired, load, runtime};

#[derive(Args)]
pub struct TuneArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Tune only this endpoint (or inference component) [default: every one in the config].
    #[arg(long, value_name = "NAME")]
    pub endpoint: Option<String>,
    /// Days of one-minute metric history (CloudWatch keeps it 15 days).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=15))]
    pub days: u32,
    /// A part of the goal, KEY=VALUE, repeatable: backlog_minutes_per_week, max_backlog,
    /// max_concurrency_per_instance, max_scaling_events_per_day.
    #[arg(long, value_name = "KEY=VALUE")]
    pub goal: Vec<String>,
    /// Price of one instance-hour (or copy-hour) [default: costs in instance-hours].
    #[arg(long, value_name = "USD")]
    pub price: Option<f64>,
    /// Minutes from launching an instance until it serves.
    #[arg(long, default_value_t = 5, value_name = "MINUTES")]
    pub startup: u16,
    /// Requests one instance takes from an async queue per minute [default: from the history].
    #[arg(long, value_name = "REQUESTS")]
    pub throughput: Option<f64>,
    /// End of the period, `YYYY-MM-DDTHH:MM:SSZ` [default: now].
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Print the recommendation as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TuneArgs) -> CommandResult {
    let settings = settings(&args)?;
    let now = super::simulate::metrics_end(args.until.as_deref())?;
    let checked = load(&args.config, args.json);
    let Some(source) = checked.source.clone() else {
        return Err(Error::new("tune needs a config file").hint("give one with --config PATH"));
    };
    let desired = match desired(checked, args.config.deny_warnings) {
        Ok(d) => d,
        Err(status) => return Ok(status),
    };
    let desired = match &args.endpoint {
        Some(e) => desired.only(std::slice::from_ref(e)).map_err(|unknown| {
            let error = Error::new(format!(
                "--endpoint {e}: no such endpoint or inference component in {}",
                source.name
            ));
            match unknown.hint() {
                Some(hint) => error.hint(hint),
                None => error,
            }
        })?,
        None => desired,
    };
    let mut progress = Progress::new();
    let report = runtime()?.block_on(tune::tune(
        &source.name,
        source.text(),
        &desired,
        &settings,
        now,
        &mut |label, done, total| progress.show(label, done, total),
    ))?;
    progress.clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print!("{}", tune::render::text(&report));
    }
    let tuned = report.targets.iter().all(|t| t.met);
    Ok(if tuned {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn settings(args: &TuneArgs) -> Result<tune::Settings, Error> {
    let mut goal = Goal::default();
    for g in &args.goal {
        goal.set(g).map_err(|e| {
            Error::new(format!("--goal: {e}")).hint("e.g. --goal backlog_minutes_per_week=30")
        })?;
    }
    let positive = |v: Option<f64>, what: &str| match v {
        Some(v) if !(v.is_finite() && v > 0.0) => {
            Err(Error::new(format!("{what} must be a positive number")))
        }
        _ => Ok(()),
    };
    positive(args.price, "--price")?;
    positive(args.throughput, "--throughput")?;
    Ok(tune::Settings {
        days: args.days,
        goal,
        price: args.price,
        startup_minutes: args.startup.into(),
        throughput: args.throughput,
    })
}

/// A progress line on a terminal, once a search has run for a second.
struct Progress {
    started: Instant,
    shown: bool,
    terminal: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            started: Instant::now(),
            shown: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, label: &str, done: usize, total: usize) {
        if self.terminal && self.started.elapsed() > Duration::from_secs(1) {
            eprint!("\rtune: {label}: {done}/{total} configs replayed ");
            let _ = std::io::stderr().flush();
            self.shown = true;
        }
    }

    fn clear(&self) {
        if self.shown {
            eprint!("\r\x1b[2K");
        }
    }
}
