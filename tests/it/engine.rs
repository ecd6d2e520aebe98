//! plan and apply against the AWS stand-in (a real moto server, through the real SDK).
//! Where moto differs from AWS the test says so; docs/testing.md lists every difference.

use aws_sdk_applicationautoscaling::types as aas;

use crate::assert_contains;
use crate::common::{
    ALARM, Case, RID, SEED, block_on, changes, policies, put_predefined_tracking, register, s, targets,
    triple,
};
use crate::run;

#[test]
fn seed_round_trip_creates_exactly_the_documented_objects() {
    let case = Case::new(SEED);
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        plan["summary"],
        serde_json::json!({"add": 4, "change": 0, "destroy": 0})
    );
    assert_eq!(
        changes(&plan),
        vec![
            triple(
                "create",
                "scalable_target",
                "sagemaker:variant:DesiredInstanceCount"
            ),
            triple("create", "scaling_policy", "CPUUtil-ScalingPolicy"),
            triple(
                "create",
                "scaling_policy",
                "HasBacklogWithoutCapacity-ScalingPolicy"
            ),
            triple("create", "alarm", ALARM),
        ]
    );
    assert!(s(&plan["fingerprint"]).starts_with("sha256:") && s(&plan["fingerprint"]).len() == 71);
    assert_eq!(case.aws.writes(), Vec::<String>::new(), "plan never writes");

    case.apply();

    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let targets = targets(&aas, RID).await;
        let t = &targets[0];
        assert_eq!((t.min_capacity(), t.max_capacity()), (0, 4));
        assert_eq!(
            t.scalable_dimension(),
            &aas::ScalableDimension::SageMakerVariantDesiredInstanceCount
        );

        let policies = policies(&aas, RID).await;
        let by_name = |n: &str| policies.iter().find(|p| p.policy_name() == n).expect(n).clone();
        let cpu = by_name("CPUUtil-ScalingPolicy");
        assert_eq!(cpu.policy_type(), &aas::PolicyType::TargetTrackingScaling);
        let tt = cpu
            .target_tracking_scaling_policy_configuration()
            .expect("tt config");
        assert_eq!(tt.target_value(), 50.0);
        assert_eq!(
            (tt.scale_in_cooldown(), tt.scale_out_cooldown()),
            (Some(300), Some(300))
        );
        let m = tt.customized_metric_specification().expect("custom metric");
        assert_eq!(
            (m.metric_name(), m.namespace()),
            (Some("CPUUtilization"), Some("/aws/sagemaker/Endpoints"))
        );
        assert_eq!(m.statistic(), Some(&aas::MetricStatistic::Average));
        let dims: Vec<(&str, &str)> = m.dimensions().iter().map(|d| (d.name(), d.value())).collect();
        assert_eq!(
            dims,
            vec![
                ("EndpointName", "infer-endpoint-c356f91"),
                ("VariantName", "prod")
            ]
        );

        let step = by_name("HasBacklogWithoutCapacity-ScalingPolicy");
        assert_eq!(step.policy_type(), &aas::PolicyType::StepScaling);
        let sc = step.step_scaling_policy_configuration().expect("step config");
        assert_eq!(sc.adjustment_type(), Some(&aas::AdjustmentType::ChangeInCapacity));
        assert_eq!(
            (sc.cooldown(), sc.metric_aggregation_type()),
            (Some(300), Some(&aas::MetricAggregationType::Average))
        );
        let steps: Vec<_> = sc
            .step_adjustments()
            .iter()
            .map(|s| {
                (
                    s.metric_interval_lower_bound(),
                    s.metric_interval_upper_bound(),
                    s.scaling_adjustment(),
                )
            })
            .collect();
        assert_eq!(steps, vec![(Some(0.0), None, 1)]);

        let alarms = cw
            .describe_alarms()
            .alarm_names(ALARM)
            .send()
            .await
            .expect("alarms");
        let a = &alarms.metric_alarms()[0];
        assert_eq!(
            (a.metric_name(), a.namespace()),
            (Some("HasBacklogWithoutCapacity"), Some("AWS/SageMaker"))
        );
        assert_eq!(a.statistic().map(|s| s.as_str()), Some("Average"));
        let dims: Vec<_> = a
            .dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or(""), d.value().unwrap_or("")))
            .collect();
        assert_eq!(dims, vec![("EndpointName", "infer-endpoint-c356f91")]);
        assert_eq!(
            (a.period(), a.evaluation_periods(), a.datapoints_to_alarm()),
            (Some(60), Some(2), Some(2))
        );
        assert_eq!(a.threshold(), Some(1.0));
        assert_eq!(
            a.comparison_operator().map(|c| c.as_str()),
            Some("GreaterThanOrEqualToThreshold")
        );
        assert_eq!(a.treat_missing_data(), Some("missing"));
        assert_eq!(
            a.alarm_actions(),
            &[step.policy_arn().to_string()],
            "the alarm fires the step policy"
        );
    });

    case.assert_converged();
    let before = case.aws.calls().len();
    let r = case.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_contains(&r.stdout, "No changes.");
    // The reads of one plan: targets, policies (which list their alarms, as on AWS), scheduled
    // actions, alarms by name.
    let mut reads = case.aws.calls()[before..].to_vec();
    reads.sort();
    assert_eq!(
        reads,
        [
            "DescribeAlarms",
            "DescribeScalableTargets",
            "DescribeScalingPolicies",
            "DescribeScheduledActions"
        ]
    );
}

#[test]
fn aws_owned_target_tracking_alarms_are_never_planned() {
    let case = Case::new(SEED);
    case.apply();
    let owned = format!("TargetTracking-{RID}-AlarmHigh-6f1b3c2e");
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let step_arn = policies(&aas, RID)
            .await
            .iter()
            .find(|p| p.policy_type() == &aas::PolicyType::StepScaling)
            .map(|p| p.policy_arn().to_string())
            .expect("step policy");
        // Found by the ActionPrefix lookup, but owned by AWS: it must stay out of the plan.
        cw.put_metric_alarm()
            .alarm_name(&owned)
            .alarm_description(
                "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:...",
            )
            .metric_name("CPUUtilization")
            .namespace("/aws/sagemaker/Endpoints")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
            .period(60)
            .evaluation_periods(3)
            .threshold(50.0)
            .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
            .alarm_actions(step_arn)
            .send()
            .await
            .expect("AWS-owned alarm");
    });
    case.assert_converged();
    case.config(&SEED.replace("max_capacity = 4", "max_capacity = 5"));
    case.apply();
    block_on(async {
        let (_, cw) = case.aws.clients().await;
        let found = cw
            .describe_alarms()
            .alarm_names(&owned)
            .send()
            .await
            .expect("alarms");
        assert_eq!(
            found.metric_alarms().len(),
            1,
            "the AWS-owned alarm is still there"
        );
    });
}

#[test]
fn changes_plan_field_by_field_and_converge() {
    let case = Case::new(SEED);
    case.apply();
    case.config(
        &format!("{SEED}target = 200.0\nscale_in_cooldown = 600\n")
            .replace("max_capacity = 4", "max_capacity = 6"),
    );
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        changes(&plan),
        vec![
            triple(
                "update",
                "scalable_target",
                "sagemaker:variant:DesiredInstanceCount"
            ),
            triple("update", "scaling_policy", "CPUUtil-ScalingPolicy"),
        ]
    );
    assert_eq!(plan["changes"][0]["fields"], serde_json::json!(["max_capacity"]));
    assert_eq!(
        plan["changes"][1]["fields"],
        serde_json::json!(["scale_in_cooldown", "target_value"])
    );
    assert_eq!(plan["changes"][1]["before"]["target_value"], 50.0);
    assert_eq!(plan["changes"][1]["after"]["target_value"], 200.0);
    let r = case.apply();
    // moto gives a re-put policy a new ARN; AWS may not. Either way the alarm must follow.
    assert!(!r.stdout.contains("FAILED"), "{}", r.stdout);
    case.assert_converged();
}

#[test]
fn removing_a_policy_deletes_it_and_its_alarm_and_a_type_change_replaces() {
    let extra = r#"
[[endpoint.policy]]
name = "backlog-steps"
type = "step"
steps = [{ lower = 0.0, upper = 10.0, adjustment = 1 }, { lower = 10.0, adjustment = 2 }]
alarm = { metric = "ApproximateBacklogSize", namespace = "AWS/SageMaker", statistic = "Average", period = 60, evaluation_periods = 1, threshold = 5, comparison = ">" }
"#;
    let case = Case::new(&format!("{SEED}{extra}"));
    case.apply();
    case.assert_converged();

    // Removal: the policy and the alarm that fired it go, nothing else.
    case.config(SEED);
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![
            triple("delete", "alarm", "infer-endpoint-c356f91-prod-backlog-steps"),
            triple("delete", "scaling_policy", "backlog-steps"),
        ]
    );
    assert_eq!(
        plan["summary"],
        serde_json::json!({"add": 0, "change": 0, "destroy": 2})
    );
    case.apply();
    case.assert_converged();

    // Type change: AWS cannot turn target tracking into step scaling, so it is a replace.
    let retyped =
        format!("{SEED}\n[[endpoint.policy]]\nname = \"CPUUtil-ScalingPolicy\"\nscale_in_cooldown = 900\n");
    case.config(&retyped);
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![triple("update", "scaling_policy", "CPUUtil-ScalingPolicy")]
    );
    let as_step = SEED.replace(
        "preset = \"async-cpu\"",
        "inference = \"async\"\nmin_capacity = 0",
    ) + r#"
[[endpoint.policy]]
name = "CPUUtil-ScalingPolicy"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "CPUUtilization", namespace = "/aws/sagemaker/Endpoints", statistic = "Average", period = 60, evaluation_periods = 3, threshold = 80, comparison = ">" }

[[endpoint.policy]]
name = "HasBacklogWithoutCapacity-ScalingPolicy"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "HasBacklogWithoutCapacity", namespace = "AWS/SageMaker", statistic = "Average", period = 60, evaluation_periods = 2, threshold = 1, comparison = ">=" }
"#;
    case.config(&as_step);
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![
            triple("replace", "scaling_policy", "CPUUtil-ScalingPolicy"),
            triple(
                "create",
                "alarm",
                "infer-endpoint-c356f91-prod-CPUUtil-ScalingPolicy"
            ),
        ]
    );
    assert_eq!(
        plan["summary"],
        serde_json::json!({"add": 2, "change": 0, "destroy": 1})
    );
    case.apply();
    case.assert_converged();
}

#[test]
fn out_of_band_drift_is_planned_and_repaired() {
    let case = Case::new(SEED);
    case.apply();
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        register(&aas, RID, 1, 10).await;
        cw.delete_alarms()
            .alarm_names(ALARM)
            .send()
            .await
            .expect("delete the alarm");
    });
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        changes(&plan),
        vec![
            triple(
                "update",
                "scalable_target",
                "sagemaker:variant:DesiredInstanceCount"
            ),
            triple("create", "alarm", ALARM),
        ]
    );
    assert_eq!(
        plan["changes"][0]["fields"],
        serde_json::json!(["max_capacity", "min_capacity"])
    );
    assert!(
        plan["warnings"].as_array().is_some_and(|w| w
            .iter()
            .any(|w| s(w).contains("lowering max_capacity from 10 to 4"))),
        "{plan:#}"
    );
    case.apply();
    case.assert_converged();
}

#[test]
fn scheduled_actions_are_created_updated_and_deleted() {
    let schedule = |min: u32| {
        format!(
            "{SEED}\n[[endpoint.schedule]]\nname = \"office-hours\"\nschedule = \"cron(0 8 ? * MON-FRI *)\"\ntimezone = \"Europe/Berlin\"\nmin_capacity = {min}\nstart_time = 2026-01-01T00:00:00Z\nend_time = 2027-01-01T00:00:00+01:00\n"
        )
    };
    let case = Case::new(&schedule(1));
    case.apply();
    case.assert_converged();
    case.config(&schedule(2));
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![triple("update", "scheduled_action", "office-hours")]
    );
    assert_eq!(plan["changes"][0]["fields"], serde_json::json!(["min_capacity"]));
    assert_eq!(plan["changes"][0]["after"]["end_time"], "2026-12-31T23:00:00Z");
    case.apply();
    case.assert_converged();
    case.config(SEED);
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![triple("delete", "scheduled_action", "office-hours")]
    );
    case.apply();
    case.assert_converged();
}

#[test]
fn endpoints_and_alarms_that_are_not_ours_are_never_touched() {
    let case = Case::new(SEED);
    let other = "endpoint/someone-else/variant/AllTraffic";
    let snapshot = || {
        block_on(async {
            let (aas, cw) = case.aws.clients().await;
            let t = targets(&aas, other).await;
            let p = policies(&aas, other).await;
            let a = cw
                .describe_alarms()
                .alarm_names("not-ours")
                .send()
                .await
                .expect("alarms");
            format!("{:?}\n{:?}\n{:?}", t, p.len(), a.metric_alarms().len())
        })
    };
    block_on(async {
        let (aas, cw) = case.aws.clients().await;
        register(&aas, other, 1, 3).await;
        put_predefined_tracking(
            &aas,
            (
                other,
                aas::ScalableDimension::SageMakerVariantDesiredInstanceCount,
            ),
            "theirs",
            aas::MetricType::SageMakerVariantInvocationsPerInstance,
            10.0,
            None,
        )
        .await;
        cw.put_metric_alarm()
            .alarm_name("not-ours")
            .metric_name("HasBacklogWithoutCapacity")
            .namespace("AWS/SageMaker")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Average)
            .period(60)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanThreshold)
            .send()
            .await
            .expect("their alarm");
    });
    let before = snapshot();
    assert!(
        before.contains("someone-else") && before.ends_with("1\n1"),
        "{before}"
    );
    let (_, plan) = case.plan();
    assert!(
        plan["changes"]
            .as_array()
            .is_some_and(|cs| cs.iter().all(|c| c["resource_id"] == RID)),
        "{plan:#}"
    );
    case.apply();
    case.config(SEED.replace("max_capacity = 4", "max_capacity = 5").as_str());
    case.apply();
    assert_eq!(snapshot(), before);
}

#[test]
fn invalid_config_and_missing_credentials_make_no_aws_call() {
    let case = Case::new(&SEED.replace("max_capacity = 4", "max_capacity = -4"));
    for cmd in [&["plan"][..], &["apply", "--auto-approve"]] {
        let r = case.run(cmd);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert_contains(&r.stderr, "error[out-of-range]");
    }
    assert_eq!(case.aws.calls(), Vec::<String>::new());

    case.config(SEED);
    let r = run(case
        .aws
        .bin(case.dir())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["apply", "--auto-approve"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stderr, "error: no usable AWS credentials");
    assert!(!r.stderr.contains("secret"), "no secret in the output");
    assert_eq!(case.aws.calls(), Vec::<String>::new());
}

#[test]
fn throttling_and_transient_errors_are_retried() {
    let case = Case::new(SEED);
    case.aws
        .fault("PutScalingPolicy", 400, "ThrottlingException", 2, 0);
    case.aws
        .fault("PutMetricAlarm", 400, "ConcurrentUpdateException", 0, 0);
    case.aws
        .fault("RegisterScalableTarget", 400, "ConcurrentUpdateException", 2, 0);
    case.apply();
    let writes = case.aws.writes();
    assert_eq!(
        writes.iter().filter(|w| *w == "RegisterScalableTarget").count(),
        3,
        "{writes:?}"
    );
    assert_eq!(
        writes.iter().filter(|w| *w == "PutScalingPolicy").count(),
        4,
        "2 throttled + 2 policies: {writes:?}"
    );
    case.assert_converged();
}

#[test]
fn a_hard_failure_mid_apply_is_reported_change_by_change_and_a_rerun_converges() {
    let case = Case::new(&format!(
        "{SEED}\n[[endpoint.schedule]]\nname = \"night\"\nschedule = \"cron(0 20 ? * * *)\"\nmax_capacity = 1\n"
    ));
    // The 4th write (the alarm) fails hard.
    case.aws.fault("PutMetricAlarm", 400, "ValidationException", 1, 0);
    let r = case.run(&["apply", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let report: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("* ")).collect();
    assert_eq!(report.len(), 5, "{}", r.stdout);
    assert!(
        report[0].contains("scalable_target") && report[0].ends_with("applied"),
        "{report:?}"
    );
    assert!(
        report[1].ends_with("applied") && report[2].ends_with("applied"),
        "{report:?}"
    );
    assert!(
        report[3].contains(ALARM)
            && report[3].contains("FAILED: PutMetricAlarm failed: injected ValidationException"),
        "{report:?}"
    );
    assert!(
        report[4].contains("scheduled_action") && report[4].ends_with("night: not attempted"),
        "{report:?}"
    );
    assert_contains(&r.stdout, "Apply: 3 applied, 1 failed, 1 not attempted.");

    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![
            triple("create", "alarm", ALARM),
            triple("create", "scheduled_action", "night")
        ]
    );
    case.apply();
    case.assert_converged();
}

#[test]
fn a_failure_during_a_parallel_apply_is_reported_truthfully_and_a_rerun_converges() {
    let config: String = (0..12)
        .map(|i| format!("[[endpoint]]\nname = \"par-{i:02}\"\nvariant = \"v\"\nmax_capacity = 2\npreset = \"async-cpu\"\n"))
        .collect();
    let case = Case::new(&config);
    // One hard failure part way through, while other targets are in flight.
    case.aws
        .fault("PutScalingPolicy", 400, "ValidationException", 1, 9);
    let r = case.run(&["apply", "--auto-approve", "--parallelism", "4"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let line = |l: &str| -> Option<((String, String, String), String)> {
        let rest = l.strip_prefix("* ")?;
        let (change, status) = rest.split_once(": ")?;
        let mut words = change.split_whitespace().skip(1);
        let (kind, rid, name) = (words.next()?, words.next()?, words.next()?);
        Some(((kind.into(), rid.into(), name.into()), status.into()))
    };
    let report: Vec<_> = r.stdout.lines().filter_map(line).collect();
    assert_eq!(report.len(), 48, "{}", r.stdout);
    let failed: Vec<_> = report.iter().filter(|(_, s)| s.starts_with("FAILED")).collect();
    assert_eq!(failed.len(), 1, "{}", r.stdout);
    let not_done: std::collections::BTreeSet<_> = report
        .iter()
        .filter(|(_, s)| s != "applied")
        .map(|(k, _)| k.clone())
        .collect();
    assert!(
        not_done.len() > 1,
        "nothing after the failure was held back:\n{}",
        r.stdout
    );

    // What the report says was not applied is exactly what AWS still lacks.
    let (_, plan) = case.plan();
    let remaining: std::collections::BTreeSet<_> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| (s(&c["kind"]), s(&c["resource_id"]), s(&c["name"])))
        .collect();
    assert_eq!(remaining, not_done);
    case.apply();
    case.assert_converged();
}

#[test]
fn two_regions_in_one_config_plan_and_apply_each_in_its_own_region() {
    let other = crate::standin::SPARE_REGION;
    // The same endpoint name in both regions: two different endpoints.
    let case = Case::new(&format!(
        "{SEED}\n{}",
        SEED.replace("[[endpoint]]", &format!("[[endpoint]]\nregion = \"{other}\""))
    ));
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        plan["summary"],
        serde_json::json!({"add": 8, "change": 0, "destroy": 0})
    );
    let regions: Vec<Option<&str>> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["region"].as_str())
        .collect();
    assert_eq!(
        regions.iter().filter(|r| **r == Some(other)).count(),
        4,
        "{plan:#}"
    );
    assert_eq!(regions.iter().filter(|r| r.is_none()).count(), 4, "{plan:#}");
    let text = case.run(&["plan"]);
    assert!(
        text.stdout.contains(&format!("{RID} ({other})")),
        "grouped with its region:\n{}",
        text.stdout
    );

    case.apply();
    let writes = |calls: Vec<String>| {
        calls
            .into_iter()
            .filter(|c| c.starts_with("Put") || c.starts_with("Register"))
            .count()
    };
    assert_eq!(writes(case.aws.calls()), 4, "4 writes in the config's region");
    assert_eq!(writes(case.aws.calls_in(other)), 4, "4 writes in {other}");
    case.assert_converged();

    // A change in one region plans and applies there only.
    case.config(&format!(
        "{SEED}\n{}",
        SEED.replace("[[endpoint]]", &format!("[[endpoint]]\nregion = \"{other}\""))
            .replace("max_capacity = 4", "max_capacity = 6")
    ));
    let (_, plan) = case.plan();
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(1), "{plan:#}");
    assert_eq!(plan["changes"][0]["region"], other);
    case.apply();
    case.assert_converged();
}

/// The cheap regression check of docs/benchmarks.md: call counts are deterministic, so a
/// change that costs more calls per endpoint fails here, not in a benchmark nobody reran.
#[test]
fn call_counts_for_100_endpoints_stay_where_the_benchmarks_put_them() {
    let config: String = (0..100)
        .map(|i| format!("[[endpoint]]\nname = \"count-{i:03}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n"))
        .collect();
    let case = Case::new(&config);
    case.run(&["apply", "--auto-approve"]);
    // The namespace is empty, so the plan reads it whole (1 listing page, 1 page of policies,
    // 1 of schedules, 1 of alarms), 400 writes, then the check reads the 100 targets' namespace
    // whole: 2 + 20 + 1 + 1 (alarms by name, 100 a page).
    // A call the SDK retries (a connection the loaded stand-in dropped) is logged twice: allow
    // a few, which no change in how the tool reads or writes could hide.
    let calls = case.aws.calls();
    let mut by_operation = std::collections::BTreeMap::new();
    for op in &calls {
        *by_operation.entry(op.as_str()).or_insert(0) += 1;
    }
    assert!(
        (428..=431).contains(&calls.len()),
        "apply of 100 endpoints from scratch: {} calls, {by_operation:?}",
        calls.len()
    );
    let cost = |args: &[&str], env: Option<(&str, &str)>| {
        let before = case.aws.calls().len();
        let mut all = vec!["plan", "--json", "--detailed-exitcode"];
        all.extend(args);
        let mut cmd = case.cmd(&all);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let r = crate::run(&mut cmd);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("plan json");
        (case.aws.calls().len() - before, plan["fingerprint"].clone())
    };
    let per_target = Some(("SAGEMAKER_AUTOSCALE_READS", "per-target"));
    // Whole namespace: 2 pages of targets + 20 of policies (10 a page) + 1 of scheduled actions
    // + 1 of alarms = 24 calls (0.24 per endpoint), where one target at a time costs 203.
    let (whole, fingerprint) = cost(&[], None);
    let (one_by_one, same) = cost(&[], per_target);
    assert_eq!(
        (whole, one_by_one),
        (24, 203),
        "one plan of 100 applied endpoints"
    );
    assert_eq!(fingerprint, same, "the same plan either way");

    // 200 targets of other teams join the namespace: whole reads still pay off.
    crate::common::block_on(async {
        let (aas, _) = case.aws.clients().await;
        for i in 0..200 {
            crate::common::register(
                &aas,
                &format!("endpoint/other-team-{i:03}/variant/AllTraffic"),
                1,
                2,
            )
            .await;
        }
    });
    assert_eq!(cost(&[], None).0, 6 + 20 + 1 + 1, "100 of 300 targets");
    // Ownership reads (docs/benchmarks.md, "Ownership"): a base naming one more endpoint (that
    // does not exist) costs nothing more: the listing covers it.
    let removed = "[[endpoint]]\nname = \"count-100\"\nmax_capacity = 4\npreset = \"async-cpu\"\n";
    case.file("base.toml", &format!("{config}{removed}"));
    assert_eq!(
        cost(&["--base", "base.toml"], None).0,
        28,
        "a base that names one more endpoint"
    );
    // A scan: the same listing, one ListTagsForResource per target.
    assert_eq!(cost(&["--scan"], None).0, 28 + 300, "a scan of 300 targets");

    // A config that is a small part of the namespace: 3 endpoints of 300 targets read one by
    // one, after the first listing page showed the namespace is too big. That page is one call
    // more than the per-target reader, unless it happens to hold the config's targets (these
    // three were registered late, so it does not).
    let small: String = (97..100)
        .map(|i| format!("[[endpoint]]\nname = \"count-{i:03}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n"))
        .collect();
    let small = case.beside(&small);
    let before = case.aws.calls().len();
    assert_eq!(small.plan().0, 0);
    let auto = case.aws.calls().len() - before;
    let before = case.aws.calls().len();
    let r = crate::run(
        small
            .cmd(&["plan", "--detailed-exitcode"])
            .env("SAGEMAKER_AUTOSCALE_READS", "per-target"),
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    let today = case.aws.calls().len() - before;
    assert_eq!(
        (auto, today),
        (1 + 1 + 6 + 1, 1 + 6 + 1),
        "3 endpoints among 300 targets"
    );
}

pub(crate) const COMPONENT: &str = r#"
[[inference_component]]
name = "ic-llama"
max_capacity = 3
preset = "component-from-zero"
"#;

/// The stand-in's front widens moto's dimension list with the two SageMaker dimensions moto
/// 5.2.5 rejects (docs/testing.md); everything else is moto's own behaviour.
#[test]
fn an_inference_component_scales_its_copy_count_from_zero() {
    let case = Case::new(COMPONENT);
    let (code, plan) = case.plan();
    assert_eq!(code, 2);
    assert_eq!(
        changes(&plan),
        vec![
            triple(
                "create",
                "scalable_target",
                "sagemaker:inference-component:DesiredCopyCount"
            ),
            triple("create", "scaling_policy", "InvocationsPerCopy-ScalingPolicy"),
            triple(
                "create",
                "scaling_policy",
                "NoCapacityInvocationFailures-ScalingPolicy"
            ),
            triple(
                "create",
                "alarm",
                "ic-llama-NoCapacityInvocationFailures-ScalingPolicy"
            ),
        ]
    );
    case.apply();
    case.assert_converged();
    block_on(async {
        let (aas_client, cw_client) = case.aws.clients().await;
        let rid = "inference-component/ic-llama";
        let t = &targets(&aas_client, rid).await[0];
        assert_eq!(
            t.scalable_dimension().as_str(),
            "sagemaker:inference-component:DesiredCopyCount"
        );
        assert_eq!((t.min_capacity(), t.max_capacity()), (0, 3));
        let found = policies(&aas_client, rid).await;
        let tt = found
            .iter()
            .find_map(|p| p.target_tracking_scaling_policy_configuration())
            .expect("target tracking");
        assert_eq!(
            tt.predefined_metric_specification()
                .map(|m| m.predefined_metric_type().as_str()),
            Some("SageMakerInferenceComponentInvocationsPerCopy")
        );
        assert_eq!(tt.target_value(), 1.0);
        let step = found
            .iter()
            .find(|p| p.policy_type() == &aas::PolicyType::StepScaling)
            .expect("step");
        let alarms = cw_client
            .describe_alarms()
            .alarm_names("ic-llama-NoCapacityInvocationFailures-ScalingPolicy")
            .send()
            .await
            .expect("alarm");
        let a = &alarms.metric_alarms()[0];
        assert_eq!(a.metric_name(), Some("NoCapacityInvocationFailures"));
        assert_eq!(a.alarm_actions(), [step.policy_arn().to_string()]);
        let dims: Vec<(&str, &str)> = a
            .dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or_default(), d.value().unwrap_or_default()))
            .collect();
        assert_eq!(dims, [("InferenceComponentName", "ic-llama")]);
    });
}

pub(crate) const SERVERLESS: &str = r#"
[[endpoint]]
name = "serverless-ep"
inference = "serverless"
min_capacity = 0
max_capacity = 20

[[endpoint.policy]]
name = "provisioned"
type = "target-tracking"
target = 0.7
metric = { predefined = "SageMakerVariantProvisionedConcurrencyUtilization" }
"#;

#[test]
fn a_serverless_variant_scales_provisioned_concurrency() {
    let case = Case::new(SERVERLESS);
    let (_, plan) = case.plan();
    assert_eq!(
        changes(&plan),
        vec![
            triple(
                "create",
                "scalable_target",
                "sagemaker:variant:DesiredProvisionedConcurrency"
            ),
            triple("create", "scaling_policy", "provisioned"),
        ]
    );
    case.apply();
    case.assert_converged();
    // The same endpoint name with instances would be another scalable target: never touched.
    let writes = case.aws.writes();
    assert_eq!(writes, ["RegisterScalableTarget", "PutScalingPolicy"]);
}

#[test]
fn a_saved_plan_applies_only_while_it_still_matches() {
    let case = Case::new(SEED);
    let r = case.run(&["plan", "--out", "reviewed.json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = case.run(&["apply", "--auto-approve", "--plan", "reviewed.json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);

    let r = case.run(&["plan", "--out", "reviewed.json"]);
    assert_eq!(r.code, 0);
    case.config(&SEED.replace("max_capacity = 4", "max_capacity = 9"));
    let writes_before = case.aws.writes().len();
    let r = case.run(&["apply", "--auto-approve", "--plan", "reviewed.json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.contains("the saved plan (sha256:"), "{}", r.stderr);
    assert_eq!(
        case.aws.writes().len(),
        writes_before,
        "a refused apply writes nothing"
    );
}

#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    let case = Case::new(SEED);
    let r = case.run(&["apply"]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "pass --auto-approve");
    assert_eq!(case.aws.writes(), Vec::<String>::new());
}

#[test]
fn what_a_deregistration_deletes_reads_removed_with_the_target_only_when_it_ran() {
    let gone = "[[endpoint]]\nname = \"ep-gone\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n[[endpoint.schedule]]\nname = \"nightly\"\nschedule = \"cron(0 20 * * ? *)\"\nmax_capacity = 2\n";
    let kept = "[[endpoint]]\nname = \"ep-kept\"\nmax_capacity = 3\npreset = \"async-cpu\"\n";
    let case = Case::new(&format!("{gone}{kept}"));
    case.apply();
    case.file("base.toml", &format!("{gone}{kept}"));
    case.config(kept);
    let cascaded = |stdout: &str, outcome: &str| {
        let lines: Vec<String> = stdout
            .lines()
            .filter(|l| {
                l.contains("endpoint/ep-gone/")
                    && (l.contains("scaling_policy") || l.contains("scheduled_action"))
            })
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), 3, "two policies and a schedule:\n{stdout}");
        assert!(lines.iter().all(|l| l.ends_with(outcome)), "{stdout}");
    };
    // The deregistration fails: its policies and schedule are still there, never "applied".
    case.aws
        .fault("DeregisterScalableTarget", 400, "ValidationException", 1, 0);
    let r = case.run(&["apply", "--auto-approve", "--base", "base.toml"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    cascaded(&r.stdout, ": not attempted");
    // It runs: AWS deleted them with the target.
    let r = case.apply_with(&["--base", "base.toml"]);
    cascaded(&r.stdout, ": removed with the target");
    assert_contains(
        &r.stdout,
        "Apply: 1 applied, 0 failed, 0 not attempted, 3 removed with their target.",
    );
    let (code, plan) = case.plan_with(&["--base", "base.toml"]);
    assert_eq!(code, 0, "{plan:#}");
}

/// The same steps on two slices of the stand-in (another region, another access key: other
/// ARNs, policy ids and alarm names underneath) give the same plan and the same fingerprint,
/// and the fingerprint is the one the plan's own JSON hashes to: apply compares it with the
/// reviewed one, so nothing the reviewer did not see may enter it.
#[test]
fn the_same_steps_on_another_slice_give_the_same_plan_and_fingerprint() {
    const BEFORE: &str = r#"
[[endpoint]]
name = "ep-async"
variant = "prod"
max_capacity = 4
preset = "async-cpu"

[[endpoint]]
name = "ep-office"
variant = "prod"
min_capacity = 1
max_capacity = 4
[[endpoint.policy]]
name = "tt"
type = "target-tracking"
target = 70.0
metric = { predefined = "SageMakerVariantInvocationsPerInstance" }
[[endpoint.schedule]]
name = "office"
schedule = "cron(0 8 ? * MON-FRI *)"
min_capacity = 2

[[endpoint]]
name = "ep-gone"
variant = "prod"
min_capacity = 1
max_capacity = 3
[[endpoint.policy]]
name = "tt"
type = "target-tracking"
target = 70.0
metric = { predefined = "SageMakerVariantInvocationsPerInstance" }
"#;
    let after = BEFORE
        .replacen("max_capacity = 4", "max_capacity = 5", 1)
        .replacen("name = \"tt\"", "name = \"tt-renamed\"", 1)
        .replace("cron(0 8 ", "cron(0 9 ");
    let after = &after[..after.find("[[endpoint]]\nname = \"ep-gone\"").expect("ep-gone")];
    let plan_on_a_slice = || {
        let case = Case::new(BEFORE);
        case.apply();
        case.config(after);
        let (code, first) = case.plan_with(&["--scan"]);
        assert_eq!(code, 2, "{first:#}");
        let (_, again) = case.plan_with(&["--scan"]);
        assert_eq!(first, again, "one slice, two plans");
        first
    };
    let (one, two) = (plan_on_a_slice(), plan_on_a_slice());
    assert_eq!(
        changes(&one).len(),
        5,
        "an update, a rename, a schedule and a prune: {one:#}"
    );
    assert_eq!(one, two, "the same steps on another slice");
    let shown: sagemaker_autoscale::plan::Plan = serde_json::from_value(one.clone()).expect("plan");
    assert_eq!(
        sagemaker_autoscale::plan::fingerprint(&shown.changes, &shown.blocked),
        s(&one["fingerprint"]),
        "the fingerprint is the hash of what the JSON shows"
    );
}
