//! The AWS stand-in (moto behind tests/standin/aws_standin.py), started once per test run.
//! Tests isolate themselves by region: each gets a region of its own on one of the stand-ins
//! (a new stand-in is started for every REGIONS.len() tests), and the front logs calls and
//! injects faults per access key and region.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::repo;

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "sa-east-1",
    "eu-south-1",
    "af-south-1",
    "me-south-1",
    "ap-east-1",
    "eu-central-2",
    "ap-south-2",
    "ap-southeast-3",
    "me-central-1",
    "eu-south-2",
];

/// Outside REGIONS: the one test that needs a second region of its own uses it.
pub const SPARE_REGION: &str = "il-central-1";

struct Server {
    port: u16,
    // Held so the stand-in's stdin stays open; it exits when this process does.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

/// The `n`th AWS stand-in: one more is started for every `REGIONS.len()` tests.
fn server(n: usize) -> &'static Server {
    static SERVERS: [OnceLock<Server>; 8] = [const { OnceLock::new() }; 8];
    SERVERS
        .get(n)
        .expect("more tests than 8 stand-ins x regions")
        .get_or_init(|| spawn("aws_standin.py"))
}

/// The GitHub stand-in: the stateful fake, and Prism in front of it checking every request
/// and response against GitHub's OpenAPI description.
pub struct GitHubStandin {
    /// Prism: what the action talks to (GITHUB_API_URL).
    pub api_port: u16,
    /// The fake itself: GraphQL (not in the REST description) and the tests' control paths.
    pub fake_port: u16,
}

pub fn github() -> &'static GitHubStandin {
    static STANDIN: OnceLock<(Server, Server)> = OnceLock::new();
    let (fake, prism) = STANDIN.get_or_init(|| {
        let spec = repo().join("tests/standin/github/openapi.trimmed.json");
        assert!(
            spec.exists(),
            "no {}: run scripts/standin-setup.sh (scripts/test.sh does)",
            spec.display()
        );
        let fake = spawn_with("github_fake.py", &["--spec", &spec.display().to_string()]);
        let prism = spawn_prism(&spec, fake.port);
        (fake, prism)
    });
    static PORTS: OnceLock<GitHubStandin> = OnceLock::new();
    PORTS.get_or_init(|| GitHubStandin {
        api_port: prism.port,
        fake_port: fake.port,
    })
}

/// Prism in proxy mode with --errors. A shell waits on our end of a pipe and stops Prism when
/// this test process ends.
fn spawn_prism(spec: &Path, upstream: u16) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let prism = repo().join("tests/standin/github/node_modules/.bin/prism");
    let script = format!(
        "{} proxy --errors -h 127.0.0.1 -p {port} {} http://127.0.0.1:{upstream} & pid=$!; cat >/dev/null; kill $pid",
        prism.display(),
        spec.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prism");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).expect("prism output");
        assert!(n > 0, "prism exited before listening");
        if line.contains("Prism is listening") {
            break;
        }
    }
    // Keep draining Prism's log so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let stdin = child.stdin.take().expect("stdin");
    Server {
        port,
        _stdin: Mutex::new(stdin),
        _child: Mutex::new(child),
    }
}

fn spawn(script: &str) -> Server {
    spawn_with(script, &[])
}

fn spawn_with(script: &str, extra: &[&str]) -> Server {
    let python = repo().join(".venv/bin/python");
    assert!(
        python.exists(),
        "no {}: run scripts/standin-setup.sh (scripts/test.sh does)",
        python.display()
    );
    let mut child = Command::new(python)
        .arg(repo().join("tests/standin").join(script))
        .args(["0", "--exit-with-parent"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a stand-in");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("stand-in says READY");
    let port = line
        .trim()
        .strip_prefix("READY ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    let stdin = child.stdin.take().expect("stdin");
    Server {
        port,
        _stdin: Mutex::new(stdin),
        _child: Mutex::new(child),
    }
}

/// One test's slice of the stand-in (a clone is the same slice: same account and region).
#[derive(Clone)]
pub struct Aws {
    pub region: &'static str,
    /// This test's access key (moto accepts any; the front keys its call log by it too).
    pub key: String,
    /// A number unique to this test.
    pub id: usize,
    pub port: u16,
}

impl Aws {
    pub fn new() -> Aws {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let i = NEXT.fetch_add(1, Ordering::SeqCst);
        let region = REGIONS[i % REGIONS.len()];
        Aws {
            region,
            key: format!("{:012}", 100_000_000_000usize + i),
            id: i,
            port: server(i / REGIONS.len()).port,
        }
    }

    /// What the front keys calls and faults by.
    pub fn scope(&self) -> String {
        format!("{}/{}", self.key, self.region)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The binary, pointed at the stand-in with dummy credentials.
    pub fn bin(&self, dir: &Path) -> Command {
        let mut cmd = crate::bin(dir);
        cmd.env("AWS_ENDPOINT_URL", self.url())
            .env("AWS_ACCESS_KEY_ID", &self.key)
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_REGION", self.region)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("HOME", dir);
        cmd
    }

    /// AWS operations this test's region received, in order.
    pub fn calls(&self) -> Vec<String> {
        let body = http(
            "GET",
            self.port,
            &format!("/_standin/calls?region={}", self.scope()),
            None,
        );
        serde_json::from_str(&body).expect("calls")
    }

    /// AWS operations this test's access key sent to another region.
    pub fn calls_in(&self, region: &str) -> Vec<String> {
        let body = http(
            "GET",
            self.port,
            &format!("/_standin/calls?region={}/{region}", self.key),
            None,
        );
        serde_json::from_str(&body).expect("calls")
    }

    pub fn writes(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|op| !op.starts_with("Describe") && !op.starts_with("List") && !op.starts_with("Get"))
            .collect()
    }

    /// Queues faults for this region: (operation, status, code, times, skip).
    pub fn fault(&self, operation: &str, status: u16, code: &str, times: u32, skip: u32) {
        let body = serde_json::json!([{
            "region": self.scope(), "operation": operation, "status": status, "code": code,
            "message": format!("injected {code}"), "times": times, "skip": skip,
        }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    /// Queues a 400 fault with AWS's own words (`fault` says "injected CODE"), `times` times.
    pub fn fault_saying(&self, operation: &str, code: &str, message: &str, times: u32) {
        let body = serde_json::json!([{
            "region": self.scope(), "operation": operation, "status": 400, "code": code,
            "message": message, "times": times,
        }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    /// How many calls of this region the queued faults answered (or slowed).
    pub fn fault_hits(&self) -> u64 {
        let all: serde_json::Value =
            serde_json::from_str(&http("GET", self.port, "/_standin/faults", None)).expect("faults");
        all.as_array()
            .expect("list")
            .iter()
            .filter(|f| f["region"] == self.scope().as_str())
            .map(|f| f["hits"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Removes this region's faults.
    pub fn clear_faults(&self) {
        http(
            "DELETE",
            self.port,
            &format!("/_standin/faults?region={}", self.scope()),
            None,
        );
    }

    /// Queues a fault for a random fraction of all of this region's calls (seeded).
    pub fn random_faults(&self, fraction: f64, code: &str, seed: u64) {
        let body = serde_json::json!([{
            "region": self.scope(), "status": 400, "code": code, "message": format!("injected {code}"),
            "fraction": fraction, "seed": seed,
        }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    /// Cuts the connection of the next `times` calls of `operation` without an answer.
    pub fn drop_connections(&self, operation: &str, times: u32) {
        let body = serde_json::json!([{ "region": self.scope(), "operation": operation, "code": "dropped", "drop": true, "times": times }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    /// Slows one operation down by `seconds` (no error).
    pub fn delay(&self, operation: &str, seconds: f64) {
        let body = serde_json::json!([{ "region": self.scope(), "operation": operation, "delay": seconds, "times": 100 }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    /// Moves this test's region's clock to `rfc3339` (e.g. "2030-01-07T08:00:00Z") and runs,
    /// in time order, the scheduled actions that fell due since the last call (or since their
    /// creation): they set the target's MinCapacity/MaxCapacity as AWS does. Pick times after
    /// the real date, since an action's creation (real time) opens its first window.
    /// Returns what `scheduled_runs` returns.
    pub fn set_clock(&self, rfc3339: &str) -> serde_json::Value {
        let body = serde_json::json!({ "region": self.region, "now": rfc3339 });
        let answer = http("POST", self.port, "/_standin/clock", Some(&body.to_string()));
        serde_json::from_str(&answer).expect("clock")
    }

    /// This region's clock and the scheduled actions it ran or failed so far:
    /// `{"now": "...Z", "ran": [...], "failed": [...]}`; each entry has `ScheduledActionName`,
    /// `ResourceId`, `Time`, `MinCapacity`, `MaxCapacity` (and `Message` when it failed, e.g. a
    /// minimum above the maximum).
    pub fn scheduled_runs(&self) -> serde_json::Value {
        let answer = http(
            "GET",
            self.port,
            &format!("/_standin/clock?region={}", self.region),
            None,
        );
        serde_json::from_str(&answer).expect("clock")
    }

    pub async fn clients(&self) -> (aws_sdk_applicationautoscaling::Client, aws_sdk_cloudwatch::Client) {
        let creds = aws_credential_types::Credentials::new(&self.key, "secret", None, None, "test");
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(self.region))
            .endpoint_url(self.url())
            .credentials_provider(creds)
            .load()
            .await;
        (
            aws_sdk_applicationautoscaling::Client::new(&config),
            aws_sdk_cloudwatch::Client::new(&config),
        )
    }
}

/// A minimal HTTP/1.1 client for the stand-ins' control paths (loopback only); expects 200.
pub fn http(method: &str, port: u16, path: &str, body: Option<&str>) -> String {
    let (status, head, body) = request(method, port, path, body);
    assert_eq!(status, 200, "{head}\n{body}");
    body
}

/// (status, head, body) of one request.
pub fn request(method: &str, port: u16, path: &str, body: Option<&str>) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the stand-in");
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token test\r\nAccept: application/vnd.github+json\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("http response");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}
