//! The drift check on `schedule`: a plan that is not empty (or drifted bounds) fails the job and
//! opens, updates or closes one issue.

use super::context::Runner;
use super::{Run, StepResult, set_result};
use crate::error::with_hint;
use crate::github::comment;
use crate::github::runner;
use crate::github::{GitHub, GitHubError};
use crate::inputs::Input;
use crate::plan::Plan;
use crate::render;

impl Run<'_> {
    /// Schedule: changes are drift; fail, and open (or close) one issue when asked.
    pub(super) async fn check_drift(self) -> u8 {
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

pub(super) fn drift_marker(config: &str) -> String {
    format!(
        "<!-- sagemaker-autoscale-drift {} -->",
        serde_json::to_string(config).unwrap_or_default()
    )
}

pub(super) async fn find_drift_issue(
    gh: &GitHub,
    config: &str,
) -> Result<Option<crate::github::Issue>, GitHubError> {
    let marker = drift_marker(config);
    Ok(gh
        .issues("open")
        .await?
        .into_iter()
        .find(|i| i.state == "open" && i.body.as_deref().is_some_and(|b| b.starts_with(&marker))))
}

pub(super) async fn open_drift_issue(
    gh: &GitHub,
    config: &str,
    plan: &Plan,
    ctx: &Runner,
) -> Result<String, GitHubError> {
    let body = comment::cut(
        &format!(
            "{}\n⚠️ **Drift**: AWS no longer matches `{config}` (checked by {}). What a re-apply would change, and what it would leave:\n\n{}\n{}\n",
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
pub(super) fn what_to_do(plan: &Plan) -> &'static str {
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

pub(super) async fn close_drift_issue(gh: &GitHub, config: &str) -> Result<(), GitHubError> {
    if let Some(i) = find_drift_issue(gh, config).await? {
        gh.update_issue(
            i.number,
            &serde_json::json!({ "state": "closed", "state_reason": "completed" }),
        )
        .await?;
    }
    Ok(())
}
