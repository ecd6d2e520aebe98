//! CloudWatch alarms: by name, 100 a call, or by the policy ARN in their actions; as records,
//! with the fields the config does not manage kept.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicUsize;

use aws_sdk_cloudwatch::types as cw;
use futures::{StreamExt, TryStreamExt, stream};

use super::policies::{Policy, sorted_dimensions, unsupported};
use crate::aws::call_error;
use crate::aws::pages::{READ_CONCURRENCY, in_chunks, paginate};
use crate::aws::{AwsError, Clients};
use crate::keywords::{Comparison, Keyword, MetricStatistic, TreatMissingData};
use crate::model::{Alarm, AlarmStatistic};
use crate::ownership::plans_alarm;
use crate::resource::{ALARM_MARK, AlarmKept, AlarmRecord, Key, Kind, PolicyRecord, Record};

/// What the policies read say about the alarms that fire them.
#[derive(Default)]
pub(super) struct PolicyLinks {
    /// (resource id, policy name) by policy ARN.
    pub(super) by_arn: HashMap<String, (String, String)>,
    /// The alarms the step policies list.
    pub(super) alarm_names: BTreeSet<String>,
    /// The step policies that list no alarm (moto's never do): their alarms are found by the
    /// policy ARN in their actions.
    pub(super) unlisted: Vec<String>,
}

impl PolicyLinks {
    pub(super) fn add(&mut self, p: &Policy) {
        if matches!(p.record, PolicyRecord::Step(_)) {
            if p.alarm_names.is_empty() {
                self.unlisted.push(p.arn.clone());
            }
            self.alarm_names.extend(p.alarm_names.iter().cloned());
        }
        self.by_arn
            .insert(p.arn.clone(), (p.resource_id.clone(), p.name.clone()));
    }
}

/// The alarms named `names` (100 a call), then those whose actions start with a policy ARN of
/// `unlisted`.
pub(super) async fn find_alarms(
    clients: &Clients,
    names: BTreeSet<&String>,
    unlisted: &[String],
    calls: &AtomicUsize,
) -> Result<Vec<cw::MetricAlarm>, AwsError> {
    let names: Vec<String> = names.into_iter().cloned().collect();
    let mut found: Vec<cw::MetricAlarm> = in_chunks(&names, 100, |chunk| {
        describe_alarms(clients, AlarmQuery::Names(chunk.to_vec()), calls)
    })
    .await?;
    let by_action: Vec<Vec<cw::MetricAlarm>> = stream::iter(unlisted)
        .map(|arn| describe_alarms(clients, AlarmQuery::ActionPrefix(arn.clone()), calls))
        .buffer_unordered(READ_CONCURRENCY)
        .try_collect()
        .await?;
    found.extend(by_action.into_iter().flatten());
    Ok(found)
}

/// What an alarm AWS holds is to the plan.
pub(super) enum Linked {
    /// Configured, or written by this tool.
    Planned(Key, Record),
    /// An operator's alarm on one of the target's policies: never planned, so never deleted.
    Foreign(Key, Record),
    /// Someone else's alarm on one of the target's policies that cannot be represented (metric
    /// math, say): left alone, rather than stop or delete what a plan cannot show. Why.
    Skipped(String),
    /// Configured, but holding what a put would lose: its target (resource id) is left out.
    Blocked(String, AwsError),
}

/// `a` linked to its target: by its name in `owners` (the configured alarms' targets), else by
/// a policy of `by_arn` it fires. None: AWS's own alarm, or one that fires none of the targets'
/// policies.
pub(super) fn link(
    a: &cw::MetricAlarm,
    owners: &HashMap<String, String>,
    by_arn: &HashMap<String, (String, String)>,
) -> Option<Linked> {
    let name = a.alarm_name()?.to_string();
    if is_aws_owned(a) {
        return None;
    }
    let configured = owners.contains_key(&name);
    let rid = owners.get(&name).cloned().or_else(|| {
        a.alarm_actions()
            .iter()
            .find_map(|arn| by_arn.get(arn).map(|(rid, _)| rid.clone()))
    })?;
    // Only this target's policies are ours to manage; any other action (an SNS topic, a
    // policy of another target) is someone else's and is kept as it is.
    let (triggers, others): (Vec<String>, Vec<String>) = a
        .alarm_actions()
        .iter()
        .map(|arn| match by_arn.get(arn) {
            Some((r, policy)) if *r == rid => Ok(policy.clone()),
            _ if is_policy_arn_of(arn, &rid) => Ok(arn.clone()),
            _ => Err(arn.clone()),
        })
        .fold((Vec::new(), Vec::new()), |(mut ours, mut others), action| {
            match action {
                Ok(t) => ours.push(t),
                Err(o) => others.push(o),
            }
            (ours, others)
        });
    let alarm = match alarm_from(a, &name) {
        Ok(alarm) => alarm,
        Err(e) if !configured => return Some(Linked::Skipped(e.to_string())),
        Err(e) => return Some(Linked::Blocked(rid, e)),
    };
    let record = Record::Alarm(AlarmRecord {
        alarm,
        triggers,
        actions_enabled: a.actions_enabled().unwrap_or(true),
        kept: kept_fields(a, others),
    });
    let key = Key {
        kind: Kind::Alarm,
        resource_id: rid,
        name,
    };
    Some(if plans_alarm(configured, a.alarm_description()) {
        Linked::Planned(key, record)
    } else {
        Linked::Foreign(key, record)
    })
}

enum AlarmQuery {
    Names(Vec<String>),
    ActionPrefix(String),
}

async fn describe_alarms(
    clients: &Clients,
    query: AlarmQuery,
    calls: &AtomicUsize,
) -> Result<Vec<cw::MetricAlarm>, AwsError> {
    let query = &query;
    paginate(calls, "DescribeAlarms", |token| async move {
        let mut req = clients
            .cloudwatch
            .describe_alarms()
            .max_records(100)
            .set_next_token(token);
        req = match query {
            AlarmQuery::Names(names) => req.set_alarm_names(Some(names.clone())),
            AlarmQuery::ActionPrefix(arn) => req.action_prefix(arn),
        };
        let out = req.send().await.map_err(|e| call_error("DescribeAlarms", e))?;
        Ok((out.metric_alarms().to_vec(), out.next_token().map(str::to_string)))
    })
    .await
}

/// Target-tracking policies own `TargetTracking-...` alarms; AWS says never to touch them.
fn is_aws_owned(a: &cw::MetricAlarm) -> bool {
    a.alarm_name().is_some_and(|n| n.starts_with("TargetTracking-"))
        || a.alarm_description()
            .is_some_and(|d| d.starts_with("DO NOT EDIT OR DELETE. For TargetTrackingScaling policy"))
}

fn alarm_from(a: &cw::MetricAlarm, name: &str) -> Result<Alarm, AwsError> {
    let op = "DescribeAlarms";
    // PutMetricAlarm resets what it is not sent, and these are not kept (yet).
    let unkept = [
        ("an evaluation window", a.evaluation_window().is_some()),
        ("a warm-up configuration", a.warm_up_configuration().is_some()),
        ("an action configuration", a.action_configuration().is_some()),
        ("evaluation criteria", a.evaluation_criteria().is_some()),
    ];
    if let Some((what, _)) = unkept.iter().find(|(_, set)| *set) {
        return Err(unsupported(
            op,
            format!("alarm {name} has {what}, which an update by this version would reset"),
        ));
    }
    let statistic = match (a.statistic(), a.extended_statistic()) {
        (_, Some(ext)) => AlarmStatistic::Extended(ext.to_string()),
        (Some(s), None) => AlarmStatistic::Statistic(
            MetricStatistic::parse(s.as_str())
                .ok_or_else(|| unsupported(op, format!("alarm {name} uses statistic {s}")))?,
        ),
        (None, None) => {
            return Err(unsupported(
                op,
                format!("alarm {name} has no statistic (a metric-math alarm?)"),
            ));
        }
    };
    let comparison = a.comparison_operator().map(|c| c.as_str()).unwrap_or_default();
    let evaluation_periods = a.evaluation_periods().unwrap_or(1);
    let dimensions = sorted_dimensions(
        a.dimensions()
            .iter()
            .map(|d| (d.name().unwrap_or_default(), d.value().unwrap_or_default())),
    );
    Ok(Alarm {
        name: name.to_string(),
        metric_name: a.metric_name().unwrap_or_default().to_string(),
        namespace: a.namespace().unwrap_or_default().to_string(),
        statistic,
        dimensions,
        period: a.period().unwrap_or_default(),
        evaluation_periods,
        datapoints_to_alarm: a.datapoints_to_alarm().unwrap_or(evaluation_periods),
        threshold: a.threshold().unwrap_or_default(),
        comparison: Comparison::parse(comparison)
            .ok_or_else(|| unsupported(op, format!("alarm {name} uses comparison {comparison}")))?,
        treat_missing_data: a
            .treat_missing_data()
            .and_then(TreatMissingData::parse)
            .unwrap_or(TreatMissingData::Missing),
    })
}

/// Whether `arn` is an Application Auto Scaling policy ARN of the SageMaker target `rid`
/// (one that no longer exists, say: a stale action of ours, which the plan then removes).
/// Form: `arn:<partition>:autoscaling:<region>:<account>:scalingPolicy:<id>:resource/sagemaker/<resource
/// id>:policyName/<name>` (API reference, ScalingPolicy: PolicyARN; the user guide's examples).
fn is_policy_arn_of(arn: &str, rid: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let [_, _, "autoscaling", _, _, "scalingPolicy", rest] = parts.as_slice() else {
        return false;
    };
    rest.split_once(":resource/sagemaker/")
        .and_then(|(_, r)| r.rsplit_once(":policyName/"))
        .is_some_and(|(r, _)| r == rid)
}

/// The fields of an alarm the config does not manage; this tool's own description is not kept
/// (it is written anew); `alarm_actions`: those that are not the target's policies.
fn kept_fields(a: &cw::MetricAlarm, alarm_actions: Vec<String>) -> AlarmKept {
    AlarmKept {
        alarm_actions,
        description: a
            .alarm_description()
            .filter(|d| !d.is_empty() && !d.starts_with(ALARM_MARK))
            .map(str::to_string),
        ok_actions: a.ok_actions().to_vec(),
        insufficient_data_actions: a.insufficient_data_actions().to_vec(),
        unit: a.unit().map(|u| u.as_str().to_string()),
        evaluate_low_sample_count_percentile: a.evaluate_low_sample_count_percentile().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_arn_is_recognised_by_its_target() {
        let rid = "endpoint/ep/variant/prod";
        let arn = "arn:aws-us-gov:autoscaling:us-gov-west-1:123456789012:scalingPolicy:6d8972f3-efc8-437c-92d1-6270f29a66e7:resource/sagemaker/endpoint/ep/variant/prod:policyName/scale-out";
        assert!(is_policy_arn_of(arn, rid));
        assert!(!is_policy_arn_of(arn, "endpoint/ep/variant/other"));
        assert!(!is_policy_arn_of("arn:aws:sns:us-east-1:123456789012:pager", rid));
        assert!(!is_policy_arn_of(
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:autoScalingGroupName/g:policyName/p",
            rid
        ));
    }
}
