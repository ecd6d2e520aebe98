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

/// The report as markdown, with charts, for a comment or job summary. With no metrics at all
/// it says so first and draws no (flat) chart.
pub fn markdown(r: &Report) -> String {
    if r.targets.iter().all(|t| t.no_data) {
        return format!("### Simulation\n\n{}\n", no_metrics(r));
    }
    let mut out = format!("### Simulation\n\n{}\n\n{}\n", headline(r), heading(r));
    for (i, t) in r.targets.iter().enumerate() {
        let _ = writeln!(out, "\n#### {}\n", crate::render::endpoint_name(&t.target));
        if t.no_data {
            let _ = writeln!(out, "No metrics in the period: nothing to replay.");
            continue;
        }
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

/// Said first when no target had any metric in the period: there was nothing to replay.
fn no_metrics(r: &Report) -> String {
    format!(
        "> [!NOTE]\n> **No metrics** in the last {} day(s) for {}: nothing to replay, so no cost or risk to compare. Endpoints that have served traffic publish their metrics to CloudWatch; new ones have none yet.",
        r.days,
        r.targets
            .iter()
            .map(|t| crate::render::endpoint_name(&t.target))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The line a reviewer reads first, near the top of the PR comment: the monthly cost change
/// (as Infracost's comment opens with it) and the minutes with a backlog and no capacity,
/// current -> proposed; "no metrics" when there was nothing to replay.
pub fn cost_and_risk(r: &Report) -> String {
    if r.targets.iter().all(|t| t.no_data) {
        return format!(
            "**Simulation**: no metrics in the last {} day(s), nothing to compare.",
            r.days
        );
    }
    let sum = |f: &dyn Fn(&Replayed) -> f64, baseline: bool| total(r, f, baseline).unwrap_or(0.0);
    let has_baseline = r.targets.iter().any(|t| t.baseline.is_some());
    let month = 30.0 / f64::from(r.days.max(1));
    let mut parts = Vec::new();
    if r.targets.iter().all(|t| t.proposed.cost.is_some()) {
        let cost = |baseline| sum(&|o| o.cost.unwrap_or(0.0), baseline) * month;
        let new = cost(false);
        parts.push(if has_baseline {
            let old = cost(true);
            let change = if old > 0.0 {
                format!(" ({:+.0} %)", (new - old) / old * 100.0)
            } else {
                String::new()
            };
            format!("cost **${old:.2} → ${new:.2} a month**{change}")
        } else {
            format!("cost **${new:.2} a month**")
        });
    }
    let minutes = |baseline| sum(&|o| o.backlog_without_capacity_minutes as f64, baseline);
    parts.push(if has_baseline {
        format!(
            "minutes with backlog and no capacity **{:.0} → {:.0}**",
            minutes(true),
            minutes(false)
        )
    } else {
        format!("minutes with backlog and no capacity **{:.0}**", minutes(false))
    });
    format!(
        "**Simulation** (last {} day(s), details below): {}.",
        r.days,
        parts.join(" · ")
    )
}

/// `f` summed over every target's baseline (or proposed) replay; None when there is none.
fn total(r: &Report, f: &dyn Fn(&Replayed) -> f64, baseline: bool) -> Option<f64> {
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
}

/// The numbers a reviewer looks for first, over every target: current -> proposed.
fn headline(r: &Report) -> String {
    let total = |f: &dyn Fn(&Replayed) -> f64, baseline: bool| total(r, f, baseline);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn replayed(cost: f64, backlog: usize) -> Replayed {
        Replayed {
            instance_hours: cost,
            cost: Some(cost),
            backlog_without_capacity_minutes: backlog,
            scaling_events: 0,
            desired: Vec::new(),
        }
    }

    fn report(targets: Vec<TargetReport>) -> Report {
        Report {
            days: 7,
            start: 0,
            minutes: 7 * 1440,
            targets,
            calls: 0,
        }
    }

    fn target(baseline: Option<Replayed>, proposed: Replayed, no_data: bool) -> TargetReport {
        TargetReport {
            target: "endpoint/ep/variant/AllTraffic".into(),
            baseline,
            proposed,
            missing_metrics: Vec::new(),
            no_data,
            notes: Vec::new(),
        }
    }

    #[test]
    fn the_cost_line_is_monthly_with_its_change_and_the_risk_beside_it() {
        // $70 a week -> $300 a month; $84 a week -> $360 a month: +20 %.
        let r = report(vec![target(Some(replayed(70.0, 0)), replayed(84.0, 3), false)]);
        assert_eq!(
            cost_and_risk(&r),
            "**Simulation** (last 7 day(s), details below): cost **$300.00 → $360.00 a month** (+20 %) · minutes with backlog and no capacity **0 → 3**."
        );
    }

    #[test]
    fn no_metrics_is_said_first_and_draws_no_chart() {
        let r = report(vec![target(None, replayed(0.0, 0), true)]);
        assert_eq!(
            cost_and_risk(&r),
            "**Simulation**: no metrics in the last 7 day(s), nothing to compare."
        );
        let md = markdown(&r);
        assert!(
            md.starts_with("### Simulation\n\n> [!NOTE]\n> **No metrics**"),
            "{md}"
        );
        assert!(!md.contains("mermaid"), "{md}");
    }
}
