//! The AWS stand-in (moto behind tests/standin/aws_standin.py), started once per test run.
//! Tests isolate themselves by region: each gets its own, and the front logs calls and
//! injects faults per region.

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

struct Server {
    port: u16,
    // Held so the stand-in's stdin stays open; it exits when this process does.
    _stdin: Mutex<ChildStdin>,
    _child: Mutex<Child>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| spawn("aws_standin.py"))
}

/// The GitHub fake's port (one per test run; tests use their own repository names).
pub fn github_port() -> u16 {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| spawn("github_fake.py")).port
}

fn spawn(script: &str) -> Server {
    let python = repo().join(".venv/bin/python");
    assert!(
        python.exists(),
        "no {}: run scripts/standin-setup.sh (scripts/test.sh does)",
        python.display()
    );
    let mut child = Command::new(python)
        .arg(repo().join("tests/standin").join(script))
        .args(["0", "--exit-with-parent"])
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

/// One test's slice of the stand-in.
pub struct Aws {
    pub region: &'static str,
    pub port: u16,
}

impl Aws {
    pub fn new() -> Aws {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let i = NEXT.fetch_add(1, Ordering::SeqCst);
        let region = *REGIONS
            .get(i)
            .expect("more tests than stand-in regions: add regions");
        Aws {
            region,
            port: server().port,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The binary, pointed at the stand-in with dummy credentials.
    pub fn bin(&self, dir: &Path) -> Command {
        let mut cmd = crate::bin(dir);
        cmd.env("AWS_ENDPOINT_URL", self.url())
            .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
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
            &format!("/_standin/calls?region={}", self.region),
            None,
        );
        serde_json::from_str(&body).expect("calls")
    }

    pub fn writes(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|op| !op.starts_with("Describe") && !op.starts_with("List"))
            .collect()
    }

    /// Queues faults for this region: (operation, status, code, times, skip).
    pub fn fault(&self, operation: &str, status: u16, code: &str, times: u32, skip: u32) {
        let body = serde_json::json!([{
            "region": self.region, "operation": operation, "status": status, "code": code,
            "message": format!("injected {code}"), "times": times, "skip": skip,
        }]);
        http("POST", self.port, "/_standin/faults", Some(&body.to_string()));
    }

    pub async fn clients(&self) -> (aws_sdk_applicationautoscaling::Client, aws_sdk_cloudwatch::Client) {
        let creds = aws_credential_types::Credentials::new("AKIDTEST", "secret", None, None, "test");
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

/// A minimal HTTP/1.1 client for the stand-ins' control paths (loopback only).
pub fn http(method: &str, port: u16, path: &str, body: Option<&str>) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect to the stand-in");
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("http response");
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
        "{head}"
    );
    body.to_string()
}
