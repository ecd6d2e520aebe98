//! Scheduled actions: listed for one target or the namespace, as records with their creation
//! time.

use std::sync::atomic::AtomicUsize;

use aws_sdk_applicationautoscaling::types as aas;

use crate::aws::pages::{Among, describe_among};
use crate::aws::{AwsError, Clients};
use crate::model::ScheduledAction;
use crate::resource::normalise_schedule;
use crate::timestamp::format_utc;

/// The scheduled actions AWS holds `among` one target or the namespace, every page.
pub(super) async fn list_schedules(
    clients: &Clients,
    among: Among<'_>,
    calls: &AtomicUsize,
) -> Result<Vec<aas::ScheduledAction>, AwsError> {
    describe_among!(
        clients,
        among,
        calls,
        "DescribeScheduledActions",
        describe_scheduled_actions,
        scheduled_actions
    )
}

/// The scheduled actions of one target among `raw`, with their creation time (epoch seconds).
pub(super) fn schedules_of(
    raw: &[aas::ScheduledAction],
    resource_id: &str,
    dimension: &aas::ScalableDimension,
) -> Vec<(ScheduledAction, i64)> {
    raw.iter()
        .filter(|s| s.resource_id() == resource_id && s.scalable_dimension() == Some(dimension))
        .map(|s| {
            let action = s.scalable_target_action();
            let schedule = ScheduledAction {
                name: s.scheduled_action_name().to_string(),
                schedule: s.schedule().to_string(),
                timezone: s.timezone().map(str::to_string),
                start_time: s.start_time().map(|t| format_utc(t.secs())),
                end_time: s.end_time().map(|t| format_utc(t.secs())),
                min_capacity: action.and_then(|a| a.min_capacity()),
                max_capacity: action.and_then(|a| a.max_capacity()),
            };
            (normalise_schedule(schedule), s.creation_time().secs())
        })
        .collect()
}
