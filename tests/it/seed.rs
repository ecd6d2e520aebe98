//! The seed setup: the preset form, the four-line form and the full form mean the same thing,
//! and that thing is what the SageMaker documentation describes.

use sagemaker_autoscale::check_text;
use sagemaker_autoscale::keywords::{
    AdjustmentType, Aggregation, Comparison, MetricStatistic, TreatMissingData, Unit,
};
use sagemaker_autoscale::model::*;

use crate::{bin, repo, validate_json};

fn desired(path: &str) -> DesiredState {
    let text = std::fs::read_to_string(repo().join(path)).expect("example");
    let checked = check_text(path, &text);
    assert_eq!(checked.errors(), 0, "{:#?}", checked.diagnostics);
    let mut desired = checked.desired.expect("valid");
    // The default stack is the file's path: the same config under another name.
    assert_eq!(desired.stack, path);
    desired.stack = "seed".into();
    desired
}

#[test]
fn preset_and_explicit_forms_expand_to_the_same_desired_state() {
    assert_eq!(
        desired("examples/seed.toml"),
        desired("examples/seed-explicit.toml")
    );
}

#[test]
fn the_seed_fits_in_four_lines() {
    let four = "[[endpoint]]\nname = \"infer-endpoint-c356f91\"\nmax_capacity = 4\npreset = \"async-cpu\"\n";
    let checked = check_text("four.toml", four);
    let mut short = checked.desired.expect("valid");
    short.stack = "seed".into();
    let mut full = desired("examples/seed.toml");
    // The example also names a region and a variant; the rest must be identical.
    full.region = None;
    let full_target = &mut full.targets[0];
    let prod = Scaled::Variant {
        endpoint: "infer-endpoint-c356f91".into(),
        variant: "prod".into(),
    };
    assert_eq!(full_target.scaled, prod);
    short.targets[0].scaled = prod;
    short.targets[0].resource_id = full_target.resource_id.clone();
    for p in &mut short.targets[0].policies {
        rename_variant(p, "AllTraffic", "prod");
    }
    assert_eq!(short, full);
}

fn rename_variant(p: &mut ScalingPolicy, from: &str, to: &str) {
    let dims = match &mut p.config {
        PolicyConfig::TargetTracking(TargetTracking {
            metric: MetricSpec::Custom(c),
            ..
        }) => &mut c.dimensions,
        PolicyConfig::Step(s) => {
            s.alarm.name = s.alarm.name.replace(from, to);
            &mut s.alarm.dimensions
        }
        _ => return,
    };
    for d in dims.iter_mut().filter(|d| d.value == from) {
        d.value = to.into();
    }
}

#[test]
fn the_seed_matches_the_sagemaker_documentation_field_by_field() {
    let state = desired("examples/seed.toml");
    let t = &state.targets[0];
    assert_eq!(t.resource_id, "endpoint/infer-endpoint-c356f91/variant/prod");
    assert_eq!(
        t.scalable_dimension.as_str(),
        "sagemaker:variant:DesiredInstanceCount"
    );
    assert_eq!((t.min_capacity, t.max_capacity), (0, 4));
    assert_eq!(t.suspended, SuspendedState::default());
    let [cpu, backlog] = t.policies.as_slice() else {
        panic!("two policies: {:#?}", t.policies)
    };

    assert_eq!(cpu.name, "CPUUtil-ScalingPolicy");
    let dim = |name: &str, value: &str| Dimension {
        name: name.into(),
        value: value.into(),
    };
    assert_eq!(
        cpu.config,
        PolicyConfig::TargetTracking(TargetTracking {
            target_value: 50.0,
            metric: MetricSpec::Custom(CustomMetric {
                metric_name: "CPUUtilization".into(),
                namespace: "/aws/sagemaker/Endpoints".into(),
                statistic: MetricStatistic::Average,
                unit: Some(Unit::Percent),
                dimensions: vec![
                    dim("EndpointName", "infer-endpoint-c356f91"),
                    dim("VariantName", "prod")
                ],
            }),
            scale_in_cooldown: Some(300),
            scale_out_cooldown: Some(300),
            disable_scale_in: false,
        })
    );

    assert_eq!(backlog.name, "HasBacklogWithoutCapacity-ScalingPolicy");
    assert_eq!(
        backlog.config,
        PolicyConfig::Step(StepScaling {
            adjustment_type: AdjustmentType::ChangeInCapacity,
            cooldown: 300,
            metric_aggregation_type: Aggregation::Average,
            min_adjustment_magnitude: None,
            steps: vec![StepAdjustment {
                lower_bound: Some(0.0),
                upper_bound: None,
                scaling_adjustment: 1
            }],
            alarm: Alarm {
                name: "infer-endpoint-c356f91-prod-HasBacklogWithoutCapacity-ScalingPolicy".into(),
                metric_name: "HasBacklogWithoutCapacity".into(),
                namespace: "AWS/SageMaker".into(),
                statistic: AlarmStatistic::Statistic(MetricStatistic::Average),
                dimensions: vec![dim("EndpointName", "infer-endpoint-c356f91")],
                period: 60,
                evaluation_periods: 2,
                datapoints_to_alarm: 2,
                threshold: 1.0,
                comparison: Comparison::GreaterThanOrEqualToThreshold,
                treat_missing_data: TreatMissingData::Missing,
            },
        })
    );
}

#[test]
fn json_output_is_the_contract_tools_read() {
    let (code, preset) = validate_json(bin(&repo()).env("INPUT_CONFIG", "examples/seed.toml"));
    assert_eq!(code, 0);
    let (code, explicit) = validate_json(bin(&repo()).env("INPUT_CONFIG", "examples/seed-explicit.toml"));
    assert_eq!(code, 0);
    let stackless = |mut v: serde_json::Value| {
        v["desired"]["stack"] = "seed".into();
        v
    };
    assert_eq!(preset["desired"]["stack"], "examples/seed.toml");
    assert_eq!(
        stackless(preset.clone())["desired"],
        stackless(explicit)["desired"]
    );
    assert_eq!(preset["valid"], true);
    assert_eq!(preset["errors"], 0);
    assert_eq!(preset["warnings"], 1, "the CPU-summed-across-cores advice");
    insta::assert_json_snapshot!("seed_desired_state", preset["desired"]);
}

#[test]
fn every_example_is_valid() {
    for entry in std::fs::read_dir(repo().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let checked = check_text(&path.display().to_string(), &text);
        assert_eq!(
            checked.errors(),
            0,
            "{}: {:#?}",
            path.display(),
            checked.diagnostics
        );
    }
}

#[test]
fn toml_examples_in_the_readme_are_valid() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(blocks.len() >= 2, "README has its toml examples");
    for block in blocks {
        let checked = check_text("README.md", block);
        assert_eq!(checked.errors(), 0, "{block}\n{:#?}", checked.diagnostics);
    }
}
