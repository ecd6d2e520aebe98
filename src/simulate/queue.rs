//! An async endpoint's queue under a capacity it was not recorded with (docs/simulate.md,
//! "the queue"): requests arrive as the history says, and each instance in service takes a
//! fixed number of them a minute, estimated from the history.
//!
//! The history has the queue size at the end of each minute (`ApproximateBacklogSize`) and
//! the requests taken from it (`InvocationsProcessed`), so the arrivals are the change in
//! the queue plus what was taken: a(t) = B(t) - B(t-1) + P(t).

use super::signals::Signals;

/// Minutes in which the queue never emptied: the instances were taking as many requests as
/// they could. Fewer than this and the throughput is only a lower bound.
const SATURATED_MINUTES: usize = 10;

/// The queue's inputs: arrivals per minute and what one instance takes a minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    /// Requests arriving in each minute.
    pub arrivals: Vec<f64>,
    /// Requests one instance in service takes from the queue per minute.
    pub per_instance: f64,
    /// The queue before the first minute.
    pub initial: f64,
}

/// How the throughput per instance was found.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Throughput {
    /// Given on the command line.
    Given,
    /// The median of processed / instances over the minutes that ended with a queue.
    Saturated,
    /// The largest processed / instances seen: the queue never stayed, so this is a lower
    /// bound, and capacity may be over-estimated.
    LowerBound,
}

impl Queue {
    /// The queue's inputs from the recorded backlog and processed requests, with the
    /// capacity the history was recorded under. `given`: a throughput from the user.
    pub fn from_history(
        signals: &Signals,
        recorded_capacity: &[i32],
        given: Option<f64>,
    ) -> Result<(Queue, Throughput), String> {
        let backlog = signals
            .backlog
            .as_ref()
            .ok_or("no ApproximateBacklogSize in the period: the queue cannot be modelled")?;
        let processed = signals.processed.as_deref();
        // A gap in the queue's series holds its last value: CloudWatch publishes nothing in a
        // minute that lost its datapoint, and a jump back from 0 would read as arrivals.
        let mut last = 0.0;
        let held: Vec<f64> = backlog
            .iter()
            .map(|v| {
                last = v.unwrap_or(last);
                last
            })
            .collect();
        let at = |m: usize| held.get(m).copied().unwrap_or(0.0);
        let done = |m: usize| processed.and_then(|p| p.get(m).copied().flatten()).unwrap_or(0.0);
        let arrivals: Vec<f64> = (0..signals.minutes)
            .map(|m| {
                let before = if m == 0 { at(0) } else { at(m - 1) };
                (at(m) - before + done(m)).max(0.0)
            })
            .collect();
        let (per_instance, how) = match given {
            Some(g) => (g, Throughput::Given),
            None => {
                if processed.is_none() {
                    return Err(
                        "no InvocationsProcessed in the period: give the requests one instance takes a minute (--throughput)"
                            .into(),
                    );
                }
                estimate(signals.minutes, &at, &done, recorded_capacity)?
            }
        };
        Ok((
            Queue {
                arrivals,
                per_instance,
                initial: at(0),
            },
            how,
        ))
    }

    /// The same queue under `factor` times the load.
    pub fn scaled(&self, factor: f64) -> Queue {
        Queue {
            arrivals: self.arrivals.iter().map(|a| a * factor).collect(),
            per_instance: self.per_instance,
            initial: self.initial * factor,
        }
    }

    /// The queue at the end of minute `t`, from the one before, with `serving` instances.
    pub fn next(&self, before: f64, t: usize, serving: i32) -> f64 {
        let arrived = self.arrivals.get(t).copied().unwrap_or(0.0);
        (before + arrived - self.per_instance * f64::from(serving.max(0))).max(0.0)
    }
}

/// Requests one instance takes a minute: the median over minutes that began with a queue
/// (the instances were busy all minute), else the largest rate seen, a lower bound.
fn estimate(
    minutes: usize,
    backlog: &dyn Fn(usize) -> f64,
    processed: &dyn Fn(usize) -> f64,
    capacity: &[i32],
) -> Result<(f64, Throughput), String> {
    let rate = |m: usize| {
        let c = capacity.get(m).copied().unwrap_or(0);
        (c > 0 && processed(m) > 0.0).then(|| processed(m) / f64::from(c))
    };
    let mut saturated: Vec<f64> = (1..minutes)
        .filter(|&m| backlog(m - 1) > 0.0 && backlog(m) > 0.0)
        .filter_map(rate)
        .collect();
    if saturated.len() >= SATURATED_MINUTES {
        saturated.sort_by(f64::total_cmp);
        return Ok((saturated[saturated.len() / 2], Throughput::Saturated));
    }
    (0..minutes)
        .filter_map(rate)
        .max_by(f64::total_cmp)
        .map(|r| (r, Throughput::LowerBound))
        .ok_or_else(|| {
            "no minute with requests processed and an instance in service: give the requests one instance takes a minute (--throughput)"
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(backlog: &[f64], processed: &[f64]) -> Signals {
        let mut s = Signals::new(0, backlog.len());
        s.record(
            "AWS/SageMaker",
            "ApproximateBacklogSize",
            backlog.iter().map(|v| Some(*v)).collect(),
        );
        s.record(
            "AWS/SageMaker",
            "InvocationsProcessed",
            processed.iter().map(|v| Some(*v)).collect(),
        );
        s
    }

    #[test]
    fn arrivals_are_the_queue_change_plus_what_was_taken() {
        let s = signals(&[0.0, 10.0, 4.0, 0.0], &[0.0, 2.0, 8.0, 6.0]);
        let (q, _) = Queue::from_history(&s, &[1, 1, 1, 1], Some(8.0)).expect("queue");
        assert_eq!(q.arrivals, vec![0.0, 12.0, 2.0, 2.0]);
    }

    #[test]
    fn throughput_is_the_median_rate_while_the_queue_stayed() {
        // Twelve saturated minutes at 2 instances taking 6, 6, ... and one odd 40.
        let mut backlog = vec![0.0];
        let mut processed = vec![0.0];
        for m in 0..12 {
            backlog.push(50.0);
            processed.push(if m == 5 { 40.0 } else { 6.0 });
        }
        let s = signals(&backlog, &processed);
        let (q, how) = Queue::from_history(&s, &[2; 13], None).expect("queue");
        assert_eq!((q.per_instance, how), (3.0, Throughput::Saturated));
    }

    #[test]
    fn without_a_standing_queue_the_rate_is_a_lower_bound() {
        let s = signals(&[0.0, 3.0, 0.0], &[0.0, 2.0, 3.0]);
        let (q, how) = Queue::from_history(&s, &[1, 1, 1], None).expect("queue");
        assert_eq!((q.per_instance, how), (3.0, Throughput::LowerBound));
    }

    #[test]
    fn a_gap_in_the_queue_is_not_read_as_arrivals() {
        let mut s = Signals::new(0, 4);
        s.record(
            "AWS/SageMaker",
            "ApproximateBacklogSize",
            vec![Some(50.0), None, Some(50.0), Some(50.0)],
        );
        s.record("AWS/SageMaker", "InvocationsProcessed", vec![Some(5.0); 4]);
        let (q, _) = Queue::from_history(&s, &[1; 4], Some(5.0)).expect("queue");
        assert_eq!(q.arrivals, vec![5.0; 4]);
    }

    #[test]
    fn the_queue_drains_at_the_capacity_in_service() {
        let q = Queue {
            arrivals: vec![10.0, 0.0, 0.0],
            per_instance: 4.0,
            initial: 0.0,
        };
        assert_eq!(q.next(0.0, 0, 0), 10.0);
        assert_eq!(q.next(10.0, 1, 2), 2.0);
        assert_eq!(q.next(2.0, 2, 1), 0.0);
    }

    #[test]
    fn no_processed_requests_and_no_throughput_is_said() {
        let mut s = Signals::new(0, 2);
        s.record(
            "AWS/SageMaker",
            "ApproximateBacklogSize",
            vec![Some(1.0), Some(0.0)],
        );
        let e = Queue::from_history(&s, &[1, 1], None).expect_err("no throughput");
        assert!(e.contains("--throughput"), "{e}");
    }
}
