//! The sticky plan comment: one per config file per pull request, found again by a hidden
//! marker and edited in place. A comment body is untrusted input (anyone can edit it), so the
//! marker parser accepts only what it wrote and never panics.

use serde::{Deserialize, Serialize};

use crate::plan::Plan;
use crate::render;

/// GitHub rejects comments longer than this (characters).
pub const MAX_COMMENT: usize = 65_536;
pub(crate) const MARKER_PREFIX: &str = "<!-- sagemaker-autoscale ";
pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    Planned,
    Applied,
    Failed,
}

/// The hidden JSON marker at the top of the sticky plan comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    /// The marker's format version.
    pub v: u32,
    pub(crate) config: String,
    pub(crate) fingerprint: String,
    pub(crate) status: Status,
    /// `action kind resource_id name` of each change, to show what differs when a later plan
    /// no longer matches the reviewed one.
    #[serde(default)]
    pub changes: Vec<String>,
}

impl Marker {
    pub(crate) fn new(config: &str, plan: &Plan, status: Status) -> Marker {
        Marker {
            v: FORMAT_VERSION,
            config: config.to_string(),
            fingerprint: plan.fingerprint.clone(),
            status,
            changes: Some(change_lines(plan))
                .filter(|c| c.iter().map(String::len).sum::<usize>() <= MAX_MARKER_CHANGES)
                .unwrap_or_default(),
        }
    }

    fn line(&self) -> String {
        // `--` cannot end an HTML comment early inside JSON strings we write, but escape it anyway.
        let json = serde_json::to_string(self)
            .unwrap_or_default()
            .replace("--", "\\u002d\\u002d");
        format!("{MARKER_PREFIX}{json} -->")
    }
}

/// Past this, the marker keeps only the fingerprint: the comment's room is for the plan.
pub const MAX_MARKER_CHANGES: usize = 4_000;

pub(crate) fn change_lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c.action.as_str(),
                c.kind.as_str(),
                crate::render::target_label(c.region.as_deref(), &c.resource_id),
                c.name
            )
        })
        .collect()
}

/// The marker of a comment body, if it is one of ours: the first line, exactly our prefix, JSON
/// of the known shape and version.
pub fn parse_marker(body: &str) -> Option<Marker> {
    let first = body.lines().next()?.trim();
    let json = first.strip_prefix(MARKER_PREFIX)?.strip_suffix("-->")?.trim();
    let marker: Marker = serde_json::from_str(json).ok()?;
    (marker.v == FORMAT_VERSION).then_some(marker)
}

/// What the comment says besides the plan.
pub struct Frame<'a> {
    pub(crate) config: &'a str,
    pub(crate) sha: &'a str,
    pub(crate) run_url: Option<&'a str>,
    /// e.g. "Applies when merged to `main`."
    pub footer: &'a str,
    /// Shown above the plan, e.g. "Applied by run ...".
    pub banner: Option<&'a str>,
    /// Shown below the plan, e.g. the simulation (cut first when the comment is too long).
    pub appendix: Option<&'a str>,
}

pub(crate) fn body(plan: &Plan, status: Status, ctx: &Frame<'_>) -> String {
    let marker = Marker::new(ctx.config, plan, status);
    let mut out = format!(
        "{}\n### sagemaker-autoscale: `{}`\n\n",
        marker.line(),
        ctx.config.replace('`', "'")
    );
    if let Some(banner) = ctx.banner {
        out.push_str(banner);
        out.push_str("\n\n");
    }
    out.push_str(&render::markdown(plan));
    if let Some(appendix) = ctx.appendix {
        out.push('\n');
        out.push_str(appendix);
    }
    let short: String = ctx.sha.chars().take(7).collect();
    out.push_str(&format!("\n---\nCommit `{short}`. {}", ctx.footer));
    if let Some(url) = ctx.run_url {
        out.push_str(&format!(" [Run]({url})."));
    }
    out.push('\n');
    cut(&out, MAX_COMMENT, ctx.run_url)
}

/// Cuts `body` to at most `limit` characters on a line boundary, with a note saying where the
/// whole plan is. The marker line always survives.
pub fn cut(body: &str, limit: usize, run_url: Option<&str>) -> String {
    if body.chars().count() <= limit {
        return body.to_string();
    }
    let note = format!(
        "\n\n> [!NOTE]\n> The plan is longer than a GitHub comment allows and was cut here. The whole plan is in the job summary{}.\n",
        run_url
            .map(|u| format!(" of [this run]({u})"))
            .unwrap_or_default()
    );
    let budget = limit.saturating_sub(note.chars().count());
    let mut kept = String::new();
    let mut used = 0;
    for line in body.split_inclusive('\n') {
        let n = line.chars().count();
        if used + n > budget {
            break;
        }
        kept.push_str(line);
        used += n;
    }
    // An open <details> would swallow the note; close it.
    if kept.matches("<details>").count() > kept.matches("</details>").count() {
        kept.push_str("</details>\n");
    }
    kept.push_str(&note);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Summary, fingerprint};

    fn plan() -> Plan {
        Plan {
            summary: Summary::default(),
            fingerprint: fingerprint(&[], &[]),
            changes: vec![],
            warnings: vec![],
            blocked: vec![],
        }
    }

    #[test]
    fn marker_round_trips_and_rejects_lookalikes() {
        let ctx = Frame {
            config: "autoscaling.toml",
            sha: "abcdef123",
            run_url: None,
            footer: "",
            banner: None,
            appendix: None,
        };
        let b = body(&plan(), Status::Planned, &ctx);
        let m = parse_marker(&b).expect("our marker");
        assert_eq!(
            (m.config.as_str(), m.status),
            ("autoscaling.toml", Status::Planned)
        );
        assert_eq!(m.fingerprint, plan().fingerprint);
        for fake in [
            "",
            "<!-- sagemaker-autoscale -->",
            "<!-- sagemaker-autoscale {\"v\":2,\"config\":\"a\",\"fingerprint\":\"x\",\"status\":\"planned\"} -->",
            "text\n<!-- sagemaker-autoscale {\"v\":1,\"config\":\"a\",\"fingerprint\":\"x\",\"status\":\"planned\"} -->",
            "<!-- sagemaker-autoscale {\"v\":1,\"config\":\"a\",\"fingerprint\":\"x\",\"status\":\"hacked\"} -->",
        ] {
            assert_eq!(parse_marker(fake), None, "{fake}");
        }
    }

    #[test]
    fn cut_keeps_whole_lines_and_the_marker() {
        let body = format!("{MARKER_PREFIX}{{}} -->\n{}", "0123456789\n".repeat(10_000));
        let out = cut(&body, 1000, Some("https://x/run/1"));
        assert!(out.chars().count() <= 1000, "{}", out.len());
        assert!(out.starts_with(MARKER_PREFIX));
        let before_note = out.split("\n\n> [!NOTE]").next().unwrap_or_default();
        assert!(
            before_note.lines().skip(1).all(|l| l == "0123456789"),
            "only whole lines"
        );
        assert!(out.contains("[this run](https://x/run/1)"));
    }
}
