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
    let mut out = format!("### Simulation\n\n{}\n\n{}\n", headline(r), heading(r));
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

/// The numbers a reviewer looks for first, over every target: current -> proposed.
fn headline(r: &Report) -> String {
    let total = |f: &dyn Fn(&Replayed) -> f64, baseline: bool| -> Option<f64> {
        let values: Vec<f64> = r
            .targets
            .iter()
            .filter_map(|t| {
                if baseline {
                    t.baseline.as_ref()
                } else {
                    Some(&t.proposed)
                }
            })
            .map(f)
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    };
    let pair = |f: &dyn Fn(&Replayed) -> f64, show: &dyn Fn(f64) -> String| match total(f, true) {
        Some(old) => format!("{} → **{}**", show(old), show(total(f, false).unwrap_or(0.0))),
        None => format!("**{}**", show(total(f, false).unwrap_or(0.0))),
    };
    let mut parts = vec![
        format!(
            "instance-hours {}",
            pair(&|o| o.instance_hours, &|v| format!("{v:.1}"))
        ),
        format!(
            "minutes with backlog and no capacity {}",
            pair(&|o| o.backlog_without_capacity_minutes as f64, &|v| format!(
                "{v:.0}"
            ))
        ),
    ];
    if r.targets.iter().all(|t| t.proposed.cost.is_some()) && !r.targets.is_empty() {
        parts.insert(
            1,
            format!(
                "cost {}",
                pair(&|o| o.cost.unwrap_or(0.0), &|v| format!("${v:.2}"))
            ),
        );
    }
    let which = if r.targets.iter().any(|t| t.baseline.is_some()) {
        "current → proposed"
    } else {
        "proposed"
    };
    format!("**Last {} day(s), {which}**: {}.", r.days, parts.join(" · "))
}

fn heading(r: &Report) -> String {
    let end = r.start + 60 * r.minutes as i64;
    format!(
        "What each config would have done with the metrics of the last {} day(s), {} to {} (UTC), replayed minute by minute. A model, not a promise: the rules it follows are in sagemaker-autoscale's docs/simulate.md.",
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
    // Blue and orange read on GitHub's light and dark pages alike; mermaid draws the legend
    // where it can, and the line under the chart names the colours where it cannot.
    let palette = if old.is_some() {
        "#2f81f7, #f0883e"
    } else {
        "#f0883e"
    };
    let mut out = format!(
        "```mermaid\n%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{palette}\"}}}}, \"xyChart\": {{\"showLegend\": true}}}}}}%%\nxychart-beta\n"
    );
    let _ = writeln!(out, "    title \"capacity, highest per {bucket} min\"");
    let _ = writeln!(out, "    x-axis \"hours\" 0 --> {hours}");
    // A top of 8 or more makes every tick a whole instance (the axis picks ten ticks).
    let _ = writeln!(out, "    y-axis \"instances\" 0 --> {}", top.max(8));
    if let Some(old) = &old {
        let _ = writeln!(out, "    line \"current\" [{}]", list(old));
    }
    let _ = writeln!(out, "    line \"proposed\" [{}]", list(&new));
    out.push_str("```\n");
    out.push_str(if old.is_some() {
        "<sub>Blue: current config · orange: proposed (where they agree, orange covers blue).</sub>\n"
    } else {
        "<sub>Orange: proposed config (no current one to compare).</sub>\n"
    });
    out
}
