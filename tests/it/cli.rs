//! The command line itself: version, help, and what a wrong command line does.

use crate::assert_contains;
use crate::{bin, repo, run};

#[test]
fn version_and_help() {
    let r = run(bin(&repo()).arg("--version"));
    assert_eq!(
        (r.code, r.stdout.trim()),
        (0, concat!("sagemaker-autoscale ", env!("CARGO_PKG_VERSION")))
    );
    let r = run(bin(&repo()).arg("--help"));
    assert_eq!(r.code, 0);
    for needle in [
        "validate",
        "schema",
        "sagemaker-autoscale validate --config examples/seed.toml",
    ] {
        assert!(
            r.stdout.contains(needle),
            "--help lacks {needle:?}:\n{}",
            r.stdout
        );
    }
}

#[test]
fn a_wrong_command_line_exits_1() {
    for args in [&["valdate"][..], &["validate", "--confg", "x"], &[]] {
        let r = run(bin(&repo()).args(args));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.is_empty());
    }
}

#[test]
fn valid_config_prints_a_summary() {
    let r = run(bin(&repo()).args(["validate", "--config", "examples/seed.toml"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "examples/seed.toml is valid: 1 endpoint, 2 policies, 1 alarm, 0 scheduled actions (1 warning)\n"
    );
}

#[test]
fn validate_counts_inference_components_apart_from_endpoints() {
    let r = run(bin(&repo()).args(["validate", "--config", "examples/inference-component.toml"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains(
        &r.stdout,
        "is valid: 1 endpoint, 1 inference component, 3 policies, 1 alarm",
    );
}
