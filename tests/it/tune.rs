//! tune end to end: an async endpoint's queue and processed requests put into the stand-in
//! (PutMetricData), read back, and searched; the recommendation is a diff that validates.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types as cw;
use serde_json::Value;

use crate::common::{Case, SEED, block_on};
use crate::standin::Aws;

/// 2026-11-29T12:00:00Z: the end of the tuned day.
const UNTIL: i64 = 1_795_953_600;

/// Two busy hours (minutes 600..541 and 240..181 before UNTIL): 40 requests taken a minute,
/// 20 waiting, CPU 150 per instance, as recorded under the live config.
pub(crate) fn put_bursts(aws: &Aws, endpoint_name: &str, variant_name: &str) {
    block_on(async {
        let (_, cw_client) = aws.clients().await;
        let dim = |n: &str, v: &str| cw::Dimension::builder().name(n).value(v).build();
        let endpoint = || vec![dim("EndpointName", endpoint_name)];
        let variant = || {
            vec![
                dim("EndpointName", endpoint_name),
                dim("VariantName", variant_name),
            ]
        };
        for start in [541, 181] {
            for (namespace, name, dims, value) in [
                ("AWS/SageMaker", "ApproximateBacklogSize", endpoint(), 20.0),
                ("AWS/SageMaker", "InvocationsProcessed", endpoint(), 40.0),
                ("/aws/sagemaker/Endpoints", "CPUUtilization", variant(), 150.0),
            ] {
                let data: Vec<cw::MetricDatum> = (start..start + 60)
                    .map(|m| {
                        cw::MetricDatum::builder()
                            .metric_name(name)
                            .set_dimensions(Some(dims.clone()))
                            .timestamp(DateTime::from_secs(UNTIL - 60 * m))
                            .value(value)
                            .build()
                    })
                    .collect();
                cw_client
                    .put_metric_data()
                    .namespace(namespace)
                    .set_metric_data(Some(data))
                    .send()
                    .await
                    .expect("put");
            }
        }
    });
}

fn tune(case: &Case, extra: &[&str]) -> crate::Run {
    let mut args = vec![
        "tune",
        "--days",
        "1",
        "--until",
        "2026-11-29T12:00:00Z",
        "--price",
        "2",
    ];
    args.extend_from_slice(extra);
    case.run(&args)
}

#[test]
fn tune_reads_the_history_and_recommends_a_config_that_validates() {
    let case = Case::new(SEED);
    case.apply();
    put_bursts(&case.aws, "infer-endpoint-c356f91", "prod");
    let writes_before = case.aws.writes().len();
    let r = tune(&case, &["--goal", "backlog_minutes_per_week=200", "--json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    let t = &report["targets"][0];
    assert_eq!(t["target"], "endpoint/infer-endpoint-c356f91/variant/prod");
    assert_eq!(t["met"], true, "{t:#}");
    // The queue's throughput came from the minutes that ended with requests waiting.
    assert_eq!(t["throughput"][1], "saturated", "{t:#}");
    let labels: Vec<&str> = t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["label"].as_str())
        .collect();
    assert_eq!(&labels[..2], ["current", "recommended"], "{t:#}");
    let cost = |i: usize| t["rows"][i]["cost_per_month"].as_f64().expect("cost");
    assert!(cost(1) <= cost(0), "never dearer than the current config: {t:#}");
    assert_eq!(case.aws.writes().len(), writes_before, "tune writes nothing");

    let text = tune(&case, &["--goal", "backlog_minutes_per_week=200"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    crate::assert_contains(&text.stdout, "endpoint/infer-endpoint-c356f91/variant/prod\n");
    crate::assert_contains(&text.stdout, "  recommended ");
    if t["diff"] != "" {
        crate::assert_contains(&text.stdout, "+++ autoscaling.toml (recommended)\n");
    }
}

#[test]
fn tune_bad_input_and_unmet_goals_exit_1_with_the_reason() {
    let case = Case::new(SEED);
    put_bursts(&case.aws, "infer-endpoint-c356f91", "prod");
    for (args, message) in [
        (
            vec!["--goal", "backlog_minutes=3"],
            "unknown goal `backlog_minutes`",
        ),
        (vec!["--goal", "max_backlog=lots"], "not a number"),
        (
            vec!["--throughput", "0"],
            "--throughput must be a positive number",
        ),
        (vec!["--endpoint", "nope"], "--endpoint nope: no such endpoint"),
    ] {
        let r = tune(&case, &args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
    }
    // Nothing waits at zero instances only if nothing ever scales to zero, and the queue can
    // never be empty in a busy minute: no config meets this.
    let r = tune(
        &case,
        &["--goal", "max_backlog=0", "--goal", "backlog_minutes_per_week=0"],
    );
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    crate::assert_contains(&r.stdout, "closest (misses the goal)");
}
