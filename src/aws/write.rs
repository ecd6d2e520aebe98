//! One change to AWS per call. Upserts (RegisterScalableTarget, PutScalingPolicy,
//! PutMetricAlarm, PutScheduledAction) serve both create and update.

use aws_sdk_applicationautoscaling::types as aas;
use aws_sdk_cloudwatch::types as cw;

use super::{AwsError, Clients, call_error, namespace, sdk_dimension};
use crate::keywords::Keyword;
use crate::model::{
    AlarmStatistic, MetricQuery, MetricSpec, ScalableDimension, ScheduledAction, SuspendedState,
};
use crate::resource::{ALARM_MARK, AlarmRecord, PolicyRecord, TargetRecord};
use crate::tags::Tags;

fn build<T, E: std::fmt::Display>(operation: &'static str, r: Result<T, E>) -> Result<T, AwsError> {
    r.map_err(|e| AwsError::Invalid {
        operation,
        message: e.to_string(),
    })
}

/// A change applied to AWS, as the apply step asks for it.
pub(crate) enum Write<'a> {
    /// A new target gets every setting; an existing one only those that change (see
    /// [`Write::register`] and [`Write::reregister`]).
    RegisterTarget {
        resource_id: &'a str,
        dimension: ScalableDimension,
        min_capacity: Option<i32>,
        max_capacity: Option<i32>,
        suspended: Option<SuspendedState>,
        /// Only when it creates the target: AWS rejects them on an existing one.
        tags: Option<&'a Tags>,
    },
    /// Deletes the target and, with it, its policies and scheduled actions.
    DeregisterTarget {
        resource_id: &'a str,
        dimension: ScalableDimension,
    },
    /// Adds or edits these tags; others on the target stay.
    TagTarget {
        arn: &'a str,
        tags: &'a Tags,
    },
    PutPolicy {
        resource_id: &'a str,
        dimension: ScalableDimension,
        name: &'a str,
        policy: &'a PolicyRecord,
    },
    DeletePolicy {
        resource_id: &'a str,
        dimension: ScalableDimension,
        name: &'a str,
    },
    /// `stack`: the alarm's tags when it is new (AWS ignores `Tags` on an update).
    PutAlarm {
        resource_id: &'a str,
        alarm: &'a AlarmRecord,
        actions: Vec<String>,
        stack: &'a str,
    },
    DeleteAlarm {
        name: &'a str,
    },
    PutSchedule {
        resource_id: &'a str,
        dimension: ScalableDimension,
        schedule: &'a ScheduledAction,
    },
    DeleteSchedule {
        resource_id: &'a str,
        dimension: ScalableDimension,
        name: &'a str,
    },
}

impl<'a> Write<'a> {
    /// What the write is about, for a person reading a wait line: the target's resource id,
    /// the alarm's name, or the tagged target's ARN.
    pub(crate) fn subject(&self) -> &str {
        match self {
            Write::RegisterTarget { resource_id, .. }
            | Write::DeregisterTarget { resource_id, .. }
            | Write::PutPolicy { resource_id, .. }
            | Write::DeletePolicy { resource_id, .. }
            | Write::PutSchedule { resource_id, .. }
            | Write::DeleteSchedule { resource_id, .. } => resource_id,
            Write::PutAlarm { alarm, .. } => &alarm.alarm.name,
            Write::DeleteAlarm { name } => name,
            Write::TagTarget { arn, .. } => arn,
        }
    }

    /// RegisterScalableTarget creating `target`: AWS requires both bounds then (API
    /// reference, RegisterScalableTarget: "required when registering a new scalable target").
    pub(crate) fn register(
        resource_id: &'a str,
        dimension: ScalableDimension,
        target: &'a TargetRecord,
    ) -> Write<'a> {
        Write::RegisterTarget {
            resource_id,
            dimension,
            min_capacity: Some(target.min_capacity),
            max_capacity: Some(target.max_capacity),
            suspended: Some(target.suspended),
            tags: Some(&target.tags),
        }
    }

    /// RegisterScalableTarget updating an existing target with only the settings in `changed`
    /// (plan field paths). AWS keeps what an update leaves out ("Any parameters that you
    /// don't specify are not changed by this update request", API reference,
    /// RegisterScalableTarget), so a bound a scheduled action set after the plan was made is
    /// not put back.
    pub(crate) fn reregister(
        resource_id: &'a str,
        dimension: ScalableDimension,
        target: &'a TargetRecord,
        changed: &[&String],
    ) -> Write<'a> {
        let has = |field: &str| {
            changed
                .iter()
                .any(|f| *f == field || f.starts_with(&format!("{field}.")))
        };
        Write::RegisterTarget {
            resource_id,
            dimension,
            min_capacity: has("min_capacity").then_some(target.min_capacity),
            max_capacity: has("max_capacity").then_some(target.max_capacity),
            suspended: has("suspended").then_some(target.suspended),
            tags: None,
        }
    }
}

/// Performs one write. Returns the policy ARN for PutPolicy.
pub(crate) async fn perform(clients: &Clients, write: &Write<'_>) -> Result<Option<String>, AwsError> {
    let aas = &clients.autoscaling;
    match write {
        Write::RegisterTarget {
            resource_id,
            dimension,
            min_capacity,
            max_capacity,
            suspended,
            tags,
        } => {
            let suspended = suspended.map(|s| {
                aas::SuspendedState::builder()
                    .dynamic_scaling_in_suspended(s.dynamic_scaling_in)
                    .dynamic_scaling_out_suspended(s.dynamic_scaling_out)
                    .scheduled_scaling_suspended(s.scheduled_scaling)
                    .build()
            });
            aas.register_scalable_target()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .set_min_capacity(*min_capacity)
                .set_max_capacity(*max_capacity)
                .set_suspended_state(suspended)
                .set_tags(tags.map(|t| t.clone().into_iter().collect()))
                .send()
                .await
                .map_err(|e| call_error("RegisterScalableTarget", e))?;
            Ok(None)
        }
        Write::DeregisterTarget {
            resource_id,
            dimension,
        } => {
            let result = aas
                .deregister_scalable_target()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .send()
                .await
                .map_err(|e| call_error("DeregisterScalableTarget", e));
            already_gone(result)
        }
        Write::TagTarget { arn, tags } => {
            aas.tag_resource()
                .resource_arn(*arn)
                .set_tags(Some(tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
                .send()
                .await
                .map_err(|e| call_error("TagResource", e))?;
            Ok(None)
        }
        Write::PutPolicy {
            resource_id,
            dimension,
            name,
            policy,
        } => {
            let req = aas
                .put_scaling_policy()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .policy_name(*name)
                .policy_type(aas::PolicyType::from(policy.type_name()));
            let req = match policy {
                PolicyRecord::TargetTracking(tt) => {
                    req.target_tracking_scaling_policy_configuration(target_tracking(tt)?)
                }
                PolicyRecord::Step(step) => req.step_scaling_policy_configuration(step_scaling(step)?),
            };
            let out = req.send().await.map_err(|e| call_error("PutScalingPolicy", e))?;
            Ok(Some(out.policy_arn().to_string()))
        }
        Write::DeletePolicy {
            resource_id,
            dimension,
            name,
        } => {
            let result = aas
                .delete_scaling_policy()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .policy_name(*name)
                .send()
                .await
                .map_err(|e| call_error("DeleteScalingPolicy", e));
            already_gone(result)
        }
        Write::PutAlarm {
            resource_id,
            alarm,
            actions,
            stack,
        } => {
            let a = &alarm.alarm;
            let dims: Vec<cw::Dimension> = a
                .dimensions
                .iter()
                .map(|d| cw::Dimension::builder().name(&d.name).value(&d.value).build())
                .collect();
            let kept = &alarm.kept;
            let description = kept.description.clone().unwrap_or_else(|| {
                format!(
                    "{ALARM_MARK} for {resource_id}: triggers {}. Edit autoscaling.toml, not this alarm.",
                    alarm.triggers.join(", ")
                )
            });
            // PutMetricAlarm resets every field it is not given: send what others set, too.
            let mut req = clients
                .cloudwatch
                .put_metric_alarm()
                .alarm_name(&a.name)
                .alarm_description(description)
                .actions_enabled(alarm.actions_enabled)
                .set_ok_actions(Some(kept.ok_actions.clone()))
                .set_insufficient_data_actions(Some(kept.insufficient_data_actions.clone()))
                .set_unit(kept.unit.as_deref().map(cw::StandardUnit::from))
                .set_evaluate_low_sample_count_percentile(kept.evaluate_low_sample_count_percentile.clone())
                .metric_name(&a.metric_name)
                .namespace(&a.namespace)
                .set_dimensions(Some(dims))
                .period(a.period)
                .evaluation_periods(a.evaluation_periods)
                .datapoints_to_alarm(a.datapoints_to_alarm)
                .threshold(a.threshold)
                .comparison_operator(cw::ComparisonOperator::from(a.comparison.as_str()))
                .treat_missing_data(a.treat_missing_data.as_str())
                .set_alarm_actions(Some(actions.clone()))
                .set_tags(Some(
                    crate::tags::tags(stack)
                        .into_iter()
                        .map(|(k, v)| cw::Tag::builder().key(k).value(v).build())
                        .collect(),
                ));
            req = match &a.statistic {
                AlarmStatistic::Statistic(s) => req.statistic(cw::Statistic::from(s.as_str())),
                AlarmStatistic::Extended(p) => req.extended_statistic(p),
            };
            req.send().await.map_err(|e| call_error("PutMetricAlarm", e))?;
            Ok(None)
        }
        Write::DeleteAlarm { name } => {
            clients
                .cloudwatch
                .delete_alarms()
                .alarm_names(*name)
                .send()
                .await
                .map_err(|e| call_error("DeleteAlarms", e))?;
            Ok(None)
        }
        Write::PutSchedule {
            resource_id,
            dimension,
            schedule,
        } => {
            let action = aas::ScalableTargetAction::builder()
                .set_min_capacity(schedule.min_capacity)
                .set_max_capacity(schedule.max_capacity)
                .build();
            // Start and end times are always sent: AWS drops them from an update that omits them.
            // The time zone too, for the opposite reason: an update keeps the one it leaves out
            // (API_PutScheduledAction), so going back to UTC must say "UTC".
            aas.put_scheduled_action()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .scheduled_action_name(&schedule.name)
                .schedule(&schedule.schedule)
                .timezone(schedule.timezone.as_deref().unwrap_or("UTC"))
                .set_start_time(timestamp(schedule.start_time.as_deref())?)
                .set_end_time(timestamp(schedule.end_time.as_deref())?)
                .scalable_target_action(action)
                .send()
                .await
                .map_err(|e| call_error("PutScheduledAction", e))?;
            Ok(None)
        }
        Write::DeleteSchedule {
            resource_id,
            dimension,
            name,
        } => {
            let result = aas
                .delete_scheduled_action()
                .service_namespace(namespace())
                .resource_id(*resource_id)
                .scalable_dimension(sdk_dimension(*dimension))
                .scheduled_action_name(*name)
                .send()
                .await
                .map_err(|e| call_error("DeleteScheduledAction", e));
            already_gone(result)
        }
    }
}

/// Deleting what is already gone is success (AWS: ObjectNotFound; moto: a ValidationException
/// saying it was not found).
fn already_gone<T>(r: Result<T, AwsError>) -> Result<Option<String>, AwsError> {
    match r {
        Ok(_) => Ok(None),
        Err(AwsError::Call { code: Some(code), .. }) if code == "ObjectNotFoundException" => Ok(None),
        Err(AwsError::Call {
            code: Some(code),
            message,
            ..
        }) if code == "ValidationException" && message.to_ascii_lowercase().contains("not found") => Ok(None),
        Err(e) => Err(e),
    }
}

fn timestamp(t: Option<&str>) -> Result<Option<aws_smithy_types::DateTime>, AwsError> {
    t.map(|t| {
        build(
            "PutScheduledAction",
            aws_smithy_types::DateTime::from_str(t, aws_smithy_types::date_time::Format::DateTime),
        )
    })
    .transpose()
}

fn target_tracking(
    tt: &crate::model::TargetTracking,
) -> Result<aas::TargetTrackingScalingPolicyConfiguration, AwsError> {
    let op = "PutScalingPolicy";
    let mut b = aas::TargetTrackingScalingPolicyConfiguration::builder()
        .target_value(tt.target_value)
        .set_scale_in_cooldown(tt.scale_in_cooldown)
        .set_scale_out_cooldown(tt.scale_out_cooldown)
        .disable_scale_in(tt.disable_scale_in);
    b = match &tt.metric {
        MetricSpec::Predefined(p) => b.predefined_metric_specification(build(
            op,
            aas::PredefinedMetricSpecification::builder()
                .predefined_metric_type(aas::MetricType::from(p.as_str()))
                .build(),
        )?),
        MetricSpec::Custom(c) => {
            let dims = c
                .dimensions
                .iter()
                .map(|d| {
                    build(
                        op,
                        aas::MetricDimension::builder()
                            .name(&d.name)
                            .value(&d.value)
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            b.customized_metric_specification(
                aas::CustomizedMetricSpecification::builder()
                    .metric_name(&c.metric_name)
                    .namespace(&c.namespace)
                    .statistic(aas::MetricStatistic::from(c.statistic.as_str()))
                    .set_unit(c.unit.map(|u| u.as_str().to_string()))
                    .set_dimensions(Some(dims))
                    .build(),
            )
        }
        MetricSpec::Math(queries) => {
            let metrics = queries.iter().map(metric_query).collect::<Result<Vec<_>, _>>()?;
            b.customized_metric_specification(
                aas::CustomizedMetricSpecification::builder()
                    .set_metrics(Some(metrics))
                    .build(),
            )
        }
    };
    build(op, b.build())
}

fn metric_query(q: &MetricQuery) -> Result<aas::TargetTrackingMetricDataQuery, AwsError> {
    let op = "PutScalingPolicy";
    let stat = match &q.metric {
        Some(m) => {
            let dims = m
                .dimensions
                .iter()
                .map(|d| {
                    build(
                        op,
                        aas::TargetTrackingMetricDimension::builder()
                            .name(&d.name)
                            .value(&d.value)
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            let metric = aas::TargetTrackingMetric::builder()
                .metric_name(&m.metric_name)
                .namespace(&m.namespace)
                .set_dimensions(Some(dims))
                .build();
            Some(build(
                op,
                aas::TargetTrackingMetricStat::builder()
                    .metric(metric)
                    .stat(&m.stat)
                    .set_unit(m.unit.map(|u| u.as_str().to_string()))
                    .build(),
            )?)
        }
        None => None,
    };
    build(
        op,
        aas::TargetTrackingMetricDataQuery::builder()
            .id(&q.id)
            .set_expression(q.expression.clone())
            .set_metric_stat(stat)
            .set_label(q.label.clone())
            .return_data(q.return_data)
            .build(),
    )
}

fn step_scaling(step: &crate::resource::StepRecord) -> Result<aas::StepScalingPolicyConfiguration, AwsError> {
    let op = "PutScalingPolicy";
    let steps = step
        .steps
        .iter()
        .map(|s| {
            build(
                op,
                aas::StepAdjustment::builder()
                    .set_metric_interval_lower_bound(s.lower_bound)
                    .set_metric_interval_upper_bound(s.upper_bound)
                    .scaling_adjustment(s.scaling_adjustment)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(aas::StepScalingPolicyConfiguration::builder()
        .adjustment_type(aas::AdjustmentType::from(step.adjustment_type.as_str()))
        .cooldown(step.cooldown)
        .metric_aggregation_type(aas::MetricAggregationType::from(
            step.metric_aggregation_type.as_str(),
        ))
        .set_min_adjustment_magnitude(step.min_adjustment_magnitude)
        .set_step_adjustments(Some(steps))
        .build())
}
