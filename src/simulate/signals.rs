//! The metric history the simulator replays, and how each metric answers to a capacity that
//! differs from the one it was recorded under.

use std::collections::BTreeMap;

/// How a metric depends on the capacity in service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Demand, independent of capacity: replayed as recorded (queue size, age of the oldest
    /// request, invocations, any metric outside SageMaker's namespaces).
    Demand,
    /// An average per instance (or copy) of work that is shared out: the recorded value times
    /// the recorded capacity is the load, divided by the simulated capacity. Absent at zero
    /// capacity, as SageMaker publishes none then.
    PerCapacity,
    /// Like `PerCapacity`, but published at zero capacity, where it equals the whole load
    /// (ApproximateBacklogSizePerInstance: AWS scales out from zero on it once it passes the
    /// target).
    PerCapacityAtZeroWhole,
    /// 1 when there is a backlog and no capacity in service, else 0 (HasBacklogWithoutCapacity).
    BacklogWithoutCapacity,
    /// Requests that failed for lack of capacity (NoCapacityInvocationFailures): the recorded
    /// demand while nothing serves, 0 otherwise.
    FailuresWithoutCapacity,
}

/// The class of a metric, by namespace and name (docs/simulate.md lists them).
pub fn class(namespace: &str, metric: &str) -> Class {
    // A statistic's own series (`ConcurrentRequestsPerModel (Maximum)`) is its metric's kind.
    let metric = metric.strip_suffix(" (Maximum)").unwrap_or(metric);
    match (namespace, metric) {
        ("AWS/SageMaker", "HasBacklogWithoutCapacity") => Class::BacklogWithoutCapacity,
        ("AWS/SageMaker", "NoCapacityInvocationFailures") => Class::FailuresWithoutCapacity,
        ("AWS/SageMaker", "ApproximateBacklogSizePerInstance") => Class::PerCapacityAtZeroWhole,
        (
            "AWS/SageMaker",
            "InvocationsPerInstance"
            | "InvocationsPerCopy"
            | "ConcurrentRequestsPerModel"
            | "ConcurrentRequestsPerCopy",
        ) => Class::PerCapacity,
        ("/aws/sagemaker/Endpoints" | "/aws/sagemaker/InferenceComponents", _) => Class::PerCapacity,
        _ => Class::Demand,
    }
}

/// A metric as the policies name it.
pub type MetricId = (String, String);

/// The key of a metric's highest value each minute, as `tune`'s concurrency goal reads it.
pub fn peak_of(id: &MetricId) -> MetricId {
    (id.0.clone(), format!("{} (Maximum)", id.1))
}

/// Per-minute recorded values of the metrics, from `start` (epoch seconds, a whole minute).
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub(crate) start: i64,
    pub(crate) minutes: usize,
    pub(crate) recorded: BTreeMap<MetricId, Vec<Option<f64>>>,
    /// The queue size, when known: decides HasBacklogWithoutCapacity under another capacity.
    pub backlog: Option<Vec<Option<f64>>>,
    /// Requests taken from an async endpoint's queue in each minute, when known.
    pub processed: Option<Vec<Option<f64>>>,
    /// The queue is simulated, not replayed: the backlog per instance is the queue over the
    /// capacity in service.
    queue_simulated: bool,
}

/// The metric an async endpoint counts the requests it took from its queue in. AWS's metric
/// list spells it `InvocationsProcesssed`; both spellings are read (docs/simulate.md).
pub const PROCESSED: [&str; 2] = ["InvocationsProcessed", "InvocationsProcesssed"];

impl Signals {
    /// Empty signals for `minutes` minutes starting at `start` (epoch seconds).
    pub fn new(start: i64, minutes: usize) -> Signals {
        Signals {
            start,
            minutes,
            ..Signals::default()
        }
    }

    /// Adds a recorded series (padded or cut to `minutes`).
    pub fn record(&mut self, namespace: &str, metric: &str, mut values: Vec<Option<f64>>) {
        values.resize(self.minutes, None);
        if (namespace, metric) == ("AWS/SageMaker", "ApproximateBacklogSize") {
            self.backlog = Some(values.clone());
        }
        if namespace == "AWS/SageMaker" && PROCESSED.contains(&metric) && self.processed.is_none() {
            self.processed = Some(values.clone());
        }
        self.recorded
            .insert((namespace.to_string(), metric.to_string()), values);
    }

    /// A copy whose queue the replay writes minute by minute ([`Signals::set_queue`]).
    pub(crate) fn with_simulated_queue(&self) -> Signals {
        let mut s = self.clone();
        s.backlog = Some(vec![None; self.minutes]);
        s.queue_simulated = true;
        s
    }

    /// The simulated queue at the end of `minute`.
    pub(crate) fn set_queue(&mut self, minute: usize, queue: f64) {
        if let Some(b) = self.backlog.as_mut().and_then(|b| b.get_mut(minute)) {
            *b = Some(queue);
        }
        let id = ("AWS/SageMaker".to_string(), "ApproximateBacklogSize".to_string());
        if let Some(v) = self.recorded.get_mut(&id).and_then(|v| v.get_mut(minute)) {
            *v = Some(queue);
        }
    }

    /// The same history under `factor` times the load: every recorded value but the
    /// backlog-without-capacity flag is multiplied (the queue's arrivals are scaled apart).
    pub fn scaled(&self, factor: f64) -> Signals {
        let mut s = self.clone();
        for ((namespace, metric), values) in &mut s.recorded {
            if class(namespace, metric) != Class::BacklogWithoutCapacity {
                values.iter_mut().flatten().for_each(|v| *v *= factor);
            }
        }
        for series in [&mut s.backlog, &mut s.processed].into_iter().flatten() {
            series.iter_mut().flatten().for_each(|v| *v *= factor);
        }
        s
    }

    fn at(&self, id: &MetricId, minute: usize) -> Option<f64> {
        self.recorded
            .get(id)
            .and_then(|v| v.get(minute).copied().flatten())
    }

    pub(crate) fn has_backlog(&self, minute: usize) -> Option<bool> {
        self.backlog
            .as_ref()
            .map(|b| b.get(minute).copied().flatten().unwrap_or(0.0) > 0.0)
    }

    /// The value a policy sees at `minute` with `serving` in service. `recorded_capacity` is
    /// the capacity the history was recorded under (None: the same as `serving`, i.e. replay
    /// as recorded).
    pub fn value(
        &self,
        id: &MetricId,
        minute: usize,
        serving: i32,
        recorded_capacity: Option<i32>,
    ) -> Option<f64> {
        let raw = self.at(id, minute);
        let rescale = |v: f64| match recorded_capacity {
            Some(c) => v * f64::from(c.max(1)) / f64::from(serving.max(1)),
            None => v,
        };
        match class(&id.0, &id.1) {
            Class::Demand => raw,
            Class::PerCapacity if serving == 0 => None,
            Class::PerCapacity => raw.map(rescale),
            Class::PerCapacityAtZeroWhole if self.queue_simulated => self
                .backlog
                .as_ref()
                .and_then(|b| b.get(minute).copied().flatten())
                .map(|q| q / f64::from(serving.max(1))),
            // At zero the whole load is "per instance" (divided by 1).
            Class::PerCapacityAtZeroWhole => raw.map(rescale),
            Class::BacklogWithoutCapacity => match self.has_backlog(minute) {
                Some(backlog) => Some(if backlog && serving == 0 { 1.0 } else { 0.0 }),
                None if serving > 0 => Some(0.0),
                None => raw,
            },
            Class::FailuresWithoutCapacity if serving > 0 => Some(0.0),
            Class::FailuresWithoutCapacity => raw,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ns: &str, m: &str) -> MetricId {
        (ns.into(), m.into())
    }

    #[test]
    fn per_instance_load_is_shared_out_and_absent_at_zero() {
        let mut s = Signals::new(0, 2);
        s.record(
            "/aws/sagemaker/Endpoints",
            "CPUUtilization",
            vec![Some(150.0), Some(60.0)],
        );
        let cpu = id("/aws/sagemaker/Endpoints", "CPUUtilization");
        assert_eq!(s.value(&cpu, 0, 1, None), Some(150.0));
        assert_eq!(s.value(&cpu, 0, 3, Some(1)), Some(50.0));
        assert_eq!(s.value(&cpu, 1, 2, Some(4)), Some(120.0));
        assert_eq!(s.value(&cpu, 0, 0, Some(1)), None);
    }

    #[test]
    fn backlog_without_capacity_follows_the_simulated_capacity() {
        let mut s = Signals::new(0, 2);
        s.record(
            "AWS/SageMaker",
            "ApproximateBacklogSize",
            vec![Some(5.0), Some(0.0)],
        );
        let flag = id("AWS/SageMaker", "HasBacklogWithoutCapacity");
        assert_eq!(s.value(&flag, 0, 0, None), Some(1.0));
        assert_eq!(s.value(&flag, 0, 1, None), Some(0.0));
        assert_eq!(s.value(&flag, 1, 0, None), Some(0.0));
    }
}
