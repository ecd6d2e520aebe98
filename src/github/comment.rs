//! The sticky plan comment: one per config file per pull request, found again by a hidden
//! marker and edited in place. A comment body is untrusted input (anyone can edit it), so the
//! marker parser accepts only what it wrote and never panics.

use serde::{Deserialize, Serialize};

use crate::apply::ApplyReport;
use crate::plan::Plan;
use crate::render;

/// GitHub rejects comments longer than this (characters).
pub const MAX_COMMENT: usize = 65_536;
pub(crate) const MARKER_PREFIX: &str = "<!-- sagemaker-autoscale ";
pub(crate) const FORMAT_VERSION: u32 = 1;

/// Where the pull request's plan stands; the comment's first words say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// A plan with changes, applied when merged.
    Planned,
    /// AWS already matches the config.
    NoChanges,
    /// The config has errors: nothing can be planned; an earlier plan is outdated.
    Invalid,
    /// Merged and applied.
    Applied,
    /// Merged; the apply failed part of the way.
    Failed,
    /// Merged, and the apply refused (the plan was not the one reviewed).
    Refused,
    /// Closed without merging: nothing was or will be applied from it.
    Closed,
}

impl Status {
    fn headline(self) -> &'static str {
        match self {
            Status::Planned => "🟡 **Planned**",
            Status::NoChanges => "✅ **No changes**",
            Status::Invalid => "❌ **Invalid**",
            Status::Applied => "✅ **Applied**",
            Status::Failed => "❌ **Apply failed**",
            Status::Refused => "⛔ **Not applied**",
            Status::Closed => "⚪ **Closed without merging**",
        }
    }

    /// The status with the plan's risk: a plan that leaves a target out (the run fails) or
    /// destroys an endpoint's scaling is not the same yellow as a harmless one.
    fn headline_for(self, plan: Option<&Plan>) -> String {
        // A plan with nothing to apply can still leave a target out: that is not "no changes".
        let Some(plan) = plan.filter(|_| matches!(self, Status::Planned | Status::NoChanges)) else {
            return self.headline().to_string();
        };
        let destroyed = plan.deregistrations().count();
        if !plan.blocked.is_empty() {
            let n = plan.blocked.len();
            let word = if self == Status::Planned {
                "Planned"
            } else {
                "No changes"
            };
            format!(
                "🔴 **{word}, but {n} target{} left out** (the run fails until it can be planned)",
                if n == 1 { "" } else { "s" }
            )
        } else if self == Status::Planned && destroyed > 0 {
            format!(
                "🟠 **Planned, destroys the scaling of {destroyed} endpoint{}**",
                if destroyed == 1 { "" } else { "s" }
            )
        } else {
            self.headline().to_string()
        }
    }

    /// The status in one word, for the history line.
    fn word(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::NoChanges => "no changes",
            Status::Invalid => "invalid",
            Status::Applied => "applied",
            Status::Failed => "apply failed",
            Status::Refused => "refused",
            Status::Closed => "closed",
        }
    }

    /// The comment records what the merge's apply did in AWS: no later status replaces it.
    pub(crate) fn records_apply(self) -> bool {
        matches!(self, Status::Applied | Status::Failed)
    }
}

/// One status the comment has had: which, when (UTC, to the minute) and the run that set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub(crate) status: Status,
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub(crate) at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) run: Option<String>,
}

/// Entries kept in a comment's history: the first (the review) and the latest ones.
const HISTORY: usize = 8;

/// `earlier` with this status added: a status repeated (a new push re-plans) replaces its last
/// entry; past `HISTORY` the oldest but the first go.
fn next_history(earlier: &[Entry], entry: Entry) -> Vec<Entry> {
    let mut history = earlier.to_vec();
    if history.last().is_some_and(|last| last.status == entry.status) {
        history.pop();
    }
    history.push(entry);
    if history.len() > HISTORY {
        history.drain(1..history.len() - HISTORY + 1);
    }
    history
}

/// The history as one line under the status: status, time and run of each change of status.
/// A run after the apply that found nothing left to do (the merge's job run again) is a re-run.
fn history_line(history: &[Entry]) -> Option<String> {
    if history.len() < 2 {
        return None;
    }
    let entries: Vec<String> = history
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let run = e
                .run
                .as_ref()
                .map(|u| format!(" ([run]({u}))"))
                .unwrap_or_default();
            let after_apply = history[..i].iter().any(|h| h.status.records_apply());
            let word = match e.status {
                Status::NoChanges if after_apply => "re-run, nothing left to apply",
                s => s.word(),
            };
            format!("{word} {} UTC{run}", e.at)
        })
        .collect();
    Some(format!("<sub>History: {}</sub>\n\n", entries.join(" → ")))
}

/// `body` (one of our comments) with `entry` added to its history, the rest of it as it is:
/// how a run after the merge's apply is recorded without touching the apply's record. None
/// when `body` has no marker of ours.
pub(crate) fn with_history_entry(body: &str, entry: Entry) -> Option<String> {
    let mut marker = parse_marker(body)?;
    marker.history = next_history(&marker.history, entry);
    let line = history_line(&marker.history).unwrap_or_default();
    let (_, rest) = body.split_once('\n')?;
    let rest = match rest.find("\n<sub>History: ") {
        Some(start) => {
            let start = start + 1;
            let end = rest[start..].find("\n\n").map_or(rest.len(), |e| start + e + 2);
            format!("{}{line}{}", &rest[..start], &rest[end..])
        }
        // Marker, heading, blank, status line, blank: the history goes after them.
        None => {
            let at = rest.match_indices('\n').nth(3).map_or(rest.len(), |(i, _)| i + 1);
            format!("{}{line}{}", &rest[..at], &rest[at..])
        }
    };
    Some(format!("{}\n{rest}", marker.line()))
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
    /// The statuses the comment has had, oldest first (this one last): a later run never erases
    /// the review or the apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) history: Vec<Entry>,
}

impl Marker {
    /// The marker of a comment about `plan`; without one (an invalid config) its fingerprint
    /// matches no plan, so nothing can be applied as reviewed.
    pub(crate) fn new(config: &str, plan: Option<&Plan>, status: Status) -> Marker {
        Marker {
            v: FORMAT_VERSION,
            config: config.to_string(),
            fingerprint: plan.map_or_else(|| "none".to_string(), |p| p.fingerprint.clone()),
            status,
            changes: plan
                .map(change_lines)
                .filter(|c| c.iter().map(String::len).sum::<usize>() <= MAX_MARKER_CHANGES)
                .unwrap_or_default(),
            history: Vec::new(),
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
    /// The commit the comment is about (a pull request's head), short and linked.
    pub(crate) commit: &'a str,
    /// Its page, when known.
    pub(crate) commit_url: Option<&'a str>,
    pub(crate) run_url: Option<&'a str>,
    /// The status line's words after the status, e.g. "2 to add ... Applies when merged to `main`."
    pub headline: &'a str,
    /// Shown under the status line before the plan, e.g. the errors of an invalid config.
    pub section: Option<&'a str>,
    /// Shown after the plan's alerts, e.g. the config's warnings.
    pub advice: Option<&'a str>,
    /// Shown below the plan, e.g. the simulation (dropped first when the comment is too long).
    pub appendix: Option<&'a str>,
    /// Each change's outcome, once applied.
    pub report: Option<&'a ApplyReport>,
    /// The comment's history before this status (from its marker; empty for a new comment).
    pub(crate) history: &'a [Entry],
    /// Now, `YYYY-MM-DD HH:MM` UTC: when this status is set.
    pub(crate) at: &'a str,
}

/// The comment: marker, status line, then the plan (as much as fits GitHub's limit, the rest
/// named with where it is whole), then the footer. Status, totals, fingerprint and footer always
/// stay.
pub(crate) fn body(plan: Option<&Plan>, status: Status, frame: &Frame<'_>) -> String {
    let mut marker = Marker::new(frame.config, plan, status);
    let entry = Entry {
        status,
        at: frame.at.to_string(),
        run: frame.run_url.map(str::to_string),
    };
    marker.history = next_history(frame.history, entry);
    let mut head = format!(
        "{}\n### sagemaker-autoscale: `{}`\n\n{}\n\n{}",
        marker.line(),
        frame.config.replace('`', "'"),
        status_line(status, plan, frame.headline),
        history_line(&marker.history).unwrap_or_default()
    );
    if let Some(section) = frame.section {
        head.push_str(section);
        head.push('\n');
    }
    let footer = footer(frame.commit, frame.commit_url, frame.run_url);
    let whole_plan = match frame.run_url {
        Some(url) => format!("the job summary of [this run]({url})"),
        None => "the job summary of this run".to_string(),
    };
    let room = MAX_COMMENT.saturating_sub(head.len() + footer.len());
    let appendix = frame.appendix.map(|a| format!("\n{a}")).unwrap_or_default();
    let Some(plan) = plan else {
        return cut(&format!("{head}{footer}"), MAX_COMMENT, frame.run_url);
    };
    let options = |limit| render::Layout {
        advice: frame.advice.unwrap_or(""),
        limit,
        whole_plan: &whole_plan,
        report: frame.report,
    };
    // The simulation goes first when both do not fit: the plan is what is reviewed.
    let whole = render::markdown_with(plan, &options(usize::MAX));
    let (markdown, appendix) = if whole.len() + appendix.len() <= room {
        (whole, appendix)
    } else if whole.len() <= room {
        (
            whole,
            "\n_The simulation does not fit in this comment; it is in the job summary._\n".to_string(),
        )
    } else {
        (
            render::markdown_with(plan, &options(room.saturating_sub(100))),
            String::new(),
        )
    };
    cut(
        &format!("{head}{markdown}{appendix}{footer}"),
        MAX_COMMENT,
        frame.run_url,
    )
}

/// The status line: the status with the plan's risk, then its words. The job summary opens
/// with the same line.
pub(crate) fn status_line(status: Status, plan: Option<&Plan>, headline: &str) -> String {
    format!("{}: {headline}", status.headline_for(plan))
}

/// The footer: the commit the comment is about (linked) and the run. The job summary ends with
/// the same one.
pub(crate) fn footer(commit: &str, commit_url: Option<&str>, run_url: Option<&str>) -> String {
    let short: String = commit.chars().take(7).collect();
    let commit = match commit_url {
        Some(url) => format!("[`{short}`]({url})"),
        None => format!("`{short}`"),
    };
    let mut footer = format!("\n---\n<sub>Commit {commit}");
    if let Some(url) = run_url {
        footer.push_str(&format!(" · [run]({url})"));
    }
    footer.push_str("</sub>\n");
    footer
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
            drift: vec![],
        }
    }

    #[test]
    fn marker_round_trips_and_rejects_lookalikes() {
        let ctx = Frame {
            config: "autoscaling.toml",
            commit: "abcdef123",
            commit_url: None,
            run_url: None,
            headline: "",
            section: None,
            advice: None,
            appendix: None,
            report: None,
            history: &[],
            at: "2026-12-03 10:00",
        };
        let b = body(Some(&plan()), Status::Planned, &ctx);
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

    /// A plan with every kind of change, made from two configs the way `plan` makes it.
    fn realistic() -> Plan {
        let records = |text: &str| {
            let checked = crate::check_text("autoscaling.toml", text);
            crate::resource::desired_records(&checked.desired.expect("valid"))
        };
        let current = records(
            "[[endpoint]]\nname = \"ep\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n[[endpoint]]\nname = \"old\"\nmax_capacity = 2\npreset = \"async-cpu\"\n",
        );
        let desired = records(
            "[[endpoint]]\nname = \"ep\"\nmin_capacity = 1\nmax_capacity = 6\npreset = \"async-cpu\"\ntarget = 200.0\n\n[[endpoint.schedule]]\nname = \"night\"\nschedule = \"cron(0 20 ? * * *)\"\ntimezone = \"Europe/Berlin\"\nmax_capacity = 1\n\n[[endpoint]]\nname = \"new\"\nmax_capacity = 3\npreset = \"async-backlog\"\n",
        );
        crate::plan::diff(&desired, &current)
    }

    fn frame<'a>(headline: &'a str, section: Option<&'a str>, report: Option<&'a ApplyReport>) -> Frame<'a> {
        Frame {
            config: "autoscaling.toml",
            commit: "0123456789abcdef0123456789abcdef01234567",
            commit_url: Some(
                "https://github.com/acme/models/commit/0123456789abcdef0123456789abcdef01234567",
            ),
            run_url: Some("https://github.com/acme/models/actions/runs/42"),
            headline,
            section,
            advice: None,
            appendix: None,
            report,
            history: &REVIEWED,
            at: "2026-12-03 10:20",
        }
    }

    /// Every snapshot's comment was planned (and reviewed) in run 41 first.
    static REVIEWED: std::sync::LazyLock<Vec<Entry>> = std::sync::LazyLock::new(|| {
        vec![Entry {
            status: Status::Planned,
            at: "2026-12-03 09:00".into(),
            run: Some("https://github.com/acme/models/actions/runs/41".into()),
        }]
    });

    #[test]
    fn the_history_keeps_the_review_and_the_latest_statuses() {
        let entry = |status, at: &str| Entry {
            status,
            at: at.into(),
            run: None,
        };
        // A new push re-plans: one "planned", the latest.
        let h = next_history(
            &[entry(Status::Planned, "09:00")],
            entry(Status::Planned, "09:30"),
        );
        assert_eq!(h, vec![entry(Status::Planned, "09:30")]);
        // Past the limit the first (the review) stays and the oldest after it go.
        let mut h = vec![entry(Status::Planned, "00")];
        for i in 1..=10 {
            let status = if i % 2 == 0 {
                Status::Planned
            } else {
                Status::Invalid
            };
            h = next_history(&h, entry(status, &format!("{i:02}")));
        }
        let times: Vec<&str> = h.iter().map(|e| e.at.as_str()).collect();
        assert_eq!(times, ["00", "04", "05", "06", "07", "08", "09", "10"]);
    }

    #[test]
    fn a_rerun_after_the_apply_is_added_to_the_history_and_nothing_else_changes() {
        let plan = realistic();
        let applied = report(&plan, None);
        let before = body(
            Some(&plan),
            Status::Applied,
            &frame("merged in #7; applied all 12 change(s).", None, Some(&applied)),
        );
        let rerun = Entry {
            status: Status::NoChanges,
            at: "2026-12-03 11:00".into(),
            run: Some("https://github.com/acme/models/actions/runs/43".into()),
        };
        let after = with_history_entry(&before, rerun.clone()).expect("ours");
        let marker = parse_marker(&after).expect("marker");
        assert_eq!(marker.status, Status::Applied, "still the apply's record");
        assert_eq!(marker.history.last(), Some(&rerun));
        assert_contains_line(
            &after,
            "<sub>History: planned 2026-12-03 09:00 UTC ([run](https://github.com/acme/models/actions/runs/41)) → applied 2026-12-03 10:20 UTC ([run](https://github.com/acme/models/actions/runs/42)) → re-run, nothing left to apply 2026-12-03 11:00 UTC ([run](https://github.com/acme/models/actions/runs/43))</sub>",
        );
        let tail = |b: &str| b.split_once("</sub>\n\n").map(|(_, t)| t.to_string());
        assert_eq!(tail(&after), tail(&before), "the record below the history stays");
        // A second re-run replaces the first one's entry.
        let again = with_history_entry(
            &after,
            Entry {
                at: "2026-12-03 12:00".into(),
                ..rerun
            },
        )
        .expect("ours");
        assert_eq!(parse_marker(&again).expect("marker").history.len(), 3);
        // A comment without a history line yet (applied with no review in its history) gets one
        // under its status line.
        let alone = body(
            Some(&plan),
            Status::Applied,
            &Frame {
                history: &[],
                ..frame("applied.", None, Some(&applied))
            },
        );
        assert!(!alone.contains("<sub>History"), "{alone}");
        let added = with_history_entry(&alone, again_entry()).expect("ours");
        assert_eq!(
            added.lines().nth(5).unwrap_or_default(),
            "<sub>History: applied 2026-12-03 10:20 UTC ([run](https://github.com/acme/models/actions/runs/42)) → re-run, nothing left to apply 2026-12-03 12:00 UTC</sub>",
            "{added}"
        );
        let history = format!("{}\n\n", added.lines().nth(5).unwrap_or_default());
        let without_marker = |b: &str| b.split_once('\n').map(|(_, r)| r.to_string());
        assert_eq!(
            without_marker(&added.replacen(&history, "", 1)),
            without_marker(&alone),
            "only the history line is new"
        );
        assert_eq!(
            with_history_entry(
                "not ours",
                Entry {
                    status: Status::NoChanges,
                    at: String::new(),
                    run: None
                }
            ),
            None
        );
    }

    fn again_entry() -> Entry {
        Entry {
            status: Status::NoChanges,
            at: "2026-12-03 12:00".into(),
            run: None,
        }
    }

    fn assert_contains_line(body: &str, line: &str) {
        assert!(body.lines().any(|l| l == line), "no line {line:?} in:\n{body}");
    }

    fn report(plan: &Plan, fail_at: Option<usize>) -> ApplyReport {
        use crate::apply::{ChangeReport, Outcome};
        ApplyReport {
            changes: plan
                .changes
                .iter()
                .enumerate()
                .map(|(i, c)| ChangeReport {
                    region: c.region.clone(),
                    action: c.action,
                    kind: c.kind,
                    resource_id: c.resource_id.clone(),
                    name: c.name.clone(),
                    outcome: match fail_at {
                        Some(f) if i == f => Outcome::Failed("AccessDeniedException: not authorized".into()),
                        Some(f) if i > f => Outcome::NotAttempted,
                        _ => Outcome::Applied,
                    },
                    notes: Vec::new(),
                })
                .collect(),
            deadline_reached: false,
            remaining: None,
            check_error: None,
        }
    }

    /// Every status as the comment shows it.
    fn every_status() -> Vec<(&'static str, String)> {
        let plan = realistic();
        let empty = crate::plan::diff(&Default::default(), &Default::default());
        let applied = report(&plan, None);
        let failed = report(&plan, Some(3));
        let diagnostics = "- `autoscaling.toml:4:1` **error[unknown-key]**: unknown key \\`max\\_capcity\\` in \\[\\[endpoint\\]\\]\n  <br>help: did you mean \\`max\\_capacity\\`?\n";
        vec![
            (
                "planned",
                body(
                    Some(&plan),
                    Status::Planned,
                    &frame("applies when merged to `main`.", None, None),
                ),
            ),
            (
                "no_changes",
                body(
                    Some(&empty),
                    Status::NoChanges,
                    &frame(
                        "AWS already matches `autoscaling.toml`: nothing to apply.",
                        None,
                        None,
                    ),
                ),
            ),
            (
                "invalid",
                body(
                    None,
                    Status::Invalid,
                    &frame(
                        "1 error(s) in `autoscaling.toml`: nothing is planned until they are fixed (the annotations mark the lines).",
                        Some(diagnostics),
                        None,
                    ),
                ),
            ),
            (
                "applied",
                body(
                    Some(&plan),
                    Status::Applied,
                    &frame(
                        "merged in #7; [this run](https://github.com/acme/models/actions/runs/42) applied all 12 change(s), and AWS now matches the config.",
                        None,
                        Some(&applied),
                    ),
                ),
            ),
            (
                "apply_failed",
                body(
                    Some(&plan),
                    Status::Failed,
                    &frame(
                        "merged in #7; [this run](https://github.com/acme/models/actions/runs/42) applied 3, 1 failed, 8 not attempted.",
                        None,
                        Some(&failed),
                    ),
                ),
            ),
            (
                "closed",
                body(
                    None,
                    Status::Closed,
                    &frame(
                        "nothing was applied, and nothing will be from this pull request.",
                        Some(
                            "\n<!-- outdated -->\n<details><summary>The last plan, which was never applied</summary>\n\n**Plan: 1 to add, 0 to change, 0 to destroy.**\n\n</details>\n<!-- /outdated -->\n",
                        ),
                        None,
                    ),
                ),
            ),
            (
                "refused",
                body(
                    Some(&plan),
                    Status::Refused,
                    &frame(
                        "today's plan differs from the plan reviewed on #7. Nothing was changed in AWS.",
                        Some("Today's plan, which was not applied:\n"),
                        None,
                    ),
                ),
            ),
        ]
    }

    #[test]
    fn each_status_renders_as_reviewed() {
        for (name, body) in every_status() {
            insta::assert_snapshot!(name, body);
        }
    }

    /// The structure GitHub will see, from a GFM parser: the marker first, tables with their
    /// columns, balanced `<details>`, no raw JSON in any cell.
    #[test]
    fn every_status_parses_as_gfm_with_the_expected_structure() {
        use comrak::nodes::NodeValue;
        let mut options = comrak::Options::default();
        options.extension.table = true;
        options.extension.alerts = true;
        options.extension.strikethrough = true;
        for (name, body) in every_status() {
            assert!(parse_marker(&body).is_some(), "{name}: marker");
            assert_eq!(
                body.matches("<details").count(),
                body.matches("</details>").count(),
                "{name}: balanced details"
            );
            assert!(body.chars().count() <= MAX_COMMENT, "{name}");
            let arena = comrak::Arena::new();
            let root = comrak::parse_document(&arena, &body, &options);
            let mut columns = Vec::new();
            for node in root.descendants() {
                let value = node.data.borrow().value.clone();
                match value {
                    NodeValue::Table(t) => columns.push(t.num_columns),
                    NodeValue::TableCell => {
                        let text: String = node
                            .descendants()
                            .filter_map(|n| match &n.data.borrow().value {
                                NodeValue::Text(t) => Some(t.to_string()),
                                NodeValue::Code(c) => Some(c.literal.clone()),
                                _ => None,
                            })
                            .collect();
                        assert!(
                            !text.contains("{\"") && !text.contains("\":") && !text.contains("[{"),
                            "{name}: raw JSON in a cell: {text}"
                        );
                    }
                    _ => {}
                }
            }
            let expected: &[usize] = match name {
                "no_changes" | "invalid" | "closed" => &[],
                // The overview, then one table per endpoint: object and what, with the outcome
                // first once applied.
                "applied" | "apply_failed" => &[5, 3, 3, 3],
                _ => &[5, 2, 2, 2],
            };
            assert_eq!(columns, expected, "{name}: tables and their columns\n{body}");
        }
    }
}
