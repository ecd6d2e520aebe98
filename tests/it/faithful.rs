//! What a real account does and moto does not, through the binary on the faithful stand-in
//! (tests/standin/aws_rules.py): each test here failed on the engine before it was fixed.

use aws_sdk_applicationautoscaling::types as aas;
use aws_sdk_cloudwatch::types as cw;
use serde_json::Value;

use crate::assert_contains;
use crate::common::{ALARM, Case, RID, SEED, block_on, policies, put_predefined_tracking, register, targets};
use crate::run;

/// The seed written out in full (examples/seed-explicit.toml) without its region line.
fn seed_explicit() -> String {
    let text = std::fs::read_to_string(crate::repo().join("examples/seed-explicit.toml")).expect("seed");
    text.lines()
        .filter(|l| !l.starts_with("region"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn summary(plan: &Value) -> (u64, u64, u64) {
    let s = &plan["summary"];
    let n = |k: &str| s[k].as_u64().unwrap_or(0);
    (n("add"), n("change"), n("destroy"))
}

async fn step_arn(aas: &aws_sdk_applicationautoscaling::Client) -> String {
    policies(aas, RID)
        .await
        .iter()
        .find(|p| p.policy_type() == &aas::PolicyType::StepScaling)
        .map(|p| p.policy_arn().to_string())
        .expect("step policy")
}

/// The seed's step alarm as the tool writes it, for tests that re-put it by hand.
fn seed_alarm(
    cw: &aws_sdk_cloudwatch::Client,
    name: &str,
    action: &str,
) -> aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder {
    cw.put_metric_alarm()
        .alarm_name(name)
        .metric_name("HasBacklogWithoutCapacity")
        .namespace("AWS/SageMaker")
        .dimensions(
            cw::Dimension::builder()
                .name("EndpointName")
                .value("infer-endpoint-c356f91")
                .build(),
        )
        .statistic(cw::Statistic::Average)
        .period(60)
        .evaluation_periods(2)
        .datapoints_to_alarm(2)
        .threshold(1.0)
        .comparison_operator(cw::ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("missing")
        .alarm_actions(action)
}

/// The seed's step alarm as this tool wrote it (its description marks it), for tests that
/// re-put it with an operator's edit.
fn our_seed_alarm(
    cw: &aws_sdk_cloudwatch::Client,
    action: &str,
) -> aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder {
    seed_alarm(cw, ALARM, action).alarm_description(format!("Managed by sagemaker-autoscale for {RID}: triggers HasBacklogWithoutCapacity-ScalingPolicy. Edit autoscaling.toml, not this alarm."))
}

/// Sets the seed's step alarm to watch another metric, plans, and returns the plan's alarm
/// change (null when there is none) with the plan.
fn plan_alarm_on_another_metric(case: &Case) -> (Value, Value) {
    case.config(&format!(
        "{SEED}\n[[endpoint.policy]]\nname = \"HasBacklogWithoutCapacity-ScalingPolicy\"\nalarm = {{ metric = \"ApproximateBacklogSize\", threshold = 1 }}\n"
    ));
    let (_, plan) = case.plan();
    let alarm = plan["changes"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["kind"] == "alarm"))
        .cloned()
        .unwrap_or_default();
    (alarm, plan)
}

#[test]
fn renaming_a_target_tracking_policy_on_the_same_metric_is_a_replace_that_deletes_first() {
    let case = Case::new(&seed_explicit());
    case.apply();
    case.config(&seed_explicit().replace("CPUUtil-ScalingPolicy", "cpu-tracking"));
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    let change = &plan["changes"][0];
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(1), "{plan:#}");
    assert_eq!(
        (
            change["action"].as_str(),
            change["name"].as_str(),
            change["replaces"].as_str()
        ),
        (
            Some("replace"),
            Some("cpu-tracking"),
            Some("CPUUtil-ScalingPolicy")
        )
    );
    assert_eq!(summary(&plan), (1, 0, 1));
    let text = case.run(&["plan"]).stdout;
    assert!(
        text.contains("-/+ scaling_policy cpu-tracking (replaces CPUUtil-ScalingPolicy"),
        "{text}"
    );
    // AWS refuses a second target-tracking policy on the same metric: creating first fails.
    case.apply();
    case.assert_converged();
    let names: Vec<String> = block_on(async {
        let (aas, _) = case.aws.clients().await;
        policies(&aas, RID)
            .await
            .iter()
            .map(|p| p.policy_name().to_string())
            .collect()
    });
    assert!(
        names.contains(&"cpu-tracking".to_string()) && names.len() == 2,
        "{names:?}"
    );
}

#[test]
fn an_alarm_update_keeps_what_the_config_does_not_manage_and_disabled_actions_are_drift() {
    let case = Case::new(SEED);
    case.apply();
    let pager = format!("arn:aws:sns:{}:123456789012:pager", case.aws.region);
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let arn = step_arn(&aas).await;
        seed_alarm(&cw, ALARM, &arn)
            .alarm_description("Pages team X when requests wait")
            .ok_actions(&pager)
            .insufficient_data_actions(&pager)
            .actions_enabled(false)
            .send()
            .await
            .expect("operator's edit");
    });
    let (code, plan) = case.plan();
    assert_eq!(code, 2, "{plan:#}");
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{plan:#}");
    assert_eq!(changes[0]["name"], ALARM);
    assert_eq!(changes[0]["fields"], serde_json::json!(["actions_enabled"]));
    case.apply();
    case.assert_converged();
    let alarm = block_on(async {
        let (_, cw) = case.aws.clients().await;
        let out = cw
            .describe_alarms()
            .alarm_names(ALARM)
            .send()
            .await
            .expect("alarm");
        out.metric_alarms()[0].clone()
    });
    assert_eq!(alarm.actions_enabled(), Some(true));
    assert_eq!(alarm.ok_actions(), std::slice::from_ref(&pager));
    assert_eq!(alarm.insufficient_data_actions(), [pager]);
    assert_eq!(alarm.alarm_description(), Some("Pages team X when requests wait"));
}

#[test]
fn an_alarm_the_tool_did_not_create_is_a_warning_and_is_never_deleted() {
    let case = Case::new(SEED);
    case.apply();
    let theirs = "team-x-backlog-page";
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let arn = step_arn(&aas).await;
        seed_alarm(&cw, theirs, &arn).send().await.expect("their alarm");
    });
    let (code, plan) = case.plan();
    assert_eq!(code, 0, "{plan:#}");
    assert!(
        plan["warnings"].as_array().is_some_and(|w| w.iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.contains(theirs) && w.contains("left alone")))),
        "{plan:#}"
    );
    case.config(&SEED.replace("max_capacity = 4", "max_capacity = 5"));
    case.apply();
    let left = block_on(async {
        let (_, cw) = case.aws.clients().await;
        let out = cw
            .describe_alarms()
            .alarm_names(theirs)
            .send()
            .await
            .expect("alarms");
        out.metric_alarms().len()
    });
    assert_eq!(left, 1, "their alarm is still there");
}

#[test]
fn a_policy_the_tool_cannot_represent_blocks_only_its_own_target() {
    let other = "[[endpoint]]\nname = \"other-endpoint\"\nvariant = \"prod\"\nmax_capacity = 2\npreset = \"async-cpu\"\n";
    let case = Case::new(&format!("{SEED}\n{other}"));
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        register(&aas, RID, 0, 4).await;
        // A predefined metric released after this version.
        let future = aas::MetricType::from("SageMakerVariantTokensPerSecondPerInstance");
        let key = (RID, aas::ScalableDimension::SageMakerVariantDesiredInstanceCount);
        put_predefined_tracking(&aas, key, "future-metric", future, 5.0, None).await;
    });
    let r = case.run(&["plan", "--json", "--detailed-exitcode"]);
    assert_eq!(
        r.code, 1,
        "a blocked target fails the run\n{}\n{}",
        r.stdout, r.stderr
    );
    let plan: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    assert_eq!(plan["blocked"][0]["resource_id"], RID, "{plan:#}");
    assert!(
        plan["blocked"][0]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("future-metric"))
    );
    let changes = plan["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 4, "{plan:#}");
    assert!(
        changes
            .iter()
            .all(|c| c["resource_id"] == "endpoint/other-endpoint/variant/prod")
    );
    let text = case.run(&["plan"]).stdout;
    assert!(
        text.contains(&format!("error: {RID} is left out of this plan")),
        "{text}"
    );

    let r = case.run(&["apply", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "Apply: 4 applied, 0 failed");
    let names: Vec<String> = block_on(async {
        let (aas, _) = case.aws.clients().await;
        policies(&aas, RID)
            .await
            .iter()
            .map(|p| p.policy_name().to_string())
            .collect()
    });
    assert_eq!(names, ["future-metric"], "the blocked target is untouched");
}

#[test]
fn failed_resource_access_is_a_permission_error_unless_cloudwatch_throttled() {
    let case = Case::new(SEED);
    let op = "DescribeScalingPolicies";
    let count = |case: &Case| case.aws.calls().iter().filter(|c| *c == op).count();
    case.aws.fault_saying(
        op,
        "FailedResourceAccessException",
        "User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: cloudwatch:DescribeAlarms",
        10,
    );
    let r = case.run(&["plan"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_contains(
        &r.stderr,
        "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
    );
    assert_eq!(count(&case), 1, "a permission error is not retried");
    case.aws.clear_faults();

    case.aws.fault_saying(
        op,
        "FailedResourceAccessException",
        "Unable to retrieve alarms for scaling policy: Rate exceeded (Service: AmazonCloudWatch; Status Code: 400; Error Code: Throttling)",
        2,
    );
    let (code, _) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        count(&case),
        1 + 3,
        "throttling behind it: retried until it passes"
    );
}

const MATH: &str = r#"
[[endpoint]]
name = "infer-endpoint-c356f91"
variant = "prod"
inference = "async"
min_capacity = 1
max_capacity = 4

[[endpoint.policy]]
name = "backlog-per-instance"
type = "target-tracking"
target = 5.0

[[endpoint.policy.metric.math]]
id = "backlog"
metric = "ApproximateBacklogSize"
namespace = "AWS/SageMaker"
stat = "p90"
return_data = false

[[endpoint.policy.metric.math]]
id = "instances"
metric = "CPUUtilization"
namespace = "/aws/sagemaker/Endpoints"
stat = "SampleCount"
return_data = false

[[endpoint.policy.metric.math]]
id = "per_instance"
expression = "backlog / IF(instances > 0, instances, 1)"
label = "backlog per instance"
"#;

#[test]
fn metric_math_and_percentiles_validate_plan_apply_and_import_round_trip() {
    let case = Case::new(MATH);
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    let after = &plan["changes"][1]["after"];
    assert_eq!(after["metric"]["math"][0]["metric"]["stat"], "p90", "{plan:#}");
    assert_eq!(
        after["metric"]["math"][2]["return_data"], true,
        "the last query is tracked"
    );
    case.apply();
    case.assert_converged();
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        let p = policies(&aas, RID).await;
        let spec = p[0]
            .target_tracking_scaling_policy_configuration()
            .and_then(|c| c.customized_metric_specification())
            .expect("customized");
        let ids: Vec<(&str, Option<bool>)> =
            spec.metrics().iter().map(|q| (q.id(), q.return_data())).collect();
        assert_eq!(
            ids,
            [
                ("backlog", Some(false)),
                ("instances", Some(false)),
                ("per_instance", Some(true))
            ]
        );
        assert_eq!(spec.metrics()[0].metric_stat().map(|s| s.stat()), Some("p90"));
    });
    // import writes it back as a config that plans clean against the same account.
    let r = case.run(&["import", "infer-endpoint-c356f91"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("shows no changes"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert_contains(&r.stdout, "[[endpoint.policy.metric.math]]");
    let imported: String = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("region"))
        .collect::<Vec<_>>()
        .join("\n");
    case.config(&imported);
    case.assert_converged();
}

#[test]
fn metric_math_mistakes_are_located_and_nothing_is_called() {
    let bad = MATH
        .replace("id = \"instances\"", "id = \"Instances\"")
        .replace("stat = \"p90\"", "stat = \"TM(90%:10%)\"")
        .replace(
            "label = \"backlog per instance\"",
            "label = \"x\"\nreturn_data = false",
        );
    let case = Case::new(&bad);
    let r = case.run(&["plan"]);
    assert_eq!(r.code, 1);
    for expected in [
        "error[invalid-name]: query id \"Instances\" is not valid",
        "error[unknown-value]: \"TM(90%:10%)\" is not a statistic",
        "the low bound must be below the high one",
    ] {
        assert!(r.stderr.contains(expected), "{expected}\n{}", r.stderr);
    }
    assert!(r.stderr.contains("autoscaling.toml:"), "located: {}", r.stderr);
    assert_eq!(case.aws.calls(), Vec::<String>::new());
}

const COMPONENT_WITHOUT_COOLDOWNS: &str = r#"
[[inference_component]]
name = "ic-plain"
min_capacity = 1
max_capacity = 3

[[inference_component.policy]]
name = "per-copy"
type = "target-tracking"
target = 4.0
metric = { predefined = "SageMakerInferenceComponentInvocationsPerCopy" }
"#;

#[test]
fn an_absent_cooldown_stays_absent_where_aws_documents_no_default() {
    let rid = "inference-component/ic-plain";
    let case = Case::new(COMPONENT_WITHOUT_COOLDOWNS);
    let (_, plan) = case.plan();
    let after = &plan["changes"][1]["after"];
    assert!(
        after["scale_in_cooldown"].is_null() && after["scale_out_cooldown"].is_null(),
        "{plan:#}"
    );
    case.apply();
    case.assert_converged();
    let put = |cooldown: Option<i32>| {
        block_on(async {
            let (aas, _) = case.aws.clients().await;
            if let Some(c) = cooldown {
                // What AWS would hold if it filled in a default of its own.
                let key = (
                    rid,
                    aas::ScalableDimension::SageMakerInferenceComponentDesiredCopyCount,
                );
                let metric = aas::MetricType::SageMakerInferenceComponentInvocationsPerCopy;
                put_predefined_tracking(&aas, key, "per-copy", metric, 4.0, Some(c)).await;
            }
            let tt = policies(&aas, rid).await[0]
                .target_tracking_scaling_policy_configuration()
                .cloned()
                .expect("tt");
            (tt.scale_in_cooldown(), tt.scale_out_cooldown())
        })
    };
    assert_eq!(put(None), (None, None), "no cooldown was sent");
    let r = case.run(&["import", "ic-plain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("cooldown"),
        "import invents no cooldown:\n{}",
        r.stdout
    );
    assert_eq!(put(Some(0)), (Some(0), Some(0)));
    case.assert_converged();
}

const OFFICE_HOURS: &str = r#"
[[endpoint]]
name = "infer-endpoint-c356f91"
variant = "prod"
max_capacity = 4
preset = "async-cpu"

[[endpoint.schedule]]
name = "office-hours"
schedule = "cron(0 8 ? * MON-FRI *)"
timezone = "Europe/Berlin"
min_capacity = 2

[[endpoint.schedule]]
name = "evening"
schedule = "cron(0 18 ? * MON-FRI *)"
timezone = "Europe/Berlin"
min_capacity = 0
"#;

/// A plan as of `now` (the stand-in's clock), parsed.
fn plan_at(case: &Case, now: &str) -> (i32, Value) {
    let r = run(case
        .cmd(&["plan", "--json", "--detailed-exitcode"])
        .env("SAGEMAKER_AUTOSCALE_NOW", now));
    assert!(r.code == 0 || r.code == 2, "{}\n{}", r.stdout, r.stderr);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout)),
    )
}

fn target_bounds(case: &Case) -> (i32, i32) {
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        let t = &targets(&aas, RID).await[0];
        (t.min_capacity(), t.max_capacity())
    })
}

#[test]
fn capacity_a_schedule_put_in_force_is_expected_not_drift_in_its_time_zone() {
    let case = Case::new(OFFICE_HOURS);
    case.apply();
    // Monday 2030-01-07, 08:30 in Berlin (UTC+1): office-hours ran at 07:00Z.
    let winter = "2030-01-07T07:30:00Z";
    let runs = case.aws.set_clock(winter);
    assert!(runs["ran"].to_string().contains("office-hours"), "{runs:#}");
    assert_eq!(target_bounds(&case), (2, 4), "the schedule set min 2");
    let (code, plan) = plan_at(&case, winter);
    assert_eq!(code, 0, "what a schedule did is not drift: {plan:#}");

    // Monday 2030-07-01, 08:30 in Berlin (UTC+2, daylight saving): office-hours ran at 06:00Z,
    // after evening's run on Friday set min 0 again.
    let summer = "2030-07-01T06:30:00Z";
    case.aws.set_clock(summer);
    assert_eq!(target_bounds(&case), (2, 4));
    let (code, plan) = plan_at(&case, summer);
    assert_eq!(
        code, 0,
        "schedules run in their time zone, with daylight saving: {plan:#}"
    );

    // A change to the config keeps what the schedule put in force.
    case.config(&OFFICE_HOURS.replace("max_capacity = 4", "max_capacity = 5"));
    let (_, plan) = plan_at(&case, summer);
    let change = &plan["changes"][0];
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(1), "{plan:#}");
    assert_eq!(change["fields"], serde_json::json!(["max_capacity"]));
    assert_eq!(change["after"]["min_capacity"], 2);
    let r = run(case
        .cmd(&["apply", "--auto-approve"])
        .env("SAGEMAKER_AUTOSCALE_NOW", summer));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(target_bounds(&case), (2, 5), "apply did not undo the schedule");

    // A value no schedule explains is drift the plan reports; it never rewrites a bound a
    // schedule owns (the schedule's next run sets it), since that would move capacity at once.
    block_on(async {
        let (aas, _) = case.aws.clients().await;
        register(&aas, RID, 3, 5).await;
    });
    let (code, plan) = plan_at(&case, summer);
    assert_eq!(code, 0, "{plan:#}");
    assert_eq!(
        plan["drift"],
        serde_json::json!([{
            "resource_id": RID,
            "field": "min_capacity",
            "actual": 3,
            "expected": 2,
            "expected_from": "set by scheduled action `office-hours` when it last ran"
        }]),
        "the plan names the drift, as data, and the schedule behind the expected value: {plan:#}"
    );
    let text = run(case.cmd(&["plan"]).env("SAGEMAKER_AUTOSCALE_NOW", summer));
    assert_contains(
        &text.stdout,
        "drift: endpoint/infer-endpoint-c356f91/variant/prod: min_capacity is 3, which neither the config nor any scheduled action sets (expected 2, set by scheduled action `office-hours` when it last ran)",
    );
    assert_contains(
        &text.stdout,
        "No changes to apply. The drift above is left as it is.",
    );

    // A config change to a bound a schedule owns keeps what the schedule set, and says so.
    case.config(&OFFICE_HOURS.replace("max_capacity = 4", "max_capacity = 5").replace("name = \"evening\"\nschedule = \"cron(0 18 ? * MON-FRI *)\"\ntimezone = \"Europe/Berlin\"\nmin_capacity = 0", "name = \"evening\"\nschedule = \"cron(0 18 ? * MON-FRI *)\"\ntimezone = \"Europe/Berlin\"\nmin_capacity = 1"));
    let (_, plan) = plan_at(&case, summer);
    assert!(
        plan["changes"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["kind"] != "scalable_target")),
        "{plan:#}"
    );
}

#[test]
fn bounds_that_cross_once_a_schedule_set_one_leave_the_target_out() {
    let case = Case::new(OFFICE_HOURS);
    case.apply();
    let winter = "2030-01-07T07:30:00Z";
    case.aws.set_clock(winter);
    assert_eq!(target_bounds(&case), (2, 4));
    // office-hours set min 2; a config with max 1 would register min 2 above max 1.
    case.config(
        &OFFICE_HOURS
            .replace("max_capacity = 4", "max_capacity = 1")
            .replace("min_capacity = 2", "min_capacity = 2\nmax_capacity = 2"),
    );
    let r = run(case
        .cmd(&["plan", "--json"])
        .env("SAGEMAKER_AUTOSCALE_NOW", winter));
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let plan: Value = serde_json::from_str(&r.stdout).expect("plan");
    assert!(
        plan["blocked"][0]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("min_capacity 2 above max_capacity 1")),
        "{plan:#}"
    );
}

#[test]
fn a_one_sided_schedule_that_meets_the_other_bound_is_warned_and_fails_as_on_aws() {
    let config =
        std::fs::read_to_string(crate::repo().join("tests/warn/one-sided-schedule.toml")).expect("config");
    let config = config.replace(
        "name = \"ep\"",
        "name = \"infer-endpoint-c356f91\"\nvariant = \"prod\"",
    );
    let case = Case::new(&config);
    let r = case.run(&["validate"]);
    assert_contains(&r.stderr, "warning[one-sided-schedule]");
    case.apply();
    let now = "2030-01-07T07:30:00Z";
    case.aws.set_clock(now);
    let runs = case.aws.scheduled_runs();
    assert!(
        runs["failed"].to_string().contains("launch-day"),
        "AWS fails the run: {runs:#}"
    );
    assert_eq!(target_bounds(&case), (0, 4), "nothing changed");
    let (code, plan) = plan_at(&case, now);
    assert_eq!(code, 0, "{plan:#}");
    assert!(
        plan["warnings"].to_string().contains("launch-day"),
        "the plan says the run fails: {plan:#}"
    );
}

#[test]
fn a_kept_unit_goes_when_the_alarm_watches_another_metric() {
    let case = Case::new(SEED);
    case.apply();
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let arn = step_arn(&aas).await;
        our_seed_alarm(&cw, &arn)
            .unit(cw::StandardUnit::Count)
            .send()
            .await
            .expect("operator's unit");
    });
    case.assert_converged();
    let (alarm, plan) = plan_alarm_on_another_metric(&case);
    assert!(
        alarm["fields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f == "kept.unit")),
        "the unit is dropped, visibly: {plan:#}"
    );
}

#[test]
fn a_scheduled_run_between_plan_and_apply_keeps_the_bound_it_set() {
    let case = Case::new(OFFICE_HOURS);
    case.apply();
    // Monday 2030-01-07, 06:30 in Berlin: Friday's evening run left min 0.
    let before = "2030-01-07T05:30:00Z";
    case.aws.set_clock(before);
    assert_eq!(target_bounds(&case), (0, 4));
    case.config(&OFFICE_HOURS.replace("max_capacity = 4", "max_capacity = 5"));
    // The apply plans at `before` (min 0 expected, only max changes); its RegisterScalableTarget
    // is held at the stand-in's door while office-hours runs and sets min 2.
    case.aws.delay("RegisterScalableTarget", 2.0);
    let registers = || {
        case.aws
            .calls()
            .iter()
            .filter(|c| *c == "RegisterScalableTarget")
            .count()
    };
    let before_apply = registers();
    let mut apply = case
        .cmd(&["apply", "--auto-approve"])
        .env("SAGEMAKER_AUTOSCALE_NOW", before)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("apply");
    while registers() == before_apply {
        assert!(
            apply.try_wait().expect("apply").is_none(),
            "apply ended before registering"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let runs = case.aws.set_clock("2030-01-07T07:30:00Z");
    assert!(runs["ran"].to_string().contains("office-hours"), "{runs:#}");
    let out = apply.wait_with_output().expect("apply");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(": applied"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        target_bounds(&case),
        (2, 5),
        "the update sent only the max it changed; the scheduled min stays"
    );
}

#[test]
fn an_action_someone_added_to_our_alarm_is_kept() {
    let case = Case::new(SEED);
    case.apply();
    let pager = format!("arn:aws:sns:{}:123456789012:pager", case.aws.region);
    let arn = block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let arn = step_arn(&aas).await;
        our_seed_alarm(&cw, &arn)
            .alarm_actions(&pager)
            .send()
            .await
            .expect("an operator adds a pager");
        arn
    });
    case.assert_converged();
    // A change that puts the alarm again keeps the pager after the policy's ARN.
    let (alarm, plan) = plan_alarm_on_another_metric(&case);
    assert!(
        alarm["fields"].as_array().is_some_and(|f| !f.is_empty()
            && f.iter()
                .all(|f| f.as_str().is_some_and(|f| !f.contains("actions")))),
        "the pager is not a change: {plan:#}"
    );
    case.apply();
    case.assert_converged();
    let actions = block_on(async {
        let (_, cw) = case.aws.clients().await;
        let out = cw
            .describe_alarms()
            .alarm_names(ALARM)
            .send()
            .await
            .expect("alarm");
        out.metric_alarms()[0].alarm_actions().to_vec()
    });
    assert_eq!(actions, vec![arn, pager]);
}
