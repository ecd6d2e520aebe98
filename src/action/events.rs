//! Routing by event: which mode a run of the action is, from the event's name, its payload, the
//! ref the runner checked out and the `mode` input; or why it does nothing, or refuses.
//!
//! What GitHub sets for each event (GITHUB_REF, GITHUB_SHA) is documented in "Events that
//! trigger workflows" (https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows);
//! the payloads in "Webhook events and payloads"
//! (https://docs.github.com/en/webhooks/webhook-events-and-payloads). docs/action.md holds the
//! resulting matrix; tests/it/action.rs runs each row with a real payload.

use super::Runner;
use crate::inputs::{Input, Inputs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Validate,
    /// Plan; comment when the event is a pull request.
    Plan,
    /// Apply; `guarded` requires the plan a reviewer saw.
    Apply {
        guarded: bool,
    },
    Drift,
    /// Remove the scaling of the endpoints in the `endpoints` input (before an endpoint deploy).
    Detach,
}

/// What a run does for its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    Run(Mode),
    /// Nothing for this event: one notice saying why, exit 0, result `skipped`. No AWS call.
    Skip(String),
    /// A write this ref may not make: an error saying why and what to do instead, exit 1, result
    /// `refused`. No AWS call.
    Refuse(String),
    /// A pull request closed without merging: its comment says so; nothing is planned.
    Closed,
}

/// A `mode` input this event cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ModeError {
    /// `mode: apply` given on a pull_request event.
    #[error(
        "input `mode: apply` on a pull request: a pull request never writes to AWS; apply runs on push or workflow_dispatch"
    )]
    ApplyOnPullRequest,
    /// `mode: detach` on a pull_request event.
    #[error(
        "input `mode: detach` on a pull request: a pull request never writes to AWS; run detach in the deploy workflow"
    )]
    DetachOnPullRequest,
    /// `mode: detach` without the `endpoints` input.
    #[error("input `mode: detach` needs the `endpoints` input: the endpoint names to detach")]
    DetachWithoutEndpoints,
    /// A `mode` input that is none of the known modes; holds what was given.
    #[error("input `mode` is {0:?}; expected auto, validate, plan, apply, drift or detach")]
    Unknown(String),
}

/// The events `mode: auto` acts on; any other does nothing unless `mode` says what to run.
pub(crate) const HANDLED: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "push",
    "workflow_dispatch",
    "schedule",
];

impl Runner {
    /// What this run does. Facts of the event come first: a deleted ref or a merged pull
    /// request leaves nothing to do whatever `mode` says, and a closed one only updates its
    /// comment.
    pub(crate) fn route(&self, inputs: &Inputs) -> Result<Route, ModeError> {
        let mode = inputs.get(Input::MODE).unwrap_or("auto");
        let pull_request = self.event_name.starts_with("pull_request");
        if let Some(skip) = self.nothing_to_do() {
            return Ok(Route::Skip(skip));
        }
        if pull_request && self.event["action"] == "closed" && !matches!(mode, "apply" | "detach") {
            return Ok(Route::Closed);
        }
        Ok(match mode {
            "auto" => match self.event_name.as_str() {
                _ if pull_request => Route::Run(Mode::Plan),
                "push" if self.pushed_default_branch() => Route::Run(Mode::Apply { guarded: true }),
                "push" => Route::Run(Mode::Plan),
                "workflow_dispatch" => self.unguarded(Mode::Apply { guarded: false }),
                "schedule" => Route::Run(Mode::Drift),
                other => Route::Skip(format!(
                    "event `{other}` is not one this action acts on ({}), so it did nothing; set the `mode` input to run a mode on it",
                    HANDLED.join(", ")
                )),
            },
            "validate" => Route::Run(Mode::Validate),
            "plan" => Route::Run(Mode::Plan),
            // A pull request never writes to AWS, whatever the inputs say: its config is unreviewed.
            "apply" if pull_request => return Err(ModeError::ApplyOnPullRequest),
            "apply" if self.event_name == "push" => match self.pushed_default_branch() {
                true => Route::Run(Mode::Apply { guarded: true }),
                false => Route::Refuse(format!(
                    "this push is to `{}`, and only a push to the default branch `{}` applies (as the pull request's reviewed plan). Merge it through a pull request, or use `mode: plan` to preview it",
                    self.pushed_ref(),
                    self.default_branch().unwrap_or("?")
                )),
            },
            "apply" => self.unguarded(Mode::Apply { guarded: false }),
            "drift" => Route::Run(Mode::Drift),
            "detach" if pull_request => return Err(ModeError::DetachOnPullRequest),
            "detach" if inputs.list(Input::ENDPOINTS).is_empty() => {
                return Err(ModeError::DetachWithoutEndpoints);
            }
            "detach" => self.unguarded(Mode::Detach),
            other => return Err(ModeError::Unknown(other.to_string())),
        })
    }

    /// Why this event leaves nothing to do, if it does: a push that deleted a branch or tag
    /// (GitHub then runs it on the default branch's ref and SHA, which nobody pushed), or a
    /// pull request closed by its merge (the push of the merge is what applies).
    fn nothing_to_do(&self) -> Option<String> {
        let event = &self.event;
        match self.event_name.as_str() {
            // "When you delete a branch, the SHA in the workflow run (and its associated refs)
            // reverts to the default branch of the repository" (Events that trigger workflows, push).
            "push" if event["deleted"] == true => Some(format!(
                "this push deleted `{}`: there is nothing to plan or apply",
                event["ref"].as_str().unwrap_or("a ref")
            )),
            name if name.starts_with("pull_request")
                && event["action"] == "closed"
                && event["pull_request"]["merged"] == true =>
            {
                Some(self.merged_close())
            }
            _ => None,
        }
    }

    /// Why the close of a merged pull request does nothing: the push of the merge applies it,
    /// or, into another branch than the default, nothing does.
    fn merged_close(&self) -> String {
        let pr = self.pr_number().unwrap_or_default();
        let base = self.pr_base_branch().unwrap_or("its base");
        match self.default_branch() {
            Some(default) if default != base => format!(
                "pull request #{pr} was merged into `{base}`: only a push to the default branch `{default}` applies, so its close does nothing"
            ),
            _ => format!(
                "pull request #{pr} was merged: the push of the merge to `{base}` applies it (only the default branch's), so its close does nothing"
            ),
        }
    }

    /// The repository's default branch, from the payload (`repository.default_branch`).
    pub(crate) fn default_branch(&self) -> Option<&str> {
        self.event["repository"]["default_branch"]
            .as_str()
            .filter(|b| !b.is_empty())
    }

    /// The branch a pull request merges into (`pull_request.base.ref`).
    pub(crate) fn pr_base_branch(&self) -> Option<&str> {
        self.event["pull_request"]["base"]["ref"]
            .as_str()
            .filter(|b| !b.is_empty())
    }

    /// The ref a push updated: the payload's `ref` (GITHUB_REF is the default branch's on a
    /// deletion), else GITHUB_REF.
    fn pushed_ref(&self) -> &str {
        self.event["ref"].as_str().unwrap_or(&self.git_ref)
    }

    /// A push of commits to the default branch: not a deletion (routed before), not a tag,
    /// not another branch.
    fn pushed_default_branch(&self) -> bool {
        self.default_branch().is_some_and(|b| {
            self.pushed_ref() == format!("refs/heads/{b}") && self.git_ref == self.pushed_ref()
        })
    }

    /// A write no reviewed plan guards (a re-apply, a detach) runs only on the default branch,
    /// whose config was reviewed when it merged; on any other branch or tag anyone with write
    /// access could apply a config nobody reviewed.
    fn unguarded(&self, mode: Mode) -> Route {
        let branch = self.default_branch();
        if branch.is_some_and(|b| self.git_ref == format!("refs/heads/{b}")) {
            return Route::Run(mode);
        }
        let what = match mode {
            Mode::Detach => "detach",
            _ => "apply",
        };
        let ran_on = if self.git_ref.is_empty() {
            "an unknown ref (GITHUB_REF is not set)".to_string()
        } else {
            format!("`{}`", self.git_ref)
        };
        Route::Refuse(match branch {
            Some(b) => format!(
                "`{}` runs {what} only on the default branch `{b}`, whose config was reviewed when it merged; this run is on {ran_on}. Run it from `{b}`, or set `mode: plan` to preview this branch",
                self.event_name
            ),
            None => format!(
                "`{}` runs {what} only on the default branch, and the event names none (`repository.default_branch`); nothing was changed. Set `mode: plan` to preview",
                self.event_name
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn runner(event_name: &str, git_ref: &str, event: serde_json::Value) -> Runner {
        Runner {
            event_name: event_name.into(),
            git_ref: git_ref.into(),
            event,
            ..Runner::default()
        }
    }

    fn mode(m: &str) -> Inputs {
        Inputs::from_lookup(|v| (v == "INPUT_MODE").then(|| m.to_string()))
    }

    #[test]
    fn a_merged_close_into_another_branch_does_not_promise_an_apply() {
        let merged_into = |base: &str| {
            let event = json!({"action": "closed", "number": 7, "repository": {"default_branch": "main"},
                "pull_request": {"merged": true, "base": {"ref": base}}});
            runner("pull_request", &format!("refs/heads/{base}"), event).nothing_to_do()
        };
        assert_eq!(
            merged_into("main").as_deref(),
            Some(
                "pull request #7 was merged: the push of the merge to `main` applies it (only the default branch's), so its close does nothing"
            )
        );
        assert_eq!(
            merged_into("release").as_deref(),
            Some(
                "pull request #7 was merged into `release`: only a push to the default branch `main` applies, so its close does nothing"
            )
        );
    }

    #[test]
    fn a_push_applies_only_commits_pushed_to_the_default_branch() {
        let repo = json!({"default_branch": "main"});
        let cases = [
            (
                "refs/heads/main",
                json!({"ref": "refs/heads/main", "repository": repo}),
                "apply",
            ),
            (
                "refs/heads/dev",
                json!({"ref": "refs/heads/dev", "repository": repo}),
                "plan",
            ),
            (
                "refs/tags/v1",
                json!({"ref": "refs/tags/v1", "repository": repo}),
                "plan",
            ),
            // GitHub runs a deletion on the default branch's ref.
            (
                "refs/heads/main",
                json!({"ref": "refs/heads/dev", "deleted": true, "repository": repo}),
                "skip",
            ),
            (
                "refs/heads/main",
                json!({"ref": "refs/tags/v1", "deleted": true, "repository": repo}),
                "skip",
            ),
            // No default branch in the payload: never assumed to be `main`.
            ("refs/heads/main", json!({"ref": "refs/heads/main"}), "plan"),
        ];
        for (git_ref, event, expected) in cases {
            let route = runner("push", git_ref, event.clone())
                .route(&Inputs::default())
                .expect("route");
            let got = match route {
                Route::Run(Mode::Apply { guarded: true }) => "apply",
                Route::Run(Mode::Plan) => "plan",
                Route::Skip(_) => "skip",
                other => panic!("{other:?}"),
            };
            assert_eq!(got, expected, "{git_ref} {event}");
        }
    }

    #[test]
    fn writes_without_a_reviewed_plan_run_only_on_the_default_branch() {
        let event = json!({"repository": {"default_branch": "main"}});
        for (name, m) in [
            ("workflow_dispatch", "auto"),
            ("workflow_dispatch", "apply"),
            ("schedule", "apply"),
        ] {
            let on_main = runner(name, "refs/heads/main", event.clone()).route(&mode(m));
            assert_eq!(
                on_main.expect("route"),
                Route::Run(Mode::Apply { guarded: false })
            );
            let elsewhere = runner(name, "refs/heads/dev", event.clone()).route(&mode(m));
            assert!(
                matches!(elsewhere, Ok(Route::Refuse(ref why)) if why.contains("`mode: plan`")),
                "{elsewhere:?}"
            );
        }
        let plan = runner("workflow_dispatch", "refs/heads/dev", event.clone()).route(&mode("plan"));
        assert_eq!(plan.expect("route"), Route::Run(Mode::Plan));
        let no_default = runner("workflow_dispatch", "refs/heads/main", json!({})).route(&Inputs::default());
        assert!(matches!(no_default, Ok(Route::Refuse(_))), "{no_default:?}");
    }
}
