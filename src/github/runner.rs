//! The GitHub Actions runner's side channels: step outputs, the job summary, and workflow
//! commands (annotations, masks, groups). Values are written, never executed.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

/// Where the runner wants outputs and the summary; None outside Actions.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub(crate) output: Option<PathBuf>,
    pub(crate) summary: Option<PathBuf>,
}

impl Files {
    /// The GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, when the runner sets them.
    pub fn from_env() -> Files {
        let path = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from);
        Files {
            output: path("GITHUB_OUTPUT"),
            summary: path("GITHUB_STEP_SUMMARY"),
        }
    }

    /// `name<<DELIMITER` form, which holds any value, multi-line included.
    pub fn output(&self, name: &str, value: &str) -> std::io::Result<()> {
        let Some(path) = &self.output else { return Ok(()) };
        let mut delimiter = format!("ghadelimiter_{}", std::process::id());
        while value.contains(&delimiter) {
            delimiter.push('_');
        }
        let mut f = OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{name}<<{delimiter}\n{value}\n{delimiter}")
    }

    pub(crate) fn summary(&self, markdown: &str) -> std::io::Result<()> {
        let Some(path) = &self.summary else { return Ok(()) };
        let mut f = OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(f, "{markdown}")
    }
}

/// `::add-mask::` so the runner blanks the value anywhere in the log.
pub fn mask(secret: &str) {
    for line in secret.lines().filter(|l| !l.trim().is_empty()) {
        println!("::add-mask::{line}");
    }
}

pub(crate) fn notice(message: &str) {
    println!("::notice::{}", escape(message));
}

pub(crate) fn warning(message: &str) {
    println!("::warning::{}", escape(message));
}

pub(crate) fn error(message: &str) {
    println!("::error::{}", escape(message));
}

pub(crate) fn group(title: &str) {
    println!("::group::{}", escape(title));
}

pub(crate) fn end_group() {
    println!("::endgroup::");
}

fn escape(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_use_the_heredoc_form() {
        let dir = std::env::temp_dir().join(format!("runner-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let files = Files {
            output: Some(dir.join("out")),
            summary: None,
        };
        files.output("plan", "line 1\nline 2").expect("write");
        files.output("add", "3").expect("write");
        let text = std::fs::read_to_string(dir.join("out")).expect("read");
        let d = format!("ghadelimiter_{}", std::process::id());
        assert_eq!(
            text,
            format!("plan<<{d}\nline 1\nline 2\n{d}\nadd<<{d}\n3\n{d}\n")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
