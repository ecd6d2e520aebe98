//! `import` against the AWS stand-in: what it writes must plan as "no changes" against the
//! account it was read from, and it must never write to AWS.

use std::fs;

use aws_sdk_applicationautoscaling::types as aas;
use aws_sdk_cloudwatch::types as cw;

use crate::assert_contains;
use crate::common::{Case, RID, SEED, block_on, policies, register};
use crate::engine::{COMPONENT, SERVERLESS};

/// Imports into `imported.toml` in the case's folder and returns (file text, stderr).
fn import(case: &Case, args: &[&str]) -> (String, String) {
    let writes_before = case.aws.writes().len();
    let mut all = vec!["import", "--region", case.aws.region, "--out", "imported.toml"];
    all.extend_from_slice(args);
    let r = case.run(&all);
    assert_eq!(r.code, 0, "import failed:\n{}\n{}", r.stdout, r.stderr);
    assert_eq!(case.aws.writes().len(), writes_before, "import wrote to AWS");
    let text = fs::read_to_string(case.dir().join("imported.toml")).expect("imported.toml");
    (text, r.stderr)
}

/// The imported file as a snapshot, with the test's own region filtered out.
fn assert_snapshot(case: &Case, name: &str, text: &str) {
    let text = text.replace(case.aws.region, "[region]");
    insta::with_settings!({ prepend_module_to_snapshot => true, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

fn assert_plans_clean(case: &Case) {
    let r = case.run(&["plan", "--config", "imported.toml", "--detailed-exitcode"]);
    assert_eq!(
        r.code, 0,
        "the imported file does not plan clean:\n{}\n{}",
        r.stdout, r.stderr
    );
}

#[test]
fn the_seed_imports_as_its_preset_and_plans_clean() {
    let case = Case::new(SEED);
    case.apply();
    let (text, stderr) = import(&case, &["infer-endpoint-c356f91"]);
    assert_snapshot(&case, "seed", &text);
    assert_contains(&stderr, "Imported 1 endpoint variant(s)");
    assert_plans_clean(&case);
}

#[test]
fn a_preset_with_a_changed_target_imports_as_the_preset_with_an_override() {
    let case = Case::new(&SEED.replace(
        "max_capacity = 4",
        "max_capacity = 4\ntarget = 120\nscale_in_cooldown = 900",
    ));
    case.apply();
    let (text, _) = import(&case, &["--prefix", "infer-"]);
    assert!(
        text.contains("preset = \"async-cpu\"\ntarget = 120.0\nscale_in_cooldown = 900\n"),
        "{text}"
    );
    assert!(
        !text.contains("scale_out_cooldown"),
        "only what differs is written:\n{text}"
    );
    assert_plans_clean(&case);
}

const HAND: &str = "endpoint/hand-made/variant/AllTraffic";

/// Three policies (two target tracking, one step with its alarm) and a schedule, made the way
/// a one-off script would, straight through the SDK.
async fn hand_made(case: &Case) -> String {
    let (aas_client, cw_client) = case.aws.clients().await;
    register(&aas_client, HAND, 1, 8).await;
    let put = |name: &str| {
        aas_client
            .put_scaling_policy()
            .service_namespace(aas::ServiceNamespace::Sagemaker)
            .resource_id(HAND)
            .scalable_dimension(aas::ScalableDimension::SageMakerVariantDesiredInstanceCount)
            .policy_name(name)
    };
    put("invocations")
        .policy_type(aas::PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            aas::TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(70.0)
                .predefined_metric_specification(
                    aas::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(aas::MetricType::SageMakerVariantInvocationsPerInstance)
                        .build()
                        .unwrap(),
                )
                .scale_in_cooldown(600)
                .scale_out_cooldown(60)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("invocations policy");
    put("latency")
        .policy_type(aas::PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            aas::TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(250000.0)
                .customized_metric_specification(
                    aas::CustomizedMetricSpecification::builder()
                        .metric_name("ModelLatency")
                        .namespace("AWS/SageMaker")
                        .statistic(aas::MetricStatistic::Average)
                        .unit("Microseconds")
                        .dimensions(
                            aas::MetricDimension::builder()
                                .name("EndpointName")
                                .value("hand-made")
                                .build()
                                .unwrap(),
                        )
                        .dimensions(
                            aas::MetricDimension::builder()
                                .name("VariantName")
                                .value("AllTraffic")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .disable_scale_in(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("latency policy");
    let step = |lower: Option<f64>, upper: Option<f64>, adjustment: i32| {
        aas::StepAdjustment::builder()
            .set_metric_interval_lower_bound(lower)
            .set_metric_interval_upper_bound(upper)
            .scaling_adjustment(adjustment)
            .build()
            .unwrap()
    };
    let burst = put("burst")
        .policy_type(aas::PolicyType::StepScaling)
        .step_scaling_policy_configuration(
            aas::StepScalingPolicyConfiguration::builder()
                .adjustment_type(aas::AdjustmentType::PercentChangeInCapacity)
                .min_adjustment_magnitude(2)
                .metric_aggregation_type(aas::MetricAggregationType::Maximum)
                .cooldown(120)
                .step_adjustments(step(Some(0.0), Some(500.0), 20))
                .step_adjustments(step(Some(500.0), None, 50))
                .build(),
        )
        .send()
        .await
        .expect("burst policy");
    let burst_arn = burst.policy_arn().to_string();
    cw_client
        .put_metric_alarm()
        .alarm_name("hand-made-burst")
        .metric_name("Invocations")
        .namespace("AWS/SageMaker")
        .statistic(cw::Statistic::Sum)
        .dimensions(
            cw::Dimension::builder()
                .name("EndpointName")
                .value("hand-made")
                .build(),
        )
        .dimensions(
            cw::Dimension::builder()
                .name("VariantName")
                .value("AllTraffic")
                .build(),
        )
        .period(60)
        .evaluation_periods(3)
        .datapoints_to_alarm(2)
        .threshold(1000.0)
        .comparison_operator(cw::ComparisonOperator::GreaterThanThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions(&burst_arn)
        .send()
        .await
        .expect("burst alarm");
    aas_client
        .put_scheduled_action()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_id(HAND)
        .scalable_dimension(aas::ScalableDimension::SageMakerVariantDesiredInstanceCount)
        .scheduled_action_name("weekday-morning")
        .schedule("cron(0 8 ? * MON-FRI *)")
        .timezone("Europe/Berlin")
        .start_time(aws_sdk_applicationautoscaling::primitives::DateTime::from_secs(
            1_900_000_000,
        ))
        .scalable_target_action(
            aas::ScalableTargetAction::builder()
                .min_capacity(2)
                .max_capacity(8)
                .build(),
        )
        .send()
        .await
        .expect("schedule");
    burst_arn
}

#[test]
fn a_hand_made_setup_with_three_policies_and_a_schedule_imports_in_full_and_plans_clean() {
    let case = Case::new(SEED);
    block_on(hand_made(&case));
    let (text, stderr) = import(&case, &["hand-made"]);
    assert!(!text.contains("preset"), "no preset matches:\n{text}");
    assert_eq!(text.matches("[[endpoint.policy]]").count(), 3, "{text}");
    for expected in [
        "predefined = \"SageMakerVariantInvocationsPerInstance\"",
        "disable_scale_in = true",
        "adjustment_type = \"PercentChangeInCapacity\"",
        "min_adjustment_magnitude = 2",
        "aggregation = \"Maximum\"",
        "steps = [{ lower = 0.0, upper = 500.0, adjustment = 20 }, { lower = 500.0, adjustment = 50 }]",
        "name = \"hand-made-burst\"",
        "treat_missing_data = \"notBreaching\"",
        "timezone = \"Europe/Berlin\"",
        "start_time = \"2030-03-17T17:46:40Z\"",
    ] {
        assert!(text.contains(expected), "missing {expected}:\n{text}");
    }
    assert!(text.contains("shows no changes"), "{text}\n{stderr}");
    assert!(
        !text.contains("infer-endpoint"),
        "only the named endpoint:\n{text}"
    );
    let r = case.run(&["validate", "--config", "imported.toml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_plans_clean(&case);
}

#[test]
fn what_cannot_be_written_is_listed_at_the_top_of_the_file() {
    let case = Case::new(SEED);
    case.apply();
    // A second policy of the target on the seed's alarm: this tool gives each alarm exactly
    // one (an action that is not one of the target's policies, an SNS topic, is kept).
    let tracking = block_on(async {
        let (aas_client, cw_client) = case.aws.clients().await;
        let all = policies(&aas_client, RID).await;
        let arn = |kind: aas::PolicyType| {
            all.iter()
                .find(|p| p.policy_type() == &kind)
                .map(|p| p.policy_arn().to_string())
                .expect("policy")
        };
        let (step_arn, tracking_arn) = (
            arn(aas::PolicyType::StepScaling),
            arn(aas::PolicyType::TargetTrackingScaling),
        );
        cw_client
            .put_metric_alarm()
            .alarm_name("infer-endpoint-c356f91-prod-HasBacklogWithoutCapacity-ScalingPolicy")
            .metric_name("HasBacklogWithoutCapacity")
            .namespace("AWS/SageMaker")
            .statistic(cw::Statistic::Average)
            .dimensions(
                cw::Dimension::builder()
                    .name("EndpointName")
                    .value("infer-endpoint-c356f91")
                    .build(),
            )
            .period(60)
            .evaluation_periods(2)
            .datapoints_to_alarm(2)
            .threshold(1.0)
            .comparison_operator(cw::ComparisonOperator::GreaterThanOrEqualToThreshold)
            .alarm_actions(step_arn)
            .alarm_actions(&tracking_arn)
            .send()
            .await
            .expect("alarm with two actions");
        all.iter()
            .find(|p| p.policy_arn() == tracking_arn)
            .map(|p| p.policy_name().to_string())
            .expect("tracking policy")
    });
    let (text, stderr) = import(&case, &["--all"]);
    assert!(
        text.contains(&format!(
            "also fires {tracking}; this tool gives each alarm one action"
        )),
        "{text}"
    );
    assert!(
        text.contains(
            "#   - would update alarm infer-endpoint-c356f91-prod-HasBacklogWithoutCapacity-ScalingPolicy"
        ),
        "the exact change a plan shows is listed:\n{text}"
    );
    assert!(
        !text.contains("preset"),
        "a preset is used only for an exact match:\n{text}"
    );
    assert!(
        stderr.contains("warning: not everything could be written"),
        "{stderr}"
    );
    let r = case.run(&["validate", "--config", "imported.toml"]);
    assert_eq!(r.code, 0, "the file is still valid:\n{}", r.stderr);
}

#[test]
fn bad_selections_fail_clearly_and_an_existing_file_is_kept() {
    let case = Case::new(SEED);
    case.apply();
    let r = case.run(&["import", "--region", case.aws.region, "no-such-endpoint"]);
    assert_eq!(r.code, 1);
    assert_contains(
        &r.stderr,
        "for endpoint(s) or inference component(s) no-such-endpoint",
    );
    let r = case.run(&["import", "--region", case.aws.region, "--prefix", "zzz"]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "matches --prefix zzz");
    let r = case.run(&["import", "--region", case.aws.region]);
    assert_eq!(r.code, 1, "a selection is required");
    let r = case.run(&[
        "import",
        "--region",
        case.aws.region,
        "--all",
        "--out",
        "autoscaling.toml",
    ]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "exists; not overwriting it");
}

#[test]
fn an_inference_component_imports_as_its_preset_and_plans_clean() {
    let case = Case::new(COMPONENT);
    case.apply();
    let (text, _) = import(&case, &["ic-llama"]);
    assert!(
        text.contains("[[inference_component]]\nname = \"ic-llama\"\n"),
        "{text}"
    );
    assert!(text.contains("preset = \"component-from-zero\""), "{text}");
    assert!(text.contains("shows no changes"), "{text}");
    assert_plans_clean(&case);
}

#[test]
fn an_inference_component_with_its_own_policies_imports_in_full_and_plans_clean() {
    let case = Case::new(&COMPONENT.replace(
        "preset = \"component-from-zero\"",
        "preset = \"component-from-zero\"\n\n[[inference_component.schedule]]\nname = \"weekend\"\nschedule = \"cron(0 0 ? * SAT *)\"\nmax_capacity = 1\n\n[[inference_component.policy]]\nname = \"NoCapacityInvocationFailures-ScalingPolicy\"\ncooldown = 120",
    ));
    case.apply();
    // The step cooldown differs from the preset's: the whole form is written.
    let (text, _) = import(&case, &["--all"]);
    assert_snapshot(&case, "component_in_full", &text);
    assert_plans_clean(&case);
}

#[test]
fn a_serverless_variant_imports_with_its_inference_type_and_plans_clean() {
    let case = Case::new(SERVERLESS);
    case.apply();
    let (text, _) = import(&case, &["serverless-ep"]);
    assert!(text.contains("inference = \"serverless\""), "{text}");
    assert!(
        text.contains("predefined = \"SageMakerVariantProvisionedConcurrencyUtilization\""),
        "{text}"
    );
    assert!(text.contains("shows no changes"), "{text}");
    assert_plans_clean(&case);
}
