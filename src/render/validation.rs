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
