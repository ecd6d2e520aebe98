//! Each advice rule fires on the config it is about, stays quiet once the config is fixed,
//! and is switched off by its code, at the top level or for one endpoint only.

use sagemaker_autoscale::check_text;
use sagemaker_autoscale::diagnostic::Severity;

fn warnings(text: &str) -> Vec<&'static str> {
    let checked = check_text("advice.toml", text);
    assert_eq!(checked.errors(), 0, "{:#?}", checked.diagnostics);
    checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.code)
        .collect()
}

const STEP_FROM_ZERO: &str = r#"
[[endpoint.policy]]
name = "from-zero"
type = "step"
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "HasBacklogWithoutCapacity", namespace = "AWS/SageMaker", statistic = "Average", period = 60, evaluation_periods = 2, threshold = 1, comparison = ">=" }
"#;

fn endpoint(name: &str, min: u32, body: &str) -> String {
    format!(
        "[[endpoint]]\nname = \"{name}\"\ninference = \"async\"\nmin_capacity = {min}\nmax_capacity = 4\n{body}"
    )
}

#[test]
fn cooldown_shorter_than_the_alarm_window() {
    let short = endpoint(
        "ep",
        0,
        &STEP_FROM_ZERO.replace("type = \"step\"", "type = \"step\"\ncooldown = 119"),
    );
    assert!(warnings(&short).contains(&"cooldown-shorter-than-alarm"));
    let enough = endpoint(
        "ep",
        0,
        &STEP_FROM_ZERO.replace("type = \"step\"", "type = \"step\"\ncooldown = 120"),
    );
    assert!(!warnings(&enough).contains(&"cooldown-shorter-than-alarm"));
    // The default cooldown (300 s) against the seed's alarm (2 x 60 s) is fine.
    assert!(!warnings(&endpoint("ep", 0, STEP_FROM_ZERO)).contains(&"cooldown-shorter-than-alarm"));
}

#[test]
fn breaching_on_a_metric_absent_at_zero() {
    let cpu = r#"
[[endpoint.policy]]
name = "cpu-high"
type = "step"
cooldown = 300
steps = [{ lower = 0.0, adjustment = 1 }]
alarm = { metric = "CPUUtilization", namespace = "/aws/sagemaker/Endpoints", statistic = "Average", period = 60, evaluation_periods = 2, threshold = 300, comparison = ">", treat_missing_data = "breaching" }
"#;
    let at_zero = endpoint("ep", 0, &format!("{STEP_FROM_ZERO}{cpu}"));
    assert!(warnings(&at_zero).contains(&"breaching-when-absent"));
    // With an instance always running, CPU is always published.
    let at_one = endpoint("ep", 1, &format!("{STEP_FROM_ZERO}{cpu}"));
    assert!(!warnings(&at_one).contains(&"breaching-when-absent"));
    // HasBacklogWithoutCapacity is published at zero: breaching there is the user's choice.
    let backlog = STEP_FROM_ZERO.replace(
        "comparison = \">=\"",
        "comparison = \">=\", treat_missing_data = \"breaching\"",
    );
    assert!(!warnings(&endpoint("ep", 0, &backlog)).contains(&"breaching-when-absent"));
}

#[test]
fn no_policy_can_scale_in() {
    let tt = |disable: bool| {
        format!(
            "[[endpoint.policy]]\nname = \"inv\"\ntype = \"target-tracking\"\ntarget = 100.0\nmetric = {{ predefined = \"SageMakerVariantInvocationsPerInstance\" }}\ndisable_scale_in = {disable}\n"
        )
    };
    let real_time =
        |body: &str| format!("[[endpoint]]\nname = \"ep\"\nmin_capacity = 1\nmax_capacity = 4\n{body}");
    assert!(warnings(&real_time(&tt(true))).contains(&"no-scale-in"));
    assert!(!warnings(&real_time(&tt(false))).contains(&"no-scale-in"));
    let scale_in_step = "[[endpoint.policy]]\nname = \"low\"\ntype = \"step\"\nsteps = [{ upper = 0.0, adjustment = -1 }]\nalarm = { metric = \"Invocations\", namespace = \"AWS/SageMaker\", statistic = \"Sum\", period = 300, evaluation_periods = 1, threshold = 10, comparison = \"<\" }\n";
    assert!(!warnings(&real_time(&format!("{}{scale_in_step}", tt(true)))).contains(&"no-scale-in"));
    let nightly =
        "[[endpoint.schedule]]\nname = \"night\"\nschedule = \"cron(0 22 * * ? *)\"\nmax_capacity = 1\n";
    assert!(!warnings(&real_time(&format!("{}{nightly}", tt(true)))).contains(&"no-scale-in"));
}

#[test]
fn codes_switch_warnings_off_everywhere_or_for_one_endpoint() {
    let seed = |name: &str, extra: &str| {
        format!("[[endpoint]]\nname = \"{name}\"\npreset = \"async-cpu\"\nmax_capacity = 4\n{extra}\n")
    };
    let two = format!("{}{}", seed("a", ""), seed("b", ""));
    assert_eq!(warnings(&two), vec!["summed-across-cores"; 2]);
    let top = format!("ignore_warnings = [\"summed-across-cores\"]\n{two}");
    assert_eq!(warnings(&top), Vec::<&str>::new());
    let one = format!(
        "{}{}",
        seed("a", "ignore_warnings = [\"summed-across-cores\"]"),
        seed("b", "")
    );
    let checked = check_text("advice.toml", &one);
    let left: Vec<&str> = checked.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
    let source = checked.source.as_ref().expect("source");
    let span = checked.diagnostics[0].origin.span().expect("located");
    assert!(
        source.line_col(span.start).0 > 5,
        "the warning left is endpoint b's: {left:?}"
    );
}

#[test]
fn only_warning_codes_can_be_ignored() {
    let checked = check_text(
        "advice.toml",
        "ignore_warnings = [\"min-above-max\", \"no-scale-inn\"]\n[[endpoint]]\nname = \"ep\"\npreset = \"async-cpu\"\nmax_capacity = 4\n",
    );
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes.iter().filter(|c| **c == "unknown-warning-code").count(),
        2,
        "{codes:?}"
    );
    let help = checked
        .diagnostics
        .iter()
        .filter_map(|d| d.help.as_deref())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(help.contains("did you mean `no-scale-in`?"), "{help}");
    assert!(help.contains("errors cannot be ignored"), "{help}");
}

#[test]
fn the_older_rules_fire_only_where_they_apply() {
    // summed-across-cores: CPU in the instance namespace, not a metric of another namespace.
    let cpu = |namespace: &str| {
        format!(
            "[[endpoint]]\nname = \"ep\"\nmin_capacity = 1\nmax_capacity = 4\n[[endpoint.policy]]\nname = \"cpu\"\ntype = \"target-tracking\"\ntarget = 200.0\nmetric = {{ custom = {{ name = \"CPUUtilization\", namespace = \"{namespace}\", statistic = \"Average\" }} }}\n"
        )
    };
    assert!(warnings(&cpu("/aws/sagemaker/Endpoints")).contains(&"summed-across-cores"));
    assert!(!warnings(&cpu("MyApp")).contains(&"summed-across-cores"));
    // max-zero: only at 0.
    let max = |n: u32| {
        format!(
            "[[endpoint]]\nname = \"ep\"\nmin_capacity = 0\nmax_capacity = {n}\npreset = \"async-backlog\"\n"
        )
    };
    assert!(warnings(&max(0)).contains(&"max-zero"));
    assert!(!warnings(&max(1)).contains(&"max-zero"));
    // slow-scale-from-zero: backlog tracking alone at min 0, not with the step policy too.
    let backlog = "[[endpoint.policy]]\nname = \"backlog\"\ntype = \"target-tracking\"\ntarget = 5.0\nmetric = { custom = { name = \"ApproximateBacklogSizePerInstance\", namespace = \"AWS/SageMaker\", statistic = \"Average\" } }\n";
    assert!(warnings(&endpoint("ep", 0, backlog)).contains(&"slow-scale-from-zero"));
    assert!(
        !warnings(&endpoint("ep", 0, &format!("{backlog}{STEP_FROM_ZERO}")))
            .contains(&"slow-scale-from-zero")
    );
}
