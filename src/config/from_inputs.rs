//! Action inputs merged into the config. Inputs win over the file, field by field, the way a
//! command-line flag wins over a config file:
//! - `region` replaces the file's `region`;
//! - with `endpoint-name`, the endpoint of that name and variant is updated, or added if the
//!   file has none (or there is no file at all);
//! - without `endpoint-name`, the other endpoint inputs apply to the file's only endpoint.

use super::decode::parse_keyword;
use super::raw::{Field, Located, RawConfig, RawEndpoint};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::inputs::{Input, Inputs};
use crate::keywords::Preset;
use crate::model::DEFAULT_VARIANT;

pub fn apply(raw: &mut RawConfig, inputs: &Inputs, d: &mut Diagnostics) {
    if let Some(region) = inputs.get(Input::REGION) {
        raw.region = Some(Located::new(
            region.to_string(),
            Origin::Input { input: Input::REGION },
        ));
    }
    if inputs.endpoint_inputs().next().is_none() {
        return;
    }
    let index = match inputs.get(Input::ENDPOINT_NAME) {
        Some(name) => {
            let variant = inputs.get(Input::VARIANT_NAME).unwrap_or(DEFAULT_VARIANT);
            let found = raw.endpoints.iter().position(|e| {
                e.name.as_ref().is_some_and(|n| n.value == name)
                    && e.variant.as_ref().map_or(DEFAULT_VARIANT, |v| v.value.as_str()) == variant
            });
            found.unwrap_or_else(|| {
                raw.endpoints.push(RawEndpoint {
                    origin: Origin::Input {
                        input: Input::ENDPOINT_NAME,
                    },
                    ..RawEndpoint::default()
                });
                raw.endpoints.len() - 1
            })
        }
        None if raw.endpoints.len() == 1 => 0,
        None => {
            let (first, _) = inputs.endpoint_inputs().next().unwrap_or_default();
            d.push(
                Diagnostic::new(&codes::INPUT_NEEDS_ENDPOINT,
                    &Origin::Input { input: first },
                    format!("input `{first}` needs `endpoint-name`: the config has {} endpoints", raw.endpoints.len()),
                )
                .help("set the `endpoint-name` input (and `variant-name` if not AllTraffic) to say which endpoint it changes"),
            );
            return;
        }
    };
    let e = &mut raw.endpoints[index];
    set(&mut e.name, text(inputs, Input::ENDPOINT_NAME));
    set(&mut e.variant, text(inputs, Input::VARIANT_NAME));
    set(&mut e.min_capacity, number(inputs, Input::MIN_CAPACITY, d));
    set(&mut e.max_capacity, number(inputs, Input::MAX_CAPACITY, d));
    set(&mut e.preset, preset(inputs, d));
    set(&mut e.target, decimal(inputs, Input::TARGET_VALUE, d));
    set(
        &mut e.scale_in_cooldown,
        number(inputs, Input::SCALE_IN_COOLDOWN, d),
    );
    set(
        &mut e.scale_out_cooldown,
        number(inputs, Input::SCALE_OUT_COOLDOWN, d),
    );
}

fn set<T>(field: &mut Field<T>, value: Field<T>) {
    if value.is_some() {
        *field = value;
    }
}

fn origin(input: &'static str) -> Origin {
    Origin::Input { input }
}

fn text(inputs: &Inputs, input: &'static str) -> Field<String> {
    inputs
        .get(input)
        .map(|v| Located::new(v.to_string(), origin(input)))
}

fn number(inputs: &Inputs, input: &'static str, d: &mut Diagnostics) -> Field<i64> {
    let v = inputs.get(input)?;
    match v.parse::<i64>() {
        Ok(n) => Some(Located::new(n, origin(input))),
        Err(_) => {
            d.push(Diagnostic::new(
                &codes::WRONG_TYPE,
                &origin(input),
                format!("input `{input}` must be a whole number, found \"{v}\""),
            ));
            None
        }
    }
}

fn decimal(inputs: &Inputs, input: &'static str, d: &mut Diagnostics) -> Field<f64> {
    let v = inputs.get(input)?;
    match v.parse::<f64>() {
        Ok(x) => Some(Located::new(x, origin(input))),
        Err(_) => {
            d.push(Diagnostic::new(
                &codes::WRONG_TYPE,
                &origin(input),
                format!("input `{input}` must be a number, found \"{v}\""),
            ));
            None
        }
    }
}

fn preset(inputs: &Inputs, d: &mut Diagnostics) -> Field<Preset> {
    let v = inputs.get(Input::PRESET)?;
    parse_keyword(v, origin(Input::PRESET), d)
}
