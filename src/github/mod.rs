//! The only code that talks to GitHub: the REST calls the action needs (through octocrab,
//! pointed at GITHUB_API_URL so GHES and the tests' stand-in work), the sticky comment, and
//! the runner's files (outputs, job summary, workflow commands).

pub mod comment;
pub mod runner;

use std::time::Duration;

use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::Value;

/// Attempts for 5xx and rate-limited answers; the wait honours Retry-After, capped.
pub(crate) const ATTEMPTS: u32 = 3;
const MAX_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub(crate) enum GitHubError {
    #[error("GitHub answered {status} to {method} {path}: {message}")]
    Status {
        status: u16,
        method: &'static str,
        path: String,
        message: String,
    },
    #[error("cannot reach GitHub at {url}: {message}")]
    Transport { url: String, message: String },
    #[error("cannot set up the GitHub client: {0}")]
    Setup(String),
}

impl GitHubError {
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            GitHubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A read-only token: a fork's pull request, or a workflow without the permission.
    pub(crate) fn is_forbidden(&self) -> bool {
        self.status() == Some(403)
    }
}

impl crate::error::Hint for GitHubError {
    fn hint(&self) -> Option<&str> {
        match self.status() {
            Some(403) => Some(
                "the token cannot write here: give the workflow `permissions: pull-requests: write` (and `issues: write` for drift issues); on a pull request from a fork the token is read-only",
            ),
            Some(401) => Some("the token is invalid or expired"),
            Some(404) => Some("check GITHUB_REPOSITORY and that the token can see the repository"),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) body: Option<String>,
    pub(crate) html_url: String,
    pub(crate) user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    pub(crate) login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PullRef {
    pub(crate) number: u64,
    pub(crate) merged_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Issue {
    pub(crate) number: u64,
    pub(crate) body: Option<String>,
    pub(crate) html_url: String,
    pub(crate) state: String,
}

pub(crate) struct GitHub {
    octo: Octocrab,
    api: String,
    graphql: String,
    /// `owner/name`
    pub(crate) repo: String,
}

impl GitHub {
    pub(crate) fn new(
        api_url: &str,
        graphql_url: &str,
        token: &str,
        repo: &str,
    ) -> Result<GitHub, GitHubError> {
        let octo = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|e| GitHubError::Setup(format!("GITHUB_API_URL {api_url:?}: {e}")))?
            .personal_token(token.to_string())
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(|e| GitHubError::Setup(e.to_string()))?;
        Ok(GitHub {
            octo,
            api: api_url.trim_end_matches('/').to_string(),
            graphql: graphql_url.to_string(),
            repo: repo.to_string(),
        })
    }

    /// One REST call, retried on 5xx and rate limits. Returns the JSON body and the `next`
    /// page link, if any.
    async fn call(
        &self,
        method: &'static str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(Value, Option<String>), GitHubError> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.api)
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = match method {
                "GET" => self.octo._get(url.as_str()).await,
                "POST" => self.octo._post(url.as_str(), body).await,
                _ => self.octo._patch(url.as_str(), body).await,
            };
            let response = sent.map_err(|e| GitHubError::Transport {
                url: url.clone(),
                message: e.to_string(),
            })?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|e| GitHubError::Transport {
                    url: url.clone(),
                    message: e.to_string(),
                })?
                .to_bytes();
            let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if (200..300).contains(&status) {
                let next = headers
                    .get("link")
                    .and_then(|l| l.to_str().ok())
                    .and_then(next_link);
                return Ok((value, next));
            }
            let rate_limited = status == 429
                || (status == 403
                    && (headers.contains_key("retry-after")
                        || headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()) == Some("0")));
            if attempt < ATTEMPTS && (status >= 500 || rate_limited) {
                let wait = headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map_or(
                        Duration::from_millis(500 * u64::from(attempt)),
                        Duration::from_secs,
                    )
                    .min(MAX_WAIT);
                tokio::time::sleep(wait).await;
                continue;
            }
            let message = value["message"].as_str().unwrap_or("(no message)").to_string();
            return Err(GitHubError::Status {
                status,
                method,
                path: path.to_string(),
                message,
            });
        }
    }

    async fn get_all<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, GitHubError> {
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        // GitHub caps pages; 50 pages of 100 is far more comments than a PR has.
        for _ in 0..50 {
            let Some(page) = next.take() else { break };
            let (value, link) = self.call("GET", &page, None).await?;
            out.extend(
                serde_json::from_value::<Vec<T>>(value).map_err(|e| GitHubError::Transport {
                    url: page.clone(),
                    message: format!("unexpected answer: {e}"),
                })?,
            );
            next = link;
        }
        Ok(out)
    }

    fn decode<T: serde::de::DeserializeOwned>(path: &str, v: Value) -> Result<T, GitHubError> {
        serde_json::from_value(v).map_err(|e| GitHubError::Transport {
            url: path.to_string(),
            message: format!("unexpected answer: {e}"),
        })
    }

    /// The login the token acts as. GraphQL `viewer` works for every token kind; the Actions
    /// token cannot read `/user` (403), whose comments are by github-actions[bot].
    pub(crate) async fn identity(&self) -> String {
        let query = serde_json::json!({ "query": "query { viewer { login } }" });
        if let Ok((v, _)) = self.call("POST", &self.graphql.clone(), Some(&query)).await
            && let Some(login) = v["data"]["viewer"]["login"].as_str()
        {
            return login.to_string();
        }
        if let Ok((v, _)) = self.call("GET", "/user", None).await
            && let Some(login) = v["login"].as_str()
        {
            return login.to_string();
        }
        "github-actions[bot]".to_string()
    }

    pub(crate) async fn comments(&self, issue: u64) -> Result<Vec<Comment>, GitHubError> {
        self.get_all(&format!(
            "/repos/{}/issues/{issue}/comments?per_page=100",
            self.repo
        ))
        .await
    }

    pub(crate) async fn create_comment(&self, issue: u64, body: &str) -> Result<Comment, GitHubError> {
        let path = format!("/repos/{}/issues/{issue}/comments", self.repo);
        let (v, _) = self
            .call("POST", &path, Some(&serde_json::json!({ "body": body })))
            .await?;
        Self::decode(&path, v)
    }

    pub(crate) async fn update_comment(&self, id: u64, body: &str) -> Result<Comment, GitHubError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        let (v, _) = self
            .call("PATCH", &path, Some(&serde_json::json!({ "body": body })))
            .await?;
        Self::decode(&path, v)
    }

    pub(crate) async fn pulls_for_commit(&self, sha: &str) -> Result<Vec<PullRef>, GitHubError> {
        self.get_all(&format!("/repos/{}/commits/{sha}/pulls?per_page=100", self.repo))
            .await
    }

    /// The text of the file at `path` as it was at commit `sha`; None when it did not exist
    /// there. (GET /repos/{owner}/{repo}/contents/{path}?ref=..., base64 in `content`.)
    pub(crate) async fn file_at(&self, path: &str, sha: &str) -> Result<Option<String>, GitHubError> {
        let route = format!(
            "/repos/{}/contents/{}?ref={}",
            self.repo,
            percent_encode(path.trim_start_matches("./")),
            percent_encode(sha)
        );
        let value = match self.call("GET", &route, None).await {
            Ok((value, _)) => value,
            Err(e) if e.status() == Some(404) => return Ok(None),
            Err(e) => return Err(e),
        };
        let unexpected = |message: &str| GitHubError::Transport {
            url: route.clone(),
            message: message.to_string(),
        };
        if value["type"] != "file" || value["encoding"] != "base64" {
            return Err(unexpected("not a file with base64 content"));
        }
        let packed: String = value["content"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let bytes = aws_smithy_types::base64::decode(&packed).map_err(|e| unexpected(&e.to_string()))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| unexpected("the file is not UTF-8"))
    }

    pub(crate) async fn issues(&self, state: &str) -> Result<Vec<Issue>, GitHubError> {
        self.get_all(&format!("/repos/{}/issues?state={state}&per_page=100", self.repo))
            .await
    }

    pub(crate) async fn create_issue(&self, title: &str, body: &str) -> Result<Issue, GitHubError> {
        let path = format!("/repos/{}/issues", self.repo);
        let (v, _) = self
            .call(
                "POST",
                &path,
                Some(&serde_json::json!({ "title": title, "body": body })),
            )
            .await?;
        Self::decode(&path, v)
    }

    pub(crate) async fn update_issue(&self, number: u64, fields: &Value) -> Result<Issue, GitHubError> {
        let path = format!("/repos/{}/issues/{number}", self.repo);
        let (v, _) = self.call("PATCH", &path, Some(fields)).await?;
        Self::decode(&path, v)
    }
}

/// `text` with everything but unreserved characters and `/` percent-encoded, for a URL path.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `rel="next"` URL of a Link header.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_their_slashes_and_lose_the_rest() {
        assert_eq!(percent_encode("cfg/prod env.toml"), "cfg/prod%20env.toml");
    }

    #[test]
    fn next_link_is_found_among_others() {
        let h =
            r#"<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next""#;
        assert_eq!(next_link(h), Some("https://api.github.com/x?page=3".into()));
        assert_eq!(next_link(r#"<https://a/x?page=1>; rel="prev""#), None);
    }
}
