//! What the runner says about this run: the event, its refs, the repository and the run's links.

use std::path::PathBuf;

use serde_json::Value;

use crate::inputs::Env;

/// The runner's environment: the event, the repository, where to write.
#[derive(Debug, Clone, Default)]
pub struct Runner {
    pub(crate) event_name: String,
    pub(crate) event: Value,
    pub(crate) repository: String,
    pub(crate) sha: String,
    pub(crate) git_ref: String,
    pub(crate) api_url: String,
    pub(crate) graphql_url: String,
    pub(crate) server_url: String,
    pub(crate) run_id: Option<String>,
    pub(crate) plan_dir: PathBuf,
}

impl Runner {
    /// Reads the runner's variables (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, ...) and the event payload.
    pub fn from_env() -> Runner {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let event = var(Env::EVENT_PATH)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        let api_url = var(Env::API_URL).unwrap_or_else(|| "https://api.github.com".into());
        Runner {
            event_name: var(Env::EVENT_NAME).unwrap_or_default(),
            event,
            repository: var(Env::REPOSITORY).unwrap_or_default(),
            sha: var(Env::SHA).unwrap_or_default(),
            git_ref: var(Env::REF).unwrap_or_default(),
            graphql_url: var(Env::GRAPHQL_URL)
                .unwrap_or_else(|| format!("{}/graphql", api_url.trim_end_matches('/'))),
            api_url,
            server_url: var(Env::SERVER_URL).unwrap_or_else(|| "https://github.com".into()),
            run_id: var(Env::RUN_ID),
            plan_dir: var(Env::RUNNER_TEMP).map_or_else(|| PathBuf::from("."), PathBuf::from),
        }
    }

    pub(super) fn pr_number(&self) -> Option<u64> {
        self.event["pull_request"]["number"]
            .as_u64()
            .or_else(|| self.event["number"].as_u64())
    }

    /// The commit whose config this run's changes are measured against: the pull request's
    /// base, or the commit before a push (none for a new branch).
    pub(super) fn base_sha(&self) -> Option<String> {
        let sha = match self.event_name.as_str() {
            name if name.starts_with("pull_request") => &self.event["pull_request"]["base"]["sha"],
            "push" => &self.event["before"],
            _ => return None,
        };
        sha.as_str()
            .filter(|s| !s.is_empty() && !s.chars().all(|c| c == '0'))
            .map(str::to_string)
    }

    /// The commit a comment is about: a pull request's head (GITHUB_SHA is the merge commit
    /// there, which the author never saw), else GITHUB_SHA.
    pub(super) fn head_sha(&self) -> &str {
        self.event["pull_request"]["head"]["sha"]
            .as_str()
            .unwrap_or(&self.sha)
    }

    pub(super) fn commit_url(&self, sha: &str) -> Option<String> {
        (!self.repository.is_empty() && !sha.is_empty()).then(|| {
            format!(
                "{}/{}/commit/{sha}",
                self.server_url.trim_end_matches('/'),
                self.repository
            )
        })
    }

    /// A line of a file of the repository at commit `sha`.
    pub(super) fn line_url(&self, sha: &str, path: &str, line: usize) -> Option<String> {
        self.commit_url(sha).map(|commit| {
            let path = path.trim_start_matches("./");
            format!("{}/{path}#L{line}", commit.replacen("/commit/", "/blob/", 1))
        })
    }

    /// A pull request from a fork gets a read-only token and no secrets. A fork deleted after
    /// the pull request was opened shows as `head.repo: null` (`@octokit/webhooks-types`:
    /// `PullRequest.head.repo: Repository | null`): still a fork.
    pub(super) fn is_fork_pr(&self) -> bool {
        let head = &self.event["pull_request"]["head"];
        let base = &self.event["pull_request"]["base"]["repo"];
        head.get("repo").is_some_and(Value::is_null)
            || head["repo"]["fork"].as_bool() == Some(true)
            || (head["repo"]["full_name"].is_string() && head["repo"]["full_name"] != base["full_name"])
    }

    pub(crate) fn run_url(&self) -> Option<String> {
        let id = self.run_id.as_ref()?;
        Some(format!(
            "{}/{}/actions/runs/{id}",
            self.server_url.trim_end_matches('/'),
            self.repository
        ))
    }
}
