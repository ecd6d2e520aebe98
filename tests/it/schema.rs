//! The committed JSON Schema is what the code generates, and names exactly the keys the
//! loader accepts.

use std::collections::BTreeSet;

use sagemaker_autoscale::config;
use sagemaker_autoscale::schema::{COMMITTED_PATH, config_schema, config_schema_text};

use crate::{bin, repo, run};

#[test]
fn committed_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(repo().join(COMMITTED_PATH)).expect("committed schema");
    assert!(
        committed == config_schema_text(),
        "{COMMITTED_PATH} is stale: run `cargo run -- schema > {COMMITTED_PATH}`"
    );
    let r = run(bin(&repo()).arg("schema"));
    assert_eq!((r.code, r.stdout.as_str()), (0, committed.as_str()));
}

#[test]
fn schema_properties_are_the_keys_the_loader_accepts() {
    let schema = config_schema();
    let props = |def: Option<&str>| -> BTreeSet<String> {
        let node = match def {
            Some(d) => &schema["$defs"][d],
            None => &schema,
        };
        assert_eq!(
            node["additionalProperties"], false,
            "{def:?} must reject unknown keys"
        );
        node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{def:?}"))
            .keys()
            .cloned()
            .collect()
    };
    let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(props(None), keys(config::CONFIG_KEYS));
    assert_eq!(props(Some("Endpoint")), keys(config::ENDPOINT_KEYS));
    assert_eq!(props(Some("InferenceComponent")), keys(config::COMPONENT_KEYS));
    assert_eq!(props(Some("Suspended")), keys(config::SUSPENDED_KEYS));
    assert_eq!(props(Some("Policy")), keys(config::POLICY_KEYS));
    assert_eq!(props(Some("Metric")), keys(config::METRIC_KEYS));
    assert_eq!(props(Some("CustomMetric")), keys(config::CUSTOM_METRIC_KEYS));
    assert_eq!(props(Some("Step")), keys(config::STEP_KEYS));
    assert_eq!(props(Some("Alarm")), keys(config::ALARM_KEYS));
    assert_eq!(props(Some("Schedule")), keys(config::SCHEDULE_KEYS));
}
