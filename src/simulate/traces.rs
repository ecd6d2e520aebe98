//! Hand-computed traces the simulator must reproduce exactly. Each test builds its target
//! through the real validator, so the policies are the ones a config would give.

use super::replay::{Event, Model, run};
use super::signals::Signals;
use crate::model::ScalableTarget;

fn target(toml: &str) -> ScalableTarget {
    let checked = crate::check_text("trace.toml", toml);
    let desired = checked
        .desired
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    desired.targets.into_iter().next().expect("one target")
}

fn event(minute: usize, from: i32, to: i32, cause: &str) -> Event {
    Event {
        minute,
        from,
        to,
        cause: cause.to_string(),
    }
}

/// Seed policies, a burst of backlog arriving at an endpoint at zero.
///
/// Minutes 5-64: 100 requests queued; the CPU load is 150 (% of one vCPU, summed over the
/// instance) until minute 9, 200 from minute 10 to 64, then 0.
/// - 5, 6: HasBacklogWithoutCapacity = 1 (no instance); the alarm needs 2 of 2 one-minute
///   datapoints, so it fires at minute 6: +1 (0 -> 1), serving from minute 7.
/// - 7, 8, 9: CPU 150 > 50 on 1 instance; the third datapoint (9) trips target tracking:
///   ceil(1 x 150 / 50) = 3.
/// - 10, 11, 12: CPU 200 / 3 = 66.7 > 50, but the scale-out cooldown (300 s) runs until
///   minute 14; at 14: ceil(3 x 66.7 / 50) = 4, the maximum.
/// - 65-79: CPU 0 < 45 for 15 datapoints; at 79: ceil(4 x 0 / 50) = 0, the minimum.
#[test]
fn seed_policies_on_a_burst_of_backlog_from_zero() {
    let seed = target("[[endpoint]]\nname = \"ep\"\nmax_capacity = 4\npreset = \"async-cpu\"\n");
    let mut s = Signals::new(0, 100);
    let backlog = (0..100)
        .map(|m| Some(if (5..65).contains(&m) { 100.0 } else { 0.0 }))
        .collect();
    s.record("AWS/SageMaker", "ApproximateBacklogSize", backlog);
    // CPU per instance as recorded under one instance: the load.
    let cpu = (0..100)
        .map(|m| {
            Some(match m {
                5..=9 => 150.0,
                10..=64 => 200.0,
                _ => 0.0,
            })
        })
        .collect();
    s.record("/aws/sagemaker/Endpoints", "CPUUtilization", cpu);
    let recorded = vec![1; 100];
    let trace = run(&seed, &s, Some(&recorded), &Model::default());
    assert_eq!(
        trace.events,
        vec![
            event(6, 0, 1, "HasBacklogWithoutCapacity-ScalingPolicy"),
            event(9, 1, 3, "CPUUtil-ScalingPolicy"),
            event(14, 3, 4, "CPUUtil-ScalingPolicy"),
            event(79, 4, 0, "CPUUtil-ScalingPolicy"),
        ]
    );
    assert_eq!(trace.backlog_without_capacity, 2, "minutes 5 and 6");
    let instance_minutes: i32 = trace.desired.iter().sum();
    assert_eq!(instance_minutes, 3 + 5 * 3 + 65 * 4);
    assert_eq!(trace.serving[7], 1);
    assert_eq!(trace.serving[6], 0);
}

/// A start-up time delays serving, not billing: the same burst with 3 minutes of start-up
/// keeps the queue without capacity for 3 more minutes.
#[test]
fn start_up_time_delays_capacity_in_service() {
    let seed = target("[[endpoint]]\nname = \"ep\"\nmax_capacity = 4\npreset = \"async-cpu\"\n");
    let mut s = Signals::new(0, 20);
    s.record("AWS/SageMaker", "ApproximateBacklogSize", vec![Some(100.0); 20]);
    let opts = Model {
        startup_minutes: 3,
        initial: None,
        queue: None,
    };
    let trace = run(&seed, &s, Some(&[1; 20]), &opts);
    assert_eq!(
        trace.events[0],
        event(1, 0, 1, "HasBacklogWithoutCapacity-ScalingPolicy")
    );
    assert_eq!(&trace.serving[..6], &[0, 0, 0, 0, 0, 1]);
    assert_eq!(trace.desired[1], 1);
    assert_eq!(trace.backlog_without_capacity, 5);
}

/// A step policy with three intervals on a queue-depth metric (Sum, threshold 100):
/// [0, 50) +1, [50, 100) +2, [100, inf) +3, cooldown 120 s.
/// - 0: 90, below the threshold.
/// - 1: 120 (delta 20): +1, 1 -> 2; cooldown until minute 3, counted from 1.
/// - 2: 170 (delta 70): +2 within the cooldown counts from the capacity before it: 1 + 2 = 3.
/// - 3: 250 (delta 150): cooldown over: 3 + 3 = 6; cooldown until 5, from 3.
/// - 4: 130 (delta 30): +1 within the cooldown: 3 + 1 = 4 < 6, nothing.
/// - 5, 6: below the threshold.
#[test]
fn a_step_policy_with_three_intervals() {
    let t = target(
        r#"
[[endpoint]]
name = "ep"
min_capacity = 1
max_capacity = 10

[[endpoint.policy]]
name = "queue"
type = "step"
cooldown = 120
steps = [{ lower = 0.0, upper = 50.0, adjustment = 1 }, { lower = 50.0, upper = 100.0, adjustment = 2 }, { lower = 100.0, adjustment = 3 }]
alarm = { metric = "QueueDepth", namespace = "MyApp", statistic = "Sum", period = 60, evaluation_periods = 1, threshold = 100, comparison = ">=" }
"#,
    );
    let mut s = Signals::new(0, 7);
    s.record(
        "MyApp",
        "QueueDepth",
        [90.0, 120.0, 170.0, 250.0, 130.0, 40.0, 60.0].map(Some).to_vec(),
    );
    let trace = run(&t, &s, None, &Model::default());
    assert_eq!(
        trace.events,
        vec![
            event(1, 1, 2, "queue"),
            event(2, 2, 3, "queue"),
            event(3, 3, 6, "queue")
        ]
    );
    assert_eq!(trace.desired, vec![1, 2, 3, 6, 6, 6, 6]);
}

/// A scheduled action raising min at 08:00 on weekdays and lowering it at 18:00. Raising min
/// lifts capacity at once; lowering it does not lower capacity, target tracking does (its
/// CPU has been below 45 for far longer than 15 minutes by then).
#[test]
fn a_scheduled_action_overriding_min() {
    let t = target(
        r#"
[[endpoint]]
name = "ep"
min_capacity = 0
max_capacity = 4
inference = "async"

[[endpoint.policy]]
name = "HasBacklogWithoutCapacity-ScalingPolicy"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "HasBacklogWithoutCapacity", namespace = "AWS/SageMaker", statistic = "Average", period = 60, evaluation_periods = 2, threshold = 1, comparison = ">=" }

[[endpoint.policy]]
name = "cpu"
type = "target-tracking"
target = 50.0
metric = { custom = { name = "CPUUtilization", namespace = "/aws/sagemaker/Endpoints", statistic = "Average" } }

[[endpoint.schedule]]
name = "office-open"
schedule = "cron(0 8 ? * MON-FRI *)"
min_capacity = 2

[[endpoint.schedule]]
name = "office-closed"
schedule = "cron(0 18 ? * MON-FRI *)"
min_capacity = 0
"#,
    );
    // Monday 2026-11-30 07:58 UTC, for 10 h 10 min.
    let start = 1_795_996_800 + 7 * 3600 + 58 * 60;
    let minutes = 610;
    let mut s = Signals::new(start, minutes);
    s.record(
        "AWS/SageMaker",
        "ApproximateBacklogSize",
        vec![Some(0.0); minutes],
    );
    s.record(
        "/aws/sagemaker/Endpoints",
        "CPUUtilization",
        vec![Some(0.0); minutes],
    );
    let trace = run(&t, &s, Some(&vec![1; minutes]), &Model::default());
    // 08:00 is minute 2; 18:00 is minute 602.
    assert_eq!(
        trace.events,
        vec![event(2, 0, 2, "office-open"), event(602, 2, 0, "cpu")]
    );
    assert_eq!(trace.desired[601], 2, "min 2 holds capacity up all day");
}

/// A scale-out ends a running scale-in cooldown (Application Auto Scaling API reference:
/// "if another alarm triggers a scale-out activity during the scale-in cooldown period ... the
/// scale-in cooldown period stops"). Target tracking on a demand metric (queue depth per
/// minute, target 10), scale-in cooldown 30 min, min 1:
/// - 0-14: 2 < 9 for 15 datapoints: at 14, ceil(4 x 2 / 10) = 1; scale-in cooldown to 44.
/// - 15-17: 40 > 10: at 17, ceil(1 x 40 / 10) = 4, which also ends the scale-in cooldown.
/// - 18-32: 2 again: at 32 (15 low datapoints) scale in to 1, although 32 < 44.
#[test]
fn a_scale_out_ends_the_scale_in_cooldown() {
    let t = target(
        r#"
[[endpoint]]
name = "ep"
min_capacity = 1
max_capacity = 8

[[endpoint.policy]]
name = "queue"
type = "target-tracking"
target = 10.0
scale_in_cooldown = 1800
scale_out_cooldown = 0
metric = { custom = { name = "QueueDepth", namespace = "MyApp", statistic = "Average" } }
"#,
    );
    let mut s = Signals::new(0, 40);
    let values = (0..40)
        .map(|m| Some(if (15..18).contains(&m) { 40.0 } else { 2.0 }))
        .collect();
    s.record("MyApp", "QueueDepth", values);
    let opts = Model {
        startup_minutes: 0,
        initial: Some(4),
        queue: None,
    };
    let trace = run(&t, &s, None, &opts);
    assert_eq!(
        trace.events,
        vec![
            event(14, 4, 1, "queue"),
            event(17, 1, 4, "queue"),
            event(32, 4, 1, "queue")
        ]
    );
}

/// An alarm period longer than a minute aggregates each minute as it was served: a schedule
/// brings an instance at minute 2 (serving from 3), so the first 5-minute datapoint of
/// HasBacklogWithoutCapacity is (1 + 1 + 1 + 0 + 0) / 5 = 0.6 >= 0.5 and the step policy adds
/// one at minute 4.
#[test]
fn a_long_alarm_period_sees_each_minute_as_served() {
    let t = target(
        r#"
[[endpoint]]
name = "ep"
inference = "async"
min_capacity = 0
max_capacity = 4

[[endpoint.policy]]
name = "from-zero"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "HasBacklogWithoutCapacity", namespace = "AWS/SageMaker", statistic = "Average", period = 300, evaluation_periods = 1, threshold = 0.5, comparison = ">=" }

[[endpoint.schedule]]
name = "warm-up"
schedule = "at(2026-11-30T00:02:00)"
min_capacity = 1
"#,
    );
    let mut s = Signals::new(1_795_996_800, 6);
    s.record("AWS/SageMaker", "ApproximateBacklogSize", vec![Some(10.0); 6]);
    let trace = run(&t, &s, None, &Model::default());
    assert_eq!(
        trace.events,
        vec![event(2, 0, 1, "warm-up"), event(4, 1, 2, "from-zero")]
    );
}

/// The same jump in concurrency on the standard and the high-resolution metric: per model,
/// 2 until minute 4, then 12 (target 5, 2 instances recorded). The standard alarm fires on
/// the third minute above (minute 6); the 10-second one within the first (minute 4):
/// ceil(2 x 12 / 5) = 5 both times. Back to 2 from minute 10: both scale in after 15 low
/// minutes (minute 24), the same speed (SageMaker guide: scale-in is unchanged).
#[test]
fn a_high_resolution_metric_scales_out_within_its_first_minute() {
    let policy = |metric: &str| {
        target(&format!(
            r#"
[[endpoint]]
name = "ep"
min_capacity = 2
max_capacity = 8

[[endpoint.policy]]
name = "concurrency"
type = "target-tracking"
target = 5.0
scale_out_cooldown = 0
metric = {{ {metric} }}
"#
        ))
    };
    let mut s = Signals::new(0, 30);
    let values = (0..30)
        .map(|m| Some(if (4..10).contains(&m) { 12.0 } else { 2.0 }))
        .collect();
    s.record("AWS/SageMaker", "ConcurrentRequestsPerModel", values);
    let opts = Model {
        startup_minutes: 0,
        initial: Some(2),
        queue: None,
    };
    let minutes = |t: &ScalableTarget| -> Vec<(usize, i32, i32)> {
        run(t, &s, Some(&[2; 30]), &opts)
            .events
            .iter()
            .map(|e| (e.minute, e.from, e.to))
            .collect()
    };
    let high = policy(r#"predefined = "SageMakerVariantConcurrentRequestsPerModelHighResolution""#);
    let standard = policy(
        r#"custom = { name = "ConcurrentRequestsPerModel", namespace = "AWS/SageMaker", statistic = "Average" }"#,
    );
    assert_eq!(minutes(&high)[0], (4, 2, 5));
    assert_eq!(minutes(&standard)[0], (6, 2, 5));
    assert_eq!(minutes(&high).last(), Some(&(24, 5, 2)));
    assert_eq!(minutes(&standard).last(), Some(&(24, 5, 2)));
}

/// Only a target whose policies watch its queue (an async endpoint) has the requests taken
/// from it read for the queue model; a real-time variant does not (2 series fewer each).
#[test]
fn only_targets_that_watch_their_queue_read_what_it_took() {
    let seed = target("[[endpoint]]\nname = \"ep\"\nmax_capacity = 4\npreset = \"async-cpu\"\n");
    let backlog = target("[[endpoint]]\nname = \"ep\"\nmax_capacity = 4\npreset = \"async-backlog\"\n");
    let realtime =
        target("[[endpoint]]\nname = \"rt\"\nmax_capacity = 4\npreset = \"realtime-invocations\"\n");
    assert!(super::watches_the_queue(&seed));
    assert!(super::watches_the_queue(&backlog));
    assert!(!super::watches_the_queue(&realtime));
}
