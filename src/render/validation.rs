//! A validation's outcome as the `validate` command prints it: one summary line, or JSON.

use crate::Checked;
use crate::check::Counts;

/// `NAME is valid: 1 endpoint, 2 policies, ...` or `NAME: 2 errors, 1 warning`.
pub fn validation_summary(checked: &Checked) -> String {
    let name = &checked.name;
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let Some(desired) = &checked.desired else {
        return format!(
            "{name}: {}, {}",
            plural(checked.errors(), "error", "errors"),
            plural(checked.warnings(), "warning", "warnings")
        );
    };
    let c = Counts::of(desired);
    let components = match c.inference_components {
        0 => String::new(),
        n => format!(", {}", plural(n, "inference component", "inference components")),
    };
    format!(
        "{name} is valid: {}{components}, {}, {}, {} ({})",
        plural(c.endpoints, "endpoint", "endpoints"),
        plural(c.policies, "policy", "policies"),
        plural(c.alarms, "alarm", "alarms"),
        plural(c.scheduled_actions, "scheduled action", "scheduled actions"),
        plural(checked.warnings(), "warning", "warnings"),
    )
}

/// Every diagnostic as a markdown list for the pull-request comment: where, what, and the help.
pub fn diagnostics_markdown(checked: &Checked) -> String {
    let renderer = crate::diagnostic::Renderer {
        source: checked.source.as_ref(),
        color: false,
    };
    let mut out = String::new();
    for d in &checked.diagnostics {
        let label = match d.severity {
            crate::diagnostic::Severity::Error => "error",
            crate::diagnostic::Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "- `{}` **{label}[{}]**: {}\n",
            renderer.location(d).replace('`', "'"),
            d.code,
            super::markdown::text(&d.message)
        ));
        if let Some(help) = &d.help {
            out.push_str(&format!("  <br>help: {}\n", super::markdown::text(help)));
        }
    }
    out
}

/// The config's warnings for the PR comment: one line per distinct warning (code and message),
/// with how many times it occurs and a link to its first line (`link(line)`: the file at the
/// pull request's head commit). The reference preset's one warning on 200 endpoints is one line,
/// not 200. Empty when there are none.
pub fn warnings_markdown(checked: &Checked, link: &dyn Fn(usize) -> Option<String>) -> String {
    use crate::diagnostic::Severity;
    let mut seen: Vec<(&crate::diagnostic::Diagnostic, usize)> = Vec::new();
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
    {
        match seen
            .iter_mut()
            .find(|(first, _)| first.code == d.code && first.message == d.message)
        {
            Some((_, n)) => *n += 1,
            None => seen.push((d, 1)),
        }
    }
    if seen.is_empty() {
        return String::new();
    }
    let line_of = |d: &crate::diagnostic::Diagnostic| {
        let source = checked.source.as_ref()?;
        Some(source.line_col(d.origin.span()?.start).0)
    };
    let mut out =
        String::from("> [!WARNING]\n> **Config warnings** (`ignore_warnings` switches a code off):\n");
    for (d, n) in seen {
        let times = if n > 1 { format!(" ×{n}") } else { String::new() };
        let place = match (line_of(d), &checked.source) {
            (Some(line), Some(source)) => {
                let label = format!("{}:{line}", source.name);
                match link(line) {
                    Some(url) => format!(" ([{label}]({url}))"),
                    None => format!(" ({label})"),
                }
            }
            _ => String::new(),
        };
        out.push_str(&format!(
            "> - `{}`{times}: {}{place}\n",
            d.code,
            super::markdown::text(&d.message)
        ));
    }
    out
}

/// `validate --json`: validity, counts, every diagnostic and the desired state.
pub fn validation_json(checked: &Checked) -> String {
    let value = serde_json::json!({
        "valid": checked.desired.is_some(),
        "errors": checked.errors(),
        "warnings": checked.warnings(),
        "diagnostics": checked.diagnostics,
        "desired": checked.desired,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
