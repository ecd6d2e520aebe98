//! Problems found in the configuration, where they are, and how to show them.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

pub use self::codes::Code;

use crate::inputs::Input;
use crate::source::Source;

pub mod codes;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The config is refused; exit code 1.
    Error,
    /// The config is accepted; reported, and fatal only with `--deny-warnings`.
    Warning,
}

/// Where a value came from, so a problem with it can point back at it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Bytes of the config file.
    File {
        /// Byte offsets of the value in the file's text.
        span: Range<usize>,
    },
    /// An action input (`INPUT_*` variable).
    Input {
        /// The input's name, e.g. `region`.
        input: &'static str,
    },
    /// Filled in by a preset; the span is the `preset = "..."` value that asked for it.
    Preset {
        /// The preset's name, e.g. `async-cpu`.
        preset: &'static str,
        /// Byte offsets of the `preset` value; None when it was not set in the file.
        span: Option<Range<usize>>,
    },
    /// Nothing in the file or the inputs to point at: the file as a whole, or a built-in
    /// default. (Named "default" in JSON, as it always was.)
    #[default]
    #[serde(rename = "default")]
    Unlocated,
}

impl Origin {
    pub(crate) fn file(span: Range<usize>) -> Self {
        Origin::File { span }
    }

    /// The byte range in the config file to point at, if any.
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            Origin::File { span } => Some(span.clone()),
            Origin::Preset { span, .. } => span.clone(),
            Origin::Input { .. } | Origin::Unlocated => None,
        }
    }
}

/// One problem found in the config or the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The name of its [`Code`] (`unknown-key`, `min-above-max`, ...).
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where the offending value came from.
    pub origin: Origin,
    /// What the user can do now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem of kind `code` (its severity is the code's), at `origin`.
    pub fn new(code: &'static Code, origin: &Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity,
            code: code.name,
            message: message.into(),
            origin: origin.clone(),
            help: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
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
    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps, of the diagnostics from index `from` on, those `keep` accepts.
    pub fn retain_from(&mut self, from: usize, keep: impl Fn(&Diagnostic) -> bool) {
        let mut index = 0;
        self.items.retain(|d| {
            index += 1;
            index <= from || keep(d)
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
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
    /// The config text, for the line and snippet; None: messages without them.
    pub source: Option<&'a Source>,
    /// Whether to colour the output with ANSI escapes.
    pub color: bool,
}

impl Renderer<'_> {
    /// Where a diagnostic points: `file:line:col`, `input NAME`, or the file alone.
    pub fn location(&self, d: &Diagnostic) -> String {
        match (&d.origin, self.source) {
            (Origin::Input { input }, _) => format!("input `{input}`"),
            (origin, Some(source)) => match origin.span() {
                Some(span) => {
                    let (line, col) = source.line_col(span.start);
                    format!("{}:{line}:{col}", source.name)
                }
                None => source.name.clone(),
            },
            _ => "config".to_string(),
        }
    }

    /// One diagnostic as the terminal shows it: headline, `file:line:col`, the line, the help.
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
        let snippet = match (d.origin.span(), self.source) {
            (Some(span), Some(source)) => Some((source, span)),
            _ => None,
        };
        // Gutter as wide as the line number, at least 2, as rustc draws it.
        let width = snippet
            .as_ref()
            .map_or(2, |(s, span)| s.line_col(span.start).0.to_string().len().max(2));
        let pad = " ".repeat(width);
        match (&d.origin, snippet) {
            (Origin::Input { input }, _) => {
                let _ = writeln!(out, "{pad}--> input `{input}` ({})", Input::env_name(input));
            }
            (origin, Some((source, span))) => {
                draw_snippet(&mut out, source, span, width);
                if let Origin::Preset { preset, .. } = origin {
                    let _ = writeln!(out, "{pad} = note: this value comes from preset `{preset}`");
                }
            }
            (Origin::Preset { preset, .. }, None) => {
                let _ = writeln!(out, "{pad}--> preset `{preset}`");
            }
            _ => {}
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
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
                props.push(format!("title={}", escape_property(&format!("input {input}"))));
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

/// Widest source line shown; longer lines are cut to a window around the span.
const MAX_LINE: usize = 100;

fn draw_snippet(out: &mut String, source: &Source, span: Range<usize>, width: usize) {
    let (line, col) = source.line_col(span.start);
    let pad = " ".repeat(width);
    let _ = writeln!(out, "{pad}--> {}:{line}:{col}", source.name);
    let text: Vec<char> = source.line_text(line).chars().collect();
    // Underline the span, but only the part on its first line.
    let span_text = source.text.get(span).unwrap_or("");
    let len = span_text.split('\n').next().unwrap_or("").chars().count().max(1);
    let mut start = col - 1;
    let (mut shown, mut prefix, mut suffix) = (text.clone(), "", "");
    if text.len() > MAX_LINE {
        let from = start
            .saturating_sub(MAX_LINE / 3)
            .min(text.len().saturating_sub(MAX_LINE));
        let to = (from + MAX_LINE).min(text.len());
        shown = text[from..to].to_vec();
        prefix = if from > 0 { "..." } else { "" };
        suffix = if to < text.len() { "..." } else { "" };
        start = start - from + prefix.len();
    }
    let visible = len.min((shown.len() + prefix.len()).saturating_sub(start).max(1));
    let shown: String = shown.into_iter().collect();
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line:>width$} | {prefix}{shown}{suffix}");
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(start), "^".repeat(visible));
}

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
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
        let d = Diagnostic::new(&codes::WRONG_TYPE, &Origin::file(0..1), "100% bad\nreally").help("fix it");
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
    fn long_lines_are_cut_around_the_span() {
        let line = format!("x = [{}]", "1, ".repeat(100));
        let at = line.len() - 5;
        let source = Source::new("a.toml", line.clone());
        let d = Diagnostic::new(&codes::WRONG_TYPE, &Origin::file(at..at + 1), "m");
        let out = Renderer {
            source: Some(&source),
            color: false,
        }
        .render(&d);
        let shown = out.lines().nth(3).unwrap_or_default();
        let caret = out.lines().nth(4).unwrap_or_default();
        assert!(
            shown.starts_with(" 1 | ...") && shown.chars().count() < 120,
            "{out}"
        );
        let caret_col = caret.find('^').unwrap_or_default();
        assert_eq!(shown.as_bytes()[caret_col], line.as_bytes()[at], "{out}");
    }

    #[test]
    fn snippet_points_at_the_column_in_characters() {
        let source = Source::new("a.toml", "# é\nname = \"x\"\n");
        let d = Diagnostic::new(&codes::WRONG_TYPE, &Origin::file(12..15), "m");
        let r = Renderer {
            source: Some(&source),
            color: false,
        };
        assert_eq!(
            r.render(&d),
            "error[wrong-type]: m\n  --> a.toml:2:8\n   |\n 2 | name = \"x\"\n   |        ^^^\n"
        );
    }
}
