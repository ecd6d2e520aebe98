//! Ownership on the faithful stand-in: what the tool registers carries its tags; a removal
//! from the config is a destroy, but only of what this stack's tags prove it made.

use std::collections::BTreeSet;

use aws_sdk_applicationautoscaling::types as aas;
use serde_json::Value;

use crate::common::{Case, block_on, policies, register, targets};

const A: &str = "endpoint/ep-a/variant/AllTraffic";
const B: &str = "endpoint/ep-b/variant/AllTraffic";
const A_ALARM: &str = "ep-a-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy";
const B_ALARM: &str = "ep-b-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy";

const ENDPOINT_A: &str = r#"
[[endpoint]]
name = "ep-a"
max_capacity = 4
preset = "async-cpu"

[[endpoint.schedule]]
name = "nightly"
schedule = "cron(0 20 * * ? *)"
max_capacity = 2
"#;

const ENDPOINT_B: &str = r#"
[[endpoint]]
name = "ep-b"
max_capacity = 3
preset = "async-cpu"
"#;

fn both() -> String {
    format!("{ENDPOINT_A}{ENDPOINT_B}")
}

/// (action, kind, resource id) of every change.
fn changes(plan: &Value) -> BTreeSet<(String, String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("action"), s("kind"), s("resource_id"))
        })
        .collect()
}

fn warnings(plan: &Value) -> String {
    plan["warnings"].to_string()
}

async fn tags(case: &Case, rid: &str) -> Vec<(String, String)> {
    let (aas, _) = case.aws.clients().await;
    let Some(arn) = targets(&aas, rid)
        .await
        .first()
        .and_then(|t| t.scalable_target_arn().map(str::to_string))
    else {
        return Vec::new();
    };
    let out = aas
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("ListTagsForResource");
    let mut tags: Vec<(String, String)> = out.tags().cloned().unwrap_or_default().into_iter().collect();
    tags.sort();
    tags
}

async fn alarm_names(case: &Case) -> Vec<String> {
    let (_, cw) = case.aws.clients().await;
    let out = cw.describe_alarms().send().await.expect("DescribeAlarms");
    out.metric_alarms()
        .iter()
        .filter_map(|a| a.alarm_name().map(str::to_string))
        .filter(|n| !n.starts_with("TargetTracking-"))
        .collect()
}

async fn scheduled(case: &Case, rid: &str) -> usize {
    let (aas, _) = case.aws.clients().await;
    let out = aas
        .describe_scheduled_actions()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_id(rid)
        .send()
        .await
        .expect("DescribeScheduledActions");
    out.scheduled_actions().len()
}

fn ours(stack: &str) -> Vec<(String, String)> {
    vec![
        ("managed-by".into(), "sagemaker-autoscale".into()),
        ("sagemaker-autoscale:stack".into(), stack.into()),
    ]
}

#[test]
fn registered_targets_and_their_alarms_carry_the_tool_and_the_stack() {
    let case = Case::new(&format!("stack = \"acme/models:prod\"\n{ENDPOINT_B}"));
    case.apply();
    block_on(async {
        assert_eq!(tags(&case, B).await, ours("acme/models:prod"));
        let (_, cw) = case.aws.clients().await;
        let alarm = cw
            .describe_alarms()
            .alarm_names(B_ALARM)
            .send()
            .await
            .expect("DescribeAlarms");
        let arn = alarm.metric_alarms()[0].alarm_arn().expect("arn").to_string();
        let out = cw
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .expect("ListTagsForResource");
        let mut alarm_tags: Vec<(String, String)> = out
            .tags()
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        alarm_tags.sort();
        assert_eq!(alarm_tags, ours("acme/models:prod"));
    });
}

#[test]
fn removing_one_of_two_endpoints_destroys_exactly_its_scaling() {
    let case = Case::new(&both());
    case.apply();
    block_on(async {
        let mut alarms = alarm_names(&case).await;
        alarms.sort();
        assert_eq!(alarms, [A_ALARM, B_ALARM]);
        assert_eq!(scheduled(&case, A).await, 1);
    });
    case.file("base.toml", &both());
    case.config(ENDPOINT_B);

    // Without a base nothing says ep-a was ever in the config: nothing is destroyed.
    let before = case.aws.calls().len();
    case.assert_converged();
    assert_eq!(
        case.aws.calls().len() - before,
        4,
        "targets, policies, schedules, alarms"
    );
    let before = case.aws.calls().len();
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!(code, 2, "{plan:#}");
    // The removed endpoint costs its tags; the namespace read whole (small here) holds its
    // policies and schedules already.
    assert_eq!(case.aws.calls().len() - before, 4 + 1, "{:?}", case.aws.calls());
    let destroy = |kind: &str| ("delete".to_string(), kind.to_string(), A.to_string());
    assert_eq!(
        changes(&plan),
        BTreeSet::from([
            destroy("alarm"),
            destroy("scalable_target"),
            destroy("scaling_policy"),
            destroy("scheduled_action"),
        ]),
        "{plan:#}"
    );
    assert_eq!(
        plan["summary"]["destroy"], 5,
        "target, 2 policies, alarm, schedule"
    );

    let applied = case.apply_with(&["--base", "base.toml"]);
    crate::assert_contains(&applied.stdout, "removed with the target");
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        assert!(targets(&aas, A).await.is_empty());
        assert!(policies(&aas, A).await.is_empty());
        assert_eq!(scheduled(&case, A).await, 0);
        assert_eq!(targets(&aas, B).await.len(), 1, "ep-b stays");
        assert_eq!(policies(&aas, B).await.len(), 2, "ep-b keeps its policies");
        assert_eq!(alarm_names(&case).await, vec![B_ALARM.to_string()]);
        assert_eq!(tags(&case, B).await, ours("autoscaling.toml"));
    });
    // Destroyed: the same base now finds nothing to do.
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    // The destroy calls: the alarm, then the target (its policies and schedule go with it).
    let calls = case.aws.calls();
    let writes: Vec<&String> = calls
        .iter()
        .filter(|c| c.starts_with("Delete") || c.starts_with("Deregister"))
        .collect();
    assert_eq!(writes, ["DeleteAlarms", "DeregisterScalableTarget"], "{calls:?}");
}

/// ep-b applied by the tool, ep-a registered by hand, and a base config that names both.
fn b_applied_and_a_by_hand() -> Case {
    let case = Case::new(ENDPOINT_B);
    case.apply();
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        register(&aas, A, 1, 2).await;
    });
    case.file("base.toml", &both());
    case
}

#[test]
fn a_target_registered_by_hand_is_never_planned() {
    // Named by the config before this change (say, a config that never applied it) ...
    let case = b_applied_and_a_by_hand();
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    crate::assert_contains(
        &warnings(&plan),
        &format!("{A} is no longer in the config, but it is not tagged"),
    );
    // ... or found by a scan of the whole namespace.
    let (code, plan) = case.plan_with(&["--scan"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        assert_eq!(targets(&aas, A).await.len(), 1);
    });
}

#[test]
fn two_stacks_in_one_region_never_prune_each_other() {
    let team_a = Case::new(&format!("stack = \"team-a\"\n{ENDPOINT_A}"));
    let team_b = team_a.beside(&format!("stack = \"team-b\"\n{ENDPOINT_B}"));
    team_a.apply();
    team_b.apply();
    for case in [&team_a, &team_b] {
        let (code, plan) = case.plan_with(&["--scan"]);
        assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    }
    // Team a drops its endpoint (keeping another): a scan destroys its own, not team b's.
    team_a.config(&format!(
        "stack = \"team-a\"\n{}",
        ENDPOINT_B.replace("ep-b", "ep-c")
    ));
    let (code, plan) = team_a.plan_with(&["--scan"]);
    assert_eq!(code, 2);
    let touched: BTreeSet<String> = changes(&plan).into_iter().map(|(_, _, rid)| rid).collect();
    assert_eq!(
        touched,
        BTreeSet::from([A.to_string(), "endpoint/ep-c/variant/AllTraffic".to_string()]),
        "{plan:#}"
    );
    team_a.apply_with(&["--scan"]);
    let (code, plan) = team_b.plan_with(&["--scan"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    block_on(async {
        let (aas, _) = team_a.aws.clients().await;
        assert!(targets(&aas, A).await.is_empty());
        assert_eq!(targets(&aas, B).await.len(), 1);
    });
}

#[test]
fn an_adopted_target_is_tagged_on_its_first_apply() {
    let case = Case::new(ENDPOINT_B);
    // Made by hand (or imported): exists, untagged, and new to the config.
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        register(&aas, B, 0, 3).await;
    });
    case.file("base.toml", "");
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!(code, 2);
    let target = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "scalable_target")
        .expect("a target change");
    assert_eq!(target["action"], "update");
    assert_eq!(
        target["fields"],
        serde_json::json!(["tags.managed-by", "tags.sagemaker-autoscale:stack"])
    );
    case.apply_with(&["--base", "base.toml"]);
    block_on(async { assert_eq!(tags(&case, B).await, ours("autoscaling.toml")) });
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
}

#[test]
fn prune_false_turns_a_removal_into_a_warning() {
    let case = Case::new(&both());
    case.apply();
    case.file("base.toml", &both());
    case.config(&format!("prune = false\n{ENDPOINT_B}"));
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    crate::assert_contains(&warnings(&plan), "`prune = false`, so its scaling stays");
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        assert_eq!(targets(&aas, A).await.len(), 1);
    });
}

/// What AWS holds for `rid`, comparably: bounds, policy names and types, schedule count,
/// the endpoint's alarms and the target's tags.
async fn state(case: &Case, rid: &str) -> String {
    let (aas, _) = case.aws.clients().await;
    let bounds: Vec<(i32, i32)> = targets(&aas, rid)
        .await
        .iter()
        .map(|t| (t.min_capacity(), t.max_capacity()))
        .collect();
    let mut names: Vec<String> = policies(&aas, rid)
        .await
        .iter()
        .map(|p| format!("{} {}", p.policy_name(), p.policy_type()))
        .collect();
    names.sort();
    let endpoint = rid.split('/').nth(1).unwrap_or_default();
    let mut alarms: Vec<String> = alarm_names(case)
        .await
        .into_iter()
        .filter(|a| a.starts_with(&format!("{endpoint}-")))
        .collect();
    alarms.sort();
    format!(
        "{bounds:?} {names:?} {} {alarms:?} {:?}",
        scheduled(case, rid).await,
        tags(case, rid).await
    )
}

#[test]
fn detach_then_apply_restores_the_same_state_and_plans_empty() {
    let case = Case::new(&both());
    case.apply();
    let before = block_on(state(&case, A));
    let b_before = block_on(state(&case, B));

    let detached = case.run(&["detach", "ep-a", "--auto-approve"]);
    assert_eq!(detached.code, 0, "{}\n{}", detached.stdout, detached.stderr);
    crate::assert_contains(&detached.stdout, "Plan: 0 to add, 0 to change, 5 to destroy.");
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        assert!(targets(&aas, A).await.is_empty());
        assert!(policies(&aas, A).await.is_empty());
        assert_eq!(scheduled(&case, A).await, 0);
        assert_eq!(alarm_names(&case).await, vec![B_ALARM.to_string()]);
    });
    assert_eq!(block_on(state(&case, B)), b_before, "ep-b is untouched");
    assert_eq!(
        std::fs::read_to_string(case.dir().join("autoscaling.toml"))
            .map(|t| t.contains("ep-a"))
            .ok(),
        Some(true)
    );

    // The deploy happens here; then apply restores the scaling from the config.
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(plan["summary"]["add"], 5, "{plan:#}");
    case.apply();
    assert_eq!(block_on(state(&case, A)), before);
    case.assert_converged();
}

#[test]
fn detach_refuses_a_name_the_config_does_not_have_before_any_aws_call() {
    let case = Case::new(&both());
    let r = case.run(&["detach", "ep-x", "ep-aa", "--auto-approve"]);
    assert_eq!(r.code, 1);
    crate::assert_contains(
        &r.stderr,
        "error: `ep-x` is not an [[endpoint]] or [[inference_component]] of the config",
    );
    crate::assert_contains(&r.stderr, "hint: did you mean `ep-a`?");
    assert!(case.aws.calls().is_empty(), "{:?}", case.aws.calls());
}

#[test]
fn a_removed_endpoints_alarm_named_by_the_old_config_goes_even_without_the_tools_mark() {
    let case = Case::new(&both());
    case.apply();
    // The alarm as import adopts it: someone else's description, kept by every put since.
    block_on(async {
        let (_, cw) = case.aws.clients().await;
        let found = cw
            .describe_alarms()
            .alarm_names(A_ALARM)
            .send()
            .await
            .expect("DescribeAlarms");
        let a = &found.metric_alarms()[0];
        cw.put_metric_alarm()
            .alarm_name(A_ALARM)
            .alarm_description("the platform team's backlog alarm")
            .set_alarm_actions(Some(a.alarm_actions().to_vec()))
            .set_metric_name(a.metric_name().map(str::to_string))
            .set_namespace(a.namespace().map(str::to_string))
            .set_statistic(a.statistic().cloned())
            .set_dimensions(Some(a.dimensions().to_vec()))
            .set_period(a.period())
            .set_evaluation_periods(a.evaluation_periods())
            .set_datapoints_to_alarm(a.datapoints_to_alarm())
            .set_threshold(a.threshold())
            .set_comparison_operator(a.comparison_operator().cloned())
            .set_treat_missing_data(a.treat_missing_data().map(str::to_string))
            .send()
            .await
            .expect("PutMetricAlarm");
    });
    case.assert_converged();
    case.file("base.toml", &both());
    case.config(ENDPOINT_B);
    let (_, plan) = case.plan_with(&["--base", "base.toml"]);
    assert!(
        changes(&plan).contains(&("delete".into(), "alarm".into(), A.into())),
        "the alarm the old config named is deleted with its target: {plan:#}"
    );
    case.apply_with(&["--base", "base.toml"]);
    block_on(async { assert_eq!(alarm_names(&case).await, vec![B_ALARM.to_string()]) });
}

#[test]
fn a_target_deregistered_between_the_reads_is_gone_not_an_error() {
    let case = b_applied_and_a_by_hand();
    // As if someone deleted the endpoint (SageMaker deregisters its target) after the describe.
    case.aws
        .fault("ListTagsForResource", 400, "ResourceNotFoundException", 1, 0);
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!((code, changes(&plan)), (0, BTreeSet::new()), "{plan:#}");
    assert_eq!(case.aws.fault_hits(), 1);
}

#[test]
fn detach_refuses_a_target_another_stack_tagged() {
    let team_a = Case::new(&format!("stack = \"team-a\"\n{ENDPOINT_A}"));
    team_a.apply();
    // Team b's config names the same endpoint, and tries to detach it.
    let team_b = team_a.beside(&format!("stack = \"team-b\"\n{ENDPOINT_A}"));
    let r = team_b.run(&["detach", "ep-a", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    crate::assert_contains(
        &r.stdout,
        "tagged as stack \"team-a\"'s, not this config's (\"team-b\")",
    );
    block_on(async {
        let (aas, _) = team_a.aws.clients().await;
        assert_eq!(targets(&aas, A).await.len(), 1, "still there");
    });
}

#[test]
fn a_stack_that_cannot_be_a_tag_value_is_a_located_error() {
    let checked = sagemaker_autoscale::check_text(
        "autoscaling.toml",
        &format!("stack = \"aws:team#1\"\n{ENDPOINT_B}"),
    );
    let d = &checked.diagnostics[0];
    assert_eq!((d.code, checked.errors()), ("invalid-name", 1));
    crate::assert_contains(&d.message, "stack \"aws:team#1\" starts with `aws:`");
    assert!(checked.desired.is_none());
}
