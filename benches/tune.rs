//! `tune` measured: how long the search of one endpoint over 7 days of one-minute history
//! takes on one core, and how its recommendation does on a held-out week against the
//! baselines run by the same engine, on a synthetic week and walk-forward on four weeks of a
//! public trace (NASA-HTTP, July 1995). `cargo bench --bench tune`; docs/benchmarks.md holds
//! a run. Prints markdown.
#![allow(clippy::expect_used)] // a benchmark: a broken set-up should stop it loudly

use std::time::Instant;

use sagemaker_autoscale::check::check_text;
use sagemaker_autoscale::config::parse_text;
use sagemaker_autoscale::keywords::Keyword;
use sagemaker_autoscale::simulate::History;
use sagemaker_autoscale::simulate::signals::Signals;
use sagemaker_autoscale::tune::{Row, Settings, goal::Goal, replay_rows, tune_target};

const SEED: &str = "[[endpoint]]\nname = \"ep\"\nvariant = \"prod\"\nmin_capacity = 0\nmax_capacity = 12\npreset = \"async-cpu\"\n";
/// Requests one instance takes a minute, and the instances the history was recorded under.
const PER_INSTANCE: f64 = 10.0;
const RECORDED: i32 = 12;

/// `days` of a daily cycle peaking near 80 requests a minute, idle from 22:00 to 06:00, with
/// noise; `growth` scales the whole load (a busier second week).
fn arrivals(days: usize, seed: u64, growth: f64) -> Vec<f64> {
    let mut state = seed;
    (0..days * 1440)
        .map(|m| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let noise = (state >> 33) as f64 / f64::from(u32::MAX) - 0.5;
            let hour = (m % 1440) / 60;
            if !(6..22).contains(&hour) {
                return 0.0;
            }
            let phase = (m % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
            ((40.0 - 40.0 * phase.cos() + 20.0 * noise) * growth)
                .max(0.0)
                .round()
        })
        .collect()
}

/// A history recorded under a fixed `RECORDED` instances, every request served in its minute,
/// its first minute at `start` (epoch seconds; daily floors are searched in UTC hours).
fn history(start: i64, arrivals: &[f64]) -> History {
    let desired = check_text("autoscaling.toml", SEED).desired.expect("valid");
    let mut fixed = desired.targets[0].clone();
    fixed.policies.clear();
    (fixed.min_capacity, fixed.max_capacity) = (RECORDED, RECORDED);
    let n = arrivals.len();
    let mut s = Signals::new(start, n);
    s.record("AWS/SageMaker", "ApproximateBacklogSize", vec![Some(0.0); n]);
    s.record(
        "AWS/SageMaker",
        "InvocationsProcessed",
        arrivals.iter().map(|a| Some(*a)).collect(),
    );
    let cpu = arrivals
        .iter()
        .map(|a| Some(100.0 * a / (PER_INSTANCE * f64::from(RECORDED))));
    s.record("/aws/sagemaker/Endpoints", "CPUUtilization", cpu.collect());
    History {
        target: desired.targets[0].clone(),
        baseline: Some(fixed),
        signals: s,
        missing: Vec::new(),
    }
}

fn main() {
    let raw = parse_text("autoscaling.toml", SEED);
    let mut goal = Goal::default();
    goal.set("backlog_minutes_per_week=60").expect("goal");
    goal.set("max_backlog=200").expect("goal");
    let settings = Settings {
        days: 7,
        goal,
        price: Some(1.0),
        startup_minutes: 5,
        throughput: Some(PER_INSTANCE),
    };
    let train = history(0, &arrivals(7, 42, 1.0));
    let runs = 3;
    let mut times = Vec::new();
    let mut tuned = None;
    for _ in 0..runs {
        let started = Instant::now();
        let t = tune_target("autoscaling.toml", SEED, &raw, &train, &settings, &mut |_, _| {});
        times.push(started.elapsed().as_secs_f64());
        tuned = Some(t);
    }
    let tuned = tuned.expect("ran");
    assert!(tuned.met, "{tuned:#?}");
    times.sort_by(f64::total_cmp);
    println!("| history | configs replayed | min | median | max |");
    println!("|---|---|---|---|---|");
    println!(
        "| 7 days, one endpoint | {} | {:.2} s | {:.2} s | {:.2} s |\n",
        tuned.tried,
        times[0],
        times[runs / 2],
        times[runs - 1]
    );

    // Held out: the next week, 10 % busier, with other noise; nothing is re-tuned.
    let test = history(0, &arrivals(7, 7, 1.1));
    let again = replay_rows(&raw, &test, &settings, &tuned.rows);
    let best = again
        .iter()
        .find(|r| r.label == "recommended")
        .expect("recommended");
    println!(
        "| config (chosen on week 1) | instance-hours/month, week 1 | week 2 (held out) | meets the goal in week 2 | week 2 cost / recommended's |"
    );
    println!("|---|--:|--:|---|--:|");
    for (r, chosen) in again.iter().zip(&tuned.rows) {
        println!(
            "| {} | {:.0} | {:.0} | {} | {:.2} |",
            r.label,
            chosen.cost_per_month,
            r.cost_per_month,
            if r.meets { "yes" } else { "no" },
            r.cost_per_month / best.cost_per_month
        );
    }
    println!();
    nasa_walk_forward();
}

/// The NASA trace's first minute, 1995-07-01T04:00:00Z (00:00 EDT).
const NASA_START: i64 = 804_571_200;
/// NASA's requests are divided by 5 at `PER_INSTANCE`: 50 a minute per instance, so the
/// launch-day peak (405 a minute) needs 8.1 instances, 9.7 under the 1.2 x check.
const NASA_SCALE: f64 = 5.0;
const WEEK: usize = 10_080;

/// Per-minute requests of tests/fixtures/traces/nasa_http_1995_jul_per_minute.csv.
fn nasa() -> Vec<f64> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/traces/nasa_http_1995_jul_per_minute.csv"
    );
    std::fs::read_to_string(path)
        .expect("fixture")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("minute"))
        .filter_map(|l| l.split(',').nth(1)?.parse::<f64>().ok())
        .collect()
}

/// Tuned on NASA's weeks 1-2, the rows replayed unchanged on week 3 and on week 4 (6.5 days:
/// the July log stops on the 28th), each its own history, as src/tune/tests.rs does.
fn nasa_walk_forward() {
    let raw = parse_text("autoscaling.toml", SEED);
    let mut goal = Goal::default();
    goal.set("max_backlog=60").expect("goal");
    goal.set("backlog_minutes_per_week=60").expect("goal");
    let settings = Settings {
        days: 14,
        goal,
        price: Some(1.0),
        startup_minutes: 5,
        throughput: Some(PER_INSTANCE),
    };
    let arrivals: Vec<f64> = nasa().iter().map(|r| r / NASA_SCALE).collect();
    let started = Instant::now();
    let train = history(NASA_START, &arrivals[..2 * WEEK]);
    let tuned = tune_target("autoscaling.toml", SEED, &raw, &train, &settings, &mut |_, _| {});
    println!(
        "NASA-HTTP, weeks 1-2: {} configs replayed in {:.2} s; met: {}; {}\n",
        tuned.tried,
        started.elapsed().as_secs_f64(),
        tuned.met,
        tuned.driver
    );
    let held_out = |from: usize, to: usize| {
        let h = history(NASA_START + 60 * from as i64, &arrivals[from..to]);
        replay_rows(&raw, &h, &settings, &tuned.rows)
    };
    let (week3, week4) = (held_out(2 * WEEK, 3 * WEEK), held_out(3 * WEEK, arrivals.len()));
    print_walk_forward(&tuned.rows, &week3, &week4);
}

fn print_walk_forward(train: &[Row], week3: &[Row], week4: &[Row]) {
    let cost = |rows: &[Row]| {
        rows.iter()
            .find(|r| r.label == "recommended")
            .map_or(f64::NAN, |r| r.cost_per_month)
    };
    let (best3, best4) = (cost(week3), cost(week4));
    let yes = |r: &Row| if r.meets { "yes" } else { "no" };
    println!(
        "| config (chosen on weeks 1-2) | values | instance-hours/month, weeks 1-2 | week 3 | week 4 | meets: weeks 1-2 / 3 / 4 | cost / recommended's, week 3 / week 4 |"
    );
    println!("|---|---|--:|--:|--:|---|--:|");
    for ((t, a), b) in train.iter().zip(week3).zip(week4) {
        println!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {} / {} / {} | {:.2} / {:.2} |",
            t.label,
            values(t),
            t.cost_per_month,
            a.cost_per_month,
            b.cost_per_month,
            yes(t),
            yes(a),
            yes(b),
            a.cost_per_month / best3,
            b.cost_per_month / best4
        );
    }
}

/// A row's values in a few words.
fn values(r: &Row) -> String {
    if let Some(c) = r.fixed_capacity {
        return format!("fixed {c}");
    }
    let Some(k) = &r.knobs else {
        return String::new();
    };
    let preset = k.preset.map_or("policy", |p| p.as_str());
    let cooldowns = format!(
        "{}/{} s",
        k.scale_in_cooldown.unwrap_or_default(),
        k.scale_out_cooldown.unwrap_or_default()
    );
    let floor = k
        .floor
        .as_ref()
        .map(|f| format!(", floor {} {:02}-{:02} UTC", f.min, f.from, f.to))
        .unwrap_or_default();
    format!(
        "{preset} {}, min {} max {}, {cooldowns}{floor}",
        k.target, k.min_capacity, k.max_capacity
    )
}
