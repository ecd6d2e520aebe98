//! Integration tests: the built binary driven the way a user or a runner drives it, and the
//! library's public entry points. One test binary, as uv does it, so it links once.

// A failed expectation in a test is the test failing, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod action;
mod action_yml;
mod advice;
mod cli;
mod common;
mod conformance;
mod converge;
mod corpus;
mod engine;
mod faithful;
mod import;
mod inputs;
mod install;
mod no_panic;
mod ownership;
mod reliability;
mod render;
mod schema;
mod seed;
mod simulate;
mod standin;
mod tune;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a clean environment: no INPUT_*, no GITHUB_ACTIONS, no colour.
pub fn bin(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sagemaker-autoscale"));
    cmd.env_clear().env("NO_COLOR", "1").current_dir(dir);
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the binary runs");
    Run {
        code: status.code().expect("exited, not killed"),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    }
}

/// Fails, showing the whole text, when `needle` is not in `haystack`.
#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "{needle:?} is not in:\n{haystack}");
}

/// `validate --json` parsed.
pub fn validate_json(cmd: &mut Command) -> (i32, serde_json::Value) {
    let r = run(cmd.args(["validate", "--json"]));
    let value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, value)
}
