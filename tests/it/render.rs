//! Every change kind through diff and the three renderers, held in snapshots.

use sagemaker_autoscale::check_text;
use sagemaker_autoscale::plan::{Action, diff};
use sagemaker_autoscale::render;
use sagemaker_autoscale::resource::{Records, desired_records};

fn records(text: &str) -> Records {
    let checked = check_text("t.toml", text);
    assert_eq!(checked.errors(), 0, "{:#?}", checked.diagnostics);
    desired_records(&checked.desired.expect("valid"))
}

const CURRENT: &str = r#"
[[endpoint]]
name = "ep"
max_capacity = 4
preset = "async-cpu"

[[endpoint.policy]]
name = "backlog-steps"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "ApproximateBacklogSize", namespace = "AWS/SageMaker", statistic = "Average", period = 60, evaluation_periods = 1, threshold = 5, comparison = ">" }

[[endpoint.policy]]
name = "queue | <b>age</b>"
type = "target-tracking"
target = 600.0
metric = { custom = { name = "ApproximateAgeOfOldestRequest", namespace = "AWS/SageMaker", statistic = "Maximum" } }

[[endpoint.schedule]]
name = "night"
schedule = "cron(0 20 ? * * *)"
max_capacity = 1
"#;

const DESIRED: &str = r#"
[[endpoint]]
name = "ep"
min_capacity = 1
max_capacity = 6
preset = "async-cpu"
target = 200.0

[[endpoint.policy]]
name = "HasBacklogWithoutCapacity-ScalingPolicy"
alarm = { evaluation_periods = 1, datapoints_to_alarm = 1 }

[[endpoint.policy]]
name = "queue | <b>age</b>"
type = "step"
steps = [{ lower = 0.0, adjustment = 2 }]
alarm = { name = "queue-age", metric = "ApproximateAgeOfOldestRequest", namespace = "AWS/SageMaker", statistic = "Maximum", period = 300, evaluation_periods = 1, threshold = 600, comparison = ">" }

[[endpoint.schedule]]
name = "night"
schedule = "cron(0 21 ? * * *)"
max_capacity = 1

[[endpoint.schedule]]
name = "morning"
schedule = "cron(0 7 ? * MON-FRI *)"
timezone = "Europe/Berlin"
min_capacity = 2
"#;

#[test]
fn every_change_kind_renders() {
    let plan = diff(&records(DESIRED), &records(CURRENT));
    let actions: Vec<(Action, &str, &str)> = plan
        .changes
        .iter()
        .map(|c| (c.action, c.kind.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            (
                Action::Update,
                "scalable_target",
                "sagemaker:variant:DesiredInstanceCount"
            ),
            (Action::Update, "scaling_policy", "CPUUtil-ScalingPolicy"),
            (Action::Replace, "scaling_policy", "queue | <b>age</b>"),
            (
                Action::Update,
                "alarm",
                "ep-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy"
            ),
            (Action::Create, "alarm", "queue-age"),
            (Action::Create, "scheduled_action", "morning"),
            (Action::Update, "scheduled_action", "night"),
            (Action::Delete, "alarm", "ep-AllTraffic-backlog-steps"),
            (Action::Delete, "scaling_policy", "backlog-steps"),
        ]
    );
    assert_eq!(
        (plan.summary.add, plan.summary.change, plan.summary.destroy),
        (3, 4, 3)
    );
    insta::assert_snapshot!("plan_text", render::text(&plan, false));
    insta::assert_snapshot!("plan_markdown", render::markdown(&plan));
    insta::assert_json_snapshot!("plan_json", plan);
}

#[test]
fn no_changes_is_short_and_the_fingerprint_is_stable() {
    let a = diff(&records(CURRENT), &records(CURRENT));
    assert!(a.is_empty());
    assert_eq!(
        render::text(&a, false),
        "No changes. AWS matches the configuration.\nPlan: 0 to add, 0 to change, 0 to destroy.\n"
    );
    assert!(render::markdown(&a).contains("No changes."));
    let p1 = diff(&records(DESIRED), &records(CURRENT));
    let p2 = diff(&records(DESIRED), &records(CURRENT));
    assert_eq!(p1.fingerprint, p2.fingerprint);
    let other = diff(
        &records(&DESIRED.replace("max_capacity = 6", "max_capacity = 7")),
        &records(CURRENT),
    );
    assert_ne!(p1.fingerprint, other.fingerprint);
}

#[test]
fn colour_is_only_added_when_asked() {
    let plan = diff(&records(DESIRED), &records(CURRENT));
    assert!(!render::text(&plan, false).contains('\x1b'));
    assert!(render::text(&plan, true).contains("\x1b[32m"));
}

#[test]
fn a_destroyed_target_is_named_first_with_everything_that_goes() {
    let plan = diff(&Records::new(), &records(CURRENT));
    let text = render::text(&plan, false);
    let markdown = render::markdown(&plan);
    crate::assert_contains(
        &text,
        "destroy: endpoint/ep/variant/AllTraffic is deregistered, with its 4 scaling policies, 2 alarms and 1 scheduled action",
    );
    insta::assert_snapshot!("destroy_text", text);
    insta::assert_snapshot!("destroy_markdown", markdown);
}
