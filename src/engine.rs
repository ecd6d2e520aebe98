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
    let alarm_owners: HashMap<String, String> = records
        .keys()
        .filter(|k| k.kind == Kind::Alarm)
        .map(|k| (k.name.clone(), k.resource_id.clone()))
        .collect();
    let current = read_current(&clients, &resource_ids, &alarm_owners).await?;
    let plan = diff(&records, &current.records);
    Ok(Planned {
        clients,
        plan,
        desired: records,
        policy_arns: current.policy_arns,
        read_calls: current.calls,
    })
}

pub async fn apply_planned(planned: Planned) -> ApplyReport {
    apply(
        &planned.clients,
        &planned.plan,
        &planned.desired,
        planned.policy_arns,
    )
    .await
}
