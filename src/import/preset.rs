//! The short form: a preset (plus endpoint-level overrides) when it expands to exactly what
//! AWS holds. Decided by running the candidate through the real validator, so the answer
//! can never drift from what `plan` would do with it.

use std::fmt::Write as _;

use super::write::{Endpoint, float, header, schedules, string};
use crate::keywords::{Keyword, Preset};
use crate::resource::{Kind, PolicyRecord, Record, Records, desired_records};

/// The `[[endpoint]]` text using a preset, if one matches `current` (this endpoint's records).
pub fn preset_form(e: &Endpoint, region: &str, current: &Records) -> Option<String> {
    let presets: Vec<Preset> = Preset::SPELLINGS.iter().map(|(_, p)| *p).collect();
    for preset in presets {
        let plain = candidate(e, preset, "");
        let Some(expanded) = expand(region, &plain) else {
            continue;
        };
        if &expanded == current {
            return Some(plain);
        }
        let overrides = overrides(&expanded, current);
        if overrides.is_empty() {
            continue;
        }
        let text = candidate(e, preset, &overrides);
        if expand(region, &text).is_some_and(|r| &r == current) {
            return Some(text);
        }
    }
    None
}

fn candidate(e: &Endpoint, preset: Preset, overrides: &str) -> String {
    let mut out = String::new();
    header(e, &mut out);
    let _ = writeln!(out, "preset = {}", string(preset.as_str()));
    out.push_str(overrides);
    schedules(e, &mut out);
    out
}

/// Records without the targets' tags, which import does not read (current records have none).
fn untagged(mut records: Records) -> Records {
    for record in records.values_mut() {
        if let Record::Target(t) = record {
            t.tags.clear();
        }
    }
    records
}

fn expand(region: &str, endpoint: &str) -> Option<Records> {
    super::check_body(region, endpoint)
        .desired
        .map(|d| untagged(desired_records(&d)))
}

/// Endpoint-level `target` / cooldowns that turn the preset's target-tracking policy into
/// the one AWS holds under the same name.
fn overrides(expanded: &Records, current: &Records) -> String {
    let mut out = String::new();
    for (key, record) in expanded {
        let (Kind::ScalingPolicy, Record::Policy(PolicyRecord::TargetTracking(want))) = (key.kind, record)
        else {
            continue;
        };
        let Some(Record::Policy(PolicyRecord::TargetTracking(have))) = current.get(key) else {
            return String::new();
        };
        if have.target_value != want.target_value {
            let _ = writeln!(out, "target = {}", float(have.target_value));
        }
        if let Some(c) = have
            .scale_in_cooldown
            .filter(|_| have.scale_in_cooldown != want.scale_in_cooldown)
        {
            let _ = writeln!(out, "scale_in_cooldown = {c}");
        }
        if let Some(c) = have
            .scale_out_cooldown
            .filter(|_| have.scale_out_cooldown != want.scale_out_cooldown)
        {
            let _ = writeln!(out, "scale_out_cooldown = {c}");
        }
    }
    out
}
