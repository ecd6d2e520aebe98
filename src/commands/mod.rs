//! One module per command: its arguments and a `run` that returns how the process should
//! exit. `main` dispatches to them and turns the result into an exit code in `exit_code`, the
//! one place where an error is printed with its hint.

pub mod action;
pub mod apply;
pub mod detach;
pub mod import;
pub mod plan;
pub mod simulate;
pub mod tune;
pub mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sagemaker_autoscale::config::ConfigPath;
use sagemaker_autoscale::diagnostic::Renderer;
use sagemaker_autoscale::error::Hint;
use sagemaker_autoscale::inputs::{Env, Inputs};
use sagemaker_autoscale::model::DesiredState;
use sagemaker_autoscale::ownership::Scope;
use sagemaker_autoscale::{Checked, check, engine};

/// How a command ended, when it did not fail with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Exit 0.
    Success,
    /// Exit 1, with the reason already shown (diagnostics, a report, a declined prompt).
    Failure,
    /// Exit 2: `plan --detailed-exitcode` found changes.
    Changes,
}

/// A command that could not do its job, and what the user can do about it.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }
}

impl<E: Hint> From<E> for Error {
    fn from(e: E) -> Error {
        Error {
            message: e.to_string(),
            hint: e.hint().map(str::to_string),
        }
    }
}

pub type CommandResult = Result<ExitStatus, Error>;

/// The process exit code of a command's result; errors are printed here and nowhere else.
/// A wrong command line exits 1 too, keeping 2 for "plan has changes".
pub fn exit_code(result: CommandResult) -> ExitCode {
    match result {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::Failure) => ExitCode::from(1),
        Ok(ExitStatus::Changes) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {}", e.message);
            if let Some(hint) = e.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(1)
        }
    }
}

#[derive(Args)]
pub struct ConfigArgs {
    /// Config file [default: the `config` input (INPUT_CONFIG), else autoscaling.toml].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Give up after this many seconds: planning is cancelled; apply stops between changes
    /// and reports what it did.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
}

/// What a plan looks for beyond the config: targets it no longer names.
#[derive(Args)]
pub struct OwnershipArgs {
    /// The config before your change (e.g. `git show main:autoscaling.toml > base.toml`):
    /// targets it named that the config no longer names are destroyed when tagged as this
    /// stack's.
    #[arg(long, value_name = "FILE", conflicts_with = "scan")]
    pub base: Option<PathBuf>,
    /// Look at every scalable target in the account's regions for ones tagged as this stack's
    /// that the config no longer names (one AWS call per target: slow in a large account).
    #[arg(long)]
    pub scan: bool,
}

impl OwnershipArgs {
    fn scope(&self, now: &DesiredState) -> Result<Scope, Error> {
        if self.scan {
            return Ok(Scope::Scan);
        }
        let Some(path) = &self.base else {
            return Ok(Scope::Config);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::new(format!("cannot read the base config {}: {e}", path.display())))?;
        Scope::since_text(&path.display().to_string(), Some(&text), now).map_err(|why| {
            Error::new(why)
                .hint("fix the base file (it is the config before your change), or plan without --base")
        })
    }
}

/// The config (and action inputs) read and validated, its diagnostics printed.
fn load(args: &ConfigArgs, json: bool) -> Checked {
    let inputs = Inputs::from_env();
    let checked = check(&ConfigPath::resolve(args.config.clone(), &inputs), &inputs);
    report(&checked, json);
    checked
}

/// The desired state, or Failure when the config has errors (or warnings that are denied).
fn desired(
    checked: Checked,
    deny_warnings: bool,
) -> Result<sagemaker_autoscale::model::DesiredState, ExitStatus> {
    if checked.errors() > 0 || (deny_warnings && checked.warnings() > 0) {
        if checked.errors() == 0 {
            eprintln!("{}: warnings are denied (--deny-warnings)", checked.name);
        }
        return Err(ExitStatus::Failure);
    }
    checked.desired.ok_or(ExitStatus::Failure)
}

/// Diagnostics on stderr (and as GitHub annotations when run by Actions, also on stderr, which
/// the runner reads too: stdout stays the command's output, e.g. exactly one JSON document).
fn report(checked: &Checked, json: bool) {
    let renderer = Renderer {
        source: checked.source.as_ref(),
        color: color(std::io::stderr().is_terminal()),
    };
    if std::env::var(Env::GITHUB_ACTIONS).is_ok_and(|v| v == "true") {
        for d in &checked.diagnostics {
            eprintln!("{}", renderer.annotation(d));
        }
    }
    if !json || checked.desired.is_none() {
        for d in &checked.diagnostics {
            eprintln!("{}", renderer.render(d));
        }
    }
}

fn color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os(Env::NO_COLOR).is_none_or(|v| v.is_empty())
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new(format!("cannot start the async runtime: {e}")))
}

/// What a command plans.
enum Planning<'a> {
    /// Make AWS match the config, looking for removed targets as these arguments say.
    Config(&'a OwnershipArgs),
    /// Remove the scaling of these endpoints (or inference components) of the config.
    Detach(&'a [String]),
}

enum Work {
    Converge(Scope),
    Detach(DesiredState),
}

/// A plan made within the time limit, with the runtime and deadline apply goes on with.
struct Prepared {
    runtime: tokio::runtime::Runtime,
    planned: engine::Planned,
    deadline: Option<tokio::time::Instant>,
}

/// Validates the config, then reads AWS and plans within the time limit. Nothing reaches AWS
/// when the config is invalid.
fn prepare(config: &ConfigArgs, planning: Planning) -> Result<Result<Prepared, ExitStatus>, Error> {
    let desired = match desired(load(config, false), config.deny_warnings) {
        Ok(d) => d,
        Err(status) => return Ok(Err(status)),
    };
    let work = match planning {
        Planning::Config(ownership) => Work::Converge(ownership.scope(&desired)?),
        Planning::Detach(names) => Work::Detach(desired.only(names)?),
    };
    let plan = || async {
        match &work {
            Work::Converge(scope) => engine::plan(&desired, scope).await,
            Work::Detach(selected) => engine::plan_detach(selected).await,
        }
    };
    let runtime = runtime()?;
    let deadline = config.timeout.map(|s| {
        let _guard = runtime.enter();
        tokio::time::Instant::now() + std::time::Duration::from_secs(s)
    });
    let planning = async {
        match deadline {
            Some(d) => tokio::time::timeout_at(d, plan()).await.ok(),
            None => Some(plan().await),
        }
    };
    let Some(planned) = runtime.block_on(planning) else {
        let limit = config.timeout.unwrap_or_default();
        return Err(Error::new(format!(
            "gave up: planning took longer than --timeout {limit}s"
        )));
    };
    Ok(Ok(Prepared {
        runtime,
        planned: planned?,
        deadline,
    }))
}
