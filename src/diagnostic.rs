//! Problems found in the configuration, where they are, and how to show them.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

use crate::inputs::Input;
use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where a value came from, so a problem with it can point back at it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Bytes of the config file.
    File { span: Range<usize> },
    /// An action input (`INPUT_*` variable).
    Input { input: &'static str },
    /// Filled in by a preset; the span is the `preset = "..."` value that asked for it.
    Preset {
        preset: &'static str,
        span: Option<Range<usize>>,
    },
    /// A built-in default.
    #[default]
    Default,
}

impl Origin {
    pub fn file(span: Range<usize>) -> Self {
        Origin::File { span }
    }

    fn span(&self) -> Option<Range<usize>> {
        match self {
            Origin::File { span } => Some(span.clone()),
            Origin::Preset { span, .. } => span.clone(),
            Origin::Input { .. } | Origin::Default => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case name of the rule (`unknown-key`, `min-above-max`, ...).
    pub code: &'static str,
    pub message: String,
    pub origin: Origin,
    /// What the user can do now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, origin: &Origin, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, origin, message)
    }

    pub fn warning(code: &'static str, origin: &Origin, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, origin, message)
    }

    fn new(
        severity: Severity,
        code: &'static str,
        origin: &Origin,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            origin: origin.clone(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Every problem found in one run, in the order they were found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Errors first, then by position in the file, so the output reads top to bottom.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by_key(|d| {
            let pos = d.origin.span().map_or(usize::MAX, |s| s.start);
            (d.severity, pos)
        });
        self.items
    }
}

/// Renders diagnostics the way compilers do: headline, location, the offending line, a hint.
pub struct Renderer<'a> {
    pub source: Option<&'a Source>,
    pub color: bool,
}

impl Renderer<'_> {
    pub fn render(&self, d: &Diagnostic) -> String {
        let (label, paint) = match d.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let mut out = String::new();
        if self.color {
            let _ = writeln!(
                out,
                "{paint}{label}[{}]\x1b[0m\x1b[1m: {}\x1b[0m",
                d.code, d.message
            );
        } else {
            let _ = writeln!(out, "{label}[{}]: {}", d.code, d.message);
        }
        match (&d.origin, self.source) {
            (Origin::Input { input }, _) => {
                let _ = writeln!(out, "  --> input `{input}` ({})", Input::env_name(input));
            }
            (origin, Some(source)) if origin.span().is_some() => {
                let span = origin.span().unwrap_or_default();
                self.snippet(&mut out, source, span);
                if let Origin::Preset { preset, .. } = origin {
                    let _ = writeln!(out, "   = note: this value comes from preset `{preset}`");
                }
            }
            (Origin::Preset { preset, .. }, _) => {
                let _ = writeln!(out, "  --> preset `{preset}`");
            }
            _ => {}
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "   = help: {help}");
        }
        out
    }

    fn snippet(&self, out: &mut String, source: &Source, span: Range<usize>) {
        let (line, col) = source.line_col(span.start);
        let _ = writeln!(out, "  --> {}:{line}:{col}", source.name);
        let text = source.line_text(line);
        let width = line.to_string().len();
        let start = col - 1;
        // Underline the span, but only the part on its first line.
        let span_text = source.text.get(span.clone()).unwrap_or("");
        let first_line = span_text.split('\n').next().unwrap_or("");
        let len = first_line.chars().count().max(1);
        let pad = " ".repeat(width);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {text}");
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(start), "^".repeat(len));
    }

    /// One `::error file=...::` / `::warning` workflow command, so GitHub marks the line in the PR.
    pub fn annotation(&self, d: &Diagnostic) -> String {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        match (&d.origin, self.source) {
            (Origin::Input { input }, _) => {
                props.push(format!(
                    "title={}",
                    escape_property(&format!("input {input}"))
                ));
            }
            (origin, Some(source)) => {
                props.push(format!("file={}", escape_property(&source.name)));
                if let Some(span) = origin.span() {
                    let (line, col) = source.line_col(span.start);
                    let (end_line, end_col) = source.line_col(span.end.max(span.start + 1) - 1);
                    props.push(format!(
                        "line={line},col={col},endLine={end_line},endColumn={}",
                        end_col + 1
                    ));
                }
            }
            _ => {}
        }
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        format!(
            "::{kind} {}::[{}] {}",
            props.join(","),
            d.code,
            escape_data(&message)
        )
    }
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escapes_workflow_command_syntax() {
        let source = Source::new("dir,x/a:b.toml", "x = 1\n");
        let d =
            Diagnostic::error("wrong-type", &Origin::file(0..1), "100% bad\nreally").help("fix it");
        let r = Renderer {
            source: Some(&source),
            color: false,
        };
        assert_eq!(
            r.annotation(&d),
            "::error file=dir%2Cx/a%3Ab.toml,line=1,col=1,endLine=1,endColumn=2::[wrong-type] 100%25 bad%0Areally%0Ahelp: fix it"
        );
    }

    #[test]
    fn snippet_points_at_the_column_in_characters() {
        let source = Source::new("a.toml", "# é\nname = \"x\"\n");
        let d = Diagnostic::error("c", &Origin::file(12..15), "m");
        let r = Renderer {
            source: Some(&source),
            color: false,
        };
        assert_eq!(
            r.render(&d),
            "error[c]: m\n  --> a.toml:2:8\n  |\n2 | name = \"x\"\n  |        ^^^\n"
        );
    }
}
