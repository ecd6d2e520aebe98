//! action.yml, the README and the code agree: every input the code reads is declared and
//! passed explicitly into the environment (never pasted into shell text), and the README's
//! tables list exactly the inputs and outputs action.yml declares.

use std::collections::BTreeSet;

use sagemaker_autoscale::inputs::Input;

use crate::repo;

/// The keys of a top-level block of action.yml (`inputs:` or `outputs:`).
fn keys(yaml: &str, block: &str) -> BTreeSet<String> {
    let mut inside = false;
    let mut out = BTreeSet::new();
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line == format!("{block}:");
            continue;
        }
        if inside
            && let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            out.insert(key.to_string());
        }
    }
    out
}

/// Names in the first column of the README table under `heading`.
fn readme_table(readme: &str, heading: &str) -> BTreeSet<String> {
    let section = readme
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("README has {heading:?}"));
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .filter_map(|c| {
            c.trim()
                .strip_prefix('`')
                .and_then(|c| c.strip_suffix('`'))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn inputs_are_declared_and_mapped_into_the_environment() {
    let yaml = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let declared = keys(&yaml, "inputs");
    let read: BTreeSet<String> = Input::all().map(str::to_string).collect();
    assert_eq!(declared, read, "action.yml inputs vs src/inputs.rs");
    for input in &declared {
        let line = format!("{}: ${{{{ inputs.{input} }}}}", Input::env_name(input));
        assert!(yaml.contains(&line), "action.yml must map `{input}` as `{line}`");
    }
    // No input expression inside a run: script.
    for run in yaml.lines().filter(|l| l.trim_start().starts_with("run:")) {
        assert!(!run.contains("${{"), "expression in a run script: {run}");
    }
}

#[test]
fn the_readme_lists_exactly_the_inputs_and_outputs() {
    let yaml = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert_eq!(readme_table(&readme, "### Action inputs"), keys(&yaml, "inputs"));
    assert_eq!(
        readme_table(&readme, "### Action outputs"),
        keys(&yaml, "outputs")
    );
}

/// GitHub runs a `pull_request` workflow on `closed` only when its `types` list it (the default
/// types are opened, synchronize, reopened: "Events that trigger workflows", `pull_request`),
/// and the action marks the comment of a pull request closed without merging: the example
/// workflow and the README's copy of it list the type. Only applies share a concurrency group:
/// GitHub cancels a group's pending run when another is queued, so a pull request's run (its
/// close included) or a drift check there could cancel a pending apply.
#[test]
fn the_example_workflows_run_on_closed_pull_requests() {
    let types = "types: [opened, synchronize, reopened, closed]";
    let example =
        std::fs::read_to_string(repo().join("examples/workflows/autoscaling.yml")).expect("example workflow");
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    let snippet = readme
        .split("```yaml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("README's workflow");
    for (name, workflow) in [("example", example.as_str()), ("README", snippet)] {
        let pull_request = workflow
            .split("pull_request:")
            .nth(1)
            .and_then(|s| s.split("push:").next())
            .unwrap_or_else(|| panic!("{name}: no pull_request trigger"));
        assert!(pull_request.contains(types), "{name}: {pull_request}");
        let group = "sagemaker-autoscale-${{ github.event_name == 'pull_request' && format('pr-{0}', github.event.pull_request.number) || github.event_name == 'schedule' && 'drift' || 'apply' }}";
        assert!(
            workflow.contains(group),
            "{name}: a plan, close or drift check in the apply's concurrency group can cancel a pending apply"
        );
    }
}
