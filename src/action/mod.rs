//! `sagemaker-autoscale action`: what the GitHub Action runs. Reads the runner's environment
//! and does what the event calls for:
//! - pull_request(_target): validate + plan, post or update the sticky plan comment; closed
//!   without merging: the comment says so; merged: nothing (the push applies);
//! - push to the default branch: apply, but only the plan a reviewer saw in the PR comment;
//!   a push elsewhere plans; a push that deletes a ref does nothing;
//! - workflow_dispatch on the default branch: re-apply (not guarded), elsewhere refused; plan
//!   anywhere with `mode: plan`;
//! - schedule: drift check; changes fail the job (and open or update one issue);
//! - any other event: nothing, unless `mode` says what to run.
//!
//! The routing itself is `events`; docs/action.md has the whole matrix.
//! Each job is a file: `context` (the runner's facts), `guard` (the reviewed plan),
//! `statuses` (the sticky comment), `summary` (the job summary), `drift` (the drift issue),
//! `simulation`.

use crate::aws::AwsError;
use crate::check::Checked;
use crate::engine;
use crate::error::with_hint;
use crate::github::GitHub;
use crate::github::runner::{self, Files};
use crate::inputs::{Env, Input, Inputs};
use crate::model::DesiredState;
use crate::ownership::Scope;
use crate::plan::Plan;
use crate::render;

mod context;
mod drift;
mod events;
mod guard;
mod simulation;
mod statuses;
mod summary;
mod tuning;

pub use context::Runner;
pub use events::ModeError;
pub(crate) use events::{Mode, Route};
use guard::refuse;
use statuses::{
    comment_closed, comment_invalid, mark_applied, mark_merged_without_changes, mark_refused, no_plan,
};
use summary::{publish_plan, summary_markdown};

/// What the step reports in its `result` output; `Display` is the output's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StepResult {
    Valid,
    Invalid,
    NoChanges,
    Planned,
    Applied,
    ApplyFailed,
    Refused,
    Drift,
    NoDrift,
    /// Nothing to do for this event (a deleted ref, a merged or closed pull request, an event
    /// the action does not act on).
    Skipped,
    Error,
}

impl std::fmt::Display for StepResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StepResult::Valid => "valid",
            StepResult::Invalid => "invalid",
            StepResult::NoChanges => "no-changes",
            StepResult::Planned => "planned",
            StepResult::Applied => "applied",
            StepResult::ApplyFailed => "apply-failed",
            StepResult::Refused => "refused",
            StepResult::Drift => "drift",
            StepResult::NoDrift => "no-drift",
            StepResult::Skipped => "skipped",
            StepResult::Error => "error",
        })
    }
}

fn set_result(files: &Files, result: StepResult) {
    let _ = files.output("result", &result.to_string());
}

/// A write this event's ref may not make, refused before anything is read.
fn refuse_event(files: &Files, why: &str) -> u8 {
    runner::error(&format!("refusing to apply: {why}."));
    let _ = files.summary(&format!(
        "### sagemaker-autoscale\n\n**Not applied.** {why}. Nothing was read from or changed in AWS.\n"
    ));
    set_result(files, StepResult::Refused);
    1
}

/// Runs the action; returns the process exit code.
pub async fn run(checked: &Checked, inputs: &Inputs, ctx: &Runner, files: &Files) -> u8 {
    let token = mask_secrets(inputs);
    let mode = match ctx.route(inputs) {
        Ok(Route::Run(m)) => m,
        Ok(Route::Skip(why)) => {
            runner::notice(&format!("{why}."));
            set_result(files, StepResult::Skipped);
            return 0;
        }
        Ok(Route::Refuse(why)) => return refuse_event(files, &why),
        Ok(Route::Closed) => return comment_closed(&checked.name, token.as_deref(), ctx, files).await,
        Err(e) => {
            runner::error(&e.to_string());
            set_result(files, StepResult::Error);
            return 1;
        }
    };
    let Some(desired) = &checked.desired else {
        let _ = files.summary(&format!(
            "### sagemaker-autoscale: `{}` is invalid\n\n{} error(s):\n\n{}",
            checked.name,
            checked.errors(),
            render::diagnostics_markdown(checked)
        ));
        set_result(files, StepResult::Invalid);
        if mode == Mode::Plan {
            comment_invalid(checked, token.as_deref(), ctx).await;
        }
        return 1;
    };
    let start = || Run::start(mode, checked, desired, token.as_deref(), inputs, ctx, files);
    match mode {
        Mode::Validate => {
            set_result(files, StepResult::Valid);
            0
        }
        Mode::Plan => match start().await {
            Ok(run) => run.comment_plan(desired).await,
            Err(code) => code,
        },
        Mode::Apply { guarded } => match start().await {
            Ok(run) => run.apply(guarded).await,
            Err(code) => code,
        },
        Mode::Detach => {
            let selected = match desired.only(&inputs.list(Input::ENDPOINTS)) {
                Ok(s) => s,
                Err(e) => {
                    runner::error(&with_hint(&e));
                    set_result(files, StepResult::Error);
                    return 1;
                }
            };
            match Run::start(mode, checked, &selected, token.as_deref(), inputs, ctx, files).await {
                Ok(run) => run.apply(false).await,
                Err(code) => code,
            }
        }
        Mode::Drift => match start().await {
            Ok(run) => run.check_drift().await,
            Err(code) => code,
        },
    }
}

/// The token, masked with every AWS secret in the environment before anything is printed.
fn mask_secrets(inputs: &Inputs) -> Option<String> {
    let token = inputs
        .get(Input::GITHUB_TOKEN)
        .map(str::to_string)
        .or_else(|| std::env::var(Env::TOKEN).ok());
    if let Some(t) = &token {
        runner::mask(t);
    }
    for var in Env::AWS_SECRETS {
        if let Ok(v) = std::env::var(var) {
            runner::mask(&v);
        }
    }
    token
}

/// What every mode that reads AWS shares: the plan made, where to report, and the deadline.
struct Run<'a> {
    mode: Mode,
    checked: &'a Checked,
    config: &'a str,
    inputs: &'a Inputs,
    ctx: &'a Runner,
    files: &'a Files,
    github: Option<GitHub>,
    deadline: tokio::time::Instant,
    planned: engine::Planned,
    summary_head: String,
}

impl<'a> Run<'a> {
    /// Plans within the run's time limit and publishes the plan (outputs, file, log). Err: the
    /// exit code when there is no plan.
    async fn start(
        mode: Mode,
        checked: &'a Checked,
        desired: &DesiredState,
        token: Option<&str>,
        inputs: &'a Inputs,
        ctx: &'a Runner,
        files: &'a Files,
    ) -> Result<Run<'a>, u8> {
        let github = match token {
            Some(t) if !ctx.repository.is_empty() => {
                match GitHub::new(&ctx.api_url, &ctx.graphql_url, t, &ctx.repository) {
                    Ok(g) => Some(g),
                    Err(e) => {
                        runner::warning(&e.to_string());
                        None
                    }
                }
            }
            _ => None,
        };
        let minutes = inputs
            .get(Input::TIMEOUT_MINUTES)
            .and_then(|m| m.parse::<u64>().ok())
            .unwrap_or(30);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(minutes * 60);
        let config = checked.name.as_str();
        runner::group("Plan");
        let planning = plan_for(mode, checked, desired, ctx, github.as_ref());
        let planned = tokio::time::timeout_at(deadline, planning).await;
        runner::end_group();
        let planned = match planned {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => {
                let fork_pr = mode == Mode::Plan && ctx.is_fork_pr();
                return Err(no_plan(&with_hint(&e), config, fork_pr, files));
            }
            Err(_) => {
                runner::error(&format!(
                    "gave up: planning took longer than timeout-minutes ({minutes})"
                ));
                set_result(files, StepResult::Error);
                return Err(1);
            }
        };
        publish_plan(&planned.plan, files, ctx);
        // Targets left out of the plan fail the run once the rest is done (and commented).
        for b in &planned.plan.blocked {
            let target = render::target_label(b.region.as_deref(), &b.resource_id);
            runner::error(&format!("{target} is left out of this plan: {}", b.reason));
        }
        Ok(Run {
            mode,
            checked,
            config,
            inputs,
            ctx,
            files,
            github,
            deadline,
            planned,
            summary_head: format!("### sagemaker-autoscale: `{config}`\n\n"),
        })
    }

    fn plan(&self) -> &Plan {
        &self.planned.plan
    }
    /// The exit code of a run that did its job: 1 while a target is left out of the plan.
    fn done(&self) -> u8 {
        u8::from(!self.plan().blocked.is_empty())
    }
    /// Push or workflow_dispatch: apply; `guarded` applies only the plan reviewed in the PR.
    async fn apply(self, guarded: bool) -> u8 {
        let (files, config) = (self.files, self.config);
        if self.plan().is_empty() {
            let _ = files.summary(&format!(
                "{}No changes: AWS already matches `{config}`.\n",
                self.summary_head
            ));
            set_result(files, StepResult::NoChanges);
            // The merged pull request's comment would still say "applies when merged".
            if guarded && let Some(gh) = &self.github {
                mark_merged_without_changes(gh, self.ctx, config, self.plan()).await;
            }
            return self.done();
        }
        let (reviewed_on, note) = match self.guard(guarded).await {
            Ok(gate) => gate,
            Err(refusal) => {
                refuse(files, &self.summary_head, self.plan(), &refusal);
                if let (Some(gh), Some(reviewed)) = (&self.github, &refusal.comment) {
                    mark_refused(gh, self.ctx, config, self.plan(), reviewed, &refusal).await;
                }
                return 1;
            }
        };
        let blocked = self.done();
        let plan = self.plan().clone();
        runner::group("Apply");
        let parallelism = crate::apply::DEFAULT_PARALLELISM.into();
        let report = engine::apply_planned(self.planned, Some(self.deadline), parallelism).await;
        print!("{}", render::apply_report(&report, false));
        runner::end_group();
        let failed = report.failed();
        let _ = files.summary(&format!(
            "{}{} {note}\n\n{}\n```\n{}```\n",
            self.summary_head,
            outcome_line(&report),
            summary_markdown(&plan, Some(&report)),
            render::apply_report(&report, false)
        ));
        let result = if failed {
            StepResult::ApplyFailed
        } else {
            StepResult::Applied
        };
        set_result(files, result);
        if let (Some(gh), Some(reviewed)) = (&self.github, &reviewed_on) {
            mark_applied(gh, self.ctx, config, &plan, reviewed, &report).await;
        }
        if failed {
            runner::error(
                "apply failed; the report above says which changes were applied, which failed, and which were not attempted",
            );
            return 1;
        }
        blocked
    }
}

/// The job summary's first words after an apply: what happened, failure first.
fn outcome_line(report: &crate::apply::ApplyReport) -> String {
    use crate::apply::Outcome;
    if !report.failed() {
        return "✅ **Applied**.".to_string();
    }
    let failed = report.count(|o| matches!(o, Outcome::Failed(_)));
    let not_attempted = report.count(|o| *o == Outcome::NotAttempted);
    format!(
        "❌ **Apply failed**: {failed} failed, {not_attempted} not attempted{}; each failure is named below.",
        if report.deadline_reached {
            " (the time limit was reached)"
        } else {
            ""
        }
    )
}

/// The plan of a run in `mode`: for `detach`, `desired` holds only the endpoints to detach
/// (see `run`); otherwise the config, looking as far beyond it as the event calls for.
async fn plan_for(
    mode: Mode,
    checked: &Checked,
    desired: &DesiredState,
    ctx: &Runner,
    github: Option<&GitHub>,
) -> Result<engine::Planned, AwsError> {
    if mode == Mode::Detach {
        return engine::plan_detach(desired).await;
    }
    let scope = scope(mode, checked, desired, ctx, github).await;
    engine::plan(desired, &scope).await
}

/// Which scalable targets a run looks at beyond the config: a pull request and a push compare
/// with the config at their base commit (targets it named that are gone are pruned when
/// tagged as this stack's), the drift check scans the namespace, a re-apply checks the tags of
/// the configured targets (so it repairs what the drift check reports) and prunes nothing.
async fn scope(
    mode: Mode,
    checked: &Checked,
    desired: &DesiredState,
    ctx: &Runner,
    github: Option<&GitHub>,
) -> Scope {
    match mode {
        Mode::Drift => return Scope::Scan,
        Mode::Apply { guarded: false } => return Scope::Tags,
        Mode::Plan | Mode::Apply { guarded: true } => {}
        Mode::Validate | Mode::Detach => return Scope::Config,
    }
    // Inputs alone (no file) have no earlier version to compare with.
    let (Some(sha), true) = (ctx.base_sha(), checked.source.is_some()) else {
        return Scope::Config;
    };
    let why = match github {
        None => "no GitHub token to read it (set the `github-token` input)".to_string(),
        Some(gh) => match gh.file_at(&checked.name, &sha).await {
            Ok(text) => match Scope::since_text(&checked.name, text.as_deref(), desired) {
                Ok(scope) => return scope,
                Err(why) => why,
            },
            Err(e) => with_hint(&e),
        },
    };
    runner::warning(&format!(
        "endpoints removed from `{}` are not looked for: cannot read it as of {sha}: {why}",
        checked.name
    ));
    Scope::Config
}
