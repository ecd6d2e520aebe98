//! A policy's or an alarm's metric: the endpoint it belongs to, its name and namespace, its
//! dimensions (the ones SageMaker publishes it with, by default), and the advice about metrics
//! summed over cores. Shared by target-tracking policies, step alarms and metric math.

use super::names::{self, MetricField};
use crate::config::raw::{Dimensions, Field, Located};
use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::keywords::Inference;
use crate::model::{ASYNC_METRICS, Dimension, ScalableDimension, Scaled};

pub const MAX_DIMENSIONS: usize = 30;

/// What a policy's metric is checked against: the endpoint (or component) and its kind.
pub struct EndpointContext {
    pub scaled: Scaled,
    pub inference: Option<Inference>,
    pub dimension: ScalableDimension,
}

impl EndpointContext {
    /// The endpoint's or inference component's name.
    pub fn name(&self) -> &str {
        self.scaled.name()
    }
}

/// SageMaker's instance metrics add up all cores (or GPUs): 0-100 x vCPUs.
pub fn summed_across_cores(
    namespace: &str,
    metric: &str,
    origin: &Origin,
    target: Option<f64>,
    d: &mut Diagnostics,
) {
    let unit = match metric {
        "CPUUtilization" => "vCPU",
        "GPUUtilization" | "GPUMemoryUtilization" => "GPU",
        _ => return,
    };
    if namespace != "/aws/sagemaker/Endpoints" {
        return;
    }
    let example = target.map_or(String::new(), |t| format!(": {t} means {}% of one {unit}", t));
    d.push(
        Diagnostic::new(&codes::SUMMED_ACROSS_CORES,
            origin,
            format!("{metric} is the sum over all {unit}s of an instance (0 to 100 x {unit}s){example}"),
        )
        .help(format!("multiply the per-{unit} percentage you want by the instance's {unit} count, e.g. 4 {unit}s at 50% each = 200")),
    );
}

/// A metric name or namespace, or an `invalid-name` error where it was written. `in_math`: the
/// metric of a metric math query (see `names::metric_text`).
pub fn metric_text(
    field: &Located<String>,
    kind: MetricField,
    in_math: bool,
    d: &mut Diagnostics,
) -> Option<String> {
    let what = match kind {
        MetricField::Name => "metric name",
        MetricField::Namespace => "namespace",
    };
    match names::metric_text(&field.value, kind, in_math) {
        Some(why) => {
            d.push(
                Diagnostic::new(
                    &codes::INVALID_NAME,
                    &field.origin,
                    format!("{what} {:?} {why}", field.value),
                )
                .help("CloudWatch metric names and namespaces have 1 to 255 characters, none of them a control character in metric math; a namespace may not start with ':' nor hold a line break"),
            );
            None
        }
        None => Some(field.value.clone()),
    }
}

/// The dimensions as written, or the ones SageMaker publishes the metric with, sorted by name.
pub fn dimensions(
    field: &Field<Dimensions>,
    namespace: &str,
    metric: &str,
    ctx: &EndpointContext,
    d: &mut Diagnostics,
) -> Option<Vec<Dimension>> {
    let dim = |name: &str, value: &str| Dimension {
        name: name.into(),
        value: value.into(),
    };
    let Some(given) = field else {
        let mut dims = match (&ctx.scaled, namespace) {
            (Scaled::InferenceComponent { .. }, "AWS/SageMaker" | "/aws/sagemaker/InferenceComponents")
            | (Scaled::Variant { .. }, "/aws/sagemaker/Endpoints") => ctx.scaled.own_dimensions(),
            (Scaled::Variant { endpoint, .. }, "AWS/SageMaker") if ASYNC_METRICS.contains(&metric) => {
                vec![dim("EndpointName", endpoint)]
            }
            (Scaled::Variant { .. }, "AWS/SageMaker") => ctx.scaled.own_dimensions(),
            _ => Vec::new(),
        };
        dims.sort();
        return Some(dims);
    };
    if given.value.len() > MAX_DIMENSIONS {
        d.push(Diagnostic::new(
            &codes::OUT_OF_RANGE,
            &given.origin,
            format!(
                "{} dimensions; CloudWatch allows at most {MAX_DIMENSIONS}",
                given.value.len()
            ),
        ));
        return None;
    }
    let mut ok = true;
    let mut dims = Vec::new();
    for (name, value) in &given.value {
        for (text, is_name) in [(name, true), (value, false)] {
            if let Some(why) = names::dimension_text(&text.value, is_name) {
                d.push(
                    Diagnostic::new(
                        &codes::INVALID_NAME,
                        &text.origin,
                        format!(
                            "dimension {} {:?} {why}",
                            if is_name { "name" } else { "value" },
                            text.value
                        ),
                    )
                    .help("CloudWatch dimensions are ASCII text without control characters, not only spaces; a name may not start with ':'"),
                );
                ok = false;
            }
        }
        dims.push(dim(&name.value, &value.value));
    }
    dims.sort();
    ok.then_some(dims)
}
