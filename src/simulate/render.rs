//! A simulation report as text (terminal) and markdown (PR comment, job summary), with a
//! mermaid `xychart-beta` chart of capacity over time.

use std::fmt::Write as _;

use super::{Replayed, Report, TargetReport};
use crate::timestamp::format_utc;

/// Points per chart line: one per 2 hours over 7 days.
const CHART_POINTS: usize = 84;
/// Charts in one markdown report, to stay well inside a comment's size.
const MAX_CHARTS: usize = 10;

/// The report as plain text.
pub fn text(r: &Report) -> String {
    let mut out = heading(r);
    out.push('\n');
    for t in &r.targets {
        let _ = writeln!(out, "\n{}", t.target);
        let _ = writeln!(out, "  {:<36} {:>12} {:>12}", "", "current", "proposed");
        for (label, old, new) in rows(t) {
            let _ = writeln!(out, "  {label:<36} {old:>12} {new:>12}");
        }
        for n in notes(t) {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    out
}

/// The report as markdown, with charts, for a comment or job summary.
pub fn markdown(r: &Report) -> String {
    let mut out = format!("### Simulation\n\n{}\n", heading(r));
    for (i, t) in r.targets.iter().enumerate() {
        let _ = writeln!(out, "\n#### `{}`\n", t.target);
        let _ = writeln!(out, "| | current | proposed |\n|---|---|---|");
        for (label, old, new) in rows(t) {
            let _ = writeln!(out, "| {label} | {old} | {new} |");
        }
        if i < MAX_CHARTS {
            out.push('\n');
            out.push_str(&chart(r, t));
        }
        for n in notes(t) {
            let _ = writeln!(out, "\n> {n}");
        }
    }
    if r.targets.len() > MAX_CHARTS {
        let _ = writeln!(out, "\nCharts for the first {MAX_CHARTS} targets only.");
    }
    out
}

fn heading(r: &Report) -> String {
    let end = r.start + 60 * r.minutes as i64;
    format!(
        "What each config would have done with the metrics of the last {} day(s), {} to {} (UTC), replayed minute by minute. A model, not a promise: see docs/simulate.md.",
        r.days,
        format_utc(r.start),
        format_utc(end)
    )
}

fn rows(t: &TargetReport) -> Vec<(String, String, String)> {
    let both =
        |f: &dyn Fn(&Replayed) -> String| (t.baseline.as_ref().map_or("-".to_string(), f), f(&t.proposed));
    let mut rows = Vec::new();
    let (a, b) = both(&|o| format!("{:.1}", o.instance_hours));
    rows.push(("instance-hours".to_string(), a, b));
    let (a, b) = both(&|o| o.cost.map_or("- (no --price)".into(), |c| format!("${c:.2}")));
    rows.push(("estimated cost".to_string(), a, b));
    let (a, b) = both(&|o| format!("{} min", o.backlog_without_capacity_minutes));
    rows.push(("time with backlog and no capacity".to_string(), a, b));
    let (a, b) = both(&|o| o.scaling_events.to_string());
    rows.push(("scaling events".to_string(), a, b));
    rows
}

fn notes(t: &TargetReport) -> Vec<String> {
    let mut out = Vec::new();
    if t.baseline.is_none() {
        out.push("not in the baseline: only the proposed config is simulated".to_string());
    }
    if !t.missing_metrics.is_empty() {
        out.push(format!(
            "no data for {}: policies on them never acted",
            t.missing_metrics.join(", ")
        ));
    }
    out.extend(t.notes.iter().cloned());
    out
}

/// Capacity over time, the maximum of each bucket so that short peaks stay visible.
fn chart(r: &Report, t: &TargetReport) -> String {
    let bucket = r.minutes.div_ceil(CHART_POINTS).max(1);
    let line = |o: &Replayed| -> Vec<i32> {
        o.desired
            .chunks(bucket)
            .map(|c| c.iter().copied().max().unwrap_or(0))
            .collect()
    };
    let new = line(&t.proposed);
    let old = t.baseline.as_ref().map(line);
    let top = new
        .iter()
        .chain(old.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let hours = r.minutes.div_ceil(60);
    let list = |v: &[i32]| v.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
    let mut out = String::from("```mermaid\nxychart-beta\n");
    let what = if old.is_some() {
        "capacity: current (first line) vs proposed (second)"
    } else {
        "capacity: proposed"
    };
    let _ = writeln!(out, "    title \"{what}, max per {} min\"", bucket);
    let _ = writeln!(out, "    x-axis \"hours\" 0 --> {hours}");
    let _ = writeln!(out, "    y-axis \"capacity\" 0 --> {top}");
    if let Some(old) = &old {
        let _ = writeln!(out, "    line [{}]", list(old));
    }
    let _ = writeln!(out, "    line [{}]", list(&new));
    out.push_str("```\n");
    out
}
