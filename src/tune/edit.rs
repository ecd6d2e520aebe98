//! The recommendation as an edit of the config file: the values changed where they are
//! written, missing keys added under the endpoint's (or policy's) `name`, everything else
//! byte for byte as it was. The edited text is validated before it is shown.

use std::ops::Range;

use super::space::Knobs;
use crate::config::raw::{Field, RawEndpoint, RawPolicy};
use crate::diagnostic::Origin;
use crate::keywords::Keyword;

/// One change to the text: replace `range` (empty: insert) with `text`.
struct Splice {
    range: Range<usize>,
    text: String,
}

/// `text` with `endpoint`'s knobs moved from `from` to `to`. `tracked`: the name of the
/// target-tracking policy tuned.
pub fn apply(
    text: &str,
    endpoint: &RawEndpoint,
    tracked: &str,
    from: &Knobs,
    to: &Knobs,
) -> Result<String, String> {
    let anchor = name_line_end(text, &endpoint.name).ok_or("the endpoint's `name` is not in the file")?;
    let policy = endpoint
        .policies
        .iter()
        .find(|p| p.name.as_ref().is_some_and(|n| n.value == tracked));
    let at = Anchors {
        endpoint: anchor,
        policy: policy.and_then(|p| name_line_end(text, &p.name)),
        preset: endpoint.preset.is_some(),
    };
    let mut splices: Vec<Splice> = changes(endpoint, policy, from, to)
        .into_iter()
        .map(|c| c.splice(&at))
        .collect();
    if to.floor != from.floor
        && let Some(floor) = &to.floor
    {
        let end = block_end(text, anchor);
        splices.push(Splice {
            range: end..end,
            text: floor_tables(endpoint, floor, to.min_capacity, text[..end].ends_with("\n\n")),
        });
    }
    Ok(splice(text, splices))
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
fn floor_tables(
    endpoint: &RawEndpoint,
    floor: &super::space::Floor,
    base: i32,
    blank_before: bool,
) -> String {
    let section = if endpoint.component {
        "inference_component"
    } else {
        "endpoint"
    };
    let mut out = String::from(if blank_before { "" } else { "\n" });
    for a in floor.actions(base) {
        out.push_str(&format!(
            "[[{section}.schedule]]\nname = \"{}\"\nschedule = \"{}\"\nmin_capacity = {}\n\n",
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
        let replace = |span: &std::ops::Range<usize>| Splice {
            range: span.clone(),
            text: self.value.clone(),
        };
        let insert = |after: usize| Splice {
            range: after..after,
            text: format!("\n{} = {}", self.key, self.value),
        };
        match (self.own, self.top, at.policy) {
            (Some(Origin::File { span }), _, _) => replace(span),
            (_, _, Some(policy)) if self.of_policy && !at.preset => insert(policy),
            (_, Some(Origin::File { span }), _) => replace(span),
            _ => insert(at.endpoint),
        }
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
