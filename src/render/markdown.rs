//! GitHub-flavoured markdown: a summary, one table per scalable target, details collapsed.
//! Names come from the config and AWS, so markdown and HTML in them are escaped.

use std::fmt::Write as _;

use super::{by_target, field_rows, summary_line};
use crate::plan::{Action, Plan};

/// The plan as the markdown of the pull-request comment and the job summary.
pub fn markdown(plan: &Plan) -> String {
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
    if plan.is_empty() {
        let _ = writeln!(out, "No changes. AWS matches the configuration.");
        return out;
    }
    for (rid, changes) in by_target(plan) {
        let _ = writeln!(out, "\n#### `{}`\n", code(&rid));
        let _ = writeln!(out, "| | kind | name | changes |\n|---|---|---|---|");
        for c in changes {
            let action = c.action.as_str();
            let changes: Vec<String> = field_rows(c)
                .into_iter()
                .filter(|_| c.action != Action::Delete)
                .map(|(f, b, a)| match (c.action, b, a) {
                    (Action::Create, _, Some(a)) => format!("`{}` = `{}`", code(&f), code(&a)),
                    (_, b, a) => format!(
                        "`{}`: `{}` → `{}`",
                        code(&f),
                        code(b.as_deref().unwrap_or("(none)")),
                        code(a.as_deref().unwrap_or("(none)"))
                    ),
                })
                .collect();
            let mut changes = changes;
            if let Some(reason) = c.replace_reason() {
                changes.insert(0, format!("_{}_", text(&reason)));
            }
            let summary = if changes.len() > 3 && c.action == Action::Create {
                format!(
                    "<details><summary>{} fields</summary>{}</details>",
                    changes.len(),
                    changes.join("<br>")
                )
            } else {
                changes.join("<br>")
            };
            let _ = writeln!(
                out,
                "| {action} | {} | `{}` | {summary} |",
                c.kind.as_str(),
                code(&c.name)
            );
        }
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out);
        for w in &plan.warnings {
            let _ = writeln!(out, "> [!WARNING]\n> {}\n", text(w));
        }
    }
    let _ = writeln!(out, "\n<sub>Fingerprint `{}`</sub>", plan.fingerprint);
    out
}

/// Inside backticks in a table cell: only the pipe and the backtick itself need care.
fn code(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'").replace('\n', " ")
}

/// Plain text in markdown: neutralise HTML and the characters that start markup.
fn text(s: &str) -> String {
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
