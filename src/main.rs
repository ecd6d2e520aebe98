//! The command line: parse, dispatch to one command, turn its result into the exit code.

mod commands;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use commands::apply::ApplyArgs;
use commands::detach::DetachArgs;
use commands::import::ImportArgs;
use commands::plan::PlanArgs;
use commands::simulate::SimulateArgs;
use commands::tune::TuneArgs;
use commands::validate::ValidateArgs;
use commands::{CommandResult, ExitStatus};
use sagemaker_autoscale::schema;

/// Amazon SageMaker endpoint autoscaling as code.
///
/// Keep autoscaling.toml in your repository: `validate` checks it offline, `plan` shows what
/// would change in Application Auto Scaling and CloudWatch, `apply` makes AWS match it.
#[derive(Parser)]
#[command(
    version,
    about,
    long_about,
    after_help = "Start with: sagemaker-autoscale validate --config examples/seed.toml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the config (and action inputs) without calling AWS. Exit 0 when valid, 1 otherwise.
    Validate(ValidateArgs),
    /// Show what apply would change. Reads AWS, writes nothing.
    Plan(PlanArgs),
    /// Make AWS match the config.
    Apply(ApplyArgs),
    /// Remove the autoscaling of endpoints so an endpoint update can change their variants;
    /// the config stays as it is and the next apply restores it.
    Detach(DetachArgs),
    /// Replay the last days' metrics through the current and the proposed policies and show
    /// what each would have done (instance-hours, cost, backlog without capacity, events).
    Simulate(SimulateArgs),
    /// Search for the cheapest scaling config that would have met a goal (minutes with a
    /// backlog and no capacity, queue or concurrency ceilings, scaling events) on the last
    /// days' metrics, and print it as a diff of the config. Writes nothing to AWS.
    Tune(TuneArgs),
    /// Write a config for endpoints that already scale, so its first plan shows no changes.
    /// Reads AWS, changes nothing there.
    Import(ImportArgs),
    /// Run as the GitHub Action: route by GITHUB_EVENT_NAME (and the `mode` input) to
    /// validate, plan + PR comment, guarded apply, re-apply, or drift check.
    Action,
    /// Print the JSON Schema of autoscaling.toml (for editor completion and checks).
    Schema,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors; a bad command line is, and exits 1 like
            // any other error, keeping 2 free for "plan has changes".
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    commands::exit_code(dispatch(cli.command))
}

fn dispatch(command: Command) -> CommandResult {
    match command {
        Command::Validate(args) => commands::validate::run(args),
        Command::Plan(args) => commands::plan::run(args),
        Command::Apply(args) => commands::apply::run(args),
        Command::Detach(args) => commands::detach::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Tune(args) => commands::tune::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Action => commands::action::run(),
        Command::Schema => {
            print!("{}", schema::config_schema_text());
            Ok(ExitStatus::Success)
        }
    }
}
