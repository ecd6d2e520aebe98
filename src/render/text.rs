//! Terraform-like terminal output, coloured when asked.

use std::fmt::Write as _;

use super::{by_target, field_rows, summary_line};
use crate::apply::{ApplyReport, Outcome};
use crate::plan::{Action, Plan};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn symbol(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Create => ("+", "32"),
        Action::Update => ("~", "33"),
        Action::Replace => ("-/+", "35"),
        Action::Delete => ("-", "31"),
    }
}

/// The plan for a terminal, coloured when `color` is true.
pub fn text(plan: &Plan, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    for b in &plan.blocked {
        let target = super::target_label(b.region.as_deref(), &b.resource_id);
        let _ = writeln!(
            out,
            "{} {target} is left out of this plan: {}",
            paint.wrap("31", "error:"),
            b.reason
        );
    }
    for (target, what) in super::destroyed(plan) {
        let _ = writeln!(
            out,
            "{} {target} is deregistered, with {what}: the endpoint stops autoscaling",
            paint.wrap("31", "destroy:")
        );
    }
    for d in &plan.drift {
        let _ = writeln!(out, "{} {}", paint.wrap("33", "drift:"), super::drift_sentence(d));
    }
    if plan.is_empty() {
        let _ = writeln!(out, "{}", super::no_changes(plan));
        let _ = writeln!(out, "{}", summary_line(&plan.summary));
        return out;
    }
    for (rid, changes) in by_target(plan) {
        let _ = writeln!(out, "\n{}", paint.wrap("1", &rid));
        for c in changes {
            let (sym, code) = symbol(c.action);
            let mut head = format!("  {sym} {} {}", c.kind.as_str(), c.name);
            if let Some(reason) = c.replace_reason() {
                head.push_str(&format!(" ({reason})"));
            }
            let _ = writeln!(out, "{}", paint.wrap(code, &head));
            if c.action == Action::Delete {
                continue;
            }
            for (field, before, after) in field_rows(c) {
                let line = match (c.action, before, after) {
                    (Action::Create, _, Some(a)) => format!("      {field} = {a}"),
                    (_, Some(b), Some(a)) => format!("      {field}: {b} -> {a}"),
                    (_, None, Some(a)) => format!("      {field}: (none) -> {a}"),
                    (_, Some(b), None) => format!("      {field}: {b} -> (none)"),
                    _ => continue,
                };
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out);
        for w in &plan.warnings {
            let _ = writeln!(out, "{} {w}", paint.wrap("33", "warning:"));
        }
    }
    let _ = writeln!(out, "\n{}", paint.wrap("1", &summary_line(&plan.summary)));
    let _ = writeln!(out, "Fingerprint: {}", plan.fingerprint);
    out
}

/// An apply's per-change report for a terminal, coloured when `color` is true.
pub fn apply_report(report: &ApplyReport, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    for c in &report.changes {
        let (sym, _) = symbol(c.action);
        let (status, code) = match &c.outcome {
            Outcome::Applied => ("applied".to_string(), "32"),
            Outcome::Failed(e) => (format!("FAILED: {e}"), "31"),
            Outcome::NotAttempted => ("not attempted".to_string(), "2"),
            Outcome::RemovedWithTarget => ("removed with the target".to_string(), "32"),
        };
        let _ = writeln!(
            out,
            "{} {sym} {} {} {}: {}",
            paint.wrap(code, "*"),
            c.kind.as_str(),
            super::target_label(c.region.as_deref(), &c.resource_id),
            c.name,
            paint.wrap(code, &status)
        );
        for n in &c.notes {
            let _ = writeln!(out, "    {n}");
        }
    }
    let applied = report.count(|o| *o == Outcome::Applied);
    let failed = report.count(|o| matches!(o, Outcome::Failed(_)));
    let skipped = report.count(|o| *o == Outcome::NotAttempted);
    let with_target = report.count(|o| *o == Outcome::RemovedWithTarget);
    let with_target = match with_target {
        0 => String::new(),
        n => format!(", {n} removed with their target"),
    };
    let _ = writeln!(
        out,
        "Apply: {applied} applied, {failed} failed, {skipped} not attempted{with_target}."
    );
    if let Some(why) = report.stopped_early() {
        let _ = writeln!(out, "Stopped early: {why}.");
    }
    if report.deadline_reached {
        let _ = writeln!(
            out,
            "Stopped: the time limit ran out between changes; run apply again to finish."
        );
    }
    match report.remaining {
        Some(0) => {
            let _ = writeln!(out, "Checked: AWS now matches the configuration.");
        }
        Some(n) => {
            let _ = writeln!(
                out,
                "Checked: {n} change(s) remain. AWS changed while this apply ran (another run at the same time?); run apply again."
            );
        }
        None => {
            if let Some(e) = &report.check_error {
                let _ = writeln!(
                    out,
                    "Not checked: reading AWS after the apply failed ({e}); run plan to confirm."
                );
            }
        }
    }
    out
}
