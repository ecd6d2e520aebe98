//! End to end: the built binary as the GitHub Action, driven only by the runner's environment,
//! against the AWS stand-in (moto) and the GitHub fake.

use std::fs;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::assert_contains;
use crate::standin::{Aws, github, http, request};
use crate::{Run, run};

const SEED: &str =
    "[[endpoint]]\nname = \"infer-endpoint-c356f91\"\nmax_capacity = 4\npreset = \"async-cpu\"\n";
const TOKEN: &str = "ghs_s3cr3tT0kenForTests";
const AWS_SECRET: &str = "secret";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

struct Action {
    aws: Aws,
    repo: String,
    dir: tempfile::TempDir,
}

impl Action {
    fn new(config: &str) -> Action {
        let aws = Aws::new();
        let repo = format!("acme/models-{}", aws.id);
        let a = Action {
            aws,
            repo,
            dir: tempfile::tempdir().expect("tempdir"),
        };
        a.config(config);
        a
    }

    fn config(&self, text: &str) {
        fs::write(
            self.dir.path().join("autoscaling.toml"),
            format!("region = \"{}\"\n{text}", self.aws.region),
        )
        .expect("config");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `action` for an event; fresh output and summary files each time.
    fn run(&self, event_name: &str, event: Value, extra: &[(&str, &str)]) -> Run {
        fs::write(self.path("event.json"), event.to_string()).expect("event");
        for f in ["output", "summary"] {
            let _ = fs::remove_file(self.path(f));
        }
        let gh = github();
        let git_ref = if event_name == "pull_request" {
            "refs/pull/7/merge"
        } else {
            "refs/heads/main"
        };
        let mut cmd = self.aws.bin(self.dir.path());
        cmd.arg("action")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event_name)
            .env("GITHUB_EVENT_PATH", self.path("event.json"))
            .env("GITHUB_REPOSITORY", &self.repo)
            .env("GITHUB_SHA", SHA)
            .env("GITHUB_REF", git_ref)
            .env("GITHUB_API_URL", format!("http://127.0.0.1:{}", gh.api_port))
            .env(
                "GITHUB_GRAPHQL_URL",
                format!("http://127.0.0.1:{}/graphql", gh.fake_port),
            )
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary"))
            .env("RUNNER_TEMP", self.dir.path())
            .env("INPUT_GITHUB-TOKEN", TOKEN);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let r = run(&mut cmd);
        self.assert_no_secret(&r);
        r
    }

    fn pr(&self, extra: &[(&str, &str)]) -> Run {
        self.run("pull_request", pr_event(&self.repo, false), extra)
    }

    fn push(&self, extra: &[(&str, &str)]) -> Run {
        self.run("push", json!({"ref": "refs/heads/main", "repository": {"default_branch": "main", "full_name": self.repo}}), extra)
    }

    fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        let text = fs::read_to_string(self.path("output")).unwrap_or_default();
        let mut out = std::collections::BTreeMap::new();
        let mut lines = text.lines();
        while let Some(head) = lines.next() {
            let (name, delim) = head.split_once("<<").expect("heredoc output");
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        }
        out
    }

    fn summary(&self) -> String {
        fs::read_to_string(self.path("summary")).unwrap_or_default()
    }

    fn github(&self) -> Value {
        serde_json::from_str(&http("GET", github().fake_port, "/_fake/state", None)).expect("state")
    }

    fn comments(&self) -> Vec<Value> {
        let state = self.github();
        state["comments"]
            .as_array()
            .expect("comments")
            .iter()
            .filter(|c| c["_repo"] == self.repo.as_str())
            .cloned()
            .collect()
    }

    fn issues(&self) -> Vec<Value> {
        let state = self.github();
        state["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .filter(|i| i["_repo"] == self.repo.as_str())
            .cloned()
            .collect()
    }

    fn merged_pr(&self) {
        let body =
            json!({"repo": self.repo, "sha": SHA, "pulls": [{"number": 7, "merged": true}]}).to_string();
        http("POST", github().fake_port, "/_fake/pulls", Some(&body));
    }

    fn github_fault(&self, method: &str, path: &str, status: u16, message: &str, headers: Value, times: u32) {
        let body = json!([{"method": method, "path": format!("^/repos/{}{path}", self.repo), "status": status,
            "message": message, "headers": headers, "times": times}]);
        http(
            "POST",
            github().fake_port,
            "/_fake/faults",
            Some(&body.to_string()),
        );
    }

    /// Applies another config to the same region by hand: a change nobody reviewed.
    fn apply_by_hand(&self, config: &str) {
        let other = tempfile::tempdir().expect("dir");
        fs::write(
            other.path().join("autoscaling.toml"),
            format!("region = \"{}\"\n{config}", self.aws.region),
        )
        .expect("config");
        let mut cmd = self.aws.bin(other.path());
        cmd.args(["apply", "--auto-approve"])
            .env("GITHUB_REPOSITORY", &self.repo);
        assert_eq!(run(&mut cmd).code, 0);
    }

    /// The command line in the repository's folder: the same stack as the action's.
    fn cli(&self, args: &[&str]) -> Run {
        run(self
            .aws
            .bin(self.dir.path())
            .args(args)
            .env("GITHUB_REPOSITORY", &self.repo))
    }

    /// The run's exit code and `result` output.
    fn expect(&self, r: &Run, code: i32, result: &str) {
        assert_eq!(
            (r.code, self.outputs()["result"].as_str()),
            (code, result),
            "{}\n{}",
            r.stdout,
            r.stderr
        );
    }

    /// Neither the token nor the AWS secret appears anywhere but in the mask command.
    fn assert_no_secret(&self, r: &Run) {
        for secret in [TOKEN, AWS_SECRET] {
            let leaks: Vec<&str> = r
                .stdout
                .lines()
                .chain(r.stderr.lines())
                .filter(|l| l.contains(secret) && !l.starts_with("::add-mask::"))
                .collect();
            assert!(leaks.is_empty(), "secret in the log: {leaks:?}");
            for f in ["output", "summary", "event.json", "sagemaker-autoscale-plan.json"] {
                assert!(
                    !fs::read_to_string(self.path(f))
                        .unwrap_or_default()
                        .contains(secret),
                    "secret in {f}"
                );
            }
        }
        assert!(
            r.stdout.contains(&format!("::add-mask::{TOKEN}")),
            "the token is masked first"
        );
    }
}

fn pr_event(repo: &str, fork: bool) -> Value {
    let head_repo = if fork { "someone/models-fork" } else { repo };
    json!({
        "number": 7,
        "pull_request": {"number": 7, "head": {"sha": SHA, "repo": {"full_name": head_repo, "fork": fork}},
                         "base": {"ref": "main", "repo": {"full_name": repo}}},
        "repository": {"default_branch": "main", "full_name": repo}
    })
}

fn marker(body: &str) -> Value {
    let first = body.lines().next().unwrap_or_default();
    let json = first
        .strip_prefix("<!-- sagemaker-autoscale ")
        .and_then(|s| s.strip_suffix(" -->"))
        .expect("marker");
    serde_json::from_str(json).expect("marker json")
}

#[test]
fn a_pull_request_gets_one_sticky_comment_that_follows_the_config() {
    let a = Action::new(SEED);
    // Someone else's comment, even with our marker copied in, is never edited.
    let copied = json!({"repo": a.repo, "issue": 7, "login": "mallory",
        "body": "<!-- sagemaker-autoscale {\"v\":1,\"config\":\"autoscaling.toml\",\"fingerprint\":\"x\",\"status\":\"planned\"} -->\nhi"});
    http(
        "POST",
        github().fake_port,
        "/_fake/comment",
        Some(&copied.to_string()),
    );

    let r = a.pr(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let ours: Vec<Value> = a
        .comments()
        .into_iter()
        .filter(|c| c["user"]["login"] == "github-actions[bot]")
        .collect();
    assert_eq!(ours.len(), 1);
    let body = ours[0]["body"].as_str().unwrap_or_default();
    let m = marker(body);
    assert_eq!(
        (m["config"].as_str(), m["status"].as_str()),
        (Some("autoscaling.toml"), Some("planned"))
    );
    assert_contains(body, "🟡 **Planned**: applies when merged to `main`.");
    assert_contains(body, "**Plan: 4 to add, 0 to change, 0 to destroy.**");
    assert_contains(
        body,
        &format!("Commit [`0123456`](https://github.com/{}/commit/{SHA})", a.repo),
    );
    let outputs = a.outputs();
    assert_eq!(outputs["has-changes"], "true");
    assert_eq!(
        (
            outputs["add"].as_str(),
            outputs["change"].as_str(),
            outputs["destroy"].as_str()
        ),
        ("4", "0", "0")
    );
    assert_eq!(
        outputs["fingerprint"],
        m["fingerprint"].as_str().unwrap_or_default()
    );
    assert_eq!(outputs["result"], "planned");
    assert_eq!(
        outputs["comment-url"],
        ours[0]["html_url"].as_str().unwrap_or_default()
    );
    let plan: Value =
        serde_json::from_str(&fs::read_to_string(&outputs["plan-json"]).expect("plan file")).expect("json");
    assert_eq!(plan["fingerprint"], m["fingerprint"]);
    assert_contains(&a.summary(), "Plan: 4 to add");
    assert_eq!(
        a.aws.writes(),
        Vec::<String>::new(),
        "a pull request never writes to AWS"
    );

    // Same config: the same comment is edited, not a second one.
    let r = a.pr(&[]);
    assert_eq!(r.code, 0);
    let again: Vec<Value> = a
        .comments()
        .into_iter()
        .filter(|c| c["user"]["login"] == "github-actions[bot]")
        .collect();
    assert_eq!((again.len(), &again[0]["id"]), (1, &ours[0]["id"]));

    // A changed config changes the text and the fingerprint of that one comment.
    a.config(&SEED.replace("max_capacity = 4", "max_capacity = 5"));
    assert_eq!(a.pr(&[]).code, 0);
    let changed: Vec<Value> = a
        .comments()
        .into_iter()
        .filter(|c| c["user"]["login"] == "github-actions[bot]")
        .collect();
    assert_eq!(changed.len(), 1);
    assert_ne!(
        marker(changed[0]["body"].as_str().unwrap_or_default())["fingerprint"],
        m["fingerprint"]
    );
    let theirs = a
        .comments()
        .into_iter()
        .find(|c| c["user"]["login"] == "mallory")
        .expect("theirs");
    assert!(
        theirs["body"].as_str().unwrap_or_default().ends_with("\nhi"),
        "untouched"
    );
}

/// A failed apply says what failed first: the job summary's first words, and a caution block at
/// the top of the comment naming the endpoint, the object and AWS's error.
#[test]
fn a_failed_merge_apply_names_what_failed_first() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    a.merged_pr();
    a.aws.fault("PutMetricAlarm", 400, "ValidationError", 1, 0);
    let r = a.push(&[]);
    a.expect(&r, 1, "apply-failed");
    let summary = a.summary();
    assert_contains(
        &summary,
        "### sagemaker-autoscale: `autoscaling.toml`\n\n❌ **Apply failed**: 1 failed",
    );
    let comment = a.comments().into_iter().next().expect("comment");
    let body = comment["body"].as_str().unwrap_or_default();
    let caution = body
        .find("**1 change failed**")
        .expect("a caution block names the failure");
    let table = body
        .find("| outcome | object | what |")
        .expect("the outcome table");
    assert!(caution < table, "the failure comes before the tables:\n{body}");
    assert_contains(
        body,
        "> - infer-endpoint-c356f91 · AllTraffic: **+** alarm `infer-endpoint-c356f91-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy`: ",
    );
    assert_contains(body, "| ❌&nbsp;**failed** | **+** alarm");
}

#[test]
fn a_merge_applies_the_reviewed_plan_and_marks_the_comment() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    a.merged_pr();
    let r = a.push(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.outputs()["result"], "applied");
    assert_contains(
        &a.summary(),
        "✅ **Applied**. Guarded: this is the plan reviewed in the pull request.",
    );
    let comment = a.comments().into_iter().next().expect("comment");
    let body = comment["body"].as_str().unwrap_or_default();
    assert_eq!(marker(body)["status"], "applied");
    assert_contains(
        body,
        "✅ **Applied**: merged in #7; [this run](https://github.com/",
    );
    // The review is not erased by the apply: both are in the history, each with its run.
    let history = body
        .lines()
        .find(|l| l.starts_with("<sub>History: planned "))
        .unwrap_or_else(|| panic!("a history line:\n{body}"));
    assert_contains(history, " UTC ([run](https://github.com/");
    assert_contains(history, " → applied ");
    assert_contains(
        body,
        "| **+** alarm `infer-endpoint-c356f91-AllTraffic-HasBacklogWithoutCapacity-ScalingPolicy` |",
    );
    assert_eq!(
        body.matches("&nbsp;applied |").count(),
        4,
        "each change's outcome: {body}"
    );
    let r = a.cli(&["plan", "--detailed-exitcode"]);
    assert_eq!(r.code, 0, "converged:\n{}", r.stdout);

    // The same merge again (a re-run): nothing left; the comment keeps the apply's record and
    // its history says the job ran again.
    let r = a.push(&[]);
    a.expect(&r, 0, "no-changes");
    let again = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_keeps_apply_record(&again, body);
}

/// `now` is the applied comment `applied` with one more history entry, a re-run of the
/// merge's job: the status, outcomes and footer are the apply's, word for word.
fn assert_keeps_apply_record(now: &str, applied: &str) {
    let below = |b: &str| {
        b.split_once("</sub>\n\n")
            .map(|(_, rest)| rest.to_string())
            .unwrap_or_default()
    };
    assert_eq!(marker(now)["status"], "applied", "{now}");
    assert_eq!(below(now), below(applied), "the apply's record stays");
    let status = |b: &str| b.lines().find(|l| l.starts_with("✅")).map(str::to_string);
    assert_eq!(status(now), status(applied));
    let history = now
        .lines()
        .find(|l| l.starts_with("<sub>History: "))
        .unwrap_or_default();
    assert!(
        stable(history).ends_with(
            " → applied YYYY-MM-DD hh:mm UTC ([run](https://github.com/acme/models-N/actions/runs/4242)) → re-run, nothing left to apply YYYY-MM-DD hh:mm UTC ([run](https://github.com/acme/models-N/actions/runs/4242))</sub>"
        ),
        "the re-run is in the history: {history}"
    );
}

#[test]
fn a_merge_with_nothing_left_to_apply_says_so_on_the_planned_comment() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    // AWS already matches before the merge (say, a re-apply ran first).
    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    a.merged_pr();
    let r = a.push(&[]);
    a.expect(&r, 0, "no-changes");
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_contains(
        &body,
        "✅ **No changes**: merged in #7; AWS already matched the config",
    );
}

#[test]
fn a_merge_is_refused_when_aws_changed_after_review() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    a.merged_pr();
    // Someone applies a different config by hand after the review.
    a.apply_by_hand(&SEED.replace("max_capacity = 4", "max_capacity = 9"));
    let writes = a.aws.writes().len();

    let r = a.push(&[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "::error::refusing to apply: today's plan differs from the plan reviewed on #7",
    );
    assert_eq!(a.aws.writes().len(), writes, "zero AWS writes when refused");
    assert_eq!(a.outputs()["result"], "refused");
    assert_contains(&a.summary(), "**Not applied.**");
    assert!(
        a.summary()
            .contains("| 🆕 new | **~** scalable target · infer-endpoint-c356f91 · AllTraffic |"),
        "the difference is named: {}",
        a.summary()
    );

    // Opting out applies anyway.
    let r = a.push(&[("INPUT_REQUIRE-REVIEWED-PLAN", "false")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_push_without_a_reviewed_plan_is_refused() {
    let a = Action::new(SEED);
    let r = a.push(&[]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stdout, "did not come from a pull request");
    assert_eq!(a.aws.writes(), Vec::<String>::new());
}

#[test]
fn workflow_dispatch_reapplies_without_a_guard() {
    let a = Action::new(SEED);
    let r = a.run(
        "workflow_dispatch",
        json!({"repository": {"default_branch": "main"}}),
        &[],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&a.summary(), "not guarded by a reviewed plan");
    assert_eq!(a.cli(&["plan", "--detailed-exitcode"]).code, 0);
    let r = a.run("workflow_dispatch", json!({}), &[("INPUT_MODE", "plan")]);
    assert_eq!((r.code, a.outputs()["result"].as_str()), (0, "no-changes"));
}

#[test]
fn a_scheduled_drift_check_opens_then_closes_one_issue() {
    let a = Action::new(SEED);
    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    a.apply_by_hand(&SEED.replace("max_capacity = 4", "max_capacity = 2"));
    let schedule = |a: &Action| {
        a.run(
            "schedule",
            json!({"schedule": "0 6 * * *"}),
            &[("INPUT_DRIFT-ISSUE", "true")],
        )
    };
    let r = schedule(&a);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(a.outputs()["result"], "drift");
    let issues = a.issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0]["state"], "open");
    assert!(
        issues[0]["body"]
            .as_str()
            .unwrap_or_default()
            .contains("capacity: 0..2 → 0..4"),
        "{issues:?}"
    );

    assert_eq!(schedule(&a).code, 1);
    assert_eq!(a.issues().len(), 1, "updated, not a second issue");

    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    let r = schedule(&a);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(a.outputs()["result"], "no-drift");
    assert_eq!(a.issues()[0]["state"], "closed");
}

#[test]
fn a_fork_pull_request_with_a_read_only_token_warns_and_keeps_the_plan() {
    let a = Action::new(SEED);
    a.github_fault(
        "POST",
        "/issues/7/comments",
        403,
        "Resource not accessible by integration",
        json!({}),
        10,
    );
    let r = a.run("pull_request", pr_event(&a.repo, true), &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, "::warning::could not comment the plan on #7");
    assert_contains(&a.summary(), "Plan: 4 to add");

    // And without AWS credentials (a fork gets no secrets): a warning, not a failure.
    let r = a.pr_without_aws_credentials(&pr_event(&a.repo, true));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stdout,
        "::warning::cannot plan against AWS: no usable AWS credentials",
    );
}

#[test]
fn github_errors_are_retried_then_reported() {
    let a = Action::new(SEED);
    a.github_fault("POST", "/issues/7/comments", 502, "Bad Gateway", json!({}), 1);
    a.github_fault(
        "GET",
        "/issues/7/comments",
        403,
        "API rate limit exceeded",
        json!({"Retry-After": "1"}),
        1,
    );
    let r = a.pr(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.comments().len(), 1);

    a.github_fault("GET", "/issues/7/comments", 500, "boom", json!({}), 5);
    let r = a.pr(&[]);
    assert_eq!(r.code, 1);
    assert_contains(
        &r.stdout,
        "::error::could not comment the plan on #7: GitHub answered 500",
    );
    assert!(
        a.summary().contains("Plan: 4 to add"),
        "the plan is never lost: {}",
        a.summary()
    );
}

#[test]
fn alike_endpoints_past_ten_are_one_row_and_one_details_block() {
    let many: String = (0..30)
        .map(|i| format!("[[endpoint]]\nname = \"ep-{i:02}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n"))
        .chain(std::iter::once(
            "[[endpoint]]\nname = \"ep-odd\"\nmax_capacity = 5\npreset = \"async-cpu\"\n".to_string(),
        ))
        .collect();
    let a = Action::new(&many);
    a.expect(&a.pr(&[]), 0, "planned");
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_contains(
        &body,
        "| 30 endpoints alike: ep-00 · AllTraffic … ep-29 · AllTraffic | new: 0..4 each | 4 | 0 | 0 |",
    );
    assert_contains(&body, "| ep-odd · AllTraffic | new: 0..5 | 4 | 0 | 0 |");
    assert_contains(
        &body,
        "<summary><b>30 endpoints alike</b>: 4 to add each</summary>",
    );
    assert_contains(&body, "ep-17 · AllTraffic, ep-18 · AllTraffic");
    assert_contains(&body, "Each changes as ep-00 · AllTraffic does:");
    assert_eq!(body.matches("<details").count(), 2, "two blocks, not 31:\n{body}");
    assert!(!body.contains("do not fit"), "{body}");
}

#[test]
fn a_200_endpoint_plan_fits_a_comment_with_its_status_totals_fingerprint_and_footer() {
    let many: String = (0..200)
        // Each its own max_capacity: no two alike, so none is grouped.
        .map(|i| format!("[[endpoint]]\nname = \"endpoint-with-a-long-name-{i:03}\"\nvariant = \"variant-with-a-long-name\"\nmax_capacity = {}\npreset = \"async-cpu\"\n\n", i + 1))
        .collect();
    let a = Action::new(&many);
    let r = a.pr(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert!(body.chars().count() < 65_536, "{}", body.len());
    assert!(body.starts_with("<!-- sagemaker-autoscale "), "the marker");
    assert_contains(&body, "🟡 **Planned**: applies when merged to `main`.");
    assert_contains(&body, "**Plan: 800 to add, 0 to change, 0 to destroy.**");
    // The preset's one warning, once with its count and a link to its first line at the PR's
    // head commit, not 200 times.
    assert_eq!(body.matches("summed-across-cores").count(), 1, "{body}");
    assert_contains(
        &body,
        &format!(
            "> - `summed-across-cores` ×200: CPUUtilization is the sum over all vCPUs of an instance (0 to 100 x vCPUs): 50 means 50% of one vCPU ([autoscaling.toml:6](https://github.com/{}/blob/{SHA}/autoscaling.toml#L6))",
            a.repo
        ),
    );
    assert_contains(
        &body,
        &format!("<sub>Fingerprint `{}`</sub>", a.outputs()["fingerprint"]),
    );
    assert_contains(&body, "<sub>Commit [`0123456`]");
    assert_contains(
        &body,
        "do not fit here; the whole plan is in the job summary of [this run](https://github.com/acme/models-",
    );
    assert!(
        body.find("do not fit here") < body.find("| endpoint | capacity |"),
        "the note is read before the overview"
    );
    // Every endpoint is in the overview or named in the note; the last one's details are not here.
    for i in [0, 100, 199] {
        assert_contains(&body, &format!("endpoint-with-a-long-name-{i:03}"));
    }
    assert!(!body.contains("<summary><b>endpoint-with-a-long-name-199"));
    let summary = a.summary();
    assert!(
        summary.len() < 1_000_000,
        "the job summary stays under GitHub's 1 MiB: {}",
        summary.len()
    );
    assert_contains(
        &summary,
        "<summary><b>endpoint-with-a-long-name-199 · variant-with-a-long-name</b>",
    );
    snap("planned_large", &a);
}

#[test]
fn an_invalid_config_annotates_fails_and_marks_the_comment_without_touching_aws() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    let planned = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    let calls = a.aws.calls().len();

    a.config(&SEED.replace("max_capacity = 4", "max_capcity = 4"));
    let r = a.pr(&[]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stderr, "::error file=autoscaling.toml,line=4,col=1");
    assert_eq!(a.outputs()["result"], "invalid");
    assert_eq!(a.aws.calls().len(), calls, "no AWS call for an invalid config");
    let comments = a.comments();
    assert_eq!(comments.len(), 1, "the same comment, edited");
    let body = comments[0]["body"].as_str().unwrap_or_default();
    assert_eq!(marker(body)["status"], "invalid");
    assert_eq!(marker(body)["fingerprint"], "none", "no plan can match it");
    assert_contains(body, "❌ **Invalid**: 1 error(s) in `autoscaling.toml`");
    assert_contains(body, "- `autoscaling.toml:4:1` **error[unknown-key]**");
    assert_contains(body, "Outdated: the plan of an earlier commit");
    assert_contains(body, "**Plan: 4 to add, 0 to change, 0 to destroy.**");
    assert!(
        !body.contains("applies when merged"),
        "the old status line is gone: {body}"
    );
    assert_ne!(body, planned);

    // A merge of it applies nothing: the comment's plan is no plan.
    a.merged_pr();
    let r = a.push(&[]);
    assert_eq!(r.code, 1);
    assert_eq!(a.outputs()["result"], "invalid");
}

/// The longest run of hex digits in `s`.
fn longest_hex_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

#[test]
fn a_refused_apply_says_so_on_the_reviewed_comment() {
    let a = Action::new(SEED);
    assert_eq!(a.pr(&[]).code, 0);
    a.merged_pr();
    a.apply_by_hand(&SEED.replace("max_capacity = 4", "max_capacity = 9"));
    assert_eq!(a.push(&[]).code, 1);
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_eq!(marker(&body)["status"], "refused");
    assert_contains(
        &body,
        "⛔ **Not applied**: today's plan differs from the plan reviewed on #7",
    );
    assert_contains(&body, "Nothing was changed in AWS.");
    assert_contains(&body, "Today's plan, which was not applied:");
    // What differs, as a small table; fingerprints short enough to compare by eye.
    assert_contains(&body, "| since the review | change |");
    // In the tables' words: symbol, object, `endpoint · variant`; no resource ids.
    assert_contains(
        &body,
        "| 🆕 new | **~** scalable target · infer-endpoint-c356f91 · AllTraffic |",
    );
    assert_contains(
        &body,
        "| ➖ gone | **+** scaling policy `CPUUtil-ScalingPolicy` · infer-endpoint-c356f91 · AllTraffic |",
    );
    let status = body.lines().find(|l| l.starts_with("⛔")).expect("status line");
    assert!(
        longest_hex_run(status) <= 12,
        "no full fingerprint in the status line: {status}"
    );
}

#[test]
fn the_github_standin_holds_both_sides_to_githubs_published_contract() {
    let gh = github();
    // A request GitHub would reject (a comment needs a body) never reaches the fake.
    let (status, head, body) = request(
        "POST",
        gh.api_port,
        "/repos/acme/contract/issues/1/comments",
        Some("{}"),
    );
    assert_eq!(status, 422, "{head}");
    assert!(body.contains("must have required property 'body'"), "{body}");
    // A response that breaks GitHub's schema becomes an error instead of passing as valid.
    let fault = json!([{"method": "POST", "path": "^/repos/acme/contract/issues/2/comments", "status": 201, "message": "not a comment", "times": 1}]);
    http("POST", gh.fake_port, "/_fake/faults", Some(&fault.to_string()));
    let (status, head, _) = request(
        "POST",
        gh.api_port,
        "/repos/acme/contract/issues/2/comments",
        Some(r#"{"body":"x"}"#),
    );
    assert_eq!(status, 500, "{head}");
    assert!(
        head.contains("Response body must have required property"),
        "{head}"
    );
}

#[test]
fn a_fingerprint_forged_in_someone_elses_comment_does_not_unlock_an_apply() {
    let a = Action::new(SEED);
    // Learn today's fingerprint the way anyone with read access could, then post it as another user.
    let r = a.cli(&["plan", "--json"]);
    let fingerprint = serde_json::from_str::<Value>(&r.stdout).expect("plan")["fingerprint"].clone();
    let forged = json!({"repo": a.repo, "issue": 7, "login": "mallory", "body": format!(
        "<!-- sagemaker-autoscale {} -->\nlooks reviewed",
        json!({"v": 1, "config": "autoscaling.toml", "fingerprint": fingerprint, "status": "planned", "changes": []})
    )});
    http(
        "POST",
        github().fake_port,
        "/_fake/comment",
        Some(&forged.to_string()),
    );
    a.merged_pr();
    let r = a.push(&[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "has no sagemaker-autoscale plan comment");
    assert_eq!(a.aws.writes(), Vec::<String>::new());
}

#[test]
fn a_missing_pull_request_is_a_clear_failure_that_keeps_the_plan() {
    let a = Action::new(SEED);
    a.github_fault("GET", "/issues/7/comments", 404, "Not Found", json!({}), 1);
    let r = a.pr(&[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(
        &r.stdout,
        "::error::could not comment the plan on #7: GitHub answered 404",
    );
    assert_contains(&r.stdout, "hint: check GITHUB_REPOSITORY");
    assert_contains(&a.summary(), "Plan: 4 to add");
}

#[test]
fn a_pull_request_never_applies_even_when_asked() {
    let a = Action::new(SEED);
    let r = a.pr(&[("INPUT_MODE", "apply")]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stdout, "::error::input `mode: apply` on a pull request");
    assert!(a.aws.calls().is_empty(), "not even a read");
}

#[test]
fn simulate_true_adds_the_comparison_and_its_chart_to_the_plan_comment() {
    let a = Action::new(SEED);
    let r = a.pr(&[
        ("INPUT_SIMULATE", "true"),
        ("INPUT_SIMULATE-DAYS", "1"),
        ("INPUT_INSTANCE-PRICE", "1.25"),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let comments = a.comments();
    let body = comments[0]["body"].as_str().unwrap_or_default();
    assert!(body.contains("**Plan: 4 to add"), "{body}");
    assert!(body.contains("### Simulation"), "{body}");
    // A new endpoint has no metrics: said first, near the top, and no flat chart drawn.
    assert_contains(
        body,
        "**Simulation**: no metrics in the last 1 day(s), nothing to compare.",
    );
    let near_top = body.find("**Simulation**").expect("headline");
    assert!(near_top < body.find("**Plan:").expect("totals"), "{body}");
    assert_contains(body, "> **No metrics** in the last 1 day(s)");
    assert!(!body.contains("```mermaid"), "no empty chart:\n{body}");
    assert_contains(&a.summary(), "### Simulation");

    let r = a.pr(&[("INPUT_SIMULATE", "true"), ("INPUT_SIMULATE-DAYS", "40")]);
    assert_eq!(
        r.code, 0,
        "a bad simulation input never fails the plan:\n{}",
        r.stdout
    );
    assert_contains(&r.stdout, "::warning::simulation skipped");
}

#[test]
fn a_target_the_tool_cannot_represent_is_named_in_the_comment_and_fails_the_run() {
    use aws_sdk_applicationautoscaling::types as aas;
    let other = "[[endpoint]]\nname = \"other-endpoint\"\nmax_capacity = 2\npreset = \"async-cpu\"\n";
    let a = Action::new(&format!("{SEED}{other}"));
    let rid = "endpoint/infer-endpoint-c356f91/variant/AllTraffic";
    crate::common::block_on(async {
        let (client, _) = a.aws.clients().await;
        crate::common::register(&client, rid, 0, 4).await;
        let future = aas::MetricType::from("SageMakerVariantTokensPerSecondPerInstance");
        let key = (rid, aas::ScalableDimension::SageMakerVariantDesiredInstanceCount);
        crate::common::put_predefined_tracking(&client, key, "future-metric", future, 5.0, None).await;
    });
    let r = a.pr(&[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_contains(&r.stdout, &format!("::error::{rid} is left out of this plan"));
    assert_eq!(a.outputs()["result"], "planned");
    let comments = a.comments();
    let body = comments[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("is left out of this plan") && body.contains("other-endpoint"),
        "{body}"
    );
    // The risk is in the status line, not only further down.
    assert_contains(
        body,
        "🔴 **Planned, but 1 target left out** (the run fails until it can be planned)",
    );
    // Named as the tables name endpoints, not by its resource id.
    assert_contains(
        body,
        "> [!CAUTION]\n> **infer-endpoint-c356f91 · AllTraffic** is left out of this plan: policy",
    );
    snap("planned_blocked", &a);
    // With nothing else to change, it is still not a green "no changes".
    a.config(SEED);
    assert_eq!(a.pr(&[]).code, 1);
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_contains(&body, "🔴 **No changes, but 1 target left out**");
}

const OTHER: &str = "[[endpoint]]\nname = \"other-ep\"\nmax_capacity = 2\npreset = \"async-cpu\"\n";
const OTHER_RID: &str = "endpoint/other-ep/variant/AllTraffic";
const BASE_SHA: &str = "fedcba9876543210fedcba9876543210fedcba98";

/// A bound a schedule owns that neither the config nor a schedule explains is drift the check
/// counts: the job fails and the issue says so, though apply would leave the bound as it is.
#[test]
fn a_drifted_bound_a_schedule_owns_fails_the_drift_check_and_opens_the_issue() {
    let config = format!(
        "{SEED}\n[[endpoint.schedule]]\nname = \"office-hours\"\nschedule = \"cron(0 8 ? * MON-FRI *)\"\ntimezone = \"Europe/Berlin\"\nmin_capacity = 2\n"
    );
    let a = Action::new(&config);
    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    let monday = "2030-01-07T07:30:00Z"; // office-hours ran at 08:00 in Berlin: min 2
    a.aws.set_clock(monday);
    crate::common::block_on(async {
        let (aas, _) = a.aws.clients().await;
        crate::common::register(&aas, "endpoint/infer-endpoint-c356f91/variant/AllTraffic", 3, 4).await;
    });
    let at_monday = [("INPUT_DRIFT-ISSUE", "true"), ("SAGEMAKER_AUTOSCALE_NOW", monday)];
    let r = a.run("schedule", json!({"schedule": "0 6 * * *"}), &at_monday);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.outputs()["result"], "drift");
    assert_contains(&r.stdout, "1 capacity bound drifted where a schedule owns it");
    let issues = a.issues();
    let body = issues[0]["body"].as_str().unwrap_or_default();
    assert_contains(
        body,
        "is 3, which neither the config nor any scheduled action sets",
    );
    assert_contains(body, "Apply leaves a bound that a scheduled action owns");
}

impl Action {
    /// The config as the base commit holds it, served by the GitHub fake's contents API.
    fn config_at_base(&self, text: &str) {
        let body = json!({"repo": self.repo, "ref": BASE_SHA, "path": "autoscaling.toml",
                          "text": format!("region = \"{}\"\n{text}", self.aws.region)});
        http("POST", github().fake_port, "/_fake/file", Some(&body.to_string()));
    }

    fn pr_on_base(&self) -> Run {
        let mut event = pr_event(&self.repo, false);
        event["pull_request"]["base"]["sha"] = BASE_SHA.into();
        self.run("pull_request", event, &[])
    }

    fn push_after_base(&self, extra: &[(&str, &str)]) -> Run {
        let event = json!({"ref": "refs/heads/main", "before": BASE_SHA,
                           "repository": {"default_branch": "main", "full_name": self.repo}});
        self.run("push", event, extra)
    }

    fn dispatch(&self, extra: &[(&str, &str)]) -> Run {
        self.run(
            "workflow_dispatch",
            json!({"repository": {"default_branch": "main"}}),
            extra,
        )
    }
}

#[test]
fn an_endpoint_removed_in_a_pull_request_is_destroyed_on_merge_only_as_reviewed() {
    let both = format!("{SEED}{OTHER}");
    let a = Action::new(&both);
    let r = a.dispatch(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    a.config_at_base(&both);
    a.config(SEED);

    let r = a.pr_on_base();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        a.outputs()["destroy"],
        "4",
        "target, two policies and the alarm:\n{}",
        r.stdout
    );
    let comment = a.comments().into_iter().next().expect("comment");
    let body = comment["body"].as_str().unwrap_or_default();
    assert_contains(body, OTHER_RID);
    assert_contains(body, "0 to add, 0 to change, 4 to destroy");

    // Not reviewed (no pull request for this commit): refused even with the guard off.
    let writes = a.aws.writes().len();
    let r = a.push_after_base(&[("INPUT_REQUIRE-REVIEWED-PLAN", "false")]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_contains(&r.stdout, "does not cover destroys");
    assert_eq!(a.aws.writes().len(), writes, "nothing written");

    a.merged_pr();
    let r = a.push_after_base(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.outputs()["result"], "applied");
    let writes = a.aws.writes();
    assert!(
        writes.iter().any(|w| w == "DeregisterScalableTarget"),
        "{writes:?}"
    );
    // The alarm and the target were sent; AWS deleted the two policies with the target.
    let comment = a.comments().into_iter().next().expect("comment");
    assert_contains(
        comment["body"].as_str().unwrap_or_default(),
        "applied all 2 change(s), 2 removed with their target, and AWS now matches the config.",
    );
    let r = a.cli(&["plan", "--detailed-exitcode", "--scan"]);
    assert_eq!(r.code, 0, "converged, nothing else of this stack:\n{}", r.stdout);
}

#[test]
fn the_drift_check_scans_for_targets_of_this_stack_the_config_no_longer_names() {
    let a = Action::new(&format!("{SEED}{OTHER}"));
    assert_eq!(a.dispatch(&[]).code, 0);
    // The endpoint left the config without a reviewed pull request (say, a direct push).
    a.config(SEED);
    let r = a.run("schedule", json!({}), &[]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(a.outputs()["result"], "drift");
    assert_contains(&a.summary(), "other-ep · AllTraffic");
    // A re-apply does not destroy what nobody reviewed.
    let r = a.dispatch(&[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.outputs()["result"], "no-changes");
}

#[test]
fn mode_detach_removes_the_named_endpoints_scaling_and_a_reapply_restores_it() {
    let a = Action::new(&format!("{SEED}{OTHER}"));
    assert_eq!(a.dispatch(&[]).code, 0);
    let r = a.dispatch(&[("INPUT_MODE", "detach"), ("INPUT_ENDPOINTS", "other-ep")]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(a.outputs()["result"], "applied");
    assert_contains(&a.summary(), "`mode: detach`: the next apply");
    assert_contains(
        &r.stdout,
        &format!("* - scalable_target {OTHER_RID} sagemaker:variant:DesiredInstanceCount: applied"),
    );
    let r = a.cli(&["plan", "--json"]);
    let plan: Value = serde_json::from_str(&r.stdout).expect("plan json");
    assert_eq!(plan["summary"]["add"], 4, "{plan:#}");
    assert!(
        plan["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .all(|c| c["resource_id"] == OTHER_RID),
        "only the detached endpoint: {plan:#}"
    );
    assert_eq!(a.dispatch(&[]).code, 0);
    assert_eq!(a.cli(&["plan", "--detailed-exitcode"]).code, 0);

    for (extra, expected) in [
        (vec![("INPUT_MODE", "detach")], "needs the `endpoints` input"),
        (
            vec![("INPUT_MODE", "detach"), ("INPUT_ENDPOINTS", "other-epp")],
            "did you mean `other-ep`?",
        ),
    ] {
        let r = a.dispatch(&extra);
        assert_eq!(r.code, 1);
        assert_contains(&r.stdout, expected);
    }
    let r = a.run(
        "pull_request",
        pr_event(&a.repo, false),
        &[("INPUT_MODE", "detach"), ("INPUT_ENDPOINTS", "other-ep")],
    );
    assert_eq!(r.code, 1);
    assert_contains(&r.stdout, "a pull request never writes to AWS");
}

#[test]
fn a_target_tagged_by_another_stack_is_drift_that_a_reapply_repairs() {
    let a = Action::new(SEED);
    // Applied from a laptop without `stack` or GITHUB_REPOSITORY: stack "autoscaling.toml".
    assert_eq!(
        run(a.aws.bin(a.dir.path()).args(["apply", "--auto-approve"])).code,
        0
    );
    let r = a.run("schedule", json!({}), &[]);
    a.expect(&r, 1, "drift");
    assert_contains(
        &r.stdout,
        "tags.sagemaker-autoscale:stack: \"autoscaling.toml\" -> ",
    );
    let r = a.dispatch(&[]);
    a.expect(&r, 0, "applied");
    let r = a.run("schedule", json!({}), &[]);
    a.expect(&r, 0, "no-drift");
}

// Events as GitHub sends them: the community's recorded payloads (tests/fixtures/events, from
// npm @octokit/webhooks-examples) in the environment GitHub documents for each event, one test
// per row of docs/action.md's event matrix.

/// The fixtures' default branch tip (`after` of push.default-branch.json): GITHUB_SHA of every
/// event GitHub runs on the default branch.
const DEFAULT_HEAD: &str = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
/// The pull request of the pull_request fixtures.
const FIXTURE_PR: u64 = 2;

fn fixture(name: &str) -> Value {
    let path = crate::repo().join("tests/fixtures/events").join(name);
    serde_json::from_str(&fs::read_to_string(&path).expect("fixture")).expect("fixture json")
}

/// GITHUB_REF and GITHUB_SHA as "Events that trigger workflows" documents them for the event
/// (https://docs.github.com/en/actions/reference/workflows-and-actions/events-that-trigger-workflows),
/// and the variables the "Variables" reference derives from them
/// (https://docs.github.com/en/actions/reference/workflows-and-actions/variables).
fn documented_env(event_name: &str, event: &Value) -> Vec<(&'static str, String)> {
    let default = event["repository"]["default_branch"].as_str().unwrap_or_default();
    let on_default = (format!("refs/heads/{default}"), DEFAULT_HEAD.to_string());
    let pr = &event["pull_request"];
    let (git_ref, sha) = match event_name {
        // "Tip commit pushed to the ref. When you delete a branch, the SHA in the workflow run
        // (and its associated refs) reverts to the default branch of the repository."
        "push" if event["deleted"] == true => on_default,
        "push" => (
            event["ref"].as_str().unwrap_or_default().to_string(),
            event["after"].as_str().unwrap_or_default().to_string(),
        ),
        // "If a pull request was closed as a result of being merged, it will be the fully
        // qualified ref of the branch it was merged into"; else the PR merge branch.
        "pull_request" if pr["merged"] == true => (
            format!("refs/heads/{}", pr["base"]["ref"].as_str().unwrap_or_default()),
            pr["merge_commit_sha"].as_str().unwrap_or_default().to_string(),
        ),
        "pull_request" => (
            format!("refs/pull/{}/merge", pr["number"]),
            pr["merge_commit_sha"].as_str().unwrap_or(SHA).to_string(),
        ),
        // "Branch or tag that received dispatch".
        "workflow_dispatch" => (
            event["ref"].as_str().unwrap_or_default().to_string(),
            DEFAULT_HEAD.to_string(),
        ),
        // "Tag ref of release refs/tags/<tag_name>".
        "release" => (
            format!(
                "refs/tags/{}",
                event["release"]["tag_name"].as_str().unwrap_or_default()
            ),
            DEFAULT_HEAD.to_string(),
        ),
        // pull_request_target, schedule, issue_comment, ...: the default branch.
        _ => on_default,
    };
    let (ref_type, ref_name) = match git_ref.strip_prefix("refs/tags/") {
        Some(tag) => ("tag", tag.to_string()),
        None => (
            "branch",
            git_ref
                .strip_prefix("refs/heads/")
                .or_else(|| git_ref.strip_prefix("refs/pull/"))
                .unwrap_or(&git_ref)
                .to_string(),
        ),
    };
    let mut env = vec![
        ("GITHUB_REF", git_ref.clone()),
        ("GITHUB_SHA", sha),
        ("GITHUB_REF_NAME", ref_name),
        ("GITHUB_REF_TYPE", ref_type.to_string()),
    ];
    // "Only set when the event that triggers a workflow run is either pull_request or pull_request_target."
    if event_name.starts_with("pull_request") {
        env.push((
            "GITHUB_BASE_REF",
            pr["base"]["ref"].as_str().unwrap_or_default().to_string(),
        ));
        env.push((
            "GITHUB_HEAD_REF",
            pr["head"]["ref"].as_str().unwrap_or_default().to_string(),
        ));
    }
    env
}

impl Action {
    /// Runs the action on a recorded payload in its documented environment; `extra` last.
    fn event(&self, event_name: &str, name: &str, extra: &[(&str, &str)]) -> Run {
        let event = fixture(name);
        let env = documented_env(event_name, &event);
        let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(extra);
        self.run(event_name, event, &all)
    }

    /// The GitHub stand-in answers `sha`'s pull request (GET /repos/{repo}/commits/{sha}/pulls).
    fn pull_of(&self, sha: &str, number: u64, merged: bool) {
        let body = json!({"repo": self.repo, "sha": sha, "pulls": [{"number": number, "merged": merged}]});
        http(
            "POST",
            github().fake_port,
            "/_fake/pulls",
            Some(&body.to_string()),
        );
    }

    /// A pull request's run as a fork gets it: no AWS secrets (nor a token) in its environment,
    /// which GitHub documents for the event.
    fn pr_without_aws_credentials(&self, event: &Value) -> Run {
        fs::write(self.path("event.json"), event.to_string()).expect("event");
        run(self
            .aws
            .bin(self.dir.path())
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .envs(documented_env("pull_request", event))
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", self.path("event.json"))
            .env("GITHUB_REPOSITORY", &self.repo)
            .env("GITHUB_STEP_SUMMARY", self.path("summary"))
            .arg("action"))
    }

    fn comment_on(&self, pr: u64) -> String {
        let ours: Vec<Value> = self
            .comments()
            .into_iter()
            .filter(|c| c["_issue"] == pr && c["user"]["login"] == "github-actions[bot]")
            .collect();
        assert_eq!(ours.len(), 1, "one comment of ours on #{pr}: {ours:?}");
        ours[0]["body"].as_str().unwrap_or_default().to_string()
    }
}

/// A row of docs/action.md's event matrix: the event and payload, the inputs, and what the
/// run must do.
struct Row {
    event: &'static str,
    fixture: &'static str,
    inputs: &'static [(&'static str, &'static str)],
    exit: i32,
    result: &'static str,
    /// The start of the one notice or error the run prints.
    says: &'static str,
}

/// Rows of the matrix where the action neither reads nor writes AWS, with the one line it
/// prints, its exit code and its `result`.
#[test]
fn events_with_nothing_to_do_or_a_refused_write_never_reach_aws() {
    let a = Action::new(SEED);
    let rows = [
        Row {
            event: "push",
            fixture: "push.tag-deleted.json",
            inputs: &[],
            exit: 0,
            result: "skipped",
            says: "::notice::this push deleted `refs/tags/simple-tag`: there is nothing to plan or apply.",
        },
        Row {
            event: "push",
            fixture: "push.branch-deleted.json",
            inputs: &[],
            exit: 0,
            result: "skipped",
            says: "::notice::this push deleted `refs/heads/changes`: there is nothing to plan or apply.",
        },
        Row {
            event: "push",
            fixture: "push.branch-deleted.json",
            inputs: &[("INPUT_MODE", "apply")],
            exit: 0,
            result: "skipped",
            says: "::notice::this push deleted `refs/heads/changes`",
        },
        Row {
            event: "pull_request",
            fixture: "pull_request.closed-merged.json",
            inputs: &[],
            exit: 0,
            result: "skipped",
            says: "::notice::pull request #2 was merged: the push of the merge to `master` applies it",
        },
        Row {
            event: "issue_comment",
            fixture: "issue_comment.created.json",
            inputs: &[],
            exit: 0,
            result: "skipped",
            says: "::notice::event `issue_comment` is not one this action acts on (pull_request, pull_request_target, push, workflow_dispatch, schedule), so it did nothing",
        },
        Row {
            event: "release",
            fixture: "release.published.json",
            inputs: &[],
            exit: 0,
            result: "skipped",
            says: "::notice::event `release` is not one this action acts on",
        },
        Row {
            event: "workflow_dispatch",
            fixture: "workflow_dispatch.other-branch.json",
            inputs: &[],
            exit: 1,
            result: "refused",
            says: "::error::refusing to apply: `workflow_dispatch` runs apply only on the default branch `main`, whose config was reviewed when it merged; this run is on `refs/heads/changes`. Run it from `main`, or set `mode: plan` to preview this branch.",
        },
        Row {
            event: "workflow_dispatch",
            fixture: "workflow_dispatch.other-branch.json",
            inputs: &[
                ("INPUT_MODE", "detach"),
                ("INPUT_ENDPOINTS", "infer-endpoint-c356f91"),
            ],
            exit: 1,
            result: "refused",
            says: "::error::refusing to apply: `workflow_dispatch` runs detach only on the default branch `main`",
        },
        Row {
            event: "push",
            fixture: "push.tag-created.json",
            inputs: &[("INPUT_MODE", "apply")],
            exit: 1,
            result: "refused",
            says: "::error::refusing to apply: this push is to `refs/tags/simple-tag`, and only a push to the default branch `master` applies",
        },
        Row {
            event: "push",
            fixture: "push.other-branch.json",
            inputs: &[("INPUT_MODE", "apply")],
            exit: 1,
            result: "refused",
            says: "::error::refusing to apply: this push is to `refs/heads/changes`",
        },
    ];
    // Every row is checked; the failures are listed together.
    let mut wrong = Vec::new();
    for row in &rows {
        let before = a.aws.calls().len();
        let r = a.event(row.event, row.fixture, row.inputs);
        let outputs = a.outputs();
        let said: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("::notice::") || l.starts_with("::error::"))
            .collect();
        let calls = a.aws.calls().split_off(before);
        let ok = r.code == row.exit
            && outputs.get("result").map(String::as_str) == Some(row.result)
            && said.len() == 1
            && said[0].starts_with(row.says)
            && !r.stdout.contains("::group::Plan")
            && calls.is_empty();
        if !ok {
            wrong.push(format!(
                "{} {} {:?}: exit {}, result {:?}, said {said:?}, AWS calls {calls:?}",
                row.event,
                row.fixture,
                row.inputs,
                r.code,
                outputs.get("result")
            ));
        }
    }
    assert!(wrong.is_empty(), "rows not as documented:\n{}", wrong.join("\n"));
}

#[test]
fn a_merged_pull_request_keeps_its_applied_record_through_its_close_the_branch_deletion_and_a_rerun() {
    let a = Action::new(SEED);
    let r = a.event("pull_request", "pull_request.opened.json", &[]);
    a.expect(&r, 0, "planned");
    assert_contains(
        &a.comment_on(FIXTURE_PR),
        "🟡 **Planned**: applies when merged to `master`.",
    );
    a.pull_of(DEFAULT_HEAD, FIXTURE_PR, true);
    let r = a.event("push", "push.default-branch.json", &[]);
    a.expect(&r, 0, "applied");
    let applied = a.comment_on(FIXTURE_PR);
    assert_contains(&applied, "✅ **Applied**: merged in #2");
    let writes = a.aws.writes().len();

    // The merge closes the pull request; GitHub then deletes its branch; someone re-runs the push.
    for (event_name, name, result) in [
        ("pull_request", "pull_request.closed-merged.json", "skipped"),
        ("push", "push.branch-deleted.json", "skipped"),
    ] {
        let r = a.event(event_name, name, &[]);
        assert_eq!(
            (r.code, a.outputs()["result"].as_str()),
            (0, result),
            "{name}: {}",
            r.stdout
        );
        assert_eq!(
            a.comment_on(FIXTURE_PR),
            applied,
            "{name}: the comment is left as it is"
        );
    }
    let r = a.event("push", "push.default-branch.json", &[]);
    a.expect(&r, 0, "no-changes");
    assert_keeps_apply_record(&a.comment_on(FIXTURE_PR), &applied);
    assert_eq!(a.aws.writes().len(), writes, "nothing applied again");
}

#[test]
fn a_pull_request_closed_without_merging_says_so_and_plans_nothing() {
    let a = Action::new(SEED);
    assert_eq!(a.event("pull_request", "pull_request.opened.json", &[]).code, 0);
    let calls = a.aws.calls().len();
    let r = a.event("pull_request", "pull_request.closed.json", &[]);
    a.expect(&r, 0, "skipped");
    assert_contains(&r.stdout, "::notice::pull request #2 was closed without merging");
    let body = a.comment_on(FIXTURE_PR);
    assert_eq!(marker(&body)["status"], "closed");
    assert_eq!(marker(&body)["fingerprint"], "none", "no apply can match it");
    assert_contains(&body, "⚪ **Closed without merging**: nothing was applied");
    assert!(!body.contains("applies when merged"), "{body}");
    assert_contains(&body, "<summary>The last plan, which was never applied</summary>");
    assert_contains(&body, "**Plan: 4 to add, 0 to change, 0 to destroy.**");
    assert_eq!(a.aws.calls().len(), calls, "no AWS call");
    snap("closed", &a);

    // Reopened: planned again.
    let r = a.event("pull_request", "pull_request.opened.json", &[]);
    assert_eq!(r.code, 0);
    assert_eq!(marker(&a.comment_on(FIXTURE_PR))["status"], "planned");
}

#[test]
fn a_pull_request_into_another_branch_is_told_its_merge_applies_nothing() {
    let a = Action::new(SEED);
    let r = a.event("pull_request", "pull_request.opened-other-base.json", &[]);
    a.expect(&r, 0, "planned");
    let body = a.comment_on(FIXTURE_PR);
    // Only a push to the default branch (`repository.default_branch`: master) applies.
    assert_contains(
        &body,
        "🟡 **Planned**: merging into `release` applies nothing: apply runs on `master`.",
    );
    assert!(!body.contains("applies when merged"), "{body}");
}

#[test]
fn a_pull_request_whose_fork_was_deleted_is_a_fork() {
    let a = Action::new(SEED);
    let r = a.pr_without_aws_credentials(&fixture("pull_request.opened-deleted-fork.json"));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_contains(
        &r.stdout,
        "::warning::cannot plan against AWS: no usable AWS credentials",
    );
    assert_contains(&r.stdout, "(pull request from a fork: no AWS credentials)");
}

#[test]
fn pushes_elsewhere_pull_request_target_and_mode_plan_anywhere_plan_without_writing() {
    let a = Action::new(SEED);
    for (event_name, name) in [
        ("push", "push.other-branch.json"),
        ("push", "push.tag-created.json"),
        ("pull_request_target", "pull_request.opened.json"),
        ("workflow_dispatch", "workflow_dispatch.other-branch.json"),
        ("issue_comment", "issue_comment.created.json"),
    ] {
        let extra: &[(&str, &str)] = if matches!(event_name, "workflow_dispatch" | "issue_comment") {
            &[("INPUT_MODE", "plan")]
        } else {
            &[]
        };
        let r = a.event(event_name, name, extra);
        assert_eq!(
            (r.code, a.outputs()["result"].as_str()),
            (0, "planned"),
            "{name}: {}",
            r.stdout
        );
        assert_contains(&a.summary(), "Plan: 4 to add");
    }
    assert_contains(&a.comment_on(FIXTURE_PR), "🟡 **Planned**");
    assert_eq!(a.aws.writes(), Vec::<String>::new());
}

#[test]
fn a_tag_pushed_at_a_reviewed_commit_is_not_applied_even_when_asked() {
    let a = Action::new(SEED);
    assert_eq!(a.event("pull_request", "pull_request.opened.json", &[]).code, 0);
    // The tag's commit is the head of the open pull request whose plan is in its comment.
    let tag = fixture("push.tag-created.json");
    a.pull_of(tag["after"].as_str().expect("after"), FIXTURE_PR, false);
    let r = a.event("push", "push.tag-created.json", &[("INPUT_MODE", "apply")]);
    a.expect(&r, 1, "refused");
    assert_eq!(
        a.aws.writes(),
        Vec::<String>::new(),
        "an unmerged plan is never applied"
    );
}

#[test]
fn workflow_dispatch_on_the_default_branch_reapplies() {
    let a = Action::new(SEED);
    let r = a.event("workflow_dispatch", "workflow_dispatch.json", &[]);
    a.expect(&r, 0, "applied");
    assert_contains(&a.summary(), "not guarded by a reviewed plan");
}

/// A comment body with what changes from run to run masked: the test's repository number,
/// fingerprints and the history's times (as `YYYY-MM-DD hh:mm`, which a rendering shows, where an
/// HTML-like `<time>` vanished).
fn stable(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(c) = rest.chars().next() {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let hex = |s: &str| s.bytes().take_while(u8::is_ascii_hexdigit).count();
        if let Some(after) = rest.strip_prefix("acme/models-") {
            out.push_str("acme/models-N");
            rest = &after[digits(after)..];
        } else if let Some(after) = rest.strip_prefix("sha256:") {
            let n = hex(after);
            out.push_str(if n >= 64 {
                "sha256:<fingerprint>"
            } else {
                "sha256:<short>"
            });
            rest = &after[n..];
        } else if rest.len() >= 16
            && rest.as_bytes()[..16]
                .iter()
                .zip(b"dddd-dd-dd dd:dd")
                .all(|(b, p)| if *p == b'd' { b.is_ascii_digit() } else { b == p })
        {
            out.push_str("YYYY-MM-DD hh:mm");
            rest = &rest[16..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The comment as the snapshot `run_NAME` (scripts/check-comment-width.sh renders every one),
/// what changes from run to run masked.
fn snap(name: &str, a: &Action) {
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    insta::assert_snapshot!(format!("run_{name}"), stable(&body));
}

/// The comment of each status and shape, as a run against the stand-ins writes it (not typed
/// by hand): reviewed in `src/github/snapshots`' hand-made twins and rendered with
/// scripts/render-markdown.sh.
#[test]
fn comments_of_every_status_come_from_runs() {
    // Planned, then invalid (the plan kept as outdated), then planned again.
    let a = Action::new(SEED);
    a.expect(&a.pr(&[]), 0, "planned");
    snap("planned", &a);
    // The job summary opens with the comment's status line and ends with its footer.
    let summary = a.summary();
    assert_contains(
        &summary,
        "🟡 **Planned**: applies when merged to `main`.\n\n**Plan: 4 to add",
    );
    assert!(
        summary.trim_end().ends_with("/actions/runs/4242)</sub>"),
        "{summary}"
    );
    a.config("[[endpoint]]\nname = \"infer-endpoint-c356f91\"\nmax_capacity = 4\npreset = \"async-cpu\"\nmin_capacity = 9\n");
    a.expect(&a.pr(&[]), 1, "invalid");
    snap("invalid", &a);
    a.config(SEED);
    a.pr(&[]);
    // Merged and applied; a re-run of the merge's job keeps the record and is in the history.
    a.merged_pr();
    a.expect(&a.push(&[]), 0, "applied");
    snap("applied", &a);
    a.expect(&a.push(&[]), 0, "no-changes");
    snap("applied_rerun", &a);

    // A failed apply names the failure first.
    let a = Action::new(SEED);
    a.pr(&[]);
    a.merged_pr();
    a.aws.fault("PutMetricAlarm", 400, "ValidationError", 1, 0);
    a.expect(&a.push(&[]), 1, "apply-failed");
    snap("apply_failed", &a);

    // Refused: AWS changed after the review.
    let a = Action::new(SEED);
    a.pr(&[]);
    a.merged_pr();
    a.apply_by_hand(&SEED.replace("max_capacity = 4", "max_capacity = 9"));
    a.expect(&a.push(&[]), 1, "refused");
    snap("refused", &a);

    // A destroy in the status line; a simulation with no metrics said first.
    let both = format!("{SEED}{OTHER}");
    let a = Action::new(&both);
    a.dispatch(&[]);
    a.config_at_base(&both);
    a.config(SEED);
    a.pr_on_base();
    snap("planned_destroy", &a);
    let a = Action::new(SEED);
    a.pr(&[("INPUT_SIMULATE", "true"), ("INPUT_SIMULATE-DAYS", "1")]);
    snap("planned_simulation_no_metrics", &a);

    // Twelve alike endpoints: one row, one block.
    let alike: String = (0..12)
        .map(|i| format!("[[endpoint]]\nname = \"ep-{i:02}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n"))
        .collect();
    let a = Action::new(&alike);
    a.pr(&[]);
    snap("planned_alike", &a);
}

/// The config's warnings in the comment, each once with its count and a link to its first line,
/// and the plan's own warnings naming endpoints as the tables do.
#[test]
fn a_comment_shows_the_configs_warnings_once_each_and_the_plans_by_endpoint() {
    let alike: String = (0..12)
        .map(|i| format!("[[endpoint]]\nname = \"ep-{i:02}\"\nmax_capacity = 4\npreset = \"async-cpu\"\n\n"))
        .collect();
    let config = format!(
        "{alike}[[endpoint]]\nname = \"ep-idle\"\nmax_capacity = 0\npreset = \"async-cpu\"\n\n[[endpoint]]\nname = \"ep-warm\"\nmin_capacity = 1\nmax_capacity = 4\npreset = \"async-cpu\"\n"
    );
    let a = Action::new(&config);
    a.expect(&a.pr(&[]), 0, "planned");
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    let blob = format!("https://github.com/{}/blob/{SHA}/autoscaling.toml", a.repo);
    assert_contains(
        &body,
        "> - `summed-across-cores` ×14: CPUUtilization is the sum over all vCPUs",
    );
    assert_eq!(body.matches("summed-across-cores").count(), 1, "{body}");
    assert_contains(
        &body,
        &format!(
            "> - `max-zero`: max\\_capacity is 0: this endpoint can never run an instance ([autoscaling.toml:64]({blob}#L64))"
        ),
    );
    // The plan's own warning names the endpoint as the tables do, not by its resource id.
    assert_contains(
        &body,
        "> - ep-warm · AllTraffic: registering the target with min\\_capacity 1 starts that many instances if fewer run",
    );
    assert!(!body.contains("endpoint/ep-warm/variant"), "{body}");
    snap("planned_warnings", &a);
}

/// With metrics, the simulation's cost and risk come first: the monthly cost, current ->
/// proposed with its change, and the minutes with backlog and no capacity.
#[test]
fn a_simulation_with_metrics_puts_cost_and_risk_at_the_top() {
    let a = Action::new(SEED);
    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    crate::simulate::put_burst(&a.aws, "infer-endpoint-c356f91", "AllTraffic");
    a.config(&SEED.replace("max_capacity = 4", "max_capacity = 4\ntarget = 100"));
    let r = a.pr(&[
        ("INPUT_SIMULATE", "true"),
        ("INPUT_SIMULATE-DAYS", "1"),
        ("INPUT_INSTANCE-PRICE", "2"),
        ("INPUT_STARTUP-MINUTES", "0"),
        ("SAGEMAKER_AUTOSCALE_NOW", crate::simulate::UNTIL_TEXT),
    ]);
    a.expect(&r, 0, "planned");
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    let headline = body.find("**Simulation").expect("the cost-and-risk line");
    assert!(headline < body.find("**Plan:").expect("totals"), "{body}");
    assert!(!body.contains("No metrics"), "{body}");
    assert_contains(&body, "```mermaid");
    snap("planned_simulation", &a);
}

/// `tune: true` adds the recommendation for each endpoint's `[endpoint.goal]`, collapsed below
/// the plan; nothing of it is applied.
#[test]
fn tune_puts_the_recommendation_collapsed_below_the_plan() {
    let a = Action::new(SEED);
    assert_eq!(a.cli(&["apply", "--auto-approve"]).code, 0);
    crate::tune::put_bursts(&a.aws, "infer-endpoint-c356f91", "AllTraffic");
    a.config(&format!(
        "{SEED}\n[endpoint.goal]\nbacklog_minutes_per_week = 200\n"
    ));
    let writes = a.aws.writes().len();
    let r = a.pr(&[
        ("INPUT_TUNE", "true"),
        ("INPUT_SIMULATE-DAYS", "1"),
        ("INPUT_INSTANCE-PRICE", "2"),
        ("SAGEMAKER_AUTOSCALE_NOW", crate::simulate::UNTIL_TEXT),
    ]);
    a.expect(&r, 0, "no-changes");
    let body = a.comments()[0]["body"].as_str().unwrap_or_default().to_string();
    assert_contains(
        &body,
        "<details><summary><b>Tune</b> (last 1 day(s)): the cheapest configs that meet the goal cost",
    );
    assert_contains(&body, "Goal: backlog_minutes_per_week <= 200");
    assert_contains(
        &body,
        "```diff\n--- autoscaling.toml\n+++ autoscaling.toml (recommended)\n",
    );
    assert_eq!(a.aws.writes().len(), writes, "tuning applies nothing");
    let summary = a.summary();
    assert_contains(&summary, "<b>Tune</b>");
    let body = stable(&body);
    insta::assert_snapshot!("run_planned_tune", body);
}
