//! What the integration tests share: one test's config folder and slice of the AWS stand-in
//! (`Case`), the seed, and hand-made AWS objects (what someone else would create).

use std::fs;
use std::path::Path;

use aws_sdk_applicationautoscaling::types as aas;
use serde_json::Value;

use crate::standin::Aws;
use crate::{Run, run};

pub(crate) async fn targets(
    aas: &aws_sdk_applicationautoscaling::Client,
    rid: &str,
) -> Vec<aas::ScalableTarget> {
    let out = aas
        .describe_scalable_targets()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_ids(rid)
        .send()
        .await
        .expect("DescribeScalableTargets");
    out.scalable_targets().to_vec()
}

pub(crate) async fn policies(
    aas: &aws_sdk_applicationautoscaling::Client,
    rid: &str,
) -> Vec<aas::ScalingPolicy> {
    let out = aas
        .describe_scaling_policies()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_id(rid)
        .send()
        .await
        .expect("DescribeScalingPolicies");
    out.scaling_policies().to_vec()
}

pub(crate) async fn register(aas: &aws_sdk_applicationautoscaling::Client, rid: &str, min: i32, max: i32) {
    aas.register_scalable_target()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_id(rid)
        .scalable_dimension(aas::ScalableDimension::SageMakerVariantDesiredInstanceCount)
        .min_capacity(min)
        .max_capacity(max)
        .send()
        .await
        .expect("RegisterScalableTarget");
}

/// Puts a target-tracking policy on a predefined metric by hand, as someone else would.
pub(crate) async fn put_predefined_tracking(
    aas: &aws_sdk_applicationautoscaling::Client,
    (rid, dimension): (&str, aas::ScalableDimension),
    name: &str,
    metric: aas::MetricType,
    target: f64,
    cooldown: Option<i32>,
) {
    aas.put_scaling_policy()
        .service_namespace(aas::ServiceNamespace::Sagemaker)
        .resource_id(rid)
        .scalable_dimension(dimension)
        .policy_name(name)
        .policy_type(aas::PolicyType::TargetTrackingScaling)
        .target_tracking_scaling_policy_configuration(
            aas::TargetTrackingScalingPolicyConfiguration::builder()
                .target_value(target)
                .predefined_metric_specification(
                    aas::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(metric)
                        .build()
                        .expect("metric"),
                )
                .set_scale_in_cooldown(cooldown)
                .set_scale_out_cooldown(cooldown)
                .build()
                .expect("config"),
        )
        .send()
        .await
        .expect("PutScalingPolicy");
}

pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// (action, kind, name) of each change of a JSON plan, in plan order.
pub(crate) fn changes(plan: &Value) -> Vec<(String, String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| (s(&c["action"]), s(&c["kind"]), s(&c["name"])))
        .collect()
}

/// A JSON string's text ("" for anything else).
pub(crate) fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

pub(crate) fn triple(a: &str, k: &str, n: &str) -> (String, String, String) {
    (a.into(), k.into(), n.into())
}

pub(crate) const SEED: &str = r#"
[[endpoint]]
name = "infer-endpoint-c356f91"
variant = "prod"
max_capacity = 4
preset = "async-cpu"
"#;
pub(crate) const RID: &str = "endpoint/infer-endpoint-c356f91/variant/prod";
pub(crate) const ALARM: &str = "infer-endpoint-c356f91-prod-HasBacklogWithoutCapacity-ScalingPolicy";

/// One test's config folder and slice of the AWS stand-in. Shared with reliability.rs.
pub(crate) struct Case {
    pub(crate) aws: Aws,
    dir: tempfile::TempDir,
}

impl Case {
    pub(crate) fn new(config: &str) -> Case {
        let case = Case {
            aws: Aws::new(),
            dir: tempfile::tempdir().expect("tempdir"),
        };
        case.config(config);
        case
    }

    /// A second config folder on the same account and region (another team's repository).
    pub(crate) fn beside(&self, config: &str) -> Case {
        let case = Case {
            aws: self.aws.clone(),
            dir: tempfile::tempdir().expect("tempdir"),
        };
        case.config(config);
        case
    }

    /// Writes `text` (with this case's region) as a file in the case's folder.
    pub(crate) fn file(&self, name: &str, text: &str) {
        let text = format!("region = \"{}\"\n{text}", self.aws.region);
        fs::write(self.dir.path().join(name), text).expect("write file");
    }

    pub(crate) fn config(&self, text: &str) {
        let text = format!("region = \"{}\"\n{text}", self.aws.region);
        fs::write(self.dir.path().join("autoscaling.toml"), text).expect("write config");
    }

    /// The binary in this case's folder, with a short retry backoff: some tests inject
    /// hundreds of retryable faults.
    pub(crate) fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.aws.bin(self.dir.path());
        cmd.env("SAGEMAKER_AUTOSCALE_RETRY_BASE_MS", "5").args(args);
        cmd
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        run(&mut self.cmd(args))
    }

    pub(crate) fn plan(&self) -> (i32, Value) {
        self.plan_with(&[])
    }

    /// `plan --json --detailed-exitcode` with more arguments (`--base FILE`, `--scan`).
    pub(crate) fn plan_with(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["plan", "--json", "--detailed-exitcode"];
        all.extend(args);
        let r = self.run(&all);
        assert!(
            r.code == 0 || r.code == 2,
            "plan failed ({}):\n{}",
            r.code,
            r.stderr
        );
        (
            r.code,
            serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout)),
        )
    }

    pub(crate) fn apply(&self) -> Run {
        self.apply_with(&[])
    }

    pub(crate) fn apply_with(&self, args: &[&str]) -> Run {
        let mut all = vec!["apply", "--auto-approve"];
        all.extend(args);
        let r = self.run(&all);
        assert_eq!(r.code, 0, "apply failed:\n{}\n{}", r.stdout, r.stderr);
        r
    }

    pub(crate) fn assert_converged(&self) {
        let (code, plan) = self.plan();
        assert_eq!(code, 0, "expected no changes, got {plan:#}");
        assert_eq!(plan["changes"], serde_json::json!([]));
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }
}
