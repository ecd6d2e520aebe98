//! dist/install.sh as the composite action's first step runs it: the asset for the runner's
//! architecture, checked against the committed manifest before it runs; a tampered asset
//! refused; a source build where no release exists.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::assert_contains;
use crate::{Run, repo, run};

const TARGETS: [&str; 2] = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An action checkout with a manifest for version 9.9.9 and a release folder (file:// stand-in).
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(with_checksums: bool) -> Fixture {
        let f = Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        fs::create_dir_all(f.path("action/dist")).expect("dist");
        fs::copy(repo().join("dist/install.sh"), f.path("action/dist/install.sh")).expect("install.sh");
        fs::create_dir_all(f.path("release/v9.9.9")).expect("release");
        let mut assets = serde_json::Map::new();
        for t in TARGETS {
            let body = format!("#!/bin/sh\necho binary for {t}\n");
            fs::write(f.path(&format!("release/v9.9.9/sagemaker-autoscale-{t}")), &body).expect("asset");
            let sum = with_checksums.then(|| sha256(body.as_bytes()));
            assets.insert(
                t.into(),
                serde_json::json!({ "file": format!("sagemaker-autoscale-{t}"), "sha256": sum }),
            );
        }
        let manifest = serde_json::json!({ "version": "9.9.9", "release_base": "https://example.invalid/releases", "assets": assets });
        fs::write(f.path("action/dist/manifest.json"), manifest.to_string()).expect("manifest");
        f
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn install(&self, arch: &str, extra: &[(&str, &str)]) -> Run {
        let _ = fs::remove_file(self.path("output"));
        let mut cmd = Command::new("bash");
        cmd.arg(self.path("action/dist/install.sh"))
            .env("ACTION_PATH", self.path("action"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TOOL_CACHE", self.path("cache"))
            .env("RUNNER_TEMP", self.path("tmp"))
            .env("GITHUB_OUTPUT", self.path("output"))
            .env(
                "SAGEMAKER_AUTOSCALE_RELEASE_BASE",
                format!("file://{}", self.path("release").display()),
            );
        for (k, v) in extra {
            cmd.env(k, v);
        }
        run(&mut cmd)
    }

    fn bin(&self) -> Option<PathBuf> {
        let out = fs::read_to_string(self.path("output")).ok()?;
        out.lines()
            .find_map(|l| l.strip_prefix("bin="))
            .map(PathBuf::from)
    }
}

fn runs(bin: &Path) -> String {
    String::from_utf8(
        Command::new(bin)
            .output()
            .expect("run the installed binary")
            .stdout,
    )
    .expect("utf-8")
}

#[test]
fn each_runner_architecture_gets_its_own_verified_asset() {
    let f = Fixture::new(true);
    for (arch, target) in [("X64", TARGETS[0]), ("ARM64", TARGETS[1])] {
        let r = f.install(arch, &[]);
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
        let bin = f.bin().expect("bin output");
        assert!(
            bin.starts_with(f.path("cache/sagemaker-autoscale/9.9.9").join(target)),
            "{}",
            bin.display()
        );
        assert_eq!(runs(&bin), format!("binary for {target}\n"));
    }
    // Cached and still matching: no download needed.
    fs::remove_dir_all(f.path("release")).expect("remove release");
    assert_eq!(f.install("X64", &[]).code, 0);
}

#[test]
fn a_tampered_asset_is_refused_and_never_run() {
    let f = Fixture::new(true);
    fs::write(
        f.path(&format!("release/v9.9.9/sagemaker-autoscale-{}", TARGETS[0])),
        "#!/bin/sh\necho evil\n",
    )
    .expect("tamper");
    let r = f.install("X64", &[]);
    assert_eq!(r.code, 1);
    assert_contains(
        &r.stdout,
        "::error::sagemaker-autoscale install: checksum mismatch",
    );
    assert_eq!(f.bin(), None, "no binary is handed to the next step");
    let cached = f.path(&format!("cache/sagemaker-autoscale/9.9.9/{}", TARGETS[0]));
    assert!(
        fs::read_dir(&cached).map(|d| d.count()).unwrap_or(0) == 0,
        "nothing left in the cache"
    );
}

#[test]
fn without_a_released_asset_the_source_is_built() {
    let f = Fixture::new(false);
    // A stand-in cargo that records its arguments and "builds" the binary where asked.
    fs::create_dir_all(f.path("fakebin")).expect("fakebin");
    let cargo = f.path("fakebin/cargo");
    fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"$@\" > {}\nwhile [ \"$1\" != --target-dir ]; do shift; done\nmkdir -p \"$2/release\"\nprintf '#!/bin/sh\\necho built\\n' > \"$2/release/sagemaker-autoscale\"\nchmod +x \"$2/release/sagemaker-autoscale\"\n",
            f.path("cargo-args").display()
        ),
    )
    .expect("fake cargo");
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        f.path("fakebin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let r = f.install("X64", &[("PATH", &path)]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let args = fs::read_to_string(f.path("cargo-args")).expect("cargo ran");
    assert!(
        args.starts_with(&format!(
            "build --release --locked --manifest-path {}",
            f.path("action/Cargo.toml").display()
        )),
        "{args}"
    );
    assert_eq!(runs(&f.bin().expect("bin")), "built\n");
}

#[test]
fn unsupported_runners_are_named() {
    let f = Fixture::new(true);
    let r = f.install("X64", &[("RUNNER_OS", "Windows")]);
    assert_eq!(r.code, 1);
    assert_contains(&r.stdout, "runner OS Windows is not supported");
    let r = f.install("ARM", &[]);
    assert_contains(&r.stdout, "runner architecture ARM is not supported");
}

#[test]
fn the_real_manifest_names_both_targets_for_this_version() {
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(repo().join("dist/manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    for t in TARGETS {
        assert_eq!(m["assets"][t]["file"], format!("sagemaker-autoscale-{t}"));
    }
    assert!(
        m["release_base"]
            .as_str()
            .is_some_and(|b| b.starts_with("https://"))
    );
}
