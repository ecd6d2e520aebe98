//! Every file in tests/bad fails with exit 1 and the exact messages held in snapshots; every
//! file in tests/warn passes with warnings (and fails with --deny-warnings). Together they
//! must exercise every diagnostic code of the registry (`diagnostic::codes`), each of which
//! docs/config.md lists.

use std::collections::BTreeSet;
use std::fs;

use sagemaker_autoscale::diagnostic::codes;

use crate::assert_contains;
use crate::{bin, repo, run};

fn files(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo().join(dir))
        .expect("corpus folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// `error[code]` / `warning[code]` headlines in rendered output.
fn codes_in(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("error[").or_else(|| l.strip_prefix("warning[")))
        .filter_map(|l| l.split(']').next())
        .map(str::to_string)
        .collect()
}

fn check_dir(dir: &str, expected_code: i32) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let folder = repo().join(dir);
    for name in files(dir) {
        let r = run(bin(&folder).args(["validate", "--config", &name]));
        assert_eq!(r.code, expected_code, "{dir}/{name}:\n{}", r.stderr);
        assert!(
            !codes_in(&r.stderr).is_empty(),
            "{dir}/{name} printed no diagnostic:\n{}",
            r.stderr
        );
        seen.extend(codes_in(&r.stderr));
        let stem = name.trim_end_matches(".toml");
        insta::with_settings!({ snapshot_suffix => stem, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(dir.replace('/', "_"), r.stderr);
        });
    }
    seen
}

#[test]
fn bad_configs_fail_with_located_messages() {
    let n = files("tests/bad").len();
    assert!(
        n >= 40,
        "the corpus has {n} bad configs; the issue asks for at least 40"
    );
    let mut seen = check_dir("tests/bad", 1);
    seen.extend(check_dir("tests/warn", 0));

    // Codes only reachable without a file (covered in inputs.rs).
    seen.extend(
        [
            "config-not-found",
            "input-needs-endpoint",
            "config-outside-workspace",
        ]
        .map(String::from),
    );
    let missing: Vec<_> = codes::ALL
        .iter()
        .map(|c| c.name)
        .filter(|name| !seen.contains(*name))
        .collect();
    assert!(missing.is_empty(), "no corpus file exercises: {missing:?}");
}

#[test]
fn warnings_fail_only_when_denied() {
    let folder = repo().join("tests/warn");
    for name in files("tests/warn") {
        let r = run(bin(&folder).args(["validate", "--deny-warnings", "--config", &name]));
        assert_eq!(r.code, 1, "{name} with --deny-warnings:\n{}", r.stderr);
        assert_contains(&r.stderr, "warning[");
    }
}

/// Every code of the registry is in a table row of the docs/config.md section its `docs`
/// anchor names, and every code in those tables is in the registry.
#[test]
fn every_code_is_documented_where_its_anchor_points() {
    let doc = fs::read_to_string(repo().join("docs/config.md")).expect("docs/config.md");
    // The table rows under each heading, by the heading's anchor (GitHub's slug).
    let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ").or_else(|| line.strip_prefix("### ")) {
            sections.push((slug(heading), Vec::new()));
        } else if let (Some((_, rows)), true) = (sections.last_mut(), line.starts_with("| `")) {
            rows.push(line);
        }
    }
    let documented = |anchor: &str, name: &str| {
        sections.iter().filter(|(a, _)| a == anchor).any(|(_, rows)| {
            rows.iter().any(|row| {
                row.split('|')
                    .nth(1)
                    .is_some_and(|cell| cell.contains(&format!("`{name}`")))
            })
        })
    };
    for c in codes::ALL {
        assert!(
            sections.iter().any(|(a, _)| a == c.docs),
            "{}: docs/config.md has no heading #{}",
            c.name,
            c.docs
        );
        assert!(
            documented(c.docs, c.name),
            "{}: no row of docs/config.md#{} lists it",
            c.name,
            c.docs
        );
    }
    let rules = &sections
        .iter()
        .find(|(a, _)| a == "validation-rules")
        .expect("validation rules")
        .1;
    for row in rules {
        let first = row.split('|').nth(1).unwrap_or_default();
        for name in first.split('`').skip(1).step_by(2) {
            assert!(
                codes::find(name).is_some(),
                "docs/config.md#validation-rules lists `{name}`, which is not a code"
            );
        }
    }
}

/// The anchor GitHub gives a heading.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}
