//! The recommendation for people: a frontier table, what drives the choice, the TOML diff.

use super::{Report, Row, TargetTune};

/// The report as terminal text.
pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let unit = if r.price.is_some() {
        "$/month"
    } else {
        "inst-h/month"
    };
    for t in &r.targets {
        out.push_str(&format!("{}\n", t.target));
        out.push_str(&format!("  goal: {}\n", goal_line(&t.goal)));
        if let Some((per, how)) = &t.throughput {
            out.push_str(&format!(
                "  throughput: {per:.1} requests a minute per instance ({})\n",
                match how {
                    crate::simulate::queue::Throughput::Given => "given",
                    crate::simulate::queue::Throughput::Saturated =>
                        "median of the minutes with a standing queue",
                    crate::simulate::queue::Throughput::LowerBound => "lower bound: the queue never stood",
                }
            ));
        }
        for n in &t.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        if t.rows.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(&headline(t, r.price.is_some()));
        out.push_str(&table(t, unit));
        out.push_str(&format!("  {}\n", t.driver));
        out.push_str(&format!("  searched {} configs\n", t.tried));
        if t.diff.is_empty() {
            out.push_str("  the config as it is is the recommendation\n\n");
        } else {
            out.push('\n');
            out.push_str(&t.diff);
            out.push('\n');
        }
    }
    out
}

/// What the recommendation changes, in money (or instance-hours) a month, and whether it holds.
fn headline(t: &TargetTune, priced: bool) -> String {
    let (Some(current), Some(best)) = (t.rows.first(), t.rows.get(1)) else {
        return String::new();
    };
    let amount = |v: f64| {
        if priced {
            format!("${v:.2}")
        } else {
            format!("{v:.1} instance-hours")
        }
    };
    let delta = best.cost_per_month - current.cost_per_month;
    let pct = if current.cost_per_month > 0.0 {
        format!(" ({:+.1} %)", 100.0 * delta / current.cost_per_month)
    } else {
        String::new()
    };
    if !t.met {
        return format!(
            "  no config meets the goal; the closest costs {} a month{pct}\n",
            amount(best.cost_per_month)
        );
    }
    format!(
        "  {}: {} -> {} a month{pct}; meets the goal in every week, also under {} x the load\n",
        best.label,
        amount(current.cost_per_month),
        amount(best.cost_per_month),
        super::search::STRESS
    )
}

fn table(t: &TargetTune, unit: &str) -> String {
    let goal_names: Vec<&str> = t
        .rows
        .first()
        .map(|r| r.goal.iter().map(|p| p.name).collect())
        .unwrap_or_default();
    let mut head = vec![
        "config".to_string(),
        "values".to_string(),
        unit.to_string(),
        "events/day".to_string(),
    ];
    head.extend(goal_names.iter().map(|n| short(n).to_string()));
    head.push("meets".into());
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            let mut v = vec![
                r.label.clone(),
                values(r, t.rows[0].knobs.as_ref()),
                format!("{:.2}", r.cost_per_month),
                format!("{:.1}", r.events_per_day),
            ];
            v.extend(r.goal.iter().map(|p| format!("{:.1} (<= {})", p.value, p.limit)));
            v.push(if r.meets { "yes" } else { "no" }.into());
            v
        })
        .collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([head[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i >= 2 && i + 1 < cells.len() {
                s.push_str(&format!("  {c:>w$}"));
            } else {
                s.push_str(&format!("  {c:<w$}"));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&head);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

/// The row's knob values, short; `current`: the config's, whose step policy goes unsaid.
pub fn values(r: &Row, current: Option<&super::space::Knobs>) -> String {
    if let Some(c) = r.fixed_capacity {
        return format!("fixed at {c}");
    }
    let Some(k) = &r.knobs else {
        return String::new();
    };
    let metric = if k.high_resolution {
        "concurrency (10 s) ".to_string()
    } else {
        k.preset
            .map(|p| format!("{} ", crate::keywords::Keyword::as_str(p)))
            .unwrap_or_default()
    };
    let cd = |c: Option<i32>| c.map_or("-".to_string(), |c| c.to_string());
    format!(
        "{metric}target {} in/out {}/{} s min {}{}{}",
        k.target,
        cd(k.scale_in_cooldown),
        cd(k.scale_out_cooldown),
        k.min_capacity,
        floor(k, " "),
        policies(k, current, " ")
    )
}

/// The goal as limits, or what an empty goal means.
fn goal_line(g: &super::goal::Goal) -> String {
    let parts: Vec<String> = [
        ("backlog_minutes_per_week", g.backlog_minutes_per_week),
        ("max_backlog", g.max_backlog),
        ("max_concurrency_per_instance", g.max_concurrency_per_instance),
        ("max_scaling_events_per_day", g.max_scaling_events_per_day),
    ]
    .iter()
    .filter_map(|(k, v)| v.map(|v| format!("{k} <= {v}")))
    .collect();
    if parts.is_empty() {
        "none given: the cheapest config".into()
    } else {
        format!(
            "{} (every week, also under {} x the load)",
            parts.join(", "),
            super::search::STRESS
        )
    }
}

fn short(goal: &str) -> &str {
    match goal {
        "backlog_minutes_per_week" => "backlog min/week",
        "max_backlog" => "max backlog",
        "max_concurrency_per_instance" => "max concurrency",
        "max_scaling_events_per_day" => "events/day (goal)",
        other => other,
    }
}

/// The report as the PR comment's collapsed section: a summary line that says what tuning
/// would save, then per endpoint the goal, the frontier, what drives it and the diff.
pub fn markdown(r: &Report) -> String {
    let mut out = format!(
        "<details><summary><b>Tune</b> (last {} day(s)): {}</summary>\n\n",
        r.days,
        savings(r)
    );
    for t in &r.targets {
        out.push_str(&target_markdown(t, r.price.is_some()));
    }
    out.push_str(
        "A model, not a promise: docs/tune.md says what it assumes. Nothing here is applied.\n\n</details>\n",
    );
    out
}

/// The summary line: what the recommendations save over every endpoint that has one.
fn savings(r: &Report) -> String {
    let money = |v: f64| {
        if r.price.is_some() {
            format!("${v:.2}")
        } else {
            format!("{v:.1} instance-hours")
        }
    };
    let (now, best): (f64, f64) = r
        .targets
        .iter()
        .filter(|t| t.met)
        .filter_map(|t| Some((t.rows.first()?.cost_per_month, t.rows.get(1)?.cost_per_month)))
        .fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d));
    let mut summary = if best < now {
        format!(
            "the cheapest configs that meet the goal cost <b>{} → {} a month</b> ({:+.0} %)",
            money(now),
            money(best),
            100.0 * (best - now) / now
        )
    } else {
        "the configs as they are are the cheapest that meet the goal".to_string()
    };
    let unmet = r.targets.iter().filter(|t| !t.met).count();
    if unmet > 0 {
        summary.push_str(&format!("; {unmet} endpoint(s) without a recommendation"));
    }
    summary
}

/// One endpoint: its goal, notes, frontier, what drives the choice and the diff.
fn target_markdown(t: &TargetTune, priced: bool) -> String {
    let mut out = format!("#### {}\n\n", crate::render::endpoint_name(&t.target));
    out.push_str(&format!("Goal: {}.\n\n", goal_line(&t.goal)));
    for n in &t.notes {
        out.push_str(&format!("- {}\n", crate::render::escape_markdown(n)));
    }
    if !t.notes.is_empty() {
        out.push('\n');
    }
    if t.rows.is_empty() {
        return out;
    }
    let unit = if priced { "$/month" } else { "inst-h/month" };
    let mut head = format!("| config | values | {unit} | events/day |");
    let mut rule = String::from("|---|---|--:|--:|");
    for p in &t.rows[0].goal {
        head.push_str(&format!(" {} |", short(p.name)));
        rule.push_str("--:|");
    }
    out.push_str(&format!("{head} meets |\n{rule}:-:|\n"));
    for row in &t.rows {
        let label = if row.label == "recommended" {
            "**recommended**".to_string()
        } else {
            row.label.replace("baseline: ", "")
        };
        let mut line = format!(
            "| {label} | {} | {:.2} | {:.1} |",
            compact(row, t.rows[0].knobs.as_ref()),
            row.cost_per_month,
            row.events_per_day
        );
        for p in &row.goal {
            line.push_str(&format!(" {:.1} |", p.value));
        }
        line.push_str(if row.meets { " ✅ |\n" } else { " ❌ |\n" });
        out.push_str(&line);
    }
    out.push_str(&format!("\n{}.\n\n", sentence(&t.driver)));
    if !t.diff.is_empty() {
        out.push_str(&format!("```diff\n{}```\n\n", t.diff));
    }
    out
}

/// A row's values in a table cell: the metric's short name, target, cooldowns, minimum.
fn compact(r: &Row, current: Option<&super::space::Knobs>) -> String {
    if let Some(c) = r.fixed_capacity {
        return format!("fixed at {c}");
    }
    let Some(k) = &r.knobs else {
        return String::new();
    };
    if k.min_capacity == k.max_capacity {
        return format!("fixed at {}", k.min_capacity);
    }
    let metric = match k.preset {
        _ if k.high_resolution => "conc.&nbsp;10&nbsp;s ",
        Some(crate::keywords::Preset::AsyncCpu) => "CPU ",
        Some(crate::keywords::Preset::AsyncBacklog) => "backlog/inst. ",
        _ => "",
    };
    let cd = |c: Option<i32>| c.map_or("-".to_string(), |c| c.to_string());
    format!(
        "{metric}{} · {}/{}&nbsp;s · min&nbsp;{}{}{}",
        k.target,
        cd(k.scale_in_cooldown),
        cd(k.scale_out_cooldown),
        k.min_capacity,
        floor(k, "&nbsp;"),
        policies(k, current, "&nbsp;")
    )
}

/// A daily floor, short: ` · floor 4 07-22 h UTC`, with its days when not every day
/// (` · floor 4 07-22 h UTC MON-FRI`).
fn floor(k: &super::space::Knobs, space: &str) -> String {
    k.floor
        .map(|f| {
            let days = if f.days.is_every_day() {
                String::new()
            } else {
                format!("{space}{}", f.days)
            };
            format!(
                " · floor{space}{} {:02}-{:02}{space}h UTC{days}",
                f.min, f.from, f.to
            )
        })
        .unwrap_or_default()
}

/// No scale-in, and the step policy where it differs from the config's:
/// ` · no scale-in · wake +2 after 1 min, cooldown 120 s`.
fn policies(k: &super::space::Knobs, current: Option<&super::space::Knobs>, space: &str) -> String {
    let mut out = String::new();
    if k.disable_scale_in {
        out.push_str(&format!(" · no{space}scale-in"));
    }
    if let Some(s) = k.step.filter(|s| current.is_some_and(|c| c.step != Some(*s))) {
        out.push_str(&format!(
            " · wake{space}+{} after{space}{}{space}min, cooldown{space}{}{space}s",
            s.adjustment, s.periods, s.cooldown
        ));
    }
    out
}

/// The driver as a sentence: a goal key that opens it stays as written, in code.
fn sentence(driver: &str) -> String {
    match driver.split_once(' ') {
        Some((key, rest)) if key.contains('_') => format!("`{key}` {rest}"),
        _ => capitalised(driver),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
