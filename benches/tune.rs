//! How long `tune` searches one endpoint: 7 days of one-minute history (a daily cycle with
//! noise and idle nights), on one core. `cargo bench --bench tune`; docs/benchmarks.md holds
//! a run. Prints markdown.

#![allow(clippy::expect_used)] // a benchmark: a broken set-up should stop it loudly

use std::time::Instant;

use sagemaker_autoscale::check::check_text;
use sagemaker_autoscale::simulate::History;
use sagemaker_autoscale::simulate::signals::Signals;
use sagemaker_autoscale::tune::{Settings, goal::Goal, tune_target};

const SEED: &str = "[[endpoint]]\nname = \"ep\"\nvariant = \"prod\"\nmin_capacity = 0\nmax_capacity = 12\npreset = \"async-cpu\"\n";

fn main() {
    let days = 7;
    let n = days * 1440;
    // A daily cycle peaking at 80 requests a minute, idle from 22:00 to 06:00, with noise.
    let mut seed: u64 = 42;
    let arrivals: Vec<f64> = (0..n)
        .map(|m| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let noise = (seed >> 33) as f64 / f64::from(u32::MAX) - 0.5;
            let hour = (m % 1440) / 60;
            if !(6..22).contains(&hour) {
                return 0.0;
            }
            let phase = (m % 1440) as f64 / 1440.0 * std::f64::consts::TAU;
            (40.0 - 40.0 * phase.cos() + 20.0 * noise).max(0.0).round()
        })
        .collect();
    let desired = check_text("autoscaling.toml", SEED).desired.expect("valid");
    let mut fixed = desired.targets[0].clone();
    fixed.policies.clear();
    (fixed.min_capacity, fixed.max_capacity) = (12, 12);
    let mut s = Signals::new(0, n);
    s.record("AWS/SageMaker", "ApproximateBacklogSize", vec![Some(0.0); n]);
    s.record(
        "AWS/SageMaker",
        "InvocationsProcessed",
        arrivals.iter().map(|a| Some(*a)).collect(),
    );
    s.record(
        "/aws/sagemaker/Endpoints",
        "CPUUtilization",
        arrivals.iter().map(|a| Some(100.0 * a / 120.0)).collect(),
    );
    let h = History {
        target: desired.targets[0].clone(),
        baseline: Some(fixed),
        signals: s,
        missing: Vec::new(),
    };
    let raw = sagemaker_autoscale::config::parse_text("autoscaling.toml", SEED);
    let mut goal = Goal::default();
    goal.set("backlog_minutes_per_week=60").expect("goal");
    goal.set("max_backlog=200").expect("goal");
    let settings = Settings {
        days: days as u32,
        goal,
        price: Some(1.0),
        startup_minutes: 5,
        throughput: Some(10.0),
    };
    let runs = 3;
    let mut times = Vec::new();
    let mut tried = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let t = tune_target("autoscaling.toml", SEED, &raw, &h, &settings, &mut |_, _| {});
        times.push(started.elapsed().as_secs_f64());
        tried = t.tried;
        assert!(t.met, "{t:#?}");
    }
    times.sort_by(f64::total_cmp);
    println!("| history | configs replayed | min | median | max |");
    println!("|---|---|---|---|---|");
    println!(
        "| {days} days, one endpoint | {tried} | {:.2} s | {:.2} s | {:.2} s |",
        times[0],
        times[runs / 2],
        times[runs - 1]
    );
}
