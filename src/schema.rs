//! The JSON Schema of `autoscaling.toml`, generated from the raw config types so it cannot
//! drift from what the loader accepts. A copy is committed at `docs/autoscaling.schema.json`.

use schemars::generate::SchemaSettings;

use crate::config::RawConfig;

/// Where the generated JSON Schema is committed, relative to the repository root.
pub const COMMITTED_PATH: &str = "docs/autoscaling.schema.json";

/// The JSON Schema (draft 2020-12) of `autoscaling.toml`.
pub fn config_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut value = generator.into_root_schema_for::<RawConfig>().to_value();
    drop_null(&mut value);
    value
}

/// TOML has no null: an optional key is simply absent. schemars models `Option<T>` as
/// "T or null", which would make editors offer `null`; strip that.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get("anyOf") {
                let rest: Vec<Value> = any
                    .iter()
                    .filter(|s| s.get("type") != Some(&Value::from("null")))
                    .cloned()
                    .collect();
                if rest.len() == 1
                    && let Some(Value::Object(inner)) = rest.into_iter().next()
                {
                    map.remove("anyOf");
                    for (k, val) in inner {
                        map.entry(k).or_insert(val);
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// Pretty JSON with a trailing newline, the form the committed copy has.
pub fn config_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&config_schema()).unwrap_or_default();
    text.push('\n');
    text
}
