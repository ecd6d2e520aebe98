//! The sticky comment's statuses through a change's life: planned, invalid, closed, applied,
//! merged without changes, refused; found again by its marker, never overwriting an applied record.

use super::context::Runner;
use super::guard::{Refusal, Reviewed, reviewed_plan};
use super::simulation::simulation;
use super::summary::summary_markdown;
use super::{Run, StepResult, set_result};
use crate::check::Checked;
use crate::error::with_hint;
use crate::github::comment::{self, Entry, Status, parse_marker};
use crate::github::runner::{self, Files};
use crate::github::{GitHub, GitHubError};
use crate::inputs::Input;
use crate::model::DesiredState;
use crate::plan::Plan;
use crate::render;

impl Run<'_> {
    /// Pull request: the plan (and the simulation) in the summary and the sticky comment.
    pub(super) async fn comment_plan(self, desired: &DesiredState) -> u8 {
        let (plan, files, ctx) = (self.plan(), self.files, self.ctx);
        let (cost_and_risk, simulation) = if self.inputs.get(Input::SIMULATE) == Some("true") {
            let (line, markdown) = simulation(desired, self.inputs, self.deadline).await;
            (line, Some(markdown))
        } else {
            (None, None)
        };
        let tuning = if self.inputs.get(Input::TUNE) == Some("true") {
            Some(super::tuning::tuning(self.checked, desired, self.inputs, self.deadline).await)
        } else {
            None
        };
        // Below the plan: the simulation, then the tuning (both optional).
        let simulation: Option<String> = match (simulation, tuning) {
            (Some(s), Some(t)) => Some(format!("{s}\n{t}")),
            (s, t) => s.or(t),
        };
        let appendix = simulation
            .as_deref()
            .map(|s| format!("\n{s}"))
            .unwrap_or_default();
        // The summary opens with the comment's status line and ends with its footer.
        let (status, headline) = planned_status(plan, self.config, ctx);
        let origin = Origin::of(ctx, ctx.head_sha());
        let _ = files.summary(&format!(
            "{}{}\n\n{}{appendix}{}",
            self.summary_head,
            comment::status_line(status, Some(plan), &headline),
            summary_markdown(plan, None),
            origin.footer()
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
            let link = |line| ctx.line_url(ctx.head_sha(), self.config, line);
            // Near the top: the simulation's cost and risk; the config's warnings come after
            // the plan's own alerts (a destroy or a left-out target outranks advice).
            let warnings = render::warnings_markdown(self.checked, &link);
            let section = cost_and_risk.clone().unwrap_or_default();
            let body = |old: Option<&str>| {
                let history = history_of(old);
                let frame = comment::Frame {
                    section: (!section.is_empty()).then_some(section.as_str()),
                    advice: (!warnings.is_empty()).then_some(warnings.as_str()),
                    appendix: simulation.as_deref(),
                    ..origin.frame(self.config, &headline, &history)
                };
                comment::body(Some(plan), status, &frame)
            };
            match upsert_comment(gh, pr, self.config, body).await {
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
}

/// A pull request's comment status and its words: planned, or nothing to apply.
pub(super) fn planned_status(plan: &Plan, config: &str, ctx: &Runner) -> (Status, String) {
    if plan.is_empty() {
        let config = config.replace('`', "'");
        return (
            Status::NoChanges,
            format!("AWS already matches `{config}`: nothing to apply."),
        );
    }
    (Status::Planned, merge_headline(ctx))
}

/// What merging the pull request does: only a push to the default branch applies, so a pull
/// request into another branch is told that its merge applies nothing.
fn merge_headline(ctx: &Runner) -> String {
    let quoted = |b: &str| b.replace('`', "'");
    match (ctx.default_branch(), ctx.pr_base_branch()) {
        (Some(default), Some(base)) if base != default => format!(
            "merging into `{}` applies nothing: apply runs on `{}`.",
            quoted(base),
            quoted(default)
        ),
        (Some(default), _) => format!("applies when merged to `{}`.", quoted(default)),
        (None, _) => "applies when merged to the default branch.".to_string(),
    }
}

/// The pull request's comment when its config does not validate: every diagnostic with where
/// it is, and the plan of an earlier commit (if the comment had one) kept but marked outdated,
/// so nobody mistakes it for what merging would apply.
pub(super) async fn comment_invalid(checked: &Checked, token: Option<&str>, ctx: &Runner) {
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
    let origin = Origin::of(ctx, ctx.head_sha());
    let result = upsert_comment(&gh, pr, &checked.name, |old| {
        let label = "Outdated: the plan of an earlier commit, which merging would no longer apply";
        let section = format!("{diagnostics}{}", earlier_plan(old, label).unwrap_or_default());
        let history = history_of(old);
        let frame = comment::Frame {
            section: Some(&section),
            ..origin.frame(&checked.name, &headline, &history)
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

/// A pull request closed without merging: its comment (if it has one) says so, and keeps the
/// last plan collapsed as one that was never applied. Nothing is planned.
pub(super) async fn comment_closed(config: &str, token: Option<&str>, ctx: &Runner, files: &Files) -> u8 {
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
    let origin = Origin::of(ctx, ctx.head_sha());
    let result = update_comment(&gh, pr, config, |old| {
        let label = "The last plan, which was never applied";
        let section = earlier_plan(Some(old), label).unwrap_or_default();
        let history = history_of(Some(old));
        let frame = comment::Frame {
            section: Some(&section),
            ..origin.frame(config, headline, &history)
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

pub(super) const OUTDATED_START: &str = "<!-- outdated -->";

pub(super) const OUTDATED_END: &str = "<!-- /outdated -->";

/// The earlier plan of a comment, collapsed under `label`: what a planned comment showed, or
/// what an invalid (or closed) one already kept.
pub(super) fn earlier_plan(old: Option<&str>, label: &str) -> Option<String> {
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

/// No plan could be made: say so in the summary; a fork's pull request (no AWS secrets) only
/// warns, so the contributor is not failed.
pub(super) fn no_plan(error: &str, config: &str, fork_pr: bool, files: &Files) -> u8 {
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
pub(super) async fn mark_applied(
    gh: &GitHub,
    ctx: &Runner,
    config: &str,
    plan: &Plan,
    reviewed: &Reviewed,
    report: &crate::apply::ApplyReport,
) {
    let (pr, comment_id) = (reviewed.pr, reviewed.comment);
    use crate::apply::Outcome;
    let failed = report.failed();
    let status = if failed { Status::Failed } else { Status::Applied };
    let run = ctx
        .run_url()
        .map_or("this run".to_string(), |u| format!("[this run]({u})"));
    let applied = report.count(|o| *o == Outcome::Applied);
    // What a deregistration took with it was done by AWS, not sent: counted on its own.
    let removed = match report.count(|o| *o == Outcome::RemovedWithTarget) {
        0 => String::new(),
        n => format!(", {n} removed with their target"),
    };
    let headline = if failed {
        format!(
            "merged in #{pr}; {run} applied {applied}{removed}, {} failed, {} not attempted{}. Each change's outcome is below; a `workflow_dispatch` re-apply plans what is left.",
            report.count(|o| matches!(o, Outcome::Failed(_))),
            report.count(|o| *o == Outcome::NotAttempted),
            if report.deadline_reached {
                " (the time limit was reached)"
            } else {
                ""
            }
        )
    } else {
        format!(
            "merged in #{pr}; {run} applied all {applied} change(s){removed}, and AWS now matches the config."
        )
    };
    let restated = Restated {
        status,
        headline: &headline,
        section: None,
        report: Some(report),
        history: &reviewed.history,
    };
    restate(gh, ctx, config, plan, comment_id, &restated).await;
}

/// The merged pull request's comment when its merge had nothing left to apply (AWS already
/// matched, say after a re-apply). Best effort: a push without a pull request has no comment.
pub(super) async fn mark_merged_without_changes(gh: &GitHub, ctx: &Runner, config: &str, plan: &Plan) {
    let Ok((pr, comment_id, marker)) = reviewed_plan(Some(gh), ctx, config).await else {
        return;
    };
    // A re-run after the apply: the comment keeps what that apply did, and its history says
    // the merge's job ran again.
    if marker.status.records_apply() {
        return record_rerun(gh, ctx, pr, comment_id).await;
    }
    let headline = format!("merged in #{pr}; AWS already matched the config, so nothing was applied.");
    let restated = Restated {
        status: Status::NoChanges,
        headline: &headline,
        section: None,
        report: None,
        history: &marker.history,
    };
    restate(gh, ctx, config, plan, comment_id, &restated).await;
}

/// Adds this run to the history of a comment that records the merge's apply; the rest of the
/// comment stays as the apply left it. Best effort, like every edit after the merge.
async fn record_rerun(gh: &GitHub, ctx: &Runner, pr: u64, comment_id: u64) {
    let entry = Entry {
        status: Status::NoChanges,
        at: now_minute(),
        run: ctx.run_url(),
    };
    let edited = match gh.comments(pr).await {
        Ok(comments) => comments
            .into_iter()
            .find(|c| c.id == comment_id)
            .and_then(|c| comment::with_history_entry(c.body.as_deref()?, entry)),
        Err(e) => return runner::warning(&format!("could not read the plan comment: {e}")),
    };
    if let Some(body) = edited
        && let Err(e) = gh.update_comment(comment_id, &body).await
    {
        runner::warning(&format!("could not update the plan comment: {e}"));
    }
}

/// The reviewed plan's comment when the apply is refused: why, and what to do.
pub(super) async fn mark_refused(
    gh: &GitHub,
    ctx: &Runner,
    config: &str,
    plan: &Plan,
    reviewed: &Reviewed,
    refusal: &Refusal,
) {
    let headline = format!(
        "{}. Nothing was changed in AWS. Open a pull request so the plan is reviewed again, or re-apply deliberately with `workflow_dispatch`.",
        refusal.why.trim_end_matches('.')
    );
    let section = format!(
        "{}\nToday's plan, which was not applied:\n",
        refusal.difference.as_deref().unwrap_or_default()
    );
    let restated = Restated {
        status: Status::Refused,
        headline: &headline,
        section: Some(&section),
        report: None,
        history: &reviewed.history,
    };
    restate(gh, ctx, config, plan, reviewed.comment, &restated).await;
}

/// What a run after the merge says on the reviewed plan's comment.
pub(super) struct Restated<'a> {
    status: Status,
    headline: &'a str,
    section: Option<&'a str>,
    report: Option<&'a crate::apply::ApplyReport>,
    /// The comment's history so far.
    history: &'a [Entry],
}

/// Rewrites the reviewed plan's comment for the merge commit. A failure only warns: AWS is
/// already as the run left it.
pub(super) async fn restate(
    gh: &GitHub,
    ctx: &Runner,
    config: &str,
    plan: &Plan,
    comment_id: u64,
    r: &Restated<'_>,
) {
    let origin = Origin::of(ctx, &ctx.sha);
    let frame = comment::Frame {
        section: r.section,
        report: r.report,
        ..origin.frame(config, r.headline, r.history)
    };
    if let Err(e) = gh
        .update_comment(comment_id, &comment::body(Some(plan), r.status, &frame))
        .await
    {
        runner::warning(&format!("could not update the plan comment: {e}"));
    }
}

/// Our comment for this config on the PR: the newest of ours, the same one the guard on push
/// reads. Only the token's own comments count, so nobody can make the action edit theirs.
pub(super) async fn our_comment(
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
pub(super) fn keeps_apply_record(c: &crate::github::Comment) -> bool {
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
pub(super) async fn upsert_comment(
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
pub(super) async fn update_comment(
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

/// Where and when a status is set: the commit the comment is about, its page, the run, and
/// now; every status's comment frame and the job summary's footer come from it.
struct Origin {
    commit: String,
    commit_url: Option<String>,
    run_url: Option<String>,
    at: String,
}

impl Origin {
    fn of(ctx: &Runner, commit: &str) -> Origin {
        Origin {
            commit: commit.to_string(),
            commit_url: ctx.commit_url(commit),
            run_url: ctx.run_url(),
            at: now_minute(),
        }
    }

    /// A comment frame with this origin and nothing but the status line's words; callers add
    /// a section, an appendix or the apply's report.
    fn frame<'a>(&'a self, config: &'a str, headline: &'a str, history: &'a [Entry]) -> comment::Frame<'a> {
        comment::Frame {
            config,
            commit: &self.commit,
            commit_url: self.commit_url.as_deref(),
            run_url: self.run_url.as_deref(),
            headline,
            section: None,
            advice: None,
            appendix: None,
            report: None,
            history,
            at: &self.at,
        }
    }

    fn footer(&self) -> String {
        comment::footer(&self.commit, self.commit_url.as_deref(), self.run_url.as_deref())
    }
}

/// The history a comment's marker holds (none for a new or foreign comment).
fn history_of(old: Option<&str>) -> Vec<Entry> {
    old.and_then(parse_marker).map(|m| m.history).unwrap_or_default()
}

/// Now, to the minute, as the history shows it: `YYYY-MM-DD HH:MM` (UTC).
fn now_minute() -> String {
    let t = crate::timestamp::format_utc(crate::timestamp::now());
    t.get(..16).unwrap_or(&t).replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pull_request_into(base: &str, default: Option<&str>) -> Runner {
        Runner {
            event_name: "pull_request".into(),
            event: json!({"pull_request": {"base": {"ref": base}}, "repository": {"default_branch": default}}),
            ..Runner::default()
        }
    }

    #[test]
    fn only_a_merge_into_the_default_branch_promises_an_apply() {
        let cases = [
            (
                pull_request_into("main", Some("main")),
                "applies when merged to `main`.",
            ),
            (
                pull_request_into("release", Some("main")),
                "merging into `release` applies nothing: apply runs on `main`.",
            ),
            (
                pull_request_into("release", None),
                "applies when merged to the default branch.",
            ),
        ];
        for (ctx, want) in cases {
            assert_eq!(merge_headline(&ctx), want);
        }
    }
}
