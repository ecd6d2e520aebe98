//! Faults, time limits and concurrency against the AWS stand-in. docs/reliability.md lists
//! each scenario with its figures.

use std::collections::BTreeMap;

use aws_sdk_applicationautoscaling::types as aas;

use crate::assert_contains;
use crate::common::{Case, policies};
use crate::{Run, run};

fn endpoints(n: usize) -> String {
    (0..n)
        .map(|i| format!("[[endpoint]]\nname = \"ep-{i:03}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n"))
        .collect()
}

/// Every step alarm exists once and fires its step policy's current ARN.
fn assert_alarms_wired(case: &Case, endpoints: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (aas, cw) = case.aws.clients().await;
        let mut step_arns = BTreeMap::new();
        for i in 0..endpoints {
            let rid = format!("endpoint/ep-{i:03}/variant/AllTraffic");
            for p in policies(&aas, &rid)
                .await
                .iter()
                .filter(|p| p.policy_type() == &aas::PolicyType::StepScaling)
            {
                step_arns.insert(
                    format!("ep-{i:03}-AllTraffic-{}", p.policy_name()),
                    p.policy_arn().to_string(),
                );
            }
        }
        assert_eq!(step_arns.len(), endpoints, "one step policy per endpoint");
        let alarms = cw
            .describe_alarms()
            .alarm_name_prefix("ep-")
            .send()
            .await
            .expect("alarms");
        let found: BTreeMap<String, Vec<String>> = alarms
            .metric_alarms()
            .iter()
            .map(|a| {
                (
                    a.alarm_name().unwrap_or_default().to_string(),
                    a.alarm_actions().to_vec(),
                )
            })
            .collect();
        assert_eq!(
            found.len(),
            endpoints,
            "no orphan or duplicate alarm: {:?}",
            found.keys().collect::<Vec<_>>()
        );
        for (name, arn) in step_arns {
            assert_eq!(
                found.get(&name),
                Some(&vec![arn]),
                "{name} fires the current policy ARN"
            );
        }
    });
}

#[test]
fn twenty_percent_transient_failures_during_an_apply_of_50_endpoints() {
    let case = Case::new(&endpoints(50));
    case.aws.random_faults(0.2, "ThrottlingException", 7);
    let r = case.run(&["apply", "--auto-approve"]);
    let report: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("* ")).collect();
    if report.is_empty() {
        // Reading failed before any change (the SDK's retry quota can run dry under this much
        // throttling): a clear error and not a single write.
        assert_eq!(r.code, 1);
        assert_contains(&r.stderr, "error: Describe");
        assert!(case.aws.writes().is_empty(), "nothing was written");
    } else {
        check_report(&r, &report);
    }
    let injected = case.aws.fault_hits();
    case.aws.clear_faults();
    case.run(&["apply", "--auto-approve"]);
    case.assert_converged();
    assert_alarms_wired(&case, 50);
    assert!(
        injected >= 20,
        "the faults really fired ({injected} calls answered with throttling)"
    );
}

fn check_report(r: &Run, report: &[&str]) {
    assert_eq!(report.len(), 200, "every change is reported:\n{}", r.stdout);
    if r.code == 0 {
        assert!(report.iter().all(|l| l.ends_with(": applied")), "{}", r.stdout);
        assert!(
            r.stdout.contains("Checked: AWS now matches the configuration.")
                || r.stdout
                    .contains("Not checked: reading AWS after the apply failed"),
            "{}",
            r.stdout
        );
    } else {
        // Retries ran out somewhere: in each target that failed, one failure and everything
        // after it not attempted; other targets went on.
        assert!(report.iter().any(|l| l.contains(": FAILED: ")), "{}", r.stdout);
        for lines in by_target(report).values() {
            let failed = lines.iter().position(|l| l.contains(": FAILED: "));
            let (before, after) = lines.split_at(failed.unwrap_or(lines.len()));
            assert!(before.iter().all(|l| l.ends_with(": applied")), "{lines:?}");
            assert!(
                after.iter().skip(1).all(|l| l.ends_with(": not attempted")),
                "{lines:?}"
            );
        }
    }
}

/// Report lines (`* + kind target name: outcome`) by target, in order.
fn by_target<'a>(report: &[&'a str]) -> BTreeMap<&'a str, Vec<&'a str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in report {
        let target = line.split_whitespace().nth(3).unwrap_or_default();
        out.entry(target).or_default().push(line);
    }
    out
}

#[test]
fn a_slow_aws_is_bounded_by_the_time_limit() {
    let case = Case::new(&endpoints(1));
    case.aws.delay("DescribeScalableTargets", 3.0);
    let r = case.run(&["plan", "--timeout", "1"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stderr,
        "error: gave up: planning took longer than --timeout 1s",
    );
    assert!(case.aws.writes().is_empty());
}

#[test]
fn two_applies_of_the_same_config_at_once_end_correct_and_report_truthfully() {
    let case = Case::new(&endpoints(3));
    let mut a = case.cmd(&["apply", "--auto-approve"]);
    let mut b = case.cmd(&["apply", "--auto-approve"]);
    let (a, b) = (
        a.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("a"),
        b.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("b"),
    );
    for (name, child) in [("a", a), ("b", b)] {
        let out = child.wait_with_output().expect("wait");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match out.status.code() {
            Some(0) => assert!(
                stdout.contains("Checked: AWS now matches the configuration."),
                "{name}: {stdout}"
            ),
            // The other run's writes can land after this run's check: it says so.
            Some(1) => assert!(
                stdout.contains("change(s) remain") || stdout.contains("FAILED"),
                "{name}: {stdout}"
            ),
            other => panic!("{name} exited {other:?}: {stdout}"),
        }
    }
    // Whatever interleaving happened, one more apply converges and nothing is duplicated.
    case.run(&["apply", "--auto-approve"]);
    case.assert_converged();
    assert_alarms_wired(&case, 3);
}

#[test]
fn dropped_connections_are_retried() {
    let case = Case::new(&endpoints(2));
    case.aws.drop_connections("PutScalingPolicy", 2);
    case.aws.drop_connections("DescribeScalingPolicies", 1);
    let r = case.run(&["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "Checked: AWS now matches the configuration.");
    assert_eq!(case.aws.fault_hits(), 3, "three connections were cut");
    case.assert_converged();
}

/// Queues a page fault (tests/standin/aws_standin.py, point 3) on the namespace-wide calls of
/// `operation`: "repeat" gives back the token the call sent, "endless" never ends.
fn page_fault(case: &Case, operation: &str, page: &str, skip: u32, times: u32) {
    page_fault_on(case, operation, page, true, skip, times);
}

/// As [`page_fault`]; `whole` false: on calls by id or target too.
fn page_fault_on(case: &Case, operation: &str, page: &str, whole: bool, skip: u32, times: u32) {
    let body = serde_json::json!([{
        "region": case.aws.scope(), "operation": operation, "page": page, "whole": whole,
        "skip": skip, "times": times,
    }]);
    crate::standin::http("POST", case.aws.port, "/_standin/faults", Some(&body.to_string()));
}

fn bare_endpoints(n: usize) -> String {
    (0..n)
        .map(|i| format!("[[endpoint]]\nname = \"ep-{i:03}\"\nmin_capacity = 1\nmax_capacity = 2\n\n"))
        .collect()
}

#[test]
fn a_target_listing_that_repeats_its_token_falls_back_to_reads_by_id() {
    // 120 targets are three pages; the second page gives back its own token, as moto does.
    let case = Case::new(&bare_endpoints(120));
    case.apply();
    page_fault(&case, "DescribeScalableTargets", "repeat", 1, 1);
    let r = case.run(&["plan", "--json", "--detailed-exitcode"]);
    assert_eq!(
        r.code, 0,
        "nothing to add: every target exists\n{}\n{}",
        r.stdout, r.stderr
    );
    assert_contains(&r.stderr, "DescribeScalableTargets did not finish listing");
    assert_contains(&r.stderr, "looking the targets up by id instead");
    assert_eq!(case.aws.fault_hits(), 1);
}

#[test]
fn a_policy_listing_that_never_ends_falls_back_to_reads_by_target() {
    // Three endpoints: the namespace's policies are read whole (two page chains).
    let case = Case::new(&endpoints(3));
    case.apply();
    let policy_reads = || {
        case.aws
            .calls()
            .iter()
            .filter(|c| *c == "DescribeScalingPolicies")
            .count()
    };
    let before = policy_reads();
    page_fault(&case, "DescribeScalingPolicies", "endless", 0, 1_000_000);
    let r = case.run(&["plan", "--json", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "no policy to add\n{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stderr,
        "DescribeScalingPolicies did not finish listing (20 empty pages in a row, each with a new token, after 20 pages)",
    );
    assert_eq!(
        policy_reads() - before,
        20 + 3,
        "20 empty pages (not 1,000), then one read per target"
    );
}

#[test]
fn reads_by_id_or_by_target_that_never_end_fail_clearly() {
    let case = Case::new(&endpoints(1));
    case.apply();
    let plan = |case: &Case| run(case.cmd(&["plan"]).env("SAGEMAKER_AUTOSCALE_READS", "per-target"));
    page_fault_on(&case, "DescribeScalableTargets", "endless", false, 0, 1_000_000);
    let r = plan(&case);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stderr,
        "error: DescribeScalableTargets did not finish listing (20 empty pages in a row, each with a new token, after 20 pages)",
    );
    case.aws.clear_faults();
    page_fault_on(&case, "DescribeScheduledActions", "endless", false, 0, 1_000_000);
    let r = plan(&case);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stderr,
        "error: DescribeScheduledActions did not finish listing (20 empty pages in a row, each with a new token, after 20 pages)",
    );
}

#[test]
fn a_scan_whose_listing_never_ends_fails_clearly() {
    let case = Case::new(&endpoints(1));
    case.apply();
    page_fault(&case, "DescribeScalableTargets", "endless", 0, 1_000_000);
    let r = case.run(&["plan", "--scan"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stderr,
        "error: DescribeScalableTargets did not finish listing (20 empty pages in a row, each with a new token, after 20 pages)",
    );
    let r = case.run(&["import", "--region", case.aws.region, "--all"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stderr, "DescribeScalableTargets did not finish listing");
}

#[test]
fn one_targets_failure_stops_only_its_own_changes() {
    let case = Case::new(&endpoints(4));
    case.aws
        .fault("PutScalingPolicy", 400, "ValidationException", 1, 0);
    let r = case.run(&["apply", "--auto-approve", "--parallelism", "1"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("* ")).collect();
    let targets = by_target(&report);
    let failed: Vec<&&str> = targets
        .keys()
        .filter(|t| targets[*t].iter().any(|l| l.contains(": FAILED: ")))
        .collect();
    assert_eq!(failed, [&"endpoint/ep-000/variant/AllTraffic"], "{}", r.stdout);
    assert!(
        targets[*failed[0]][2..]
            .iter()
            .all(|l| l.ends_with(": not attempted")),
        "the failed target's later changes wait: {}",
        r.stdout
    );
    for (target, lines) in &targets {
        if target != failed[0] {
            assert!(lines.iter().all(|l| l.ends_with(": applied")), "{}", r.stdout);
        }
    }
    assert_contains(&r.stdout, "Apply: 13 applied, 1 failed, 2 not attempted.");
    case.apply();
    case.assert_converged();
}

#[test]
fn the_same_permission_error_on_three_targets_stops_the_run() {
    let case = Case::new(&endpoints(5));
    case.aws
        .fault("PutScalingPolicy", 400, "AccessDeniedException", 1000, 0);
    let r = case.run(&["apply", "--auto-approve", "--parallelism", "1"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "Apply: 3 applied, 3 failed, 14 not attempted.");
    assert_contains(
        &r.stdout,
        "Stopped early: PutScalingPolicy was denied (AccessDeniedException) on 3 targets: it would fail on every target",
    );
    let puts = case
        .aws
        .calls()
        .iter()
        .filter(|c| *c == "PutScalingPolicy")
        .count();
    assert_eq!(puts, 3, "no target after the third was tried");
}

#[test]
fn a_new_target_and_role_that_are_not_usable_yet_are_waited_for_visibly() {
    let case = Case::new(&endpoints(1));
    let rid = "endpoint/ep-000/variant/AllTraffic";
    case.aws.fault_saying(
        "RegisterScalableTarget",
        "ValidationException",
        "Unable to assume IAM role: arn:aws:iam::123456789012:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint",
        2,
    );
    case.aws
        .fault("PutScalingPolicy", 400, "ObjectNotFoundException", 8, 0);
    case.aws.fault_saying(
        "PutScalingPolicy",
        "FailedResourceAccessException",
        "User: arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint/AutoScaling is not authorized to perform: cloudwatch:DescribeAlarms",
        3,
    );
    let r = case.run(&["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "Checked: AWS now matches the configuration.");
    assert_eq!(case.aws.fault_hits(), 13, "every fault was met and waited out");
    assert_contains(
        &r.stderr,
        &format!(
            "waiting for RegisterScalableTarget on {rid} (AWS says ValidationException: Unable to assume IAM role"
        ),
    );
    assert_contains(
        &r.stderr,
        &format!(
            "waiting for PutScalingPolicy on {rid} (AWS says ObjectNotFoundException: injected ObjectNotFoundException), 0 s of 3 s"
        ),
    );
    assert_contains(&r.stderr, "(AWS says FailedResourceAccessException: User: ");
}

#[test]
fn a_target_that_never_becomes_visible_fails_after_the_wait() {
    let case = Case::new(&endpoints(1));
    case.aws
        .fault("PutScalingPolicy", 400, "ObjectNotFoundException", 1_000_000, 0);
    let r = case.run(&["apply", "--auto-approve"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stdout,
        "FAILED: PutScalingPolicy failed: injected ObjectNotFoundException",
    );
    // The retry base of 5 ms scales the 2 minutes to 3 s.
    let last = r
        .stderr
        .lines()
        .rfind(|l| l.starts_with("waiting for"))
        .unwrap_or_default();
    assert!(last.ends_with("2 s of 3 s"), "{}", r.stderr);
}
