//! GitHub-flavoured markdown: a summary, one table per scalable target, details collapsed.
//! Names come from the config and AWS, so markdown and HTML in them are escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{summary_line, words};
use crate::apply::{ApplyReport, Outcome};
use crate::plan::{Action, Change, Plan, Summary};
use crate::resource::{Kind, Record};

/// The job summary's limit (GitHub's, per step).
pub const MAX_SUMMARY: usize = 1_000_000;
/// Up to this many endpoints their details start open; more start collapsed.
const OPEN_DETAILS: usize = 5;
/// Past this many rows the overview is collapsed too: the totals above it say the size.
const OPEN_OVERVIEW: usize = 20;

/// How much of the plan fits, and what else the markdown shows.
pub struct Layout<'a> {
    /// Characters the markdown may take; past it, endpoints' details are left out with a note.
    pub limit: usize,
    /// Where the whole plan is, for what does not fit (e.g. "the job summary of [this run](...)").
    pub whole_plan: &'a str,
    /// The apply's outcome of each change, once applied.
    pub report: Option<&'a ApplyReport>,
    /// Shown after the plan's alerts, before its tables: the config's warnings (what needs
    /// doing outranks what could be better).
    pub advice: &'a str,
}

/// The plan as the markdown of the pull-request comment and the job summary, whole.
pub fn markdown(plan: &Plan) -> String {
    markdown_with(
        plan,
        &Layout {
            advice: "",
            limit: usize::MAX,
            whole_plan: "",
            report: None,
        },
    )
}

/// The plan as markdown within `options.limit`: totals, what needs attention (left-out
/// targets, destroys, warnings) and the overview always; each endpoint's details while they fit.
pub fn markdown_with(plan: &Plan, options: &Layout<'_>) -> String {
    let mut out = format!("**{}**\n\n", summary_line(&plan.summary));
    out.push_str(&alerts(plan, options.report));
    if !options.advice.is_empty() {
        out.push_str(options.advice.trim_end());
        out.push_str("\n\n");
    }
    if plan.is_empty() {
        let _ = writeln!(out, "{}", super::no_changes(plan));
        return out;
    }
    let outcomes = options.report.map(outcomes).unwrap_or_default();
    let groups = alike(super::by_target(plan), &outcomes);
    let footer = format!("\n<sub>Fingerprint `{}`</sub>\n", plan.fingerprint);
    // The overview keeps at least half of what is left; details take the rest.
    let overview = overview(
        &groups,
        (options.limit.saturating_sub(out.len() + footer.len())) / 2,
    );
    let open = groups.len() <= OPEN_DETAILS;
    let mut blocks = String::new();
    let mut left_out = Vec::new();
    for group in &groups {
        let block = details(group, open, &outcomes);
        // Room for the note about what was left out, too.
        let used = out.len() + overview.len() + blocks.len() + block.len() + footer.len();
        if left_out.is_empty() && used + 2_000 <= options.limit {
            blocks.push_str(&block);
        } else {
            left_out.extend(group.targets.iter().map(String::as_str));
        }
    }
    // What does not fit is said before the overview, where a reviewer starts reading.
    if !left_out.is_empty() {
        out.push_str(&not_fitting(&left_out, options.whole_plan));
    }
    out.push_str(&overview);
    out.push_str(&blocks);
    out.push_str(&footer);
    out
}

/// What needs attention, as GitHub alerts, in the order it matters: failed changes, targets
/// left out, destroys, drift the plan leaves alone, the plan's own warnings.
fn alerts(plan: &Plan, report: Option<&ApplyReport>) -> String {
    let mut out = String::new();
    if let Some(report) = report {
        out.push_str(&failures(plan, report));
    }
    for b in &plan.blocked {
        let target = super::target_label(b.region.as_deref(), &b.resource_id);
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **{}** is left out of this plan: {}\n",
            text(&endpoint(&target)),
            text(&named(&b.reason))
        );
    }
    for (target, what) in super::destroyed(plan) {
        let _ = writeln!(
            out,
            "> [!CAUTION]\n> **Destroy**: {} is deregistered, with {}: the endpoint stops autoscaling.\n",
            text(&endpoint(&target)),
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
            let _ = writeln!(out, "> - {}", text(&named(w)));
        }
        out.push('\n');
    }
    out
}

/// The note saying that the details of the last endpoints do not fit, from which one on, and
/// where the whole plan is. The overview above names them all: the note does not list them
/// again (200 long names were a wall of text before the overview).
fn not_fitting(left_out: &[&str], whole_plan: &str) -> String {
    let first = left_out.first().map(|t| text(&endpoint(t))).unwrap_or_default();
    format!(
        "> [!NOTE]\n> Details of {} endpoint(s), from **{first}** on, do not fit here; the whole plan is in {whole_plan}.\n\n",
        left_out.len()
    )
}

/// Endpoints whose changes (and outcomes) are the same but for their own names: one overview row
/// and one details block, past `GROUP_ABOVE` endpoints.
struct Group<'a> {
    /// Their labels (`target_label`), in plan order.
    targets: Vec<String>,
    /// The first one's changes; the others' read the same with their own names.
    changes: Vec<&'a Change>,
}

/// Up to this many endpoints each has its own row and details; more are grouped when alike.
const GROUP_ABOVE: usize = 10;

fn alike<'a>(by_target: Vec<(String, Vec<&'a Change>)>, outcomes: &HashMap<Key, String>) -> Vec<Group<'a>> {
    let single = by_target.len() <= GROUP_ABOVE;
    let mut groups: Vec<(String, Group<'a>)> = Vec::new();
    for (target, changes) in by_target {
        let shape = if single {
            target.clone()
        } else {
            shape(&target, &changes, outcomes)
        };
        match groups.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, g)) => g.targets.push(target),
            None => groups.push((
                shape,
                Group {
                    targets: vec![target],
                    changes,
                },
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// What an endpoint's changes do, with its own names taken out of every string (never out of a
/// number: capacity 4 of endpoint `4` stays 4): equal shapes are alike.
fn shape(target: &str, changes: &[&Change], outcomes: &HashMap<Key, String>) -> String {
    let rid = target.split(" (").next().unwrap_or(target);
    let own: Vec<&str> = rid
        .split('/')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, part)| part)
        .collect();
    let anonymous = |text: &str| {
        own.iter()
            .fold(text.to_string(), |t, name| t.replace(name, "\u{0}"))
    };
    let mut out = target.strip_prefix(rid).unwrap_or_default().to_string();
    for c in changes {
        let outcome = outcomes.get(&key(c)).map_or("", String::as_str);
        let values: Vec<serde_json::Value> = [&c.before, &c.after]
            .into_iter()
            .flatten()
            .map(|v| strings_mapped(v, &anonymous))
            .collect();
        let _ = writeln!(
            out,
            "{} {} {} {} {outcome}",
            c.action.as_str(),
            c.kind.as_str(),
            anonymous(&c.name),
            serde_json::Value::Array(values)
        );
    }
    out
}

/// `v` with `f` applied to every string in it (keys stay).
fn strings_mapped(v: &serde_json::Value, f: &dyn Fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| strings_mapped(x, f)).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), strings_mapped(x, f))).collect()),
        other => other.clone(),
    }
}

/// A group's name: the endpoint, or how many are alike with the first and the last.
fn group_label(g: &Group<'_>) -> String {
    match g.targets.as_slice() {
        [one] => endpoint(one),
        [first, .., last] => format!(
            "{} endpoints alike: {} … {}",
            g.targets.len(),
            endpoint(first),
            endpoint(last)
        ),
        [] => String::new(),
    }
}

/// One row per endpoint (or group of alike endpoints): capacity before and after, and how many
/// of its objects are added, changed and destroyed. Rows past `limit` characters are counted,
/// not shown.
fn overview(groups: &[Group<'_>], limit: usize) -> String {
    let mut out =
        // The symbol stays with its word when long endpoint names squeeze the count columns:
        // `&nbsp;`, and a word joiner after the hyphen, where a line may break before `&nbsp;`.
        String::from(
            "| endpoint | capacity | +&nbsp;add | ~&nbsp;change | -&#8288;&nbsp;destroy |\n|---|---|--:|--:|--:|\n",
        );
    for (i, g) in groups.iter().enumerate() {
        let counts = Summary::of(g.changes.iter().copied());
        let each = if g.targets.len() > 1 { " each" } else { "" };
        let row = format!(
            "| {} | {}{each} | {} | {} | {} |\n",
            text(&group_label(g)),
            capacity(&g.changes),
            counts.add,
            counts.change,
            counts.destroy,
        );
        if out.len() + row.len() + 100 > limit {
            let rest: usize = groups[i..].iter().map(|g| g.targets.len()).sum();
            let _ = writeln!(out, "| and {rest} more endpoint(s) | | | | |");
            break;
        }
        out.push_str(&row);
    }
    if groups.len() > OPEN_OVERVIEW {
        let endpoints: usize = groups.iter().map(|g| g.targets.len()).sum();
        return format!(
            "<details><summary><b>Overview</b>: {endpoints} endpoints</summary>\n\n{out}\n</details>\n\n"
        );
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

/// An endpoint's (or a group's) changes, collapsible: one row each, what it does in the config's
/// words. A group names every member and shows the first one's changes.
fn details(group: &Group<'_>, open: bool, outcomes: &HashMap<Key, String>) -> String {
    let changes = &group.changes;
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
    let (title, members) = match group.targets.as_slice() {
        [one] => (endpoint(one), String::new()),
        [first, ..] => (
            format!("{} endpoints alike", group.targets.len()),
            format!(
                "{}.\n\nEach changes as {} does:\n\n",
                group
                    .targets
                    .iter()
                    .map(|t| text(&endpoint(t)))
                    .collect::<Vec<_>>()
                    .join(", "),
                text(&endpoint(first))
            ),
        ),
        [] => (String::new(), String::new()),
    };
    let mut out = format!(
        "\n<details{}><summary><b>{}</b>: {}{}</summary>\n\n{members}",
        if open { " open" } else { "" },
        html(&title),
        counts.join(", "),
        if group.targets.len() > 1 { " each" } else { "" }
    );
    let with_outcome = !outcomes.is_empty();
    out.push_str(if with_outcome {
        "| outcome | object | what |\n|---|---|---|\n"
    } else {
        "| object | what |\n|---|---|\n"
    });
    for c in changes {
        let what: Vec<String> = words::describe(c).iter().map(|w| text(w)).collect();
        if with_outcome {
            let outcome = outcomes.get(&key(c)).map_or(NOT_ATTEMPTED, String::as_str);
            let _ = write!(out, "| {outcome} ");
        }
        let _ = writeln!(out, "| {} | {} |", object(c), what.join("<br>"));
    }
    out.push_str("\n</details>\n");
    out
}

/// Each outcome's symbol is joined to its word (`&nbsp;`): a narrow column wraps after it, not
/// between them.
const NOT_ATTEMPTED: &str = "⏸&nbsp;not attempted";

/// The symbol of what a change does, as in the totals: + add, ~ change, -/+ replace, - destroy.
fn symbol(c: &Change) -> &'static str {
    match c.action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Delete => "-",
    }
}

/// The object a change is about: its symbol, kind and name. A scalable target's name is its
/// dimension, which the endpoint's kind already says.
fn object(c: &Change) -> String {
    let kind = words::kind(c);
    match c.kind {
        Kind::ScalableTarget => format!("**{}** {kind}", symbol(c)),
        _ => format!("**{}** {kind} `{}`", symbol(c), code(&c.name)),
    }
}

/// A scalable target as a reviewer names it: `endpoint · variant`, an inference component by
/// its name, with the region when the endpoint has its own (`label` is `target_label`'s).
pub fn endpoint(label: &str) -> String {
    let (rid, region) = match label.split_once(" (") {
        Some((rid, region)) => (rid, Some(region.trim_end_matches(')'))),
        None => (label, None),
    };
    let name = match rid.split('/').collect::<Vec<_>>().as_slice() {
        ["endpoint", endpoint, "variant", variant] => format!("{endpoint} · {variant}"),
        ["inference-component", component] => format!("{component} (inference component)"),
        _ => rid.to_string(),
    };
    match region {
        Some(r) => format!("{name} ({r})"),
        None => name,
    }
}

/// One change as the marker records it (`action kind target name`, `change_lines`) in the
/// words of the tables: its symbol, kind and name, then `endpoint · variant`. A line of another
/// shape is shown as it is, in a code span.
pub(crate) fn change_line(line: &str) -> String {
    let mut words = line.splitn(3, ' ');
    let (Some(action), Some(kind), Some(rest)) = (words.next(), words.next(), words.next()) else {
        return format!("`{}`", code(line));
    };
    let symbol = match action {
        "create" => "+",
        "update" => "~",
        "replace" => "-/+",
        "delete" => "-",
        _ => return format!("`{}`", code(line)),
    };
    // The target, with its region when it has its own (`target_label`), then the name.
    let (target, name) = match rest.split_once(' ') {
        Some((rid, more)) if more.starts_with('(') => match more.split_once(") ") {
            Some((region, name)) => (format!("{rid} {region})"), name),
            None => (rest.to_string(), ""),
        },
        Some((rid, name)) => (rid.to_string(), name),
        None => (rest.to_string(), ""),
    };
    let kind = match kind {
        "scheduled_action" => "schedule".to_string(),
        other => other.replace('_', " "),
    };
    let object = if kind == "scalable target" || name.is_empty() {
        format!("**{symbol}** {kind}")
    } else {
        format!("**{symbol}** {kind} `{}`", code(name))
    };
    format!("{object} · {}", text(&endpoint(&target)))
}

/// A plan's note as a reviewer reads it: each scalable target's id in it
/// (`endpoint/foo/variant/bar`) named as the tables name it (`foo · bar`).
fn named(note: &str) -> String {
    let words: Vec<String> = note
        .split(' ')
        .map(|word| {
            let start = word.len() - word.trim_start_matches('(').len();
            let id = word[start..].trim_end_matches([':', ',', '.', ';', ')']);
            if id.starts_with("endpoint/") || id.starts_with("inference-component/") {
                format!("{}{}{}", &word[..start], endpoint(id), &word[start + id.len()..])
            } else {
                word.to_string()
            }
        })
        .collect();
    words.join(" ")
}

/// The changes that failed, each with its endpoint, object and what AWS said (with the way
/// out), first: the reviewer's five seconds go to what needs doing.
fn failures(plan: &Plan, report: &ApplyReport) -> String {
    let failed: Vec<String> = report
        .changes
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(e) => {
                let change = plan.changes.iter().find(|c| key(c) == report_key(r))?;
                let label = super::target_label(r.region.as_deref(), &r.resource_id);
                Some(format!(
                    "> - {}: {}: {}",
                    text(&endpoint(&label)),
                    object(change),
                    text(e)
                ))
            }
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        return String::new();
    }
    let what = if failed.len() == 1 { "change" } else { "changes" };
    format!(
        "> [!CAUTION]\n> **{} {what} failed**; the changes after it on the same endpoint were not attempted:\n{}\n\n",
        failed.len(),
        failed.join("\n")
    )
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
            // The error itself is in the failures block at the top: the table stays narrow.
            let word = match &r.outcome {
                Outcome::Applied => "✅&nbsp;applied",
                Outcome::Failed(_) => "❌&nbsp;**failed**",
                Outcome::NotAttempted => NOT_ATTEMPTED,
                Outcome::RemovedWithTarget => "✅&nbsp;removed with the target",
            };
            (report_key(r), word.to_string())
        })
        .collect()
}

fn report_key(r: &crate::apply::ChangeReport) -> Key {
    (r.region.clone(), r.kind, r.resource_id.clone(), r.name.clone())
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

#[cfg(test)]
mod tests {
    use super::{change_line, named};

    #[test]
    fn notes_name_targets_as_the_tables_do() {
        assert_eq!(
            named("endpoint/foo/variant/AllTraffic: lowering max_capacity from 9 to 4 stops instances"),
            "foo · AllTraffic: lowering max_capacity from 9 to 4 stops instances"
        );
        assert_eq!(
            named("alarm a fires p of endpoint/foo/variant/v1 but (inference-component/ic-1) is left"),
            "alarm a fires p of foo · v1 but (ic-1 (inference component)) is left"
        );
        // Not a target's id: left as it is.
        assert_eq!(
            named("arn:aws:x:endpoint/foo/variant/v1 a/b"),
            "arn:aws:x:endpoint/foo/variant/v1 a/b"
        );
    }

    #[test]
    fn a_markers_change_line_reads_as_the_tables() {
        assert_eq!(
            change_line(
                "update scalable_target endpoint/foo/variant/v1 sagemaker:variant:DesiredInstanceCount"
            ),
            "**~** scalable target · foo · v1"
        );
        assert_eq!(
            change_line("create scaling_policy endpoint/foo/variant/v1 (eu-west-1) CPUUtil-ScalingPolicy"),
            "**+** scaling policy `CPUUtil-ScalingPolicy` · foo · v1 (eu-west-1)"
        );
        assert_eq!(
            change_line("delete alarm inference-component/ic my alarm"),
            "**-** alarm `my alarm` · ic (inference component)"
        );
        assert_eq!(change_line("odd"), "`odd`");
    }
}
