use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sagemaker_autoscale::check::Counts;
use sagemaker_autoscale::config::ConfigPath;
use sagemaker_autoscale::diagnostic::Renderer;
use sagemaker_autoscale::github::runner::Files;
use sagemaker_autoscale::import::{self, Selection};
use sagemaker_autoscale::inputs::{Env, Inputs};
use sagemaker_autoscale::plan::Plan;
use sagemaker_autoscale::{Checked, action, apply, check, engine, render, schema, simulate};

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

#[derive(Args)]
struct ConfigArgs {
    /// Config file [default: the `config` input (INPUT_CONFIG), else autoscaling.toml].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Give up after this many seconds: planning is cancelled; apply stops between changes
    /// and reports what it did.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Check the config (and action inputs) without calling AWS. Exit 0 when valid, 1 otherwise.
    Validate {
        #[command(flatten)]
        config: ConfigArgs,
        /// Print diagnostics and the desired state as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Show what apply would change. Reads AWS, writes nothing.
    Plan {
        #[command(flatten)]
        config: ConfigArgs,
        /// Print the plan as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Also write the plan as JSON to FILE (for `apply --plan FILE`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Exit 0 when there are no changes, 2 when there are, 1 on error (like terraform).
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Make AWS match the config.
    Apply {
        #[command(flatten)]
        config: ConfigArgs,
        /// Apply without asking (required when not run in a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// Apply only if a fresh plan has the same fingerprint as this saved plan.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Scalable targets changed at once (changes to one target always run in order).
        #[arg(long, value_name = "N", default_value_t = apply::DEFAULT_PARALLELISM,
              value_parser = clap::value_parser!(u16).range(1..=64))]
        parallelism: u16,
    },
    /// Replay the last days' metrics through the current and the proposed policies and show
    /// what each would have done (instance-hours, cost, backlog without capacity, events).
    Simulate {
        #[command(flatten)]
        config: ConfigArgs,
        /// Days of one-minute metric history (CloudWatch keeps it 15 days).
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=15))]
        days: u32,
        /// `current` (what AWS holds now) or a config FILE to compare with.
        #[arg(long, default_value = "current", value_name = "current|FILE")]
        baseline: String,
        /// Minutes from launching an instance until it serves.
        #[arg(long, default_value_t = 5, value_name = "MINUTES")]
        startup: u16,
        /// Price of one instance-hour (or copy-hour), for the cost row.
        #[arg(long, value_name = "USD")]
        price: Option<f64>,
        /// End of the period, `YYYY-MM-DDTHH:MM:SSZ` [default: now].
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
        /// Print markdown with a mermaid chart (what the PR comment shows).
        #[arg(long)]
        markdown: bool,
    },
    /// Write a config for endpoints that already scale, so its first plan shows no changes.
    /// Reads AWS, changes nothing there.
    #[command(group(clap::ArgGroup::new("which").required(true).args(["endpoints", "prefix", "all"])))]
    Import {
        /// Endpoint names (every variant of each is imported).
        endpoints: Vec<String>,
        /// Every endpoint whose name starts with PREFIX.
        #[arg(long)]
        prefix: Option<String>,
        /// Every endpoint in the region that has a scalable target.
        #[arg(long)]
        all: bool,
        /// AWS region [default: AWS_REGION / the credential chain].
        #[arg(long)]
        region: Option<String>,
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
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
    match cli.command {
        Command::Validate { config, json } => {
            let checked = load(&config);
            report(&checked, json);
            summary(&checked, json);
            exit_for(&checked, config.deny_warnings).unwrap_or(ExitCode::SUCCESS)
        }
        Command::Plan {
            config,
            json,
            out,
            detailed_exitcode,
        } => {
            let (_, planned, _) = match prepare(&config) {
                Ok(p) => p,
                Err(code) => return code,
            };
            if let Some(path) = out
                && let Err(e) = std::fs::write(&path, render::json(&planned.plan))
            {
                return fail(&format!("cannot write {}: {e}", path.display()), None);
            }
            if json {
                println!("{}", render::json(&planned.plan));
            } else {
                print!(
                    "{}",
                    render::text(&planned.plan, color(std::io::stdout().is_terminal()))
                );
            }
            if !planned.plan.blocked.is_empty() {
                ExitCode::from(1)
            } else if detailed_exitcode && !planned.plan.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Apply {
            config,
            auto_approve,
            plan,
            parallelism,
        } => {
            let (rt, planned, deadline) = match prepare(&config) {
                Ok(p) => p,
                Err(code) => return code,
            };
            if let Some(path) = plan
                && let Err(message) = same_as_saved(&path, &planned.plan)
            {
                return fail(
                    &message,
                    Some("run `plan --out FILE` again, review it, and apply that"),
                );
            }
            let stdout_color = color(std::io::stdout().is_terminal());
            print!("{}", render::text(&planned.plan, stdout_color));
            // Targets left out of the plan make the run fail, after the rest is applied.
            let blocked = ExitCode::from(if planned.plan.blocked.is_empty() { 0 } else { 1 });
            if planned.plan.is_empty() {
                return blocked;
            }
            if !auto_approve {
                match confirm() {
                    Ok(true) => {}
                    Ok(false) => {
                        println!("Apply cancelled.");
                        return ExitCode::from(1);
                    }
                    Err(message) => {
                        return fail(&message, Some("pass --auto-approve to apply without a terminal"));
                    }
                }
            }
            let report = rt.block_on(engine::apply_planned(planned, deadline, parallelism.into()));
            print!("{}", render::apply_report(&report, stdout_color));
            if report.failed() {
                ExitCode::from(1)
            } else {
                blocked
            }
        }
        Command::Action => {
            let inputs = Inputs::from_env();
            let checked = check(&ConfigPath::resolve(None, &inputs), &inputs);
            report(&checked, false);
            let ctx = action::Context::from_env();
            let files = Files::from_env();
            ExitCode::from(runtime().block_on(action::run(&checked, &inputs, &ctx, &files)))
        }
        Command::Simulate {
            config,
            days,
            baseline,
            startup,
            price,
            until,
            json,
            markdown,
        } => {
            let until = match until.as_deref().map(sagemaker_autoscale::timestamp::parse_utc) {
                None => None,
                Some(Ok(t)) => Some(t),
                Some(Err(e)) => {
                    return fail(
                        &format!("--until: {e}"),
                        Some("e.g. --until 2026-11-29T12:00:00Z"),
                    );
                }
            };
            if price.is_some_and(|p| !(p.is_finite() && p > 0.0)) {
                return fail("--price must be a positive number of USD per hour", None);
            }
            let checked = load(&config);
            report(&checked, false);
            if let Some(code) = exit_for(&checked, config.deny_warnings) {
                return code;
            }
            let Some(desired) = checked.desired else {
                return ExitCode::from(1);
            };
            let baseline = if baseline == "current" {
                simulate::Baseline::Current
            } else {
                let other = check(
                    &ConfigPath::Explicit(PathBuf::from(&baseline)),
                    &Inputs::default(),
                );
                report(&other, false);
                match other.desired {
                    Some(d) if other.errors() == 0 => simulate::Baseline::Config(Box::new(d)),
                    _ => return fail(&format!("the baseline config {baseline} is not valid"), None),
                }
            };
            let settings = simulate::Settings {
                days,
                options: simulate::engine::Options {
                    startup_minutes: startup.into(),
                    initial: None,
                },
                price,
            };
            let now = until.unwrap_or_else(sagemaker_autoscale::timestamp::now);
            let result = runtime().block_on(simulate::simulate(&desired, &baseline, &settings, now));
            match result {
                Ok(r) if json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                Ok(r) if markdown => print!("{}", simulate::render::markdown(&r)),
                Ok(r) => print!("{}", simulate::render::text(&r)),
                Err(e) => return fail(&e.to_string(), e.hint()),
            }
            ExitCode::SUCCESS
        }
        Command::Import {
            endpoints,
            prefix,
            all,
            region,
            out,
            force,
        } => {
            let selection = match (all, prefix) {
                (true, _) => Selection::All,
                (false, Some(p)) => Selection::Prefix(p),
                (false, None) => Selection::Names(endpoints),
            };
            if let Some(path) = &out
                && path.exists()
                && !force
            {
                return fail(
                    &format!("{} exists; not overwriting it", path.display()),
                    Some("pass --force to replace it, or choose another --out"),
                );
            }
            let imported = match runtime().block_on(import::import(region.as_deref(), &selection)) {
                Ok(i) => i,
                Err(e) => return fail(&e.to_string(), e.hint()),
            };
            match &out {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, &imported.text) {
                        return fail(&format!("cannot write {}: {e}", path.display()), None);
                    }
                }
                None => print!("{}", imported.text),
            }
            let to = out
                .as_ref()
                .map_or("standard output".into(), |p| p.display().to_string());
            eprintln!(
                "Imported {} endpoint variant(s) to {to} ({} AWS calls).",
                imported.endpoints, imported.calls
            );
            if imported.remaining.is_empty() {
                eprintln!("A plan of it against the same account shows no changes.");
            } else {
                eprintln!("warning: not everything could be written (listed at the top of the file):");
                for line in &imported.remaining {
                    eprintln!("  - {line}");
                }
            }
            ExitCode::SUCCESS
        }
        Command::Schema => {
            print!("{}", schema::config_schema_text());
            ExitCode::SUCCESS
        }
    }
}

type Prepared = (
    tokio::runtime::Runtime,
    engine::Planned,
    Option<tokio::time::Instant>,
);

/// Validates the config, then reads AWS and plans within the time limit. Nothing reaches AWS
/// when the config is invalid.
fn prepare(config: &ConfigArgs) -> Result<Prepared, ExitCode> {
    let checked = load(config);
    report(&checked, false);
    if let Some(code) = exit_for(&checked, config.deny_warnings) {
        return Err(code);
    }
    let desired = checked.desired.ok_or(ExitCode::from(1))?;
    let rt = runtime();
    let deadline = config.timeout.map(|s| {
        let _guard = rt.enter();
        tokio::time::Instant::now() + std::time::Duration::from_secs(s)
    });
    let planning = async {
        match deadline {
            Some(d) => tokio::time::timeout_at(d, engine::plan(&desired)).await.ok(),
            None => Some(engine::plan(&desired).await),
        }
    };
    let planned = match rt.block_on(planning) {
        Some(result) => result.map_err(|e| fail(&e.to_string(), e.hint()))?,
        None => {
            let limit = config.timeout.unwrap_or_default();
            return Err(fail(
                &format!("gave up: planning took longer than --timeout {limit}s"),
                None,
            ));
        }
    };
    Ok((rt, planned, deadline))
}

fn load(args: &ConfigArgs) -> Checked {
    let inputs = Inputs::from_env();
    check(&ConfigPath::resolve(args.config.clone(), &inputs), &inputs)
}

/// Exit 1 on errors (or warnings when denied); None when the run may go on.
fn exit_for(checked: &Checked, deny_warnings: bool) -> Option<ExitCode> {
    if checked.errors() > 0 || (deny_warnings && checked.warnings() > 0) {
        if checked.errors() == 0 {
            eprintln!("{}: warnings are denied (--deny-warnings)", checked.name);
        }
        return Some(ExitCode::from(1));
    }
    None
}

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    }
}

fn fail(message: &str, hint: Option<&str>) -> ExitCode {
    eprintln!("error: {message}");
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
    ExitCode::from(1)
}

fn color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os(Env::NO_COLOR).is_none_or(|v| v.is_empty())
}

fn same_as_saved(path: &std::path::Path, fresh: &Plan) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let saved: Plan =
        serde_json::from_str(&text).map_err(|e| format!("{} is not a saved plan: {e}", path.display()))?;
    if saved.fingerprint != fresh.fingerprint {
        return Err(format!(
            "the saved plan ({}) no longer matches AWS and the config (now {}): something changed since it was made",
            saved.fingerprint, fresh.fingerprint
        ));
    }
    Ok(())
}

fn confirm() -> Result<bool, String> {
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

fn report(checked: &Checked, json: bool) {
    let renderer = Renderer {
        source: checked.source.as_ref(),
        color: color(std::io::stderr().is_terminal()),
    };
    if std::env::var(Env::GITHUB_ACTIONS).is_ok_and(|v| v == "true") {
        for d in &checked.diagnostics {
            println!("{}", renderer.annotation(d));
        }
    }
    if !json || checked.desired.is_none() {
        for d in &checked.diagnostics {
            eprintln!("{}", renderer.render(d));
        }
    }
}

fn summary(checked: &Checked, json: bool) {
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
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match &checked.desired {
        Some(desired) => {
            let c = Counts::of(desired);
            let components = match c.inference_components {
                0 => String::new(),
                n => format!(", {}", plural(n, "inference component", "inference components")),
            };
            println!(
                "{name} is valid: {}{components}, {}, {}, {} ({})",
                plural(c.endpoints, "endpoint", "endpoints"),
                plural(c.policies, "policy", "policies"),
                plural(c.alarms, "alarm", "alarms"),
                plural(c.scheduled_actions, "scheduled action", "scheduled actions"),
                plural(checked.warnings(), "warning", "warnings"),
            );
        }
        None => eprintln!(
            "{name}: {}, {}",
            plural(checked.errors(), "error", "errors"),
            plural(checked.warnings(), "warning", "warnings")
        ),
    }
}
