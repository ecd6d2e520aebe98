//! The recommendation as an edit of the config file: the values changed where they are
//! written, missing keys added under the endpoint's (or policy's) `name`, everything else
//! byte for byte as it was. The edited text is validated before it is shown.

use std::ops::Range;

use super::space::{Knobs, Space, Step};
use crate::config::raw::{Field, RawEndpoint, RawPolicy};
use crate::diagnostic::Origin;
use crate::keywords::Keyword;

/// One change to the text: replace `range` (empty: insert) with `text`.
struct Splice {
    range: Range<usize>,
    text: String,
}

/// `text` with `endpoint`'s knobs moved from the ones `space` holds as configured to `to`.
pub fn apply(text: &str, endpoint: &RawEndpoint, space: &Space, to: &Knobs) -> Result<String, String> {
    let from = &space.current();
    let anchor = name_line_end(text, &endpoint.name).ok_or("the endpoint's `name` is not in the file")?;
    let tracked = &space.base.policies[space.tracked].name;
    let policy = table_of(endpoint, tracked);
    let at = Anchors {
        endpoint: anchor,
        policy: policy.and_then(|p| name_line_end(text, &p.name)),
        preset: endpoint.preset.is_some(),
    };
    // Another preset brings its own target and cooldowns: each one tuned is written, or the
    // new preset's value would stand where the replay had the tuned one.
    let written_from = if to.preset == from.preset {
        from.clone()
    } else {
        Knobs {
            target: f64::NAN,
            scale_in_cooldown: None,
            scale_out_cooldown: None,
            ..from.clone()
        }
    };
    let mut splices: Vec<Splice> = changes(endpoint, policy, &written_from, to)
        .into_iter()
        .map(|c| c.splice(&at))
        .collect();
    let block = block_end(text, anchor);
    let mut tables = String::new();
    for edit in policy_edits(endpoint, space, from, to) {
        match edit.table.and_then(|t| name_line_end(text, &t.name)) {
            Some(under) => splices.extend(edit.keys.iter().map(|k| k.splice_under(under))),
            None => tables.push_str(&edit.new_table(endpoint)),
        }
    }
    if to.floor != from.floor
        && let Some(floor) = &to.floor
    {
        tables.push_str(&floor_tables(endpoint, floor, to.min_capacity));
    }
    if !tables.is_empty() {
        let gap = if text[..block].ends_with("\n\n") { "" } else { "\n" };
        splices.push(Splice {
            range: block..block,
            text: format!("{gap}{tables}"),
        });
    }
    Ok(splice(text, splices))
}

/// The `[[endpoint.policy]]` table named `name`, when the file has one.
fn table_of<'a>(endpoint: &'a RawEndpoint, name: &str) -> Option<&'a RawPolicy> {
    endpoint
        .policies
        .iter()
        .find(|p| p.name.as_ref().is_some_and(|n| n.value == name))
}

/// Whether the step policy `name`'s alarm periods can be written: a new override table can
/// hold them, and so can a table without an alarm; a written alarm needs its
/// `evaluation_periods` written to be changed in place.
pub fn step_periods_editable(endpoint: &RawEndpoint, name: &str) -> bool {
    match table_of(endpoint, name).and_then(|t| t.alarm.as_ref()) {
        None => true,
        Some(alarm) => alarm.value.evaluation_periods.is_some(),
    }
}

/// Keys of one policy to write, in its table when the file has one, else in a new table that
/// overrides the preset's policy of that name.
struct PolicyEdit<'a> {
    name: String,
    table: Option<&'a RawPolicy>,
    keys: Vec<PolicyKey<'a>>,
}

/// One key of a policy: its new value, and where its value is written now.
struct PolicyKey<'a> {
    key: &'static str,
    value: String,
    written: Option<&'a Origin>,
}

impl PolicyKey<'_> {
    fn splice_under(&self, name_line_end: usize) -> Splice {
        replace_or_insert(self.written, name_line_end, self.key, &self.value)
    }
}

/// `value` where it is written in the file; else `key = value` on a line of its own after
/// `after` (the end of a `name` line).
fn replace_or_insert(written: Option<&Origin>, after: usize, key: &str, value: &str) -> Splice {
    match written {
        Some(Origin::File { span }) => Splice {
            range: span.clone(),
            text: value.to_string(),
        },
        _ => Splice {
            range: after..after,
            text: format!("\n{key} = {value}"),
        },
    }
}

impl PolicyEdit<'_> {
    fn new_table(&self, endpoint: &RawEndpoint) -> String {
        let mut out = format!("[[{}.policy]]\nname = \"{}\"\n", section(endpoint), self.name);
        for k in &self.keys {
            out.push_str(&format!("{} = {}\n", k.key, k.value));
        }
        out + "\n"
    }
}

/// What changes in policies beyond the target-tracking values: its `disable_scale_in` and
/// metric, and the step policy's adjustment, cooldown and alarm periods.
fn policy_edits<'a>(
    endpoint: &'a RawEndpoint,
    space: &Space,
    from: &Knobs,
    to: &Knobs,
) -> Vec<PolicyEdit<'a>> {
    let mut out = Vec::new();
    // Named as in `to`: another preset's policy has another name.
    let target = space.target(to);
    let name = target.policies[space.tracked].name.clone();
    let table = table_of(endpoint, &name);
    let mut keys = Vec::new();
    if to.disable_scale_in != from.disable_scale_in {
        keys.push(PolicyKey {
            key: "disable_scale_in",
            value: to.disable_scale_in.to_string(),
            written: table.and_then(|t| origin(&t.disable_scale_in)),
        });
    }
    if let (true, Some((metric, _))) = (to.high_resolution != from.high_resolution, space.high_resolution) {
        keys.push(PolicyKey {
            key: "metric",
            value: format!("{{ predefined = \"{}\" }}", metric.as_str()),
            written: table.and_then(|t| origin(&t.metric)),
        });
    }
    if !keys.is_empty() {
        out.push(PolicyEdit { name, table, keys });
    }
    if let (Some(new), Some(old), Some(i)) = (to.step, from.step, space.stepped)
        && new != old
    {
        let policy = &target.policies[i];
        let table = table_of(endpoint, &policy.name);
        out.push(PolicyEdit {
            keys: step_keys(table, policy, &old, &new),
            name: policy.name.clone(),
            table,
        });
    }
    out
}

/// The step policy's keys that change from `old` to `new`.
fn step_keys<'a>(
    table: Option<&'a RawPolicy>,
    policy: &crate::model::ScalingPolicy,
    old: &Step,
    new: &Step,
) -> Vec<PolicyKey<'a>> {
    let mut keys = Vec::new();
    if new.cooldown != old.cooldown {
        keys.push(PolicyKey {
            key: "cooldown",
            value: new.cooldown.to_string(),
            written: table.and_then(|t| origin(&t.cooldown)),
        });
    }
    if new.adjustment != old.adjustment {
        let step = table
            .and_then(|t| t.steps.as_ref())
            .and_then(|s| s.value.first())
            .and_then(|s| origin(&s.adjustment));
        keys.push(match step {
            Some(at) => PolicyKey {
                key: "steps",
                value: new.adjustment.to_string(),
                written: Some(at),
            },
            None => PolicyKey {
                key: "steps",
                value: steps_value(policy, new.adjustment),
                written: None,
            },
        });
    }
    if new.periods != old.periods {
        let alarm = table.and_then(|t| t.alarm.as_ref()).map(|a| &a.value);
        match alarm {
            Some(a) => {
                for (key, field) in [
                    ("evaluation_periods", &a.evaluation_periods),
                    ("datapoints_to_alarm", &a.datapoints_to_alarm),
                ] {
                    if let Some(at) = origin(field) {
                        keys.push(PolicyKey {
                            key,
                            value: new.periods.to_string(),
                            written: Some(at),
                        });
                    }
                }
            }
            None => keys.push(PolicyKey {
                key: "alarm",
                value: format!(
                    "{{ evaluation_periods = {0}, datapoints_to_alarm = {0} }}",
                    new.periods
                ),
                written: None,
            }),
        }
    }
    keys
}

/// A one-step `steps` array with the policy's bounds and `adjustment`.
fn steps_value(policy: &crate::model::ScalingPolicy, adjustment: i32) -> String {
    let crate::model::PolicyConfig::Step(sp) = &policy.config else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(l) = sp.steps.first().and_then(|s| s.lower_bound) {
        parts.push(format!("lower = {}", number(l)));
    }
    if let Some(u) = sp.steps.first().and_then(|s| s.upper_bound) {
        parts.push(format!("upper = {}", number(u)));
    }
    parts.push(format!("adjustment = {adjustment}"));
    format!("[{{ {} }}]", parts.join(", "))
}

/// `endpoint` or `inference_component`: the table an endpoint's sub-tables hang from.
fn section(endpoint: &RawEndpoint) -> &'static str {
    if endpoint.component {
        "inference_component"
    } else {
        "endpoint"
    }
}

/// Where the endpoint's block ends: the next top-level table's header, or the end of the file.
fn block_end(text: &str, from: usize) -> usize {
    let mut at = from;
    for line in text[from..].split_inclusive('\n') {
        let head = line.trim_start();
        let own = [
            "[[endpoint.",
            "[endpoint.",
            "[[inference_component.",
            "[inference_component.",
        ];
        if at > from && head.starts_with('[') && !own.iter().any(|p| head.starts_with(p)) {
            return at;
        }
        at += line.len();
    }
    text.len()
}

/// The floor's two `[[...schedule]]` tables, as `space::Floor::actions` makes them.
fn floor_tables(endpoint: &RawEndpoint, floor: &super::space::Floor, base: i32) -> String {
    let mut out = String::new();
    for a in floor.actions(base) {
        out.push_str(&format!(
            "[[{}.schedule]]\nname = \"{}\"\nschedule = \"{}\"\nmin_capacity = {}\n\n",
            section(endpoint),
            a.name,
            a.schedule,
            a.min_capacity.unwrap_or(base)
        ));
    }
    out
}

/// Where new keys go: under the endpoint's `name`, or under its tuned policy's.
struct Anchors {
    endpoint: usize,
    policy: Option<usize>,
    /// The endpoint uses a preset: its policy takes the endpoint-level keys.
    preset: bool,
}

/// One key to write: its new value and where it is written now.
struct KeyChange<'a> {
    key: &'static str,
    value: String,
    /// In the tuned policy's table (which wins over the endpoint's key).
    own: Option<&'a Origin>,
    /// At the endpoint's level.
    top: Option<&'a Origin>,
    /// A key of the policy (target, cooldowns) rather than of the scalable target.
    of_policy: bool,
}

impl KeyChange<'_> {
    /// Replaces the value where it is written; else adds the key under the policy's name (a
    /// written-out policy) or the endpoint's (a preset's policy, or the scalable target).
    fn splice(&self, at: &Anchors) -> Splice {
        let (written, after) = match (self.own, self.top, at.policy) {
            (Some(own @ Origin::File { .. }), _, _) => (Some(own), at.endpoint),
            (_, _, Some(policy)) if self.of_policy && !at.preset => (None, policy),
            (_, top, _) => (top, at.endpoint),
        };
        replace_or_insert(written, after, self.key, &self.value)
    }
}

/// The keys whose values change from `from` to `to`.
fn changes<'a>(
    e: &'a RawEndpoint,
    policy: Option<&'a RawPolicy>,
    from: &Knobs,
    to: &Knobs,
) -> Vec<KeyChange<'a>> {
    let mut out = Vec::new();
    if to.preset != from.preset
        && let Some(p) = to.preset
    {
        out.push(KeyChange {
            key: "preset",
            value: format!("\"{}\"", p.as_str()),
            own: None,
            top: origin(&e.preset),
            of_policy: false,
        });
    }
    out.extend(policy_changes(e, policy, from, to));
    let bounds = [
        (
            "min_capacity",
            to.min_capacity,
            from.min_capacity,
            origin(&e.min_capacity),
        ),
        (
            "max_capacity",
            to.max_capacity,
            from.max_capacity,
            origin(&e.max_capacity),
        ),
    ];
    for (key, new, old, top) in bounds {
        if new != old {
            out.push(KeyChange {
                key,
                value: new.to_string(),
                own: None,
                top,
                of_policy: false,
            });
        }
    }
    out
}

/// The tuned policy's keys that change: target value and cooldowns.
fn policy_changes<'a>(
    e: &'a RawEndpoint,
    policy: Option<&'a RawPolicy>,
    from: &Knobs,
    to: &Knobs,
) -> Vec<KeyChange<'a>> {
    let mut out = Vec::new();
    let own = |f: fn(&RawPolicy) -> Option<&Origin>| policy.and_then(f);
    if to.target != from.target {
        out.push(KeyChange {
            key: "target",
            value: number(to.target),
            own: own(|p| origin(&p.target)),
            top: origin(&e.target),
            of_policy: true,
        });
    }
    let cooldowns = [
        (
            "scale_in_cooldown",
            to.scale_in_cooldown,
            from.scale_in_cooldown,
            own(|p| origin(&p.scale_in_cooldown)),
            origin(&e.scale_in_cooldown),
        ),
        (
            "scale_out_cooldown",
            to.scale_out_cooldown,
            from.scale_out_cooldown,
            own(|p| origin(&p.scale_out_cooldown)),
            origin(&e.scale_out_cooldown),
        ),
    ];
    for (key, new, old, own, top) in cooldowns {
        if let Some(v) = new.filter(|_| new != old) {
            out.push(KeyChange {
                key,
                value: v.to_string(),
                own,
                top,
                of_policy: true,
            });
        }
    }
    out
}

/// Applies the splices from the end of the text back, so that offsets stay true; inserts at
/// one place keep the order they were made in.
fn splice(text: &str, splices: Vec<Splice>) -> String {
    let mut ordered: Vec<(usize, Splice)> = splices.into_iter().enumerate().collect();
    ordered.sort_by_key(|(i, s)| std::cmp::Reverse((s.range.start, s.range.end, *i)));
    let mut out = text.to_string();
    for (_, s) in ordered {
        out.replace_range(s.range, &s.text);
    }
    out
}

fn origin<T>(f: &Field<T>) -> Option<&Origin> {
    f.as_ref().map(|l| &l.origin)
}

/// The byte offset of the end of the line holding `name`'s value.
fn name_line_end(text: &str, name: &Field<String>) -> Option<usize> {
    let Some(Origin::File { span }) = name.as_ref().map(|n| &n.origin) else {
        return None;
    };
    Some(text[span.end..].find('\n').map_or(text.len(), |i| span.end + i))
}

/// A TOML float, as short as it can be written.
fn number(v: f64) -> String {
    let s = format!("{v}");
    if s.contains(['.', 'e', 'E']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// A unified diff of `old` and `new` with `context` lines around each change, under the
/// file name `name`; empty when they are equal.
pub fn unified(name: &str, old: &str, new: &str, context: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = lcs_ops(&a, &b);
    if ops.iter().all(|o| matches!(o, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {name}\n+++ {name} (recommended)\n");
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| !matches!(o, Op::Same(..)))
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(context);
        let mut end = changed[i];
        while i < changed.len() && changed[i] <= end + 2 * context {
            end = changed[i];
            i += 1;
        }
        let end = (end + context + 1).min(ops.len());
        let (mut a_start, mut b_start) = (0, 0);
        for o in &ops[..start] {
            match o {
                Op::Same(..) => (a_start, b_start) = (a_start + 1, b_start + 1),
                Op::Del(_) => a_start += 1,
                Op::Add(_) => b_start += 1,
            }
        }
        let hunk = &ops[start..end];
        let a_len = hunk.iter().filter(|o| !matches!(o, Op::Add(_))).count();
        let b_len = hunk.iter().filter(|o| !matches!(o, Op::Del(_))).count();
        out.push_str(&format!(
            "@@ -{},{a_len} +{},{b_len} @@\n",
            a_start + 1,
            b_start + 1
        ));
        for o in hunk {
            let (mark, line) = match o {
                Op::Same(l) => (' ', l),
                Op::Del(l) => ('-', l),
                Op::Add(l) => ('+', l),
            };
            out.push(mark);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// Line operations from a longest common subsequence (config files are small).
fn lcs_ops<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let (n, m) = (a.len(), b.len());
    let mut len = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if a[i] == b[j] {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Op::Same(a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || len[i + 1][j] >= len[i][j + 1]) {
            out.push(Op::Del(a[i]));
            i += 1;
        } else {
            out.push(Op::Add(b[j]));
            j += 1;
        }
    }
    out
}
