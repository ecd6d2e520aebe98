//! The job summary and the plan the run publishes (outputs, file, log).

use super::context::Runner;
use crate::github::runner::Files;
use crate::plan::Plan;
use crate::render;

/// The job summary's plan: whole up to GitHub's limit for a step summary.
pub(super) fn summary_markdown(plan: &Plan, report: Option<&crate::apply::ApplyReport>) -> String {
    render::markdown_with(
        plan,
        &render::Layout {
            advice: "",
            limit: render::MAX_SUMMARY,
            whole_plan: "the plan JSON (output `plan-json`)",
            report,
        },
    )
}

/// Plan JSON to a file, and the outputs that describe the plan.
pub(super) fn publish_plan(plan: &Plan, files: &Files, ctx: &Runner) {
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
