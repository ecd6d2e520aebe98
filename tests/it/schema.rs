//! The committed JSON Schema is what the code generates, and names exactly the keys the
//! loader accepts.

use std::collections::BTreeSet;

use sagemaker_autoscale::config::Section;
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
    let keys = |s: Section| s.keys().into_iter().map(String::from).collect::<BTreeSet<_>>();
    assert_eq!(props(None), keys(Section::Config));
    assert_eq!(props(Some("Endpoint")), keys(Section::Endpoint));
    assert_eq!(props(Some("InferenceComponent")), keys(Section::Component));
    assert_eq!(props(Some("Suspended")), keys(Section::Suspended));
    assert_eq!(props(Some("Goal")), keys(Section::Goal));
    assert_eq!(props(Some("Policy")), keys(Section::Policy));
    assert_eq!(props(Some("Metric")), keys(Section::Metric));
    assert_eq!(props(Some("MetricQuery")), keys(Section::MetricQuery));
    assert_eq!(props(Some("CustomMetric")), keys(Section::CustomMetric));
    assert_eq!(props(Some("Step")), keys(Section::Step));
    assert_eq!(props(Some("Alarm")), keys(Section::Alarm));
    assert_eq!(props(Some("Schedule")), keys(Section::Schedule));
}
