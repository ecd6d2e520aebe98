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

use std::path::PathBuf;

use serde_json::Value;

use crate::aws::AwsError;
use crate::check::Checked;
use crate::engine;
use crate::error::with_hint;
use crate::github::comment::{self, Marker, Status, change_lines, parse_marker};
use crate::github::runner::{self, Files};
use crate::github::{GitHub, GitHubError};
use crate::inputs::{Env, Input, Inputs};
use crate::model::DesiredState;
use crate::ownership::Scope;
use crate::plan::Plan;
use crate::render;
use crate::simulate;

mod events;
pub use events::ModeError;
pub(crate) use events::{Mode, Route};

/// The runner's environment: the event, the repository, where to write.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    pub(crate) event_name: String,
    pub(crate) event: Value,
    pub(crate) repository: String,
    pub(crate) sha: String,
    pub(crate) git_ref: String,
    pub(crate) api_url: String,
    pub(crate) graphql_url: String,
    pub(crate) server_url: String,
    pub(crate) run_id: Option<String>,
    pub(crate) plan_dir: PathBuf,
}

impl Runner {
    /// Reads the runner's variables (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, ...) and the event payload.
    pub fn from_env() -> Runner {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let event = var(Env::EVENT_PATH)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let api_url = var(Env::API_URL).unwrap_or_else(|| "https://api.github.com".into());
        Runner {
            event_name: var(Env::EVENT_NAME).unwrap_or_default(),
            event,
            repository: var(Env::REPOSITORY).unwrap_or_default(),
            sha: var(Env::SHA).unwrap_or_default(),
            git_ref: var(Env::REF).unwrap_or_default(),
            graphql_url: var(Env::GRAPHQL_URL)
                .unwrap_or_else(|| format!("{}/graphql", api_url.trim_end_matches('/'))),
            api_url,
            server_url: var(Env::SERVER_URL).unwrap_or_else(|| "https://github.com".into()),
            run_id: var(Env::RUN_ID),
            plan_dir: var(Env::RUNNER_TEMP).map_or_else(|| PathBuf::from("."), PathBuf::from),
        }
    }

    fn pr_number(&self) -> Option<u64> {
        self.event["pull_request"]["number"]
            .as_u64()
            .or_else(|| self.event["number"].as_u64())
    }

    /// The commit whose config this run's changes are measured against: the pull request's
    /// base, or the commit before a push (none for a new branch).
    fn base_sha(&self) -> Option<String> {
        let sha = match self.event_name.as_str() {
            name if name.starts_with("pull_request") => &self.event["pull_request"]["base"]["sha"],
            "push" => &self.event["before"],
            _ => return None,
        };
        sha.as_str()
            .filter(|s| !s.is_empty() && !s.chars().all(|c| c == '0'))
            .map(str::to_string)
    }

    /// The commit a comment is about: a pull request's head (GITHUB_SHA is the merge commit
    /// there, which the author never saw), else GITHUB_SHA.
    fn head_sha(&self) -> &str {
        self.event["pull_request"]["head"]["sha"]
            .as_str()
            .unwrap_or(&self.sha)
    }

    fn commit_url(&self, sha: &str) -> Option<String> {
        (!self.repository.is_empty() && !sha.is_empty()).then(|| {
            format!(
                "{}/{}/commit/{sha}",
                self.server_url.trim_end_matches('/'),
                self.repository
            )
        })
    }

    /// A pull request from a fork gets a read-only token and no secrets. A fork deleted after
    /// the pull request was opened shows as `head.repo: null` (`@octokit/webhooks-types`:
    /// `PullRequest.head.repo: Repository | null`): still a fork.
    fn is_fork_pr(&self) -> bool {
        let head = &self.event["pull_request"]["head"];
        let base = &self.event["pull_request"]["base"]["repo"];
        head.get("repo").is_some_and(Value::is_null)
            || head["repo"]["fork"].as_bool() == Some(true)
            || (head["repo"]["full_name"].is_string() && head["repo"]["full_name"] != base["full_name"])
    }

    pub(crate) fn run_url(&self) -> Option<String> {
        let id = self.run_id.as_ref()?;
        Some(format!(
            "{}/{}/actions/runs/{id}",
            self.server_url.trim_end_matches('/'),
            self.repository
        ))
    }
}

/// The simulation's markdown for the PR, or why there is none. Never fails the run: the plan
/// is what the run is for.
async fn simulation(desired: &DesiredState, inputs: &Inputs, deadline: tokio::time::Instant) -> String {
    runner::group("Simulate");
    let days = match inputs.get(Input::SIMULATE_DAYS) {
        None => Some(7),
        Some(d) => d.parse::<u32>().ok().filter(|d| (1..=15).contains(d)),
    };
    let price = match inputs.get(Input::INSTANCE_PRICE) {
        None => Some(None),
        Some(p) => p
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite() && *p > 0.0)
            .map(Some),
    };
    let startup = match inputs.get(Input::STARTUP_MINUTES) {
        None => Some(5),
        Some(m) => m.parse::<usize>().ok(),
    };
    let (Some(days), Some(price), Some(startup)) = (days, price, startup) else {
        runner::end_group();
        let message = "simulation skipped: `simulate-days` must be 1-15, `instance-price` a positive number, `startup-minutes` a whole number";
        runner::warning(message);
        return format!("### Simulation\n\n{message}.\n");
    };
    let settings = simulate::Settings {
        days,
        options: simulate::replay::Options {
            startup_minutes: startup,
            initial: None,
        },
        price,
    };
    let now = crate::timestamp::now();
    let run = simulate::simulate(desired, &simulate::Baseline::Current, &settings, now);
    let out = match tokio::time::timeout_at(deadline, run).await {
        Ok(Ok(report)) => simulate::render::markdown(&report),
        Ok(Err(e)) => {
            runner::warning(&format!("simulation failed: {}", with_hint(&e)));
            format!("### Simulation\n\nNot available: {e}.\n")
        }
        Err(_) => {
            runner::warning("simulation stopped: the run's time limit was reached");
            "### Simulation\n\nNot available: the run's time limit was reached.\n".to_string()
        }
    };
    runner::end_group();
    out
}

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

/// A pull request closed without merging: its comment (if it has one) says so, and keeps the
/// last plan collapsed as one that was never applied. Nothing is planned.
async fn comment_closed(config: &str, token: Option<&str>, ctx: &Runner, files: &Files) -> u8 {
    let pr = ctx.pr_number().unwrap_or_default();
    runner::notice(&format!(
        "pull request #{pr} was closed without merging: nothing was planned or applied"
    ));
    set_result(files, StepResult::Skipped);
    let Some(token) = token else { return 0 };
    let gh = match GitHub::new(&ctx.api_url, &ctx.graphql_url, token, &ctx.repository) {
        Ok(gh) => gh,
        Err(e) => {
            runner::warning(&e.to_string());
            return 0;
        }
    };
    let headline = "nothing was applied, and nothing will be from this pull request.";
    let (run_url, commit_url) = (ctx.run_url(), ctx.commit_url(ctx.head_sha()));
    let result = update_comment(&gh, pr, config, |old| {
        let label = "The last plan, which was never applied";
        let section = earlier_plan(Some(old), label).unwrap_or_default();
        let frame = comment::Frame {
            config,
            commit: ctx.head_sha(),
            commit_url: commit_url.as_deref(),
            run_url: run_url.as_deref(),
            headline,
            section: Some(&section),
            appendix: None,
            report: None,
        };
        comment::body(None, Status::Closed, &frame)
    })
    .await;
    if let Err(e) = result {
        runner::warning(&format!(
            "could not mark the plan comment on #{pr} as closed: {e}"
        ));
    }
    0
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

    /// Pull request: the plan (and the simulation) in the summary and the sticky comment.
    async fn comment_plan(self, desired: &DesiredState) -> u8 {
        let (plan, files, ctx) = (self.plan(), self.files, self.ctx);
        let simulation = if self.inputs.get(Input::SIMULATE) == Some("true") {
            Some(simulation(desired, self.inputs, self.deadline).await)
        } else {
            None
        };
        let appendix = simulation
            .as_deref()
            .map(|s| format!("\n{s}"))
            .unwrap_or_default();
        let _ = files.summary(&format!(
            "{}{}{appendix}",
            self.summary_head,
            summary_markdown(plan, None)
        ));
        set_result(
            files,
            if plan.is_empty() {
                StepResult::NoChanges
            } else {
                StepResult::Planned
            },
        );
        if let (Some(gh), Some(pr)) = (&self.github, ctx.pr_number()) {
            let (status, headline) = planned_status(plan, self.config, ctx);
            let (run_url, commit_url) = (ctx.run_url(), ctx.commit_url(ctx.head_sha()));
            let c = comment::Frame {
                config: self.config,
                commit: ctx.head_sha(),
                commit_url: commit_url.as_deref(),
                run_url: run_url.as_deref(),
                headline: &headline,
                section: None,
                appendix: simulation.as_deref(),
                report: None,
            };
            let body = comment::body(Some(plan), status, &c);
            match upsert_comment(gh, pr, self.config, |_| body).await {
                Ok(url) => {
                    let _ = files.output("comment-url", &url);
                }
                Err(e) if e.is_forbidden() => {
                    runner::warning(&format!(
                        "could not comment the plan on #{pr}: {e}. The plan is in the job summary."
                    ));
                }
                Err(e) => {
                    runner::error(&format!("could not comment the plan on #{pr}: {}", with_hint(&e)));
                    return 1;
                }
            }
        }
        self.done()
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
                refuse(files, &self.summary_head, self.plan(), &refusal.why);
                if let (Some(gh), Some(id)) = (&self.github, refusal.comment) {
                    mark_refused(gh, self.ctx, config, self.plan(), id, &refusal.why).await;
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
            "{}{note}\n\n{}\n```\n{}```\n",
            self.summary_head,
            summary_markdown(&plan, Some(&report)),
            render::apply_report(&report, false)
        ));
        let result = if failed {
            StepResult::ApplyFailed
        } else {
            StepResult::Applied
        };
        set_result(files, result);
        if let (Some(gh), Some((pr, comment_id))) = (&self.github, reviewed_on) {
            mark_applied(gh, self.ctx, config, &plan, (pr, comment_id), &report).await;
        }
        if failed {
            runner::error(
                "apply failed; the report above says which changes were applied, which failed, and which were not attempted",
            );
            return 1;
        }
        blocked
    }

    /// Whether this apply may go on: the reviewed plan's PR and comment (when it must be the
    /// reviewed plan) and the note for the summary; Err: why it is refused.
    async fn guard(&self, guarded: bool) -> Result<(Option<(u64, u64)>, &'static str), Refusal> {
        let strict = self
            .inputs
            .get(Input::REQUIRE_REVIEWED_PLAN)
            .is_none_or(|v| v != "false");
        Ok(match (guarded, strict) {
            (true, true) => (
                Some(self.reviewed().await?),
                "Applied the plan reviewed in the pull request.",
            ),
            // `require-reviewed-plan: false` trusts config changes, not destroys: a target
            // deregistered because the config no longer names it must have been reviewed.
            (true, false) if self.plan().deregistrations().next().is_some() => (
                Some(self.reviewed().await.map_err(|r| Refusal {
                    why: format!("this plan deregisters scalable targets, which is applied on push only as reviewed in the pull request (`require-reviewed-plan: false` does not cover destroys): {}", r.why),
                    comment: r.comment,
                })?),
                "Applied the plan reviewed in the pull request (it deregisters scalable targets).",
            ),
            (true, false) => (
                None,
                "Applied without checking for a reviewed plan (`require-reviewed-plan: false`).",
            ),
            (false, _) if self.mode == Mode::Detach => (
                None,
                "Detached (`mode: detach`): the next apply of the config restores their scaling.",
            ),
            (false, _) => (
                None,
                "Re-applied by `workflow_dispatch`: not guarded by a reviewed plan. Endpoints removed from the config are not looked for (that needs a reviewed pull request, or the drift check's scan).",
            ),
        })
    }

    /// The PR and comment whose reviewed plan is today's plan, or why there is none.
    async fn reviewed(&self) -> Result<(u64, u64), Refusal> {
        let (pr, comment_id, marker) = reviewed_plan(self.github.as_ref(), self.ctx, self.config)
            .await
            .map_err(|why| Refusal { why, comment: None })?;
        if marker.fingerprint != self.plan().fingerprint {
            let why = match marker.status {
                Status::Invalid => format!("the last plan on #{pr} is of an invalid config"),
                _ => format!(
                    "today's plan differs from the plan reviewed on #{pr}: {}",
                    difference(&marker, self.plan())
                ),
            };
            return Err(Refusal {
                why,
                // An earlier apply's record stays; the summary says why this run refused.
                comment: (!marker.status.records_apply()).then_some(comment_id),
            });
        }
        Ok((pr, comment_id))
    }

    /// Schedule: changes are drift; fail, and open (or close) one issue when asked.
    async fn check_drift(self) -> u8 {
        let (plan, files, config) = (self.plan(), self.files, self.config);
        let drift_issue = self.inputs.get(Input::DRIFT_ISSUE) == Some("true");
        let _ = files.summary(&format!("{}{}", self.summary_head, render::markdown(plan)));
        // Bounds that drifted where a schedule owns them are drift too, though apply leaves them.
        if plan.is_empty() && plan.drift.is_empty() {
            set_result(files, StepResult::NoDrift);
            if let (true, Some(gh)) = (drift_issue, &self.github)
                && let Err(e) = close_drift_issue(gh, config).await
            {
                runner::warning(&format!("could not close the drift issue: {e}"));
            }
            return self.done();
        }
        set_result(files, StepResult::Drift);
        runner::error(&format!(
            "AWS has drifted from `{config}`: {}{}",
            render::summary_line(&plan.summary),
            match plan.drift.len() {
                0 => String::new(),
                1 => " 1 capacity bound drifted where a schedule owns it.".to_string(),
                n => format!(" {n} capacity bounds drifted where a schedule owns them."),
            }
        ));
        if let (true, Some(gh)) = (drift_issue, &self.github) {
            match open_drift_issue(gh, config, plan, self.ctx).await {
                Ok(url) => {
                    let _ = files.output("issue-url", &url);
                }
                Err(e) => runner::warning(&format!("could not open the drift issue: {}", with_hint(&e))),
            }
        }
        1
    }
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

/// A pull request's comment status and its words: planned, or nothing to apply.
fn planned_status(plan: &Plan, config: &str, ctx: &Runner) -> (Status, String) {
    if plan.is_empty() {
        let config = config.replace('`', "'");
        return (
            Status::NoChanges,
            format!("AWS already matches `{config}`: nothing to apply."),
        );
    }
    let headline = match ctx.default_branch() {
        Some(branch) => format!("applies when merged to `{branch}`."),
        None => "applies when merged to the default branch.".to_string(),
    };
    (Status::Planned, headline)
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

/// The pull request's comment when its config does not validate: every diagnostic with where
/// it is, and the plan of an earlier commit (if the comment had one) kept but marked outdated,
/// so nobody mistakes it for what merging would apply.
async fn comment_invalid(checked: &Checked, token: Option<&str>, ctx: &Runner) {
    let (Some(pr), Some(token)) = (ctx.pr_number(), token) else {
        return;
    };
    let gh = match GitHub::new(&ctx.api_url, &ctx.graphql_url, token, &ctx.repository) {
        Ok(gh) => gh,
        Err(e) => return runner::warning(&e.to_string()),
    };
    let errors = checked.errors();
    let headline = format!(
        "{errors} error(s) in `{}`: nothing is planned until they are fixed (the annotations mark the lines).",
        checked.name.replace('`', "'")
    );
    let diagnostics = render::diagnostics_markdown(checked);
    let (run_url, commit_url) = (ctx.run_url(), ctx.commit_url(ctx.head_sha()));
    let result = upsert_comment(&gh, pr, &checked.name, |old| {
        let label = "Outdated: the plan of an earlier commit, which merging would no longer apply";
        let section = format!("{diagnostics}{}", earlier_plan(old, label).unwrap_or_default());
        let frame = comment::Frame {
            config: &checked.name,
            commit: ctx.head_sha(),
            commit_url: commit_url.as_deref(),
            run_url: run_url.as_deref(),
            headline: &headline,
            section: Some(&section),
            appendix: None,
            report: None,
        };
        comment::body(None, Status::Invalid, &frame)
    })
    .await;
    if let Err(e) = result {
        runner::warning(&format!(
            "could not mark the plan comment on #{pr} as invalid: {e}"
        ));
    }
}

const OUTDATED_START: &str = "<!-- outdated -->";
const OUTDATED_END: &str = "<!-- /outdated -->";

/// The earlier plan of a comment, collapsed under `label`: what a planned comment showed, or
/// what an invalid (or closed) one already kept.
fn earlier_plan(old: Option<&str>, label: &str) -> Option<String> {
    let old = old?;
    let marker = parse_marker(old)?;
    if matches!(marker.status, Status::Invalid | Status::Closed) {
        let start = old.find(OUTDATED_START)?;
        let end = old.find(OUTDATED_END)? + OUTDATED_END.len();
        return (start < end).then(|| format!("\n{}\n", &old[start..end]));
    }
    if !matches!(marker.status, Status::Planned | Status::NoChanges) {
        return None;
    }
    // After the marker line, the heading and the status line; up to the footer.
    let plan: String = old
        .lines()
        .skip(2)
        .skip_while(|l| l.trim().is_empty())
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    let plan = plan.rsplit_once("\n---\n").map_or(plan.as_str(), |(p, _)| p);
    let plan = comment::cut(plan.trim(), comment::MAX_COMMENT / 2, None).replace(OUTDATED_START, "");
    Some(format!(
        "\n{OUTDATED_START}\n<details><summary>{label}</summary>\n\n{plan}\n\n</details>\n{OUTDATED_END}\n"
    ))
}

/// Why an apply on push was refused, and the reviewed plan's comment to say so on, if found.
struct Refusal {
    why: String,
    comment: Option<u64>,
}

/// No plan could be made: say so in the summary; a fork's pull request (no AWS secrets) only
/// warns, so the contributor is not failed.
fn no_plan(error: &str, config: &str, fork_pr: bool, files: &Files) -> u8 {
    let message = format!("cannot plan against AWS: {error}");
    let _ = files.summary(&format!(
        "### sagemaker-autoscale: `{config}`\n\n**No plan**: {message}\n"
    ));
    set_result(files, StepResult::Error);
    if fork_pr {
        runner::warning(&format!(
            "{message} (pull request from a fork: no AWS credentials)"
        ));
        return 0;
    }
    runner::error(&message);
    1
}

/// The reviewed plan's comment after the apply: applied, or failed, each change's outcome,
/// with the run's link.
async fn mark_applied(
    gh: &GitHub,
    ctx: &Runner,
    config: &str,
    plan: &Plan,
    (pr, comment_id): (u64, u64),
    report: &crate::apply::ApplyReport,
) {
    use crate::apply::Outcome;
    let failed = report.failed();
    let status = if failed { Status::Failed } else { Status::Applied };
    let run = ctx
        .run_url()
        .map_or("this run".to_string(), |u| format!("[this run]({u})"));
    let applied = report.count(|o| *o == Outcome::Applied);
    let headline = if failed {
        format!(
            "merged in #{pr}; {run} applied {applied}, {} failed, {} not attempted{}. Each change's outcome is below; a `workflow_dispatch` re-apply plans what is left.",
            report.count(|o| matches!(o, Outcome::Failed(_))),
            report.count(|o| *o == Outcome::NotAttempted),
            if report.deadline_reached {
                " (the time limit was reached)"
            } else {
                ""
            }
        )
    } else {
        format!("merged in #{pr}; {run} applied all {applied} change(s), and AWS now matches the config.")
    };
    let restated = Restated {
        status,
        headline: &headline,
        section: None,
        report: Some(report),
    };
    restate(gh, ctx, config, plan, comment_id, &restated).await;
}

/// The merged pull request's comment when its merge had nothing left to apply (AWS already
/// matched, say after a re-apply). Best effort: a push without a pull request has no comment.
async fn mark_merged_without_changes(gh: &GitHub, ctx: &Runner, config: &str, plan: &Plan) {
    let Ok((pr, comment_id, marker)) = reviewed_plan(Some(gh), ctx, config).await else {
        return;
    };
    // A re-run after the apply: the comment keeps what that apply did.
    if marker.status.records_apply() {
        return;
    }
    let headline = format!("merged in #{pr}; AWS already matched the config, so nothing was applied.");
    let restated = Restated {
        status: Status::NoChanges,
        headline: &headline,
        section: None,
        report: None,
    };
    restate(gh, ctx, config, plan, comment_id, &restated).await;
}

/// The reviewed plan's comment when the apply is refused: why, and what to do.
async fn mark_refused(gh: &GitHub, ctx: &Runner, config: &str, plan: &Plan, comment_id: u64, why: &str) {
    let headline = format!(
        "{}. Nothing was changed in AWS. Open a pull request so the plan is reviewed again, or re-apply deliberately with `workflow_dispatch`.",
        why.trim_end_matches('.')
    );
    let restated = Restated {
        status: Status::Refused,
        headline: &headline,
        section: Some("Today's plan, which was not applied:\n"),
        report: None,
    };
    restate(gh, ctx, config, plan, comment_id, &restated).await;
}

/// What a run after the merge says on the reviewed plan's comment.
struct Restated<'a> {
    status: Status,
    headline: &'a str,
    section: Option<&'a str>,
    report: Option<&'a crate::apply::ApplyReport>,
}

/// Rewrites the reviewed plan's comment for the merge commit. A failure only warns: AWS is
/// already as the run left it.
async fn restate(gh: &GitHub, ctx: &Runner, config: &str, plan: &Plan, comment_id: u64, r: &Restated<'_>) {
    let (run_url, commit_url) = (ctx.run_url(), ctx.commit_url(&ctx.sha));
    let frame = comment::Frame {
        config,
        commit: &ctx.sha,
        commit_url: commit_url.as_deref(),
        run_url: run_url.as_deref(),
        headline: r.headline,
        section: r.section,
        appendix: None,
        report: r.report,
    };
    if let Err(e) = gh
        .update_comment(comment_id, &comment::body(Some(plan), r.status, &frame))
        .await
    {
        runner::warning(&format!("could not update the plan comment: {e}"));
    }
}

/// The job summary's plan: whole up to GitHub's limit for a step summary.
fn summary_markdown(plan: &Plan, report: Option<&crate::apply::ApplyReport>) -> String {
    render::markdown_with(
        plan,
        &render::Options {
            limit: render::MAX_SUMMARY,
            whole_plan: "the plan JSON (output `plan-json`)",
            report,
        },
    )
}

/// Plan JSON to a file, and the outputs that describe the plan.
fn publish_plan(plan: &Plan, files: &Files, ctx: &Runner) {
    let path = ctx.plan_dir.join("sagemaker-autoscale-plan.json");
    if std::fs::write(&path, render::json(plan)).is_ok() {
        let _ = files.output("plan-json", &path.display().to_string());
    }
    let _ = files.output("has-changes", if plan.is_empty() { "false" } else { "true" });
    let _ = files.output("add", &plan.summary.add.to_string());
    let _ = files.output("change", &plan.summary.change.to_string());
    let _ = files.output("destroy", &plan.summary.destroy.to_string());
    let _ = files.output("fingerprint", &plan.fingerprint);
    print!("{}", render::text(plan, false));
}

fn refuse(files: &Files, head: &str, plan: &Plan, why: &str) {
    let message = format!("refusing to apply: {why}");
    runner::error(&message);
    let _ = files.summary(&format!(
        "{head}**Not applied.** {why}\n\nRun the workflow with `workflow_dispatch` to re-apply deliberately, or open a pull request so the plan is reviewed.\n\nToday's plan:\n\n{}",
        render::markdown(plan)
    ));
    set_result(files, StepResult::Refused);
}

/// The plan comment of the pull request this commit came from: (PR, comment id, marker).
async fn reviewed_plan(
    github: Option<&GitHub>,
    ctx: &Runner,
    config: &str,
) -> Result<(u64, u64, Marker), String> {
    let gh = github.ok_or("no GitHub token to find the reviewed plan (set the `github-token` input)")?;
    let pulls = gh
        .pulls_for_commit(&ctx.sha)
        .await
        .map_err(|e| format!("cannot find the pull request of {}: {e}", ctx.sha))?;
    let pr = pulls
        .iter()
        .find(|p| p.merged_at.is_some())
        .or_else(|| pulls.first())
        .ok_or_else(|| {
            format!(
                "commit {} did not come from a pull request, so no plan was reviewed",
                ctx.sha
            )
        })?
        .number;
    let me = gh.identity().await;
    let comments = gh
        .comments(pr)
        .await
        .map_err(|e| format!("cannot read the comments of #{pr}: {e}"))?;
    comments
        .iter()
        .rev()
        .filter(|c| c.user.as_ref().is_some_and(|u| u.login == me))
        .find_map(|c| {
            parse_marker(c.body.as_deref()?)
                .filter(|m| m.config == config)
                .map(|m| (pr, c.id, m))
        })
        .ok_or_else(|| {
            format!("#{pr} has no sagemaker-autoscale plan comment for `{config}`, so no plan was reviewed")
        })
}

/// How today's plan differs from the reviewed one, in words.
fn difference(reviewed: &Marker, plan: &Plan) -> String {
    let now = change_lines(plan);
    let gone: Vec<&String> = reviewed.changes.iter().filter(|c| !now.contains(c)).collect();
    let new: Vec<&String> = now.iter().filter(|c| !reviewed.changes.contains(c)).collect();
    let list = |v: &[&String]| v.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !new.is_empty() {
        parts.push(format!("new since review: {}", list(&new)));
    }
    if !gone.is_empty() {
        parts.push(format!("reviewed but no longer planned: {}", list(&gone)));
    }
    if parts.is_empty() {
        parts.push(
            "the same changes, with different values (AWS or the config changed since the review)".into(),
        );
    }
    format!(
        "{} (reviewed {}, now {})",
        parts.join("; "),
        reviewed.fingerprint,
        plan.fingerprint
    )
}

/// Our comment for this config on the PR: the newest of ours, the same one the guard on push
/// reads. Only the token's own comments count, so nobody can make the action edit theirs.
async fn our_comment(
    gh: &GitHub,
    pr: u64,
    config: &str,
) -> Result<Option<crate::github::Comment>, GitHubError> {
    let me = gh.identity().await;
    Ok(gh.comments(pr).await?.into_iter().rev().find(|c| {
        c.user.as_ref().is_some_and(|u| u.login == me)
            && c.body
                .as_deref()
                .and_then(parse_marker)
                .is_some_and(|m| m.config == config)
    }))
}

/// Whether our comment holds the merge's apply, which no later status may replace: it is the
/// only record of what was changed in AWS, change by change. Says so when it is.
fn keeps_apply_record(c: &crate::github::Comment) -> bool {
    let status = c.body.as_deref().and_then(parse_marker).map(|m| m.status);
    let keep = status.is_some_and(Status::records_apply);
    if keep {
        runner::notice(&format!(
            "the plan comment {} records the merge's apply; it is left as it is",
            c.html_url
        ));
    }
    keep
}

/// Edits our comment for this config on the PR, or creates it; `body` is given the comment's
/// current text, if any. An apply's record is kept as it is.
async fn upsert_comment(
    gh: &GitHub,
    pr: u64,
    config: &str,
    body: impl FnOnce(Option<&str>) -> String,
) -> Result<String, GitHubError> {
    let comment = match our_comment(gh, pr, config).await? {
        Some(c) if keeps_apply_record(&c) => return Ok(c.html_url),
        Some(c) => {
            let text = body(c.body.as_deref());
            gh.update_comment(c.id, &text).await?
        }
        None => gh.create_comment(pr, &body(None)).await?,
    };
    Ok(comment.html_url)
}

/// Edits our comment for this config on the PR, if it has one that is no apply's record.
async fn update_comment(
    gh: &GitHub,
    pr: u64,
    config: &str,
    body: impl FnOnce(&str) -> String,
) -> Result<(), GitHubError> {
    if let Some(c) = our_comment(gh, pr, config).await?
        && !keeps_apply_record(&c)
    {
        gh.update_comment(c.id, &body(c.body.as_deref().unwrap_or_default()))
            .await?;
    }
    Ok(())
}

fn drift_marker(config: &str) -> String {
    format!(
        "<!-- sagemaker-autoscale-drift {} -->",
        serde_json::to_string(config).unwrap_or_default()
    )
}

async fn find_drift_issue(gh: &GitHub, config: &str) -> Result<Option<crate::github::Issue>, GitHubError> {
    let marker = drift_marker(config);
    Ok(gh
        .issues("open")
        .await?
        .into_iter()
        .find(|i| i.state == "open" && i.body.as_deref().is_some_and(|b| b.starts_with(&marker))))
}

async fn open_drift_issue(
    gh: &GitHub,
    config: &str,
    plan: &Plan,
    ctx: &Runner,
) -> Result<String, GitHubError> {
    let body = comment::cut(
        &format!(
            "{}\nAWS no longer matches `{config}` (checked by {}).\n\n{}\n{}\n",
            drift_marker(config),
            ctx.run_url().unwrap_or_else(|| "a scheduled run".into()),
            render::markdown(plan),
            what_to_do(plan)
        ),
        comment::MAX_COMMENT,
        ctx.run_url().as_deref(),
    );
    let issue = match find_drift_issue(gh, config).await? {
        Some(i) => {
            gh.update_issue(i.number, &serde_json::json!({ "body": body }))
                .await?
        }
        None => {
            gh.create_issue(&format!("sagemaker-autoscale: AWS drifted from {config}"), &body)
                .await?
        }
    };
    Ok(issue.html_url)
}

/// The drift issue's way out: a re-apply repairs changes, never a bound a schedule owns.
fn what_to_do(plan: &Plan) -> &'static str {
    match (plan.is_empty(), plan.drift.is_empty()) {
        (_, true) => "Re-apply with `workflow_dispatch`, or change the config to match.",
        (true, false) => {
            "Apply leaves a bound that a scheduled action owns: its next run sets it. Find what changed it, or set it back by hand."
        }
        (false, false) => {
            "Re-apply with `workflow_dispatch`, or change the config to match; a re-apply leaves the drifted bounds a scheduled action owns (its next run sets them)."
        }
    }
}

async fn close_drift_issue(gh: &GitHub, config: &str) -> Result<(), GitHubError> {
    if let Some(i) = find_drift_issue(gh, config).await? {
        gh.update_issue(
            i.number,
            &serde_json::json!({ "state": "closed", "state_reason": "completed" }),
        )
        .await?;
    }
    Ok(())
}
