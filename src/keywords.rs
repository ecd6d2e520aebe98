//! The closed sets of words the config accepts (AWS enum values and our own), each with the
//! spellings a user may write and the one AWS expects.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

/// A word from a closed set, as written in the config.
pub trait Keyword: Sized + Copy + 'static {
    /// What the word names, for messages: "preset", "comparison", ...
    const WHAT: &'static str;
    /// Every accepted spelling. The first spelling of each value is its canonical name.
    const SPELLINGS: &'static [(&'static str, Self)];

    /// The value one of its spellings names; None for an unknown word.
    fn parse(s: &str) -> Option<Self>;
    /// The canonical (first) spelling: AWS's name where AWS has one.
    fn as_str(self) -> &'static str;

    /// The canonical names, for "expected one of" messages.
    fn canonical_names() -> Vec<&'static str>;
}

macro_rules! keyword {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident => [$first:literal $(, $alias:literal)*] ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("Written `", $first, "`.")]
                $variant
            ),+
        }

        impl Keyword for $name {
            const WHAT: &'static str = $what;
            const SPELLINGS: &'static [(&'static str, Self)] = &[
                $( ($first, $name::$variant), $( ($alias, $name::$variant), )* )+
            ];

            fn parse(s: &str) -> Option<Self> {
                Self::SPELLINGS.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
            }

            fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $first ),+
                }
            }

            fn canonical_names() -> Vec<&'static str> {
                vec![$( $first ),+]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {} {s:?}", Self::WHAT)))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let spellings: Vec<&str> = Self::SPELLINGS.iter().map(|(k, _)| *k).collect();
                json_schema!({ "type": "string", "enum": spellings })
            }
        }
    };
}

keyword! {
    /// A named bundle of policies and defaults for a common kind of endpoint.
    Preset ("preset") {
        /// The seed setup: CPU target tracking (50 %, 300 s / 300 s) plus scale-from-zero on
        /// `HasBacklogWithoutCapacity`.
        AsyncCpu => ["async-cpu"],
        /// AWS's recommended async setup: target tracking on `ApproximateBacklogSizePerInstance`
        /// plus the same scale-from-zero step policy.
        AsyncBacklog => ["async-backlog"],
        /// Real-time endpoint: target tracking on `SageMakerVariantInvocationsPerInstance`.
        RealtimeInvocations => ["realtime-invocations"],
        /// Inference component that scales to zero copies, as the SageMaker guide sets it up:
        /// target tracking on `SageMakerInferenceComponentInvocationsPerCopy` plus a step
        /// policy on `NoCapacityInvocationFailures`.
        ComponentFromZero => ["component-from-zero"],
    }
}

keyword! {
    /// How the endpoint serves requests; decides which metrics and capacities make sense.
    Inference ("inference type") {
        /// Asynchronous inference: requests queue and the endpoint can scale to zero.
        Async => ["async"],
        /// Real-time inference: requests are answered as they come.
        RealTime => ["real-time", "realtime"],
        /// Serverless: the scaled capacity is provisioned concurrency, not instances.
        Serverless => ["serverless"],
    }
}

keyword! {
    /// A scaling policy's type (Application Auto Scaling's PolicyType).
    PolicyType ("policy type") {
        /// Keep a metric near a target value.
        TargetTracking => ["target-tracking", "TargetTrackingScaling"],
        /// Add or remove capacity in steps when an alarm fires.
        Step => ["step", "StepScaling"],
    }
}

keyword! {
    /// How a step's ScalingAdjustment is read: a change in capacity, a percent change, or the
    /// new capacity itself.
    AdjustmentType ("adjustment type") {
        /// Add the adjustment to the current capacity (negative removes).
        ChangeInCapacity => ["ChangeInCapacity"],
        /// Change the current capacity by the adjustment in percent.
        PercentChangeInCapacity => ["PercentChangeInCapacity"],
        /// Set the capacity to the adjustment.
        ExactCapacity => ["ExactCapacity"],
    }
}

keyword! {
    /// How a step policy aggregates the alarm's data points.
    Aggregation ("aggregation") {
        Average => ["Average"],
        Minimum => ["Minimum"],
        Maximum => ["Maximum"],
    }
}

keyword! {
    /// A CloudWatch standard statistic (target-tracking custom metrics and alarms).
    MetricStatistic ("statistic") {
        Average => ["Average"],
        Minimum => ["Minimum"],
        Maximum => ["Maximum"],
        SampleCount => ["SampleCount"],
        Sum => ["Sum"],
    }
}

keyword! {
    /// Alarm comparison. Anomaly-detection operators are absent on purpose: such alarms cannot
    /// carry Application Auto Scaling actions.
    Comparison ("comparison") {
        GreaterThanOrEqualToThreshold => ["GreaterThanOrEqualToThreshold", ">="],
        GreaterThanThreshold => ["GreaterThanThreshold", ">"],
        LessThanThreshold => ["LessThanThreshold", "<"],
        LessThanOrEqualToThreshold => ["LessThanOrEqualToThreshold", "<="],
    }
}

keyword! {
    /// How a CloudWatch alarm counts periods without data (TreatMissingData).
    TreatMissingData ("treat_missing_data") {
        /// Missing periods are left out; when all are missing the alarm goes to INSUFFICIENT_DATA.
        Missing => ["missing"],
        /// Missing periods count as breaching the threshold.
        Breaching => ["breaching"],
        /// Missing periods count as within the threshold.
        NotBreaching => ["notBreaching"],
        /// The alarm keeps its current state.
        Ignore => ["ignore"],
    }
}

keyword! {
    /// The predefined metrics Application Auto Scaling offers for SageMaker.
    PredefinedMetric ("predefined metric") {
        VariantInvocationsPerInstance => ["SageMakerVariantInvocationsPerInstance"],
        VariantProvisionedConcurrencyUtilization => ["SageMakerVariantProvisionedConcurrencyUtilization"],
        VariantConcurrentRequestsPerModelHighResolution => ["SageMakerVariantConcurrentRequestsPerModelHighResolution"],
        InferenceComponentInvocationsPerCopy => ["SageMakerInferenceComponentInvocationsPerCopy"],
        InferenceComponentConcurrentRequestsPerCopyHighResolution => ["SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution"],
    }
}

keyword! {
    /// CloudWatch metric units.
    Unit ("unit") {
        Seconds => ["Seconds"],
        Microseconds => ["Microseconds"],
        Milliseconds => ["Milliseconds"],
        Bytes => ["Bytes"],
        Kilobytes => ["Kilobytes"],
        Megabytes => ["Megabytes"],
        Gigabytes => ["Gigabytes"],
        Terabytes => ["Terabytes"],
        Bits => ["Bits"],
        Kilobits => ["Kilobits"],
        Megabits => ["Megabits"],
        Gigabits => ["Gigabits"],
        Terabits => ["Terabits"],
        Percent => ["Percent"],
        Count => ["Count"],
        BytesPerSecond => ["Bytes/Second"],
        KilobytesPerSecond => ["Kilobytes/Second"],
        MegabytesPerSecond => ["Megabytes/Second"],
        GigabytesPerSecond => ["Gigabytes/Second"],
        TerabytesPerSecond => ["Terabytes/Second"],
        BitsPerSecond => ["Bits/Second"],
        KilobitsPerSecond => ["Kilobits/Second"],
        MegabitsPerSecond => ["Megabits/Second"],
        GigabitsPerSecond => ["Gigabits/Second"],
        TerabitsPerSecond => ["Terabits/Second"],
        CountPerSecond => ["Count/Second"],
        None => ["None"],
    }
}

impl PredefinedMetric {
    pub(crate) fn is_inference_component(self) -> bool {
        matches!(
            self,
            PredefinedMetric::InferenceComponentInvocationsPerCopy
                | PredefinedMetric::InferenceComponentConcurrentRequestsPerCopyHighResolution
        )
    }
}

impl Comparison {
    /// The symbol users may write, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::GreaterThanOrEqualToThreshold => ">=",
            Comparison::GreaterThanThreshold => ">",
            Comparison::LessThanThreshold => "<",
            Comparison::LessThanOrEqualToThreshold => "<=",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_parse_to_the_canonical_aws_name() {
        assert_eq!(
            Comparison::parse(">="),
            Some(Comparison::GreaterThanOrEqualToThreshold)
        );
        assert_eq!(
            Comparison::parse(">=").map(Keyword::as_str),
            Some("GreaterThanOrEqualToThreshold")
        );
        assert_eq!(PolicyType::parse("StepScaling"), Some(PolicyType::Step));
        assert_eq!(Comparison::parse("=>"), None);
        assert_eq!(Unit::parse("Count/Second"), Some(Unit::CountPerSecond));
    }
}
