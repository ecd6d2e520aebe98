//! GitHub-flavoured markdown: a summary, one table per scalable target, details collapsed.
//! Names come from the config and AWS, so markdown and HTML in them are escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{summary_line, words};
use crate::apply::{ApplyReport, Outcome};
use crate::plan::{Change, Plan, Summary};
use crate::resource::{Kind, Record};

/// The job summary's limit (GitHub's, per step).
pub const MAX_SUMMARY: usize = 1_000_000;
/// Up to this many endpoints their details start open; more start collapsed.
const OPEN_DETAILS: usize = 5;

/// How much of the plan fits, and what else the markdown shows.
pub struct Options<'a> {
    /// Characters the markdown may take; endpoints whose details do not fit are listed by name.
    pub limit: usize,
    /// Where the whole plan is, for what does not fit (e.g. "the job summary of [this run](...)").
    pub whole_plan: &'a str,
    /// The apply's outcome of each change, once applied.
    pub report: Option<&'a ApplyReport>,
}

/// The plan as the markdown of the pull-request comment and the job summary, whole.
pub fn markdown(plan: &Plan) -> String {
    markdown_with(
        plan,
        &Options {
            limit: usize::MAX,
            whole_plan: "",
            report: None,
        },
    )
}

/// The plan as markdown within `options.limit`: totals, what needs attention (left-out
/// targets, destroys, warnings) and the overview always; each endpoint's details while they fit.
pub fn markdown_with(plan: &Plan, options: &Options<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**{}**\n", summary_line(&plan.summary));
    for b in &plan.blocked {
        let target = super::target_label(b.region.as_deref(), &b.resource_id);
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> `{}` is left out of this plan: {}\n",
            code(&target),
            text(&b.reason)
        );
    }
    for (target, what) in super::destroyed(plan) {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Destroy**: `{}` is deregistered, with {}: the endpoint stops autoscaling.\n",
            code(&target),
            text(&what)
        );
    }
    if !plan.drift.is_empty() {
        let _ = writeln!(out, "> [!WARNING]\n> **Drift** (not repaired by apply):");
        for d in &plan.drift {
            let _ = writeln!(out, "> - {}", text(&super::drift_sentence(d)));
        }
        out.push('\n');
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "> [!WARNING]");
        for w in &plan.warnings {
            let _ = writeln!(out, "> - {}", text(w));
        }
        out.push('\n');
    }
    if plan.is_empty() {
        let _ = writeln!(out, "{}", super::no_changes(plan));
        return out;
    }
    let groups = super::by_target(plan);
    let footer = format!("\n<sub>Fingerprint `{}`</sub>\n", plan.fingerprint);
    // The overview keeps at least half of what is left; details take the rest.
    let overview = overview(
        &groups,
        (options.limit.saturating_sub(out.len() + footer.len())) / 2,
    );
    out.push_str(&overview);
    let outcomes = options.report.map(outcomes).unwrap_or_default();
    let open = groups.len() <= OPEN_DETAILS;
    let mut left_out = Vec::new();
    for (target, changes) in &groups {
        let block = details(target, changes, open, &outcomes);
        // Room for the note about what was left out, too.
        if left_out.is_empty() && out.len() + block.len() + footer.len() + 2_000 <= options.limit {
            out.push_str(&block);
        } else {
            left_out.push(target.as_str());
        }
    }
    if !left_out.is_empty() {
        let mut note = format!(
            "\n> [!NOTE]\n> Details of {} endpoint(s) do not fit here; the whole plan is in {}:",
            left_out.len(),
            options.whole_plan
        );
        let budget = options.limit.saturating_sub(out.len() + footer.len() + 200);
        let mut shown = 0;
        for t in &left_out {
            let item = format!(" `{}`", code(t));
            if note.len() + item.len() > budget {
                break;
            }
            note.push_str(&item);
            shown += 1;
        }
        if shown < left_out.len() {
            let _ = write!(note, " and {} more", left_out.len() - shown);
        }
        note.push_str(".\n");
        out.push_str(&note);
    }
    out.push_str(&footer);
    out
}

/// One row per endpoint: its capacity before and after, and how many of its objects are
/// added, changed and destroyed. Rows past `limit` characters are counted, not shown.
fn overview(groups: &[(String, Vec<&Change>)], limit: usize) -> String {
    let mut out = String::from("| endpoint | capacity | add | change | destroy |\n|---|---|--:|--:|--:|\n");
    for (i, (target, changes)) in groups.iter().enumerate() {
        let counts = Summary::of(changes.iter().copied());
        let row = format!(
            "| `{}` | {} | {} | {} | {} |\n",
            code(target),
            capacity(changes),
            counts.add,
            counts.change,
            counts.destroy,
        );
        if out.len() + row.len() + 100 > limit {
            let _ = writeln!(out, "| and {} more endpoint(s) | | | | |", groups.len() - i);
            break;
        }
        out.push_str(&row);
    }
    out
}

/// `min..max` before and after, from the target's change; "unchanged" without one.
fn capacity(changes: &[&Change]) -> String {
    let Some(c) = changes.iter().find(|c| c.kind == Kind::ScalableTarget) else {
        return "unchanged".into();
    };
    let bounds = |v: &Option<serde_json::Value>| match v
        .as_ref()
        .and_then(|v| Record::from_value(Kind::ScalableTarget, v).ok())
    {
        Some(Record::Target(t)) => Some(format!("{}..{}", t.min_capacity, t.max_capacity)),
        _ => None,
    };
    match (bounds(&c.before), bounds(&c.after)) {
        (None, Some(a)) => format!("new: {a}"),
        (Some(b), None) => format!("{b} → deregistered"),
        (Some(b), Some(a)) if a != b => format!("{b} → {a}"),
        (Some(b), Some(_)) => format!("{b} (unchanged)"),
        (None, None) => "unchanged".into(),
    }
}

/// An endpoint's changes, collapsible: one row each, what it does in the config's words.
fn details(target: &str, changes: &[&Change], open: bool, outcomes: &HashMap<Key, String>) -> String {
    let summary = Summary::of(changes.iter().copied());
    let mut counts = Vec::new();
    for (count, word) in [
        (summary.add, "add"),
        (summary.change, "change"),
        (summary.destroy, "destroy"),
    ] {
        if count > 0 {
            counts.push(format!("{count} to {word}"));
        }
    }
    let mut out = format!(
        "\n<details{}><summary><code>{}</code>: {}</summary>\n\n",
        if open { " open" } else { "" },
        html(target),
        counts.join(", ")
    );
    let with_outcome = !outcomes.is_empty();
    out.push_str(if with_outcome {
        "| | object | name | what | outcome |\n|---|---|---|---|---|\n"
    } else {
        "| | object | name | what |\n|---|---|---|---|\n"
    });
    for c in changes {
        let what: Vec<String> = words::describe(c).iter().map(|w| text(w)).collect();
        let _ = write!(
            out,
            "| {} | {} | `{}` | {} |",
            c.action.as_str(),
            words::kind(c),
            code(&c.name),
            what.join("<br>")
        );
        if with_outcome {
            let outcome = outcomes.get(&key(c)).map_or("not attempted", String::as_str);
            let _ = write!(out, " {} |", text(outcome));
        }
        out.push('\n');
    }
    out.push_str("\n</details>\n");
    out
}

type Key = (Option<String>, Kind, String, String);

fn key(c: &Change) -> Key {
    (c.region.clone(), c.kind, c.resource_id.clone(), c.name.clone())
}

/// Each change's outcome in words, by the change it belongs to.
fn outcomes(report: &ApplyReport) -> HashMap<Key, String> {
    report
        .changes
        .iter()
        .map(|r| {
            let word = match &r.outcome {
                Outcome::Applied => "applied".to_string(),
                Outcome::Failed(e) => format!("failed: {e}"),
                Outcome::NotAttempted => "not attempted".to_string(),
                Outcome::RemovedWithTarget => "removed with the target".to_string(),
            };
            (
                (r.region.clone(), r.kind, r.resource_id.clone(), r.name.clone()),
                word,
            )
        })
        .collect()
}

/// Text inside an HTML element (a `<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Inside backticks in a table cell: only the pipe and the backtick itself need care.
fn code(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'").replace('\n', " ")
}

/// Plain text in markdown: neutralise HTML and the characters that start markup.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '`' | '*' | '_' | '[' | ']' | '#' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
