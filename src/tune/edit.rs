//! The recommendation as an edit of the config file: the values changed where they are
//! written, missing keys added under the endpoint's (or policy's) `name`, everything else
//! byte for byte as it was. The edited text is validated before it is shown.

use std::ops::Range;

use super::space::Knobs;
use crate::config::raw::{Field, RawEndpoint};
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
    let mut splices = Vec::new();
    let anchor = name_line_end(text, &endpoint.name).ok_or("the endpoint's `name` is not in the file")?;
    let mut set = |field: Option<&Origin>, key: &str, value: String, after: usize| match field {
        Some(Origin::File { span }) => splices.push(Splice {
            range: span.clone(),
            text: value,
        }),
        _ => splices.push(Splice {
            range: after..after,
            text: format!("\n{key} = {value}"),
        }),
    };
    let policy = endpoint
        .policies
        .iter()
        .find(|p| p.name.as_ref().is_some_and(|n| n.value == tracked));
    if to.preset != from.preset
        && let Some(p) = to.preset
    {
        let origin = endpoint.preset.as_ref().map(|p| &p.origin);
        set(origin, "preset", format!("\"{}\"", p.as_str()), anchor);
    }
    // A key the policy table sets wins over the endpoint's; a preset's policy takes the
    // endpoint-level keys, an explicit one its own.
    let policy_anchor = policy.and_then(|p| name_line_end(text, &p.name));
    let place = |own: Option<&Origin>, top: Option<&Origin>| -> (Option<Origin>, usize) {
        match (own, policy_anchor) {
            (Some(o), _) => (Some(o.clone()), anchor),
            (None, Some(a)) if endpoint.preset.is_none() => (None, a),
            _ => (top.cloned(), anchor),
        }
    };
    let p = policy.cloned().unwrap_or_default();
    if to.target != from.target {
        let (o, a) = place(origin(&p.target), origin(&endpoint.target));
        set(o.as_ref(), "target", number(to.target), a);
    }
    for (key, new, old, own, top) in [
        (
            "scale_in_cooldown",
            to.scale_in_cooldown,
            from.scale_in_cooldown,
            &p.scale_in_cooldown,
            &endpoint.scale_in_cooldown,
        ),
        (
            "scale_out_cooldown",
            to.scale_out_cooldown,
            from.scale_out_cooldown,
            &p.scale_out_cooldown,
            &endpoint.scale_out_cooldown,
        ),
    ] {
        if let Some(v) = new.filter(|_| new != old) {
            let (o, a) = place(own.as_ref().map(|l| &l.origin), top.as_ref().map(|l| &l.origin));
            set(o.as_ref(), key, v.to_string(), a);
        }
    }
    for (key, new, old, field) in [
        (
            "min_capacity",
            to.min_capacity,
            from.min_capacity,
            &endpoint.min_capacity,
        ),
        (
            "max_capacity",
            to.max_capacity,
            from.max_capacity,
            &endpoint.max_capacity,
        ),
    ] {
        if new != old {
            set(origin(field), key, new.to_string(), anchor);
        }
    }
    Ok(splice(text, splices))
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
