//! AWS -> `autoscaling.toml`: adopt endpoints that already scale, so that the first plan of
//! the written file is "no changes". The file is checked before it is handed out: it is
//! validated and planned (offline, against what was just read), and whatever would still
//! change is written at its top.

mod preset;
mod write;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::aws::{AwsError, connect, list_targets, read_current};
use crate::model::{ScalableDimension, Scaled};
use crate::plan::diff;
use crate::resource::{Kind, Record, Records, desired_records};
use preset::preset_form;
use write::{Endpoint, header, policies, schedules, string};

/// Which endpoints to import.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every endpoint with a scalable target in the region.
    All,
    /// Endpoints whose name starts with this prefix.
    Prefix(String),
    /// These endpoints (or inference components), by name.
    Names(Vec<String>),
}

impl std::fmt::Display for Selection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selection::All => write!(f, "--all"),
            Selection::Prefix(p) => write!(f, "--prefix {p}"),
            Selection::Names(n) => write!(f, "{}", n.join(", ")),
        }
    }
}

impl Selection {
    fn wants(&self, endpoint: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Prefix(p) => endpoint.starts_with(p.as_str()),
            Selection::Names(names) => names.iter().any(|n| n == endpoint),
        }
    }
}

/// The config an import wrote, and how far it is from planning clean.
#[derive(Debug)]
pub struct Imported {
    /// The `autoscaling.toml` text.
    pub text: String,
    /// How many scalable targets (endpoint variants and inference components) it holds.
    pub endpoints: usize,
    /// What a plan of `text` would still do, one line each. Empty when it plans clean.
    pub remaining: Vec<String>,
    /// AWS calls made.
    pub calls: usize,
}

/// Why nothing could be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Named endpoints or components that have no scalable target in the region.
    #[error("import: no scalable target in {region} for endpoint(s) or inference component(s) {names}")]
    Missing {
        /// The region searched.
        region: String,
        /// The names not found, comma-separated.
        names: String,
    },
    /// No scalable target matches the selection.
    #[error("import: no endpoint scalable target in {region} matches {selection}")]
    NoMatch {
        /// The region searched.
        region: String,
        /// The selection as the command line put it, e.g. `--prefix prod-`.
        selection: String,
    },
    /// Listing or reading AWS failed.
    #[error(transparent)]
    Aws(#[from] AwsError),
}

impl crate::error::Hint for ImportError {
    fn hint(&self) -> Option<&str> {
        match self {
            ImportError::Aws(e) => e.hint(),
            _ => Some(
                "import reads one region: check --region (or AWS_REGION), and that the endpoint already has a scalable target there",
            ),
        }
    }
}

/// Reads the selected endpoints' scaling objects from AWS and writes them as a config.
pub async fn import(region: Option<&str>, selection: &Selection) -> Result<Imported, ImportError> {
    let clients = connect(region).await?;
    let (all, list_calls) = list_targets(&clients).await?;
    let chosen: Vec<(String, ScalableDimension)> = all
        .into_iter()
        .filter(|(rid, _)| scaled_name(rid).is_some_and(|name| selection.wants(&name)))
        .collect();
    if let Selection::Names(names) = selection {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| {
                !chosen
                    .iter()
                    .any(|(rid, _)| scaled_name(rid).is_some_and(|e| e == **n))
            })
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Missing {
                region: clients.region.clone(),
                names: missing.join(", "),
            });
        }
    }
    if chosen.is_empty() {
        return Err(ImportError::NoMatch {
            region: clients.region.clone(),
            selection: selection.to_string(),
        });
    }
    let mut current = read_current(&clients, &chosen, &Default::default(), &Default::default()).await?;
    let mut notes: Vec<String> = current
        .blocked
        .iter()
        .map(|(rid, e)| format!("plans leave {rid} out: {e}"))
        .collect();
    notes.extend(current.skipped_alarms.iter().map(|e| format!("left alone: {e}")));
    // Import adopts the alarms that fire these policies, whoever made them.
    current.records.append(&mut current.foreign_alarms);
    let mut imported = compose(&clients.region, &current.records, notes);
    imported.calls = list_calls + current.calls;
    Ok(imported)
}

/// The config text for `records` (every object of the imported targets), checked by planning
/// it against those same records. `notes` are what reading could not represent.
pub fn compose(region: &str, records: &Records, notes: Vec<String>) -> Imported {
    let endpoints = group(records);
    let mut body = String::new();
    let mut notes = notes;
    for (rid, e) in &endpoints {
        let mine: Records = records
            .iter()
            .filter(|(k, _)| &k.resource_id == rid)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        body.push('\n');
        if let Some(short) = preset_form(e, region, &mine) {
            body.push_str(&short);
            continue;
        }
        header(e, &mut body);
        let left_out = policies(e, &mut body);
        schedules(e, &mut body);
        notes.extend(left_out.into_iter().map(|n| format!("{rid}: {n}")));
    }
    let remaining = remaining(region, &body, records);
    let mut text = format!(
        "# Imported by sagemaker-autoscale {} from {region}: {} endpoint variant(s).\n",
        env!("CARGO_PKG_VERSION"),
        endpoints.len()
    );
    if remaining.is_empty() && notes.is_empty() {
        text.push_str("# A plan of this file against the same account shows no changes.\n");
    } else {
        text.push_str("# Not everything could be written; a plan of this file against the same account:\n");
        for line in remaining.iter().chain(&notes) {
            let _ = writeln!(text, "#   - {line}");
        }
    }
    // Import reads no tags; which stack owns the targets is for the first plan that does.
    text.push_str(
        "# Its targets get this config's ownership tags from the first apply of a pull request that\n# adds this file (or `apply --scan`); see docs/ownership.md.\n",
    );
    let _ = writeln!(text, "region = {}", string(region));
    text.push_str(&body);
    Imported {
        text,
        endpoints: endpoints.len(),
        remaining: remaining.into_iter().chain(notes).collect(),
        calls: 0,
    }
}

/// `body` (endpoint tables) validated as a whole file for `region`.
fn check_body(region: &str, body: &str) -> crate::Checked {
    crate::check_text("import", &format!("region = {}\n{body}", string(region)))
}

/// The changes a plan of `body` would make against `records`.
fn remaining(region: &str, body: &str, records: &Records) -> Vec<String> {
    let checked = check_body(region, body);
    let Some(desired) = checked.desired else {
        // A bug of ours, not of the user's account: say so in the file rather than hide it.
        return checked
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .map(|d| format!("the written file does not validate ({}): {}", d.code, d.message))
            .collect();
    };
    let desired = desired_records(&desired);
    // Tags are not read by import: the first apply adds them (see ownership).
    let mut current = records.clone();
    crate::ownership::align(&desired, &mut current, &Default::default());
    diff(&desired, &current)
        .changes
        .iter()
        .map(|c| {
            format!(
                "would {} {} {} of {} ({})",
                c.action.as_str(),
                c.kind.as_str(),
                c.name,
                c.resource_id,
                c.fields.join(", ")
            )
        })
        .collect()
}

/// The endpoint's or inference component's name in a resource id.
fn scaled_name(resource_id: &str) -> Option<String> {
    Scaled::from_resource_id(resource_id).map(|s| s.name().to_string())
}

/// Records by scalable target, in the shape the writer needs.
fn group(records: &Records) -> BTreeMap<String, Endpoint> {
    let mut out: BTreeMap<String, Endpoint> = BTreeMap::new();
    for (key, record) in records {
        let Record::Target(target) = record else { continue };
        let (Some(scaled), Some(dimension)) = (
            Scaled::from_resource_id(&key.resource_id),
            ScalableDimension::parse(&key.name),
        ) else {
            continue;
        };
        out.insert(
            key.resource_id.clone(),
            Endpoint {
                scaled,
                dimension,
                target: target.clone(),
                policies: Vec::new(),
                alarms: Vec::new(),
                schedules: Vec::new(),
            },
        );
    }
    for (key, record) in records {
        let Some(e) = out.get_mut(&key.resource_id) else {
            continue;
        };
        match (key.kind, record) {
            (Kind::ScalingPolicy, Record::Policy(p)) => e.policies.push((key.name.clone(), p.clone())),
            (Kind::Alarm, Record::Alarm(a)) => e.alarms.push((key.name.clone(), a.clone())),
            (Kind::ScheduledAction, Record::Schedule(s)) => e.schedules.push(s.clone()),
            _ => {}
        }
    }
    out
}
