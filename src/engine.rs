//! desired state + what AWS holds -> plan, and plan -> applied changes. The glue between
//! `aws` (I/O) and `plan` / `apply`.

use std::collections::HashMap;

use crate::apply::{ApplyReport, apply};
use crate::aws::{AwsError, Clients, connect, read_current};
use crate::model::DesiredState;
use crate::plan::{Plan, diff};
use crate::resource::{Kind, Records, desired_records};

/// A plan and what is needed to apply it.
pub struct Planned {
    pub clients: Clients,
    pub plan: Plan,
    pub desired: Records,
    pub policy_arns: HashMap<(String, String), String>,
    /// AWS calls made to read the current state.
    pub read_calls: usize,
}

pub async fn plan(desired: &DesiredState) -> Result<Planned, AwsError> {
    let clients = connect(desired.region.as_deref()).await?;
    let records = desired_records(desired);
    let resource_ids: Vec<String> = desired.targets.iter().map(|t| t.resource_id.clone()).collect();
    let alarm_owners = alarm_owners(&records);
    let mut current = read_current(&clients, &resource_ids, &alarm_owners).await?;
    if !current.unsupported.is_empty() {
        return Err(current.unsupported.swap_remove(0));
    }
    let plan = diff(&records, &current.records);
    Ok(Planned {
        clients,
        plan,
        desired: records,
        policy_arns: current.policy_arns,
        read_calls: current.calls,
    })
}

/// Reads after an apply before a remaining difference is believed.
const CHECK_ATTEMPTS: u32 = 3;

/// Applies, then plans again to check that AWS now matches (it may not if something else
/// changed it meanwhile, such as a second run at the same time).
pub async fn apply_planned(
    planned: Planned,
    deadline: Option<tokio::time::Instant>,
    parallelism: usize,
) -> ApplyReport {
    let mut report = apply(
        &planned.clients,
        &planned.plan,
        &planned.desired,
        planned.policy_arns,
        deadline,
        parallelism,
    )
    .await;
    if report.failed() {
        return report;
    }
    let resource_ids: Vec<String> = planned
        .desired
        .keys()
        .filter(|k| k.kind == Kind::ScalableTarget)
        .map(|k| k.resource_id.clone())
        .collect();
    let owners = alarm_owners(&planned.desired);
    // Application Auto Scaling is eventually consistent: a read right after a write may not
    // show it yet, so a difference is only reported once it persists.
    for attempt in 0..CHECK_ATTEMPTS {
        if attempt > 0 {
            let base = crate::aws::retry_base().unwrap_or(std::time::Duration::from_secs(1));
            tokio::time::sleep(base * attempt).await;
        }
        match read_current(&planned.clients, &resource_ids, &owners).await {
            Ok(current) => {
                let remaining = diff(&planned.desired, &current.records).changes.len();
                report.remaining = Some(remaining);
                report.check_error = None;
                if remaining == 0 {
                    break;
                }
            }
            Err(e) => report.check_error = Some(e.to_string()),
        }
    }
    report
}

fn alarm_owners(records: &Records) -> HashMap<String, String> {
    records
        .keys()
        .filter(|k| k.kind == Kind::Alarm)
        .map(|k| (k.name.clone(), k.resource_id.clone()))
        .collect()
}
