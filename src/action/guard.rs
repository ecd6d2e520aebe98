//! The guard: an apply on push goes on only with the plan a reviewer saw in the pull request.

use super::context::Runner;
use super::{Mode, Run, StepResult, set_result};
use crate::github::GitHub;
use crate::github::comment::{Entry, Marker, Status, change_lines, parse_marker};
use crate::github::runner::{self, Files};
use crate::inputs::Input;
use crate::plan::Plan;
use crate::render;

impl Run<'_> {
    /// Whether this apply may go on: the reviewed plan's PR and comment (when it must be the
    /// reviewed plan) and the note for the summary; Err: why it is refused.
    pub(super) async fn guard(&self, guarded: bool) -> Result<(Option<Reviewed>, &'static str), Refusal> {
        let strict = self
            .inputs
            .get(Input::REQUIRE_REVIEWED_PLAN)
            .is_none_or(|v| v != "false");
        Ok(match (guarded, strict) {
            (true, true) => (
                Some(self.reviewed().await?),
                "Guarded: this is the plan reviewed in the pull request.",
            ),
            // `require-reviewed-plan: false` trusts config changes, not destroys: a target
            // deregistered because the config no longer names it must have been reviewed.
            (true, false) if self.plan().deregistrations().next().is_some() => (
                Some(self.reviewed().await.map_err(|r| Refusal {
                    why: format!("this plan deregisters scalable targets, which is applied on push only as reviewed in the pull request (`require-reviewed-plan: false` does not cover destroys): {}", r.why),
                    ..r
                })?),
                "Guarded: this is the plan reviewed in the pull request (it deregisters scalable targets).",
            ),
            (true, false) => (
                None,
                "Not checked against a reviewed plan (`require-reviewed-plan: false`).",
            ),
            (false, _) if self.mode == Mode::Detach => (
                None,
                "`mode: detach`: the next apply of the config restores their scaling.",
            ),
            (false, _) => (
                None,
                "A `workflow_dispatch` re-apply: not guarded by a reviewed plan. Endpoints removed from the config are not looked for (that needs a reviewed pull request, or the drift check's scan).",
            ),
        })
    }
    /// The PR and comment whose reviewed plan is today's plan, or why there is none.
    pub(super) async fn reviewed(&self) -> Result<Reviewed, Refusal> {
        let (pr, comment_id, marker) = reviewed_plan(self.github.as_ref(), self.ctx, self.config)
            .await
            .map_err(|why| Refusal {
                why,
                comment: None,
                difference: None,
            })?;
        if marker.fingerprint != self.plan().fingerprint {
            let (why, difference) = match marker.status {
                Status::Invalid => (format!("the last plan on #{pr} is of an invalid config"), None),
                _ => (
                    format!(
                        "today's plan differs from the plan reviewed on #{pr} (reviewed `{}`, today `{}`)",
                        short(&marker.fingerprint),
                        short(&self.plan().fingerprint)
                    ),
                    Some(difference(&marker, self.plan())),
                ),
            };
            return Err(Refusal {
                why,
                // An earlier apply's record stays; the summary says why this run refused.
                comment: (!marker.status.records_apply()).then_some(Reviewed {
                    pr,
                    comment: comment_id,
                    history: marker.history,
                }),
                difference,
            });
        }
        Ok(Reviewed {
            pr,
            comment: comment_id,
            history: marker.history,
        })
    }
}

/// The pull request whose plan was reviewed, its comment and that comment's history.
pub(super) struct Reviewed {
    pub(super) pr: u64,
    pub(super) comment: u64,
    pub(super) history: Vec<Entry>,
}

/// Why an apply on push was refused, and the reviewed plan's comment to say so on, if found.
pub(super) struct Refusal {
    pub(super) why: String,
    pub(super) comment: Option<Reviewed>,
    /// What differs between the reviewed plan and today's, as a small table.
    pub(super) difference: Option<String>,
}

/// A fingerprint as a reviewer compares it: `sha256:` and 12 hex digits.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..19).unwrap_or(fingerprint)
}

pub(super) fn refuse(files: &Files, head: &str, plan: &Plan, refusal: &Refusal) {
    let why = &refusal.why;
    let message = format!("refusing to apply: {why}");
    runner::error(&message);
    let difference = refusal
        .difference
        .as_deref()
        .map(|d| format!("{d}\n"))
        .unwrap_or_default();
    let _ = files.summary(&format!(
        "{head}⛔ **Not applied.** {why}\n\n{difference}Run the workflow with `workflow_dispatch` to re-apply deliberately, or open a pull request so the plan is reviewed.\n\nToday's plan:\n\n{}",
        render::markdown(plan)
    ));
    set_result(files, StepResult::Refused);
}

/// The plan comment of the pull request this commit came from: (PR, comment id, marker).
pub(super) async fn reviewed_plan(
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

/// How today's plan differs from the reviewed one: the changes new since the review, those
/// reviewed but no longer planned, or the same changes with other values.
pub(super) fn difference(reviewed: &Marker, plan: &Plan) -> String {
    let now = change_lines(plan);
    let gone = reviewed.changes.iter().filter(|c| !now.contains(c));
    let new = now.iter().filter(|c| !reviewed.changes.contains(c));
    let mut table = String::from("| since the review | change |\n|---|---|\n");
    // In the tables' words (symbol, object, `endpoint · variant`), not the marker's ids.
    let rows: Vec<String> = new
        .map(|c| format!("| 🆕 new | {} |", render::change_line(c)))
        .chain(gone.map(|c| format!("| ➖ gone | {} |", render::change_line(c))))
        .collect();
    if rows.is_empty() {
        table.push_str("| ~ changed | the same changes, with other values (AWS or the config changed since the review) |\n");
    }
    for row in rows {
        table.push_str(&row);
        table.push('\n');
    }
    table
}
