use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sagemaker_autoscale::check::Counts;
use sagemaker_autoscale::config::ConfigPath;
use sagemaker_autoscale::diagnostic::Renderer;
use sagemaker_autoscale::inputs::{Env, Inputs};
use sagemaker_autoscale::{Checked, check, schema};

/// Amazon SageMaker endpoint autoscaling as code.
///
/// Keep autoscaling.toml in your repository; this tool validates it, and (in later versions)
/// plans and applies it against Application Auto Scaling and CloudWatch.
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
    Validate {
        /// Config file [default: the `config` input (INPUT_CONFIG), else autoscaling.toml].
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
        /// Print diagnostics and the desired state as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
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
    match cli.command {
        Command::Validate {
            config,
            deny_warnings,
            json,
        } => {
            let inputs = Inputs::from_env();
            let checked = check(&ConfigPath::resolve(config, &inputs), &inputs);
            report(&checked, json);
            if checked.errors() > 0 || (deny_warnings && checked.warnings() > 0) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Schema => {
            print!("{}", schema::config_schema_text());
            ExitCode::SUCCESS
        }
    }
}

fn report(checked: &Checked, json: bool) {
    let color =
        std::io::stderr().is_terminal() && std::env::var_os(Env::NO_COLOR).is_none_or(|v| v.is_empty());
    let renderer = Renderer {
        source: checked.source.as_ref(),
        color,
    };
    if std::env::var(Env::GITHUB_ACTIONS).is_ok_and(|v| v == "true") {
        for d in &checked.diagnostics {
            println!("{}", renderer.annotation(d));
        }
    }
    for d in &checked.diagnostics {
        eprintln!("{}", renderer.render(d));
    }
    let name = &checked.name;
    if json {
        let value = serde_json::json!({
            "valid": checked.desired.is_some(),
            "errors": checked.errors(),
            "warnings": checked.warnings(),
            "diagnostics": checked.diagnostics,
            "desired": checked.desired,
        });
        println!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
        return;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match &checked.desired {
        Some(desired) => {
            let c = Counts::of(desired);
            println!(
                "{name} is valid: {}, {}, {}, {} ({})",
                plural(c.endpoints, "endpoint"),
                plural(c.policies, "policy").replace("policys", "policies"),
                plural(c.alarms, "alarm"),
                plural(c.scheduled_actions, "scheduled action"),
                plural(checked.warnings(), "warning"),
            );
        }
        None => eprintln!(
            "{name}: {}, {}",
            plural(checked.errors(), "error"),
            plural(checked.warnings(), "warning")
        ),
    }
}
