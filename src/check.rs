//! config -> validate -> desired state, with every diagnostic on the way.

use serde::Serialize;

use crate::config::{self, ConfigPath};
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::inputs::Inputs;
use crate::model::{DesiredState, PolicyConfig, Scaled};
use crate::source::Source;
use crate::validate;

/// The outcome of reading and validating a config.
#[derive(Debug)]
pub struct Checked {
    /// The config file's path, or "action inputs" in no-file mode.
    pub name: String,
    /// The file text, for rendering diagnostics. None in no-file mode.
    pub source: Option<Source>,
    /// Errors first, then warnings, each in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Present when there is no error.
    pub desired: Option<DesiredState>,
}

impl Checked {
    /// How many diagnostics are errors.
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many diagnostics are warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }
}

/// Reads the config file (and inputs) and validates it.
pub fn check(path: &ConfigPath, inputs: &Inputs) -> Checked {
    let mut d = Diagnostics::default();
    let loaded = config::load(path, inputs, &mut d);
    let repository = std::env::var(crate::inputs::Env::REPOSITORY).ok();
    finish(loaded.name, loaded.source, loaded.raw, d, repository.as_deref())
}

/// Validates config text alone, as if read from a file called `name`. Never panics.
pub fn check_text(name: &str, text: &str) -> Checked {
    let mut d = Diagnostics::default();
    let source = Source::new(name, text);
    let raw = config::parse(&source, &mut d);
    finish(name.to_string(), Some(source), raw, d, None)
}

fn finish(
    name: String,
    source: Option<Source>,
    raw: config::RawConfig,
    mut d: Diagnostics,
    repository: Option<&str>,
) -> Checked {
    let mut desired = if d.has_errors() {
        None
    } else {
        validate::validate(raw, &mut d)
    };
    if let Some(desired) = desired.as_mut().filter(|s| s.stack.is_empty()) {
        desired.stack = crate::tags::default_stack(&name, repository);
    }
    Checked {
        name,
        source,
        diagnostics: d.into_sorted(),
        desired,
    }
}

/// Counts for the one-line summary.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Endpoint variants.
    pub endpoints: usize,
    pub(crate) inference_components: usize,
    pub(crate) policies: usize,
    pub(crate) alarms: usize,
    pub(crate) scheduled_actions: usize,
}

impl Counts {
    pub(crate) fn of(desired: &DesiredState) -> Self {
        let mut c = Counts::default();
        for t in &desired.targets {
            match t.scaled {
                Scaled::Variant { .. } => c.endpoints += 1,
                Scaled::InferenceComponent { .. } => c.inference_components += 1,
            }
            c.policies += t.policies.len();
            c.alarms += t
                .policies
                .iter()
                .filter(|p| matches!(p.config, PolicyConfig::Step(_)))
                .count();
            c.scheduled_actions += t.scheduled_actions.len();
        }
        c
    }
}
