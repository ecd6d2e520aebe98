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
    pub const MIN_CAPACITY: &'static str = "min-capacity";
    pub const MAX_CAPACITY: &'static str = "max-capacity";
    /// `async-cpu`, `async-backlog` or `realtime-invocations`.
    pub const PRESET: &'static str = "preset";
    /// Target value of the preset's target-tracking policy.
    pub const TARGET_VALUE: &'static str = "target-value";
    pub const SCALE_IN_COOLDOWN: &'static str = "scale-in-cooldown";
    pub const SCALE_OUT_COOLDOWN: &'static str = "scale-out-cooldown";

    /// Every input this version understands.
    pub const ALL: &'static [&'static str] = &[
        Self::CONFIG,
        Self::REGION,
        Self::ENDPOINT_NAME,
        Self::VARIANT_NAME,
        Self::MIN_CAPACITY,
        Self::MAX_CAPACITY,
        Self::PRESET,
        Self::TARGET_VALUE,
        Self::SCALE_IN_COOLDOWN,
        Self::SCALE_OUT_COOLDOWN,
    ];

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
}

/// The action inputs that were set, read once at start-up. Empty values count as unset,
/// because GitHub passes an input the workflow did not give as an empty string.
#[derive(Debug, Default, Clone)]
pub struct Inputs {
    values: BTreeMap<&'static str, String>,
}

impl Inputs {
    pub fn from_env() -> Self {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let mut values = BTreeMap::new();
        for &input in Input::ALL {
            let value = lookup(&Input::env_name(input))
                .filter(|v| !v.trim().is_empty())
                .or_else(|| lookup(&Input::env_name_underscored(input)));
            if let Some(v) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
                values.insert(input, v);
            }
        }
        Inputs { values }
    }

    pub fn get(&self, input: &'static str) -> Option<&str> {
        self.values.get(input).map(String::as_str)
    }

    /// Inputs that describe an endpoint (everything but `config` and `region`).
    pub fn endpoint_inputs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values
            .iter()
            .filter(|(k, _)| **k != Input::CONFIG && **k != Input::REGION)
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
