//! The metrics the policies use, and their one-minute history as signals (read through
//! `aws::minute_history`).

use std::collections::BTreeMap;

use super::signals::{MetricId, Signals};
use super::watched::{alarm_metric, metric_of, predefined, returned};
use crate::aws::{AwsError, Clients, MetricRequest, minute_history};
use crate::keywords::Keyword;
use crate::model::{AlarmStatistic, Dimension, MetricSpec, PolicyConfig, ScalableTarget, Scaled};

/// One metric to fetch: what it is, with which dimensions and statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub id: MetricId,
    pub dimensions: Vec<Dimension>,
    pub stat: String,
    /// Kept under its statistic's name (`ConcurrentRequestsPerModel (Maximum)`), not its
    /// metric's: a policy tracking the same metric's Average keeps its own series.
    pub by_stat: bool,
}

impl Series {
    /// The name the fetched values are kept under in [`Signals`].
    pub fn key(&self) -> MetricId {
        if self.by_stat {
            super::signals::peak_of(&self.id)
        } else {
            self.id.clone()
        }
    }
}

/// The metrics the targets' policies and alarms read, plus the queue size of endpoint
/// variants (it decides HasBacklogWithoutCapacity under another capacity). First use wins
/// when two policies read one metric with different statistics.
pub fn queries(targets: &[&ScalableTarget]) -> Vec<Series> {
    let mut out: BTreeMap<MetricId, Series> = BTreeMap::new();
    for t in targets {
        let own = t.scaled.own_dimensions();
        for p in &t.policies {
            let q = match &p.config {
                PolicyConfig::TargetTracking(tt) => match &tt.metric {
                    MetricSpec::Custom(c) => Series {
                        id: metric_of(tt),
                        dimensions: c.dimensions.clone(),
                        stat: c.statistic.as_str().to_string(),
                        by_stat: false,
                    },
                    MetricSpec::Predefined(p) => {
                        let (id, stat) = predefined(*p);
                        Series {
                            id,
                            dimensions: own.clone(),
                            stat: stat.as_str().to_string(),
                            by_stat: false,
                        }
                    }
                    MetricSpec::Math(queries) => match returned(queries) {
                        Some(m) => Series {
                            id: metric_of(tt),
                            dimensions: m.dimensions.clone(),
                            stat: m.stat.clone(),
                            by_stat: false,
                        },
                        None => continue,
                    },
                },
                PolicyConfig::Step(s) => Series {
                    id: alarm_metric(&s.alarm),
                    dimensions: s.alarm.dimensions.clone(),
                    stat: match &s.alarm.statistic {
                        AlarmStatistic::Statistic(st) => st.as_str().to_string(),
                        AlarmStatistic::Extended(p) => p.clone(),
                    },
                    by_stat: false,
                },
            };
            out.entry(q.id.clone()).or_insert(q);
        }
        if let Scaled::Variant { endpoint, .. } = &t.scaled {
            let id = ("AWS/SageMaker".to_string(), "ApproximateBacklogSize".to_string());
            out.entry(id.clone()).or_insert(Series {
                id,
                dimensions: vec![Dimension {
                    name: "EndpointName".into(),
                    value: endpoint.clone(),
                }],
                stat: "Average".into(),
                by_stat: false,
            });
        }
    }
    out.into_values().collect()
}

/// The series `tune` reads besides the policies': the concurrency per instance (or copy),
/// at its highest each minute (its goal may cap it) and on average (a policy on SageMaker's
/// 10-second metric would track it), and the queue's (`queue_queries`).
pub fn tune_queries(targets: &[&ScalableTarget]) -> Vec<Series> {
    let mut out = Vec::new();
    for t in targets {
        let (name, dimensions) = match &t.scaled {
            Scaled::Variant { .. } => ("ConcurrentRequestsPerModel", t.scaled.own_dimensions()),
            Scaled::InferenceComponent { .. } => ("ConcurrentRequestsPerCopy", t.scaled.own_dimensions()),
        };
        // The Average is what a policy on the 10-second metric would track (a candidate).
        for (stat, by_stat) in [("Maximum", true), ("Average", false)] {
            out.push(Series {
                id: ("AWS/SageMaker".to_string(), name.to_string()),
                dimensions: dimensions.clone(),
                stat: stat.into(),
                by_stat,
            });
        }
    }
    for series in queue_queries(targets) {
        if !out.contains(&series) {
            out.push(series);
        }
    }
    out
}

/// The requests async endpoints took from their queues each minute (both of AWS's
/// spellings), which the queue model needs with the backlog the policies already read.
pub fn queue_queries(targets: &[&ScalableTarget]) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for t in targets {
        if let Scaled::Variant { endpoint, .. } = &t.scaled {
            for name in super::signals::PROCESSED {
                let series = Series {
                    id: ("AWS/SageMaker".to_string(), name.to_string()),
                    dimensions: vec![Dimension {
                        name: "EndpointName".into(),
                        value: endpoint.clone(),
                    }],
                    stat: "Sum".into(),
                    by_stat: false,
                };
                if !out.contains(&series) {
                    out.push(series);
                }
            }
        }
    }
    out
}

/// Fetches one-minute values of `queries` for `minutes` minutes from `start`, one series per
/// query in its order. Returns them and the number of calls made.
pub async fn fetch(
    clients: &Clients,
    queries: &[Series],
    start: i64,
    minutes: usize,
) -> Result<(Vec<Vec<Option<f64>>>, usize), AwsError> {
    let requests: Vec<MetricRequest> = queries
        .iter()
        .map(|q| MetricRequest {
            namespace: q.id.0.clone(),
            metric_name: q.id.1.clone(),
            dimensions: q.dimensions.clone(),
            stat: q.stat.clone(),
        })
        .collect();
    minute_history(clients, &requests, start, minutes).await
}

/// One target's signals: each of its `queries` that had data, from the series fetched for
/// `fetched` (a superset, in the order `series` holds them).
pub fn signals_of(
    queries: &[Series],
    fetched: &[Series],
    series: &[Vec<Option<f64>>],
    start: i64,
    minutes: usize,
) -> Signals {
    let mut signals = Signals::new(start, minutes);
    for q in queries {
        let values = fetched.iter().position(|f| f == q).and_then(|i| series.get(i));
        if let Some(v) = values.filter(|v| v.iter().any(Option::is_some)) {
            let key = q.key();
            signals.record(&key.0, &key.1, v.clone());
        }
    }
    signals
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A policy tracking `ConcurrentRequestsPerModel` (Average) and `tune`'s concurrency goal
    /// (its Maximum) read the same metric: each keeps its own series (before, the goal's
    /// Maximum replaced the Average the policy was replayed on).
    #[test]
    fn the_goal_maximum_and_a_policy_average_of_one_metric_are_kept_apart() {
        let id: MetricId = ("AWS/SageMaker".into(), "ConcurrentRequestsPerModel".into());
        let series = |stat: &str, by_stat| Series {
            id: id.clone(),
            dimensions: Vec::new(),
            stat: stat.into(),
            by_stat,
        };
        let queries = [series("Average", false), series("Maximum", true)];
        let values = [vec![Some(2.0)], vec![Some(9.0)]];
        let s = signals_of(&queries, &queries, &values, 0, 1);
        assert_eq!(s.recorded.get(&id), Some(&vec![Some(2.0)]));
        let peak = super::super::signals::peak_of(&id);
        assert_eq!(s.recorded.get(&peak), Some(&vec![Some(9.0)]));
        assert_eq!(
            super::super::signals::class(&peak.0, &peak.1),
            super::super::signals::Class::PerCapacity
        );
    }
}
