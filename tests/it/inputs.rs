//! Action inputs (`INPUT_*`): no-file mode, overriding the file, and their errors.

use std::fs;

use crate::assert_contains;
use crate::{bin, repo, run, validate_json};

const TWO_ENDPOINTS: &str = r#"
[[endpoint]]
name = "a"
max_capacity = 4
preset = "async-cpu"

[[endpoint]]
name = "b"
max_capacity = 2
preset = "async-backlog"
"#;

fn policy<'a>(desired: &'a serde_json::Value, endpoint: usize, name: &str) -> &'a serde_json::Value {
    desired["targets"][endpoint]["policies"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("policy {name} in {desired:#}"))
}

#[test]
fn one_endpoint_from_inputs_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out) = validate_json(
        bin(dir.path())
            .env("INPUT_ENDPOINT-NAME", "my-async-ep")
            .env("INPUT_PRESET", "async-backlog")
            .env("INPUT_MAX-CAPACITY", "3")
            .env("INPUT_TARGET-VALUE", "7.5"),
    );
    assert_eq!(code, 0, "{out:#}");
    let t = &out["desired"]["targets"][0];
    assert_eq!(t["resource_id"], "endpoint/my-async-ep/variant/AllTraffic");
    assert_eq!(
        (t["min_capacity"].as_i64(), t["max_capacity"].as_i64()),
        (Some(0), Some(3))
    );
    let tracking = policy(
        &out["desired"],
        0,
        "ApproximateBacklogSizePerInstance-ScalingPolicy",
    );
    assert_eq!(tracking["target_value"], 7.5);
    assert!(policy(&out["desired"], 0, "HasBacklogWithoutCapacity-ScalingPolicy").is_object());
}

#[test]
fn inputs_override_the_file_field_by_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("autoscaling.toml"), TWO_ENDPOINTS).expect("write");
    let (code, out) = validate_json(
        bin(dir.path())
            .env("INPUT_ENDPOINT_NAME", "b")
            .env("INPUT_MAX_CAPACITY", "8")
            .env("INPUT_SCALE-IN-COOLDOWN", "120"),
    );
    assert_eq!(code, 0, "{out:#}");
    let desired = &out["desired"];
    assert_eq!(desired["targets"][0]["max_capacity"], 4, "endpoint a untouched");
    assert_eq!(desired["targets"][1]["max_capacity"], 8);
    let tracking = policy(desired, 1, "ApproximateBacklogSizePerInstance-ScalingPolicy");
    assert_eq!(tracking["scale_in_cooldown"], 120);
    assert_eq!(tracking["scale_out_cooldown"], 300, "the preset's value stays");
}

#[test]
fn an_endpoint_name_not_in_the_file_adds_an_endpoint() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("autoscaling.toml"), TWO_ENDPOINTS).expect("write");
    let (code, out) = validate_json(
        bin(dir.path())
            .env("INPUT_ENDPOINT-NAME", "c")
            .env("INPUT_MIN-CAPACITY", "1")
            .env("INPUT_MAX-CAPACITY", "2")
            .env("INPUT_PRESET", "realtime-invocations"),
    );
    assert_eq!(code, 0, "{out:#}");
    assert_eq!(out["desired"]["targets"].as_array().map(Vec::len), Some(3));
}

#[test]
fn endpoint_inputs_without_a_name_are_ambiguous_with_two_endpoints() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("autoscaling.toml"), TWO_ENDPOINTS).expect("write");
    let r = run(bin(dir.path()).env("INPUT_MAX-CAPACITY", "3").arg("validate"));
    assert_eq!(r.code, 1);
    assert_contains(
        &r.stderr,
        "error[input-needs-endpoint]: input `max-capacity` needs `endpoint-name`",
    );
    assert_contains(&r.stderr, "--> input `max-capacity` (INPUT_MAX-CAPACITY)");
}

#[test]
fn bad_input_values_name_the_input_and_its_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(bin(dir.path())
        .env("INPUT_ENDPOINT-NAME", "ep")
        .env("INPUT_MIN-CAPACITY", "two")
        .env("INPUT_MAX-CAPACITY", "4")
        .env("INPUT_PRESET", "async-cpux")
        .arg("validate"));
    assert_eq!(r.code, 1);
    insta::assert_snapshot!("bad_inputs", r.stderr);
}

#[test]
fn a_missing_default_config_says_how_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(bin(dir.path()).arg("validate"));
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "error[config-not-found]: cannot read autoscaling.toml");
    assert_contains(&r.stderr, "endpoint-name");
}

#[test]
fn an_explicit_config_must_exist_even_with_endpoint_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(bin(dir.path())
        .env("INPUT_ENDPOINT-NAME", "ep")
        .args(["validate", "--config", "nope.toml"]));
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "cannot read nope.toml");
}

#[test]
fn the_config_input_names_the_file_and_the_flag_wins_over_it() {
    let r = run(bin(&repo())
        .env("INPUT_CONFIG", "examples/seed.toml")
        .arg("validate"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("examples/seed.toml is valid"),
        "{}",
        r.stdout
    );
    let r = run(bin(&repo()).env("INPUT_CONFIG", "examples/seed.toml").args([
        "validate",
        "--config",
        "tests/bad/min-above-max.toml",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn in_github_actions_problems_are_also_annotations() {
    let r = run(bin(&repo().join("tests/bad"))
        .env("GITHUB_ACTIONS", "true")
        .args(["validate", "--config", "min-above-max.toml"]));
    assert_eq!(r.code, 1);
    assert_contains(
        &r.stderr,
        "::error file=min-above-max.toml,line=3,col=16,endLine=3,endColumn=17::[min-above-max] min_capacity (5) is greater than max_capacity (2)",
    );
    assert_contains(&r.stderr, "::warning file=min-above-max.toml,line=5,");
}

#[test]
fn with_json_stdout_is_one_json_document_even_in_github_actions() {
    let dir = repo().join("examples");
    for args in [
        vec!["validate", "--json", "--config", "seed.toml"],
        vec![
            "validate",
            "--json",
            "--config",
            "../tests/bad/min-above-max.toml",
        ],
    ] {
        let r = run(bin(&dir).env("GITHUB_ACTIONS", "true").args(&args));
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&r.stdout);
        assert!(
            parsed.is_ok(),
            "{args:?}: stdout is not one JSON document:\n{}",
            r.stdout
        );
        assert_contains(&r.stderr, "::");
    }
}

#[test]
fn the_config_input_cannot_leave_the_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("outside");
    fs::write(outside.path().join("secret.toml"), "[[endpoint]]\nname = \"x\"\n").expect("write");
    std::os::unix::fs::symlink(outside.path().join("secret.toml"), dir.path().join("link.toml"))
        .expect("symlink");
    let absolute = outside.path().join("secret.toml").display().to_string();
    for (path, why) in [
        ("../secret.toml", "must be a relative path inside the repository"),
        (absolute.as_str(), "must be a relative path inside the repository"),
        (
            "link.toml",
            "resolves (through a symlink) to a file outside the repository",
        ),
    ] {
        let r = run(bin(dir.path()).env("INPUT_CONFIG", path).arg("validate"));
        assert_eq!(r.code, 1, "{path}: {}", r.stderr);
        assert!(
            r.stderr.contains("error[config-outside-workspace]") && r.stderr.contains(why),
            "{path}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("name = "), "the file is never read");
    }
    // The command line is the user's own: --config may point anywhere.
    let r = run(bin(dir.path()).args(["validate", "--config", &absolute]));
    assert!(!r.stderr.contains("config-outside-workspace"), "{}", r.stderr);
}
