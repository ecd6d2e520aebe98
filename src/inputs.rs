//! Every environment variable the tool reads, in one place.
//!
//! GitHub passes an action input `foo-bar` as `INPUT_FOO-BAR` (upper-cased, hyphens kept). A
//! composite action does not do that by itself, so `action.yml` maps each input into the
//! step's environment explicitly; we also accept `INPUT_FOO_BAR`, which is what a shell can set.

use std::collections::BTreeMap;

/// Names of the action inputs (as written in `action.yml`).
pub struct Input;

impl Input {
    /// Path of the config file. Default `autoscaling.toml`.
    pub const CONFIG: &'static str = "config";
    /// AWS region for endpoints that do not set one; overrides the file's `region`.
    pub const REGION: &'static str = "region";
    /// No-file mode (or override of the file's endpoint of that name): the endpoint.
    pub const ENDPOINT_NAME: &'static str = "endpoint-name";
    /// The production variant. Default `AllTraffic`.
    pub const VARIANT_NAME: &'static str = "variant-name";
    pub(crate) const MIN_CAPACITY: &'static str = "min-capacity";
    pub(crate) const MAX_CAPACITY: &'static str = "max-capacity";
    /// `async-cpu`, `async-backlog` or `realtime-invocations`.
    pub const PRESET: &'static str = "preset";
    /// Target value of the preset's target-tracking policy.
    pub const TARGET_VALUE: &'static str = "target-value";
    pub(crate) const SCALE_IN_COOLDOWN: &'static str = "scale-in-cooldown";
    pub(crate) const SCALE_OUT_COOLDOWN: &'static str = "scale-out-cooldown";
    /// Token for the PR comment, the reviewed-plan lookup and drift issues. Default: GITHUB_TOKEN.
    pub const GITHUB_TOKEN: &'static str = "github-token";
    /// `auto` (by event), `validate`, `plan`, `apply` or `drift`.
    pub const MODE: &'static str = "mode";
    /// `mode: detach`: the endpoint (or inference component) names to detach, separated by
    /// spaces, commas or new lines.
    pub const ENDPOINTS: &'static str = "endpoints";
    /// `true` (default): on push, apply only what a reviewer saw in the PR's plan comment.
    pub const REQUIRE_REVIEWED_PLAN: &'static str = "require-reviewed-plan";
    /// `true`: the drift check opens (and later closes) one issue.
    pub const DRIFT_ISSUE: &'static str = "drift-issue";
    /// Upper bound on the whole run, in minutes (default 30).
    pub const TIMEOUT_MINUTES: &'static str = "timeout-minutes";
    /// `true`: on pull requests, replay recent metrics through the current and the proposed
    /// config and add the comparison to the plan comment.
    pub const SIMULATE: &'static str = "simulate";
    /// Days of metrics the simulation replays (1-15, default 7).
    pub const SIMULATE_DAYS: &'static str = "simulate-days";
    /// `true`: on pull requests, add the cheapest config that meets each endpoint's
    /// `[endpoint.goal]` on recent metrics to the plan comment, collapsed (never applied).
    pub const TUNE: &'static str = "tune";
    /// Price of one instance-hour, for the simulation's cost row.
    pub const INSTANCE_PRICE: &'static str = "instance-price";
    /// Minutes from launching an instance until it serves, in the simulation (default 5).
    pub const STARTUP_MINUTES: &'static str = "startup-minutes";

    /// The inputs that describe an endpoint.
    pub const ENDPOINT: &'static [&'static str] = &[
        Self::ENDPOINT_NAME,
        Self::VARIANT_NAME,
        Self::MIN_CAPACITY,
        Self::MAX_CAPACITY,
        Self::PRESET,
        Self::TARGET_VALUE,
        Self::SCALE_IN_COOLDOWN,
        Self::SCALE_OUT_COOLDOWN,
    ];

    /// The inputs that configure the run rather than an endpoint.
    pub const RUN: &'static [&'static str] = &[
        Self::CONFIG,
        Self::REGION,
        Self::GITHUB_TOKEN,
        Self::MODE,
        Self::ENDPOINTS,
        Self::REQUIRE_REVIEWED_PLAN,
        Self::DRIFT_ISSUE,
        Self::TIMEOUT_MINUTES,
        Self::SIMULATE,
        Self::SIMULATE_DAYS,
        Self::TUNE,
        Self::INSTANCE_PRICE,
        Self::STARTUP_MINUTES,
    ];

    /// Every input this version understands.
    pub fn all() -> impl Iterator<Item = &'static str> {
        Self::RUN.iter().chain(Self::ENDPOINT).copied()
    }

    /// The variable GitHub sets for an input.
    pub fn env_name(input: &str) -> String {
        format!("INPUT_{}", input.to_uppercase())
    }

    /// The same with underscores, settable from a shell.
    pub fn env_name_underscored(input: &str) -> String {
        Self::env_name(input).replace('-', "_")
    }
}

/// Other variables, set by the GitHub Actions runner.
pub struct Env;

impl Env {
    /// `true` when running as a GitHub Actions step: problems are also printed as annotations.
    pub const GITHUB_ACTIONS: &'static str = "GITHUB_ACTIONS";
    /// Any value turns colour off (https://no-color.org).
    pub const NO_COLOR: &'static str = "NO_COLOR";
    pub(crate) const EVENT_NAME: &'static str = "GITHUB_EVENT_NAME";
    /// The webhook payload of the event, as JSON.
    pub const EVENT_PATH: &'static str = "GITHUB_EVENT_PATH";
    /// `owner/name`
    pub const REPOSITORY: &'static str = "GITHUB_REPOSITORY";
    pub(crate) const SHA: &'static str = "GITHUB_SHA";
    pub(crate) const REF: &'static str = "GITHUB_REF";
    /// REST base, e.g. https://api.github.com (GHES: https://host/api/v3).
    pub const API_URL: &'static str = "GITHUB_API_URL";
    pub(crate) const GRAPHQL_URL: &'static str = "GITHUB_GRAPHQL_URL";
    pub(crate) const SERVER_URL: &'static str = "GITHUB_SERVER_URL";
    pub(crate) const RUN_ID: &'static str = "GITHUB_RUN_ID";
    /// Where the plan JSON goes (default: the working directory).
    pub const RUNNER_TEMP: &'static str = "RUNNER_TEMP";
    /// Fallback for the `github-token` input.
    pub const TOKEN: &'static str = "GITHUB_TOKEN";
    /// Initial retry backoff in milliseconds, for the SDK and for apply's own retries.
    /// Default 1000 (SDK) / 400 (apply). Tests lower it to keep fault scenarios fast.
    pub const RETRY_BASE_MS: &'static str = "SAGEMAKER_AUTOSCALE_RETRY_BASE_MS";
    /// The time (`YYYY-MM-DDTHH:MM:SSZ`) at which a plan evaluates scheduled actions, and the
    /// action's simulation ends, instead of now: what a plan would expect at another moment.
    /// Tests set it to the stand-in's clock, or to the end of the metrics they put in.
    pub const NOW: &'static str = "SAGEMAKER_AUTOSCALE_NOW";
    /// `per-target`: read each target's policies and scheduled actions on their own, never the
    /// namespace whole (the reader before namespace reads, for benchmarks and comparisons).
    /// Default: whichever costs fewer calls.
    pub const READS: &'static str = "SAGEMAKER_AUTOSCALE_READS";
    /// Masked in the log if present: AWS secrets never reach it.
    pub const AWS_SECRETS: &'static [&'static str] = &["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];
}

/// The action inputs that were set, read once at start-up. Empty values count as unset,
/// because GitHub passes an input the workflow did not give as an empty string.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    values: BTreeMap<&'static str, String>,
}

impl Inputs {
    /// The inputs from this process's `INPUT_*` environment variables.
    pub fn from_env() -> Self {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut values = BTreeMap::new();
        for input in Input::all() {
            let value = lookup(&Input::env_name(input))
                .filter(|v| !v.trim().is_empty())
                .or_else(|| lookup(&Input::env_name_underscored(input)));
            if let Some(v) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
                values.insert(input, v);
            }
        }
        Inputs { values }
    }

    pub(crate) fn get(&self, input: &'static str) -> Option<&str> {
        self.values.get(input).map(String::as_str)
    }

    /// A list input's items, split at spaces, commas and new lines.
    pub(crate) fn list(&self, input: &'static str) -> Vec<String> {
        self.get(input)
            .unwrap_or_default()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The endpoint inputs that were set.
    pub fn endpoint_inputs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values
            .iter()
            .filter(|(k, _)| Input::ENDPOINT.contains(k))
            .map(|(k, v)| (*k, v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings_and_ignores_empty_values() {
        let inputs = Inputs::from_lookup(|var| match var {
            "INPUT_ENDPOINT-NAME" => Some("ep".into()),
            "INPUT_MIN_CAPACITY" => Some(" 2 ".into()),
            "INPUT_PRESET" => Some("".into()),
            _ => None,
        });
        assert_eq!(inputs.get(Input::ENDPOINT_NAME), Some("ep"));
        assert_eq!(inputs.get(Input::MIN_CAPACITY), Some("2"));
        assert_eq!(inputs.get(Input::PRESET), None);
    }
}
