//! `validate` and AWS agree (issue 21, item 1): a config `validate` accepts never makes the
//! tool send a request AWS refuses, and a config whose requests AWS refuses never passes
//! `validate`.
//!
//! "AWS refuses" is the stand-in's model check (tests/standin/model_check.py): every request
//! against botocore's service models of Application Auto Scaling and CloudWatch plus the limits
//! their references state in words, recorded per test at GET /_standin/requests.
//! - Every config the repository holds as valid (examples/, tests/fixtures/, tests/warn/) and
//!   every generated edge case `validate` accepts is applied; the requests it sent must hold no
//!   violation (and the apply must succeed).
//! - Every generated edge case `validate` refuses must be refused with the expected code, and
//!   its value, sent to the stand-in in the request the tool would build from it, must be
//!   refused too (400 ValidationException / ValidationError). Without that second half a
//!   needlessly strict rule would pass unnoticed.

use std::fmt::Write as _;
use std::fs;

use aws_sdk_applicationautoscaling::types as aas;
use aws_sdk_cloudwatch::types as cw;
use serde_json::Value;

use crate::common::{Case, block_on, register};
use crate::standin::{Aws, http};
use crate::{bin, repo, validate_json};

/// Every request this test's access key sent (any region), as the stand-in decoded it.
fn requests(aws: &Aws) -> Vec<Value> {
    let all: Value =
        serde_json::from_str(&http("GET", aws.port, "/_standin/requests", None)).expect("requests");
    let prefix = format!("{}/", aws.key);
    all.as_object()
        .expect("requests by scope")
        .iter()
        .filter(|(scope, _)| scope.starts_with(&prefix))
        .flat_map(|(_, list)| list.as_array().expect("list").clone())
        .collect()
}

/// `validate --json` of `text` (with a region): (valid, the errors' codes).
fn validate(text: &str) -> (bool, Vec<String>) {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("autoscaling.toml"),
        format!("region = \"us-east-1\"\n{text}"),
    )
    .expect("write");
    let (_, out) = validate_json(&mut bin(dir.path()));
    let codes = out["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect();
    (out["valid"] == true, codes)
}

/// Applies a config `validate` accepts and returns the violations among the requests sent.
fn apply_and_check(what: &str, text: &str) {
    let (valid, codes) = validate(text);
    assert!(valid, "{what}: validate refused it: {codes:?}");
    let case = Case::new(text);
    let r = case.run(&["apply", "--auto-approve"]);
    let sent = requests(&case.aws);
    let writes = sent
        .iter()
        .filter(|q| {
            q["operation"]
                .as_str()
                .is_some_and(|o| o.starts_with("Put") || o.starts_with("Register"))
        })
        .count();
    let violations: Vec<String> = sent
        .iter()
        .flat_map(|q| {
            let op = q["operation"].as_str().unwrap_or("?").to_string();
            q["violations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |v| format!("{op}: {}", v.as_str().unwrap_or("?")))
        })
        .collect();
    assert!(
        violations.is_empty(),
        "{what}: validate accepted it, and AWS would refuse:\n{}",
        violations.join("\n")
    );
    assert_eq!(r.code, 0, "{what}: apply failed:\n{}\n{}", r.stdout, r.stderr);
    assert!(writes > 0, "{what}: nothing was sent");
}

/// The config text without its own `region` line: each case runs in a region of its own.
fn without_region(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("region ="))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn toml_files(dir: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(repo().join(dir))
        .expect("folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let text = fs::read_to_string(&p).expect("read");
            (p.display().to_string(), without_region(&text))
        })
        .collect();
    out.sort();
    out
}

/// A TOML basic string holding exactly `s`: control characters (and DEL) escaped.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn endpoint(name: &str) -> String {
    format!(
        "[[endpoint]]\nname = {}\nmin_capacity = 1\nmax_capacity = 4\n",
        q(name)
    )
}

/// A target-tracking policy on metric math over these queries.
fn math_policy(queries: &[String]) -> String {
    format!(
        "[[endpoint.policy]]\nname = \"math\"\ntype = \"target-tracking\"\ntarget = 5.0\nmetric = {{ math = [\n{}\n] }}\n",
        queries.join(",\n")
    )
}

fn metric_query(
    id: &str,
    metric: &str,
    namespace: &str,
    dims: &[(&str, &str)],
    label: Option<&str>,
) -> String {
    let dims: Vec<String> = dims.iter().map(|(n, v)| format!("{} = {}", q(n), q(v))).collect();
    let label = label.map_or(String::new(), |l| format!(", label = {}", q(l)));
    format!(
        "  {{ id = {}, metric = {}, namespace = {}, stat = \"Average\", dimensions = {{ {} }}{label} }}",
        q(id),
        q(metric),
        q(namespace),
        dims.join(", ")
    )
}

fn expression_query(id: &str, expression: &str, label: Option<&str>) -> String {
    let label = label.map_or(String::new(), |l| format!(", label = {}", q(l)));
    format!("  {{ id = {}, expression = {}{label} }}", q(id), q(expression))
}

fn step_policy(alarm_fields: &str) -> String {
    format!(
        "[[endpoint.policy]]\nname = \"step\"\ntype = \"step\"\nsteps = [{{ lower = 0.0, adjustment = 1 }}]\nalarm = {{ {alarm_fields}, statistic = \"Average\", period = 60, evaluation_periods = 1, threshold = 1, comparison = \">=\" }}\n"
    )
}

fn schedule(name: &str, expression: &str) -> String {
    format!(
        "[[endpoint.schedule]]\nname = {}\nschedule = {}\nmin_capacity = 1\n",
        q(name),
        q(expression)
    )
}

#[test]
fn every_valid_config_in_the_repository_applies_with_no_request_aws_refuses() {
    let mut configs = Vec::new();
    for dir in ["examples", "tests/fixtures", "tests/warn"] {
        configs.extend(toml_files(dir));
    }
    assert!(configs.len() >= 12, "{configs:?}");
    for (path, text) in configs {
        apply_and_check(&path, &text);
    }
}

/// Edge cases AWS accepts, at the limits: each applies with zero violations.
#[test]
fn edge_cases_aws_accepts_are_valid_and_apply_cleanly() {
    let ascii: String = (' '..='~').collect();
    let long_policy: String = ascii.chars().cycle().take(256).collect();
    // 255 UTF-16 units: 253 BMP letters and one emoji (two units).
    let long_alarm = format!("{}😀", "ä".repeat(253));
    let long_schedule = format!("{}😀", "é".repeat(254));
    let longest = format!(
        "{}variant = {}\n{}{}",
        endpoint(&format!("e{}", "x".repeat(62))),
        q(&format!("v{}", "y".repeat(62))),
        step_policy(&format!(
            "name = {}, metric = {}, namespace = {}, dimensions = {{ {} = {} }}",
            q(&long_alarm),
            q(&format!(":{}", "m".repeat(254))),
            q(&format!("N/{}", "n".repeat(253))),
            q(&"D".repeat(255)),
            q(&"v ~".repeat(342).chars().take(1024).collect::<String>()),
        ))
        .replace("name = \"step\"", &format!("name = {}", q(&long_policy))),
        schedule(&long_schedule, "cron(0 8 ? * MON-FRI *)"),
    );
    let unicode = format!(
        "{}{}{}{}",
        endpoint("edge-unicode"),
        math_policy(&[
            metric_query(
                "m1",
                "Latência ✓",
                "Équipe/ML 😀",
                &[("Team", "ml")],
                Some("étiquette\tlabel")
            ),
            expression_query("e1", "m1\n* 2", Some("résultat 📈")),
        ]),
        step_policy(
            "name = \"alarme é 😀 ∑\", metric = \":Warteschlange ä\", namespace = \"Ünïcode/Queue\", dimensions = { Queue = \"q ~!\" }"
        ),
        "[[endpoint.schedule]]\nname = \"Nacht 🌙 Skalierung — ø\"\nschedule = \"cron(0 20 ? * 2-6 *)\"\ntimezone = \"Europe/Berlin\"\nstart_time = 2030-01-01T00:00:00+01:00\nend_time = 9999-12-31T23:59:59Z\nmin_capacity = 1\nmax_capacity = 3\n",
    );
    let targets = format!(
        "{}[[endpoint.policy]]\nname = \"custom\"\ntype = \"target-tracking\"\ntarget = -5.0\nmetric = {{ custom = {{ name = \":Backlog\", namespace = \"Custom/Queue\", statistic = \"Average\", dimensions = {{ Queue = \"a\" }} }} }}\n[[endpoint.policy]]\nname = \"tiny\"\ntype = \"target-tracking\"\ntarget = 1e-200\nmetric = {{ predefined = \"SageMakerVariantInvocationsPerInstance\" }}\n[[endpoint.policy]]\nname = \"huge\"\ntype = \"target-tracking\"\ntarget = 2.3e108\nmetric = {{ custom = {{ name = \"Big\", namespace = \"Custom/Queue\", statistic = \"Sum\" }} }}\n",
        endpoint("edge-targets")
    );
    let steps: Vec<String> = (0..25)
        .map(|i| match i {
            24 => format!("{{ lower = {i}.0, adjustment = 2 }}"),
            _ => format!("{{ lower = {i}.0, upper = {}.0, adjustment = 1 }}", i + 1),
        })
        .collect();
    let many_steps = format!(
        "{}[[endpoint.policy]]\nname = \"steps\"\ntype = \"step\"\nsteps = [{}]\nalarm = {{ metric = \"Backlog\", namespace = \"Custom/Queue\", statistic = \"Average\", period = 60, evaluation_periods = 1, threshold = 1, comparison = \">=\" }}\n",
        endpoint("edge-steps"),
        steps.join(", ")
    );
    let mut many_schedules = endpoint("edge-schedules");
    for i in 0..200 {
        let expression = match i % 4 {
            0 => format!("cron({} {} ? * MON-FRI *)", i % 60, i % 24),
            1 => format!("rate({} hours)", i % 23 + 1),
            2 => format!("at(2031-01-{:02}T{:02}:00:00)", i % 28 + 1, i % 24),
            _ => format!("cron(0 {} ? * {}#{} *)", i % 24, i % 7 + 1, i % 5 + 1),
        };
        many_schedules.push_str(&schedule(&format!("s{i:03}"), &expression));
    }
    let mut queries: Vec<String> = (0..10)
        .map(|i| {
            metric_query(
                &format!("m{i}"),
                "Backlog",
                "AWS/SQS",
                &[("QueueName", &format!("q{i}"))],
                None,
            )
        })
        .collect();
    for i in 0..4 {
        queries.push(expression_query(
            &format!("e{i}"),
            &format!("m{i} + m{}", i + 1),
            None,
        ));
    }
    // The last query is the one tracked (return_data's default).
    queries.push(expression_query("total", "SUM(METRICS()) / 10", None));
    let many_queries = format!("{}{}", endpoint("edge-queries"), math_policy(&queries));
    let day_of_week = format!(
        "{}{}{}{}{}",
        endpoint("edge-cron"),
        schedule("every-2-hours", "cron(0 0/2 ? * MON-FRI *)"),
        schedule("first-monday", "cron(0 8 ? * 2#1 *)"),
        schedule("last-friday", "cron(0 8 ? * 6L *)"),
        schedule("last-day", "cron(15 10 L * ? *)"),
    );
    for (what, text) in [
        ("the longest names", longest),
        ("unicode in every free-text field", unicode),
        ("targets AWS takes", targets),
        ("25 steps", many_steps),
        ("200 scheduled actions", many_schedules),
        ("10 metrics and 5 expressions", many_queries),
        ("cron day-of-week forms", day_of_week),
    ] {
        apply_and_check(what, &text);
    }
}

/// The request the tool would build from a refused edge case, sent by hand.
enum Probe {
    Schedule(String, String),
    Math(Vec<aas::TargetTrackingMetricDataQuery>),
    Custom(Vec<(String, String)>),
    Alarm {
        name: String,
        namespace: String,
        dims: Vec<(String, String)>,
    },
    Target(f64),
    PolicyName(String),
}

fn math_metric(
    id: &str,
    metric: &str,
    namespace: &str,
    dims: &[(&str, &str)],
    label: Option<&str>,
) -> aas::TargetTrackingMetricDataQuery {
    let mut m = aas::TargetTrackingMetric::builder()
        .metric_name(metric)
        .namespace(namespace);
    for (n, v) in dims {
        m = m.dimensions(
            aas::TargetTrackingMetricDimension::builder()
                .name(*n)
                .value(*v)
                .build()
                .expect("dimension"),
        );
    }
    aas::TargetTrackingMetricDataQuery::builder()
        .id(id)
        .set_label(label.map(str::to_string))
        .return_data(false)
        .metric_stat(
            aas::TargetTrackingMetricStat::builder()
                .metric(m.build())
                .stat("Average")
                .build()
                .expect("stat"),
        )
        .build()
        .expect("query")
}

fn math_expression(id: &str, expression: &str, label: Option<&str>) -> aas::TargetTrackingMetricDataQuery {
    aas::TargetTrackingMetricDataQuery::builder()
        .id(id)
        .expression(expression)
        .set_label(label.map(str::to_string))
        .return_data(true)
        .build()
        .expect("query")
}

/// AWS's error code for a call's answer, if it refused it.
fn refusal<T, E: aws_sdk_applicationautoscaling::error::ProvideErrorMetadata>(
    answer: Result<T, E>,
) -> Result<(), Option<String>> {
    answer.map(|_| ()).map_err(|e| e.code().map(str::to_string))
}

/// A target-tracking configuration around `target` with the invocations metric (None: with
/// `custom` instead).
fn tracking_config(
    target: f64,
    custom: Option<aas::CustomizedMetricSpecification>,
) -> aas::TargetTrackingScalingPolicyConfiguration {
    let config = aas::TargetTrackingScalingPolicyConfiguration::builder().target_value(target);
    let config = match custom {
        Some(spec) => config.customized_metric_specification(spec),
        None => config.predefined_metric_specification(
            aas::PredefinedMetricSpecification::builder()
                .predefined_metric_type(aas::MetricType::SageMakerVariantInvocationsPerInstance)
                .build()
                .expect("metric"),
        ),
    };
    config.build().expect("config")
}

/// Whether the stand-in refuses the probe as invalid (400 ValidationException/ValidationError).
async fn refused(aws: &Aws, rid: &str, probe: Probe) -> Result<bool, String> {
    let (autoscaling, cloudwatch) = aws.clients().await;
    let dimension = aas::ScalableDimension::SageMakerVariantDesiredInstanceCount;
    let tracking = |config: aas::TargetTrackingScalingPolicyConfiguration| {
        autoscaling
            .put_scaling_policy()
            .service_namespace(aas::ServiceNamespace::Sagemaker)
            .resource_id(rid)
            .scalable_dimension(dimension.clone())
            .policy_name("probe")
            .policy_type(aas::PolicyType::TargetTrackingScaling)
            .target_tracking_scaling_policy_configuration(config)
    };
    let outcome = match probe {
        Probe::Schedule(name, expression) => refusal(
            autoscaling
                .put_scheduled_action()
                .service_namespace(aas::ServiceNamespace::Sagemaker)
                .resource_id(rid)
                .scalable_dimension(dimension.clone())
                .scheduled_action_name(name)
                .schedule(expression)
                .scalable_target_action(aas::ScalableTargetAction::builder().min_capacity(1).build())
                .send()
                .await,
        ),
        Probe::Math(queries) => {
            let spec = aas::CustomizedMetricSpecification::builder()
                .set_metrics(Some(queries))
                .build();
            refusal(tracking(tracking_config(5.0, Some(spec))).send().await)
        }
        Probe::Custom(dims) => {
            let mut spec = aas::CustomizedMetricSpecification::builder()
                .metric_name("Backlog")
                .namespace("Custom/Queue")
                .statistic(aas::MetricStatistic::Average);
            for (n, v) in dims {
                spec = spec.dimensions(
                    aas::MetricDimension::builder()
                        .name(n)
                        .value(v)
                        .build()
                        .expect("dimension"),
                );
            }
            refusal(tracking(tracking_config(5.0, Some(spec.build()))).send().await)
        }
        Probe::PolicyName(name) => refusal(
            tracking(tracking_config(5.0, None))
                .policy_name(name)
                .send()
                .await,
        ),
        Probe::Target(target) => refusal(tracking(tracking_config(target, None)).send().await),
        Probe::Alarm {
            name,
            namespace,
            dims,
        } => {
            let mut alarm = cloudwatch
                .put_metric_alarm()
                .alarm_name(name)
                .metric_name("Backlog")
                .namespace(namespace)
                .statistic(cw::Statistic::Average)
                .period(60)
                .evaluation_periods(1)
                .threshold(1.0)
                .comparison_operator(cw::ComparisonOperator::GreaterThanOrEqualToThreshold);
            for (n, v) in dims {
                alarm = alarm.dimensions(cw::Dimension::builder().name(n).value(v).build());
            }
            refusal(alarm.send().await)
        }
    };
    match outcome {
        Ok(()) => Ok(false),
        Err(Some(c)) if c == "ValidationException" || c == "ValidationError" => Ok(true),
        Err(other) => Err(format!("the probe failed otherwise: {other:?}")),
    }
}

/// Edge cases AWS refuses: `validate` refuses each with the expected code, and the stand-in
/// refuses the value in the request the tool would send.
#[test]
fn edge_cases_aws_refuses_fail_validation_with_the_right_code() {
    let s = |x: &str| x.to_string();
    let pair = |n: &str, v: &str| vec![(s(n), s(v))];
    let ret = || expression_query("e", "m1", None);
    let eleven: Vec<String> = (0..11)
        .map(|i| {
            metric_query(
                &format!("m{i}"),
                "Backlog",
                "AWS/SQS",
                &[("QueueName", "q")],
                None,
            )
        })
        .chain([expression_query("e", "SUM(METRICS())", None)])
        .collect();
    let mut eleven_probe: Vec<_> = (0..11)
        .map(|i| {
            math_metric(
                &format!("m{i}"),
                "Backlog",
                "AWS/SQS",
                &[("QueueName", "q")],
                None,
            )
        })
        .collect();
    eleven_probe.push(math_expression("e", "SUM(METRICS())", None));
    let cases: Vec<(&str, String, &str, Probe)> = vec![
        (
            "a control character in a math metric name",
            math_policy(&[metric_query("m1", "Back\u{1}log", "AWS/SQS", &[("QueueName", "q")], None), ret()]),
            "invalid-name",
            Probe::Math(vec![math_metric("m1", "Back\u{1}log", "AWS/SQS", &[("QueueName", "q")], None), math_expression("e", "m1", None)]),
        ),
        (
            "a control character in a math namespace",
            math_policy(&[metric_query("m1", "Backlog", "AWS/\u{1f}SQS", &[("QueueName", "q")], None), ret()]),
            "invalid-name",
            Probe::Math(vec![math_metric("m1", "Backlog", "AWS/\u{1f}SQS", &[("QueueName", "q")], None), math_expression("e", "m1", None)]),
        ),
        (
            "a control character in a math dimension value",
            math_policy(&[metric_query("m1", "Backlog", "AWS/SQS", &[("QueueName", "q\u{7}")], None), ret()]),
            "invalid-name",
            Probe::Math(vec![math_metric("m1", "Backlog", "AWS/SQS", &[("QueueName", "q\u{7}")], None), math_expression("e", "m1", None)]),
        ),
        (
            "a control character in a math label",
            math_policy(&[metric_query("m1", "Backlog", "AWS/SQS", &[("QueueName", "q")], Some("bell\u{7}")), ret()]),
            "metric-math",
            Probe::Math(vec![math_metric("m1", "Backlog", "AWS/SQS", &[("QueueName", "q")], Some("bell\u{7}")), math_expression("e", "m1", None)]),
        ),
        (
            "a control character in a math expression",
            math_policy(&[metric_query("m1", "Backlog", "AWS/SQS", &[("QueueName", "q")], None), expression_query("e", "m1\u{1b} * 2", None)]),
            "metric-math",
            Probe::Math(vec![math_metric("m1", "Backlog", "AWS/SQS", &[("QueueName", "q")], None), math_expression("e", "m1\u{1b} * 2", None)]),
        ),
        (
            "11 metrics in metric math",
            math_policy(&eleven),
            "metric-math",
            Probe::Math(eleven_probe),
        ),
        (
            "a non-ASCII dimension value on a target-tracking metric",
            "[[endpoint.policy]]\nname = \"custom\"\ntype = \"target-tracking\"\ntarget = 5.0\nmetric = { custom = { name = \"Backlog\", namespace = \"Custom/Queue\", statistic = \"Average\", dimensions = { Queue = \"naïve\" } } }\n".into(),
            "invalid-name",
            Probe::Custom(pair("Queue", "naïve")),
        ),
        (
            "a blank dimension value on a target-tracking metric",
            "[[endpoint.policy]]\nname = \"custom\"\ntype = \"target-tracking\"\ntarget = 5.0\nmetric = { custom = { name = \"Backlog\", namespace = \"Custom/Queue\", statistic = \"Average\", dimensions = { Queue = \"   \" } } }\n".into(),
            "invalid-name",
            Probe::Custom(pair("Queue", "   ")),
        ),
        (
            "a tab in an alarm's dimension name",
            step_policy("metric = \"Backlog\", namespace = \"Custom/Queue\", dimensions = { \"Que\\tue\" = \"a\" }"),
            "invalid-name",
            Probe::Alarm { name: s("a"), namespace: s("Custom/Queue"), dims: pair("Que\tue", "a") },
        ),
        (
            "an alarm's dimension name starting with ':'",
            step_policy("metric = \"Backlog\", namespace = \"Custom/Queue\", dimensions = { \":Queue\" = \"a\" }"),
            "invalid-name",
            Probe::Alarm { name: s("b"), namespace: s("Custom/Queue"), dims: pair(":Queue", "a") },
        ),
        (
            "an alarm's namespace starting with ':'",
            step_policy("metric = \"Backlog\", namespace = \":Custom\""),
            "invalid-name",
            Probe::Alarm { name: s("c"), namespace: s(":Custom"), dims: vec![] },
        ),
        (
            "a line separator in an alarm's namespace",
            step_policy("metric = \"Backlog\", namespace = \"Custom\u{2028}Queue\""),
            "invalid-name",
            Probe::Alarm { name: s("d"), namespace: s("Custom\u{2028}Queue"), dims: vec![] },
        ),
        (
            "a control character in an alarm name",
            step_policy("name = \"alarm\\u0001\", metric = \"Backlog\", namespace = \"Custom/Queue\""),
            "invalid-name",
            Probe::Alarm { name: s("alarm\u{1}"), namespace: s("Custom/Queue"), dims: vec![] },
        ),
        (
            "U+2028 in a scheduled action name",
            schedule("night\u{2028}shift", "cron(0 20 * * ? *)"),
            "invalid-name",
            Probe::Schedule(s("night\u{2028}shift"), s("cron(0 20 * * ? *)")),
        ),
        (
            "U+2029 in a scheduled action name",
            schedule("night\u{2029}shift", "cron(0 20 * * ? *)"),
            "invalid-name",
            Probe::Schedule(s("night\u{2029}shift"), s("cron(0 20 * * ? *)")),
        ),
        (
            "a scheduled action name of 129 emoji (258 UTF-16 units)",
            schedule(&"😀".repeat(129), "cron(0 20 * * ? *)"),
            "invalid-name",
            Probe::Schedule("😀".repeat(129), s("cron(0 20 * * ? *)")),
        ),
        (
            "/ in the cron day-of-week field",
            schedule("every-other-day", "cron(0 8 ? * 2/2 *)"),
            "schedule-expression",
            Probe::Schedule(s("every-other-day"), s("cron(0 8 ? * 2/2 *)")),
        ),
        (
            "a policy name that is not printable ASCII",
            "[[endpoint.policy]]\nname = \"débit\"\ntype = \"target-tracking\"\ntarget = 5.0\nmetric = { predefined = \"SageMakerVariantInvocationsPerInstance\" }\n".into(),
            "invalid-name",
            Probe::PolicyName(s("débit")),
        ),
        (
            "a target beyond 2^360",
            "[[endpoint.policy]]\nname = \"huge\"\ntype = \"target-tracking\"\ntarget = 4.7e108\nmetric = { predefined = \"SageMakerVariantInvocationsPerInstance\" }\n".into(),
            "out-of-range",
            Probe::Target(4.7e108),
        ),
    ];
    let probes = Aws::new();
    let rid = "endpoint/conformance-probe/variant/AllTraffic";
    block_on(async {
        let (autoscaling, _) = probes.clients().await;
        register(&autoscaling, rid, 1, 4).await;
    });
    let mut wrong = Vec::new();
    for (what, body, code, probe) in cases {
        let (valid, codes) = validate(&format!("{}{body}", endpoint("edge")));
        if valid || !codes.iter().any(|c| c == code) {
            wrong.push(format!(
                "{what}: validate said valid={valid} {codes:?}, expected `{code}`"
            ));
        }
        match block_on(refused(&probes, rid, probe)) {
            Ok(true) => {}
            Ok(false) => wrong.push(format!("{what}: validate refuses it, but AWS would take it")),
            Err(e) => wrong.push(format!("{what}: {e}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
