//! Reading the config: the TOML file and the action inputs, merged into one `RawConfig`.

mod decode;
mod from_inputs;
pub mod raw;
mod value;

use std::path::{Path, PathBuf};

use toml::de::DeTable;

pub use decode::Section;
pub use raw::RawConfig;

use crate::diagnostic::{Diagnostic, Diagnostics, Origin, codes};
use crate::inputs::{Input, Inputs};
use crate::source::Source;

pub(crate) const DEFAULT_PATH: &str = "autoscaling.toml";

/// Where the config path came from: an explicit path must exist, the default may not; a path
/// from the `config` input must also stay inside the workspace.
#[derive(Debug, Clone)]
pub enum ConfigPath {
    /// `--config`: the user's own command line, trusted.
    Explicit(PathBuf),
    /// The `config` action input: checked to stay inside the working directory.
    Input(PathBuf),
    /// Neither given: `autoscaling.toml` in the working directory.
    Default,
}

impl ConfigPath {
    /// `--config` wins over the `config` input, which wins over the default.
    pub fn resolve(cli: Option<PathBuf>, inputs: &Inputs) -> Self {
        match (cli, inputs.get(Input::CONFIG)) {
            (Some(p), _) => ConfigPath::Explicit(p),
            (None, Some(p)) => ConfigPath::Input(PathBuf::from(p)),
            (None, None) => ConfigPath::Default,
        }
    }
}

/// The merged config, and the file text it came from (for diagnostics), if any.
#[derive(Debug)]
pub struct Loaded {
    /// The path as given, or "action inputs" when there is no file.
    pub name: String,
    pub(crate) source: Option<Source>,
    pub(crate) raw: RawConfig,
}

impl Loaded {
    /// Nothing read from `name` (the reason is in the diagnostics).
    fn empty(name: String) -> Loaded {
        Loaded {
            name,
            source: None,
            raw: RawConfig::default(),
        }
    }
}

/// The file's bytes as a config: UTF-8 text, parsed, with the action inputs merged in.
fn from_bytes(display: String, bytes: Vec<u8>, inputs: &Inputs, d: &mut Diagnostics) -> Loaded {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let source = Source::new(display.clone(), text);
            let mut raw = parse(&source, d);
            if !d.has_errors() {
                from_inputs::apply(&mut raw, inputs, d);
            }
            Loaded {
                name: display,
                source: Some(source),
                raw,
            }
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            d.push(
                Diagnostic::new(
                    &codes::NOT_UTF8,
                    &Origin::Unlocated,
                    format!("{display} is not UTF-8 text (invalid byte at offset {at})"),
                )
                .help("save the file as UTF-8"),
            );
            Loaded::empty(display)
        }
    }
}

/// The config at `config_path` (or the action inputs alone), merged; what went wrong is in `d`.
pub(crate) fn load(config_path: &ConfigPath, inputs: &Inputs, d: &mut Diagnostics) -> Loaded {
    let (path, explicit) = match config_path {
        ConfigPath::Explicit(p) | ConfigPath::Input(p) => (p.as_path(), true),
        ConfigPath::Default => (Path::new(DEFAULT_PATH), false),
    };
    let display = path.display().to_string();
    if let ConfigPath::Input(p) = config_path
        && let Some(why) = outside_workspace(p)
    {
        d.push(
            Diagnostic::new(&codes::CONFIG_OUTSIDE_WORKSPACE, &Origin::Input { input: Input::CONFIG }, format!("input `config` ({display}) {why}"))
                .help("give a path relative to the repository, e.g. `autoscaling.toml` or `deploy/autoscaling.toml`"),
        );
        return Loaded::empty(display);
    }
    match std::fs::read(path) {
        Ok(bytes) => from_bytes(display, bytes, inputs, d),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && !explicit
                && inputs.get(Input::ENDPOINT_NAME).is_some() =>
        {
            // No file, one endpoint described by inputs alone.
            let mut raw = RawConfig::default();
            from_inputs::apply(&mut raw, inputs, d);
            Loaded {
                name: "action inputs".into(),
                source: None,
                raw,
            }
        }
        Err(e) => {
            let help = if e.kind() == std::io::ErrorKind::NotFound && !explicit {
                format!(
                    "create {DEFAULT_PATH} (see examples/seed.toml), pass --config PATH, or describe one endpoint with the `endpoint-name` input"
                )
            } else {
                "check the path given with --config or the `config` input".to_string()
            };
            d.push(
                Diagnostic::new(
                    &codes::CONFIG_NOT_FOUND,
                    &Origin::Unlocated,
                    format!("cannot read {display}: {e}"),
                )
                .help(help),
            );
            Loaded::empty(display)
        }
    }
}

/// Why a path from the `config` input leaves the working directory, if it does: absolute,
/// `..`, or a symlink that resolves elsewhere.
fn outside_workspace(path: &Path) -> Option<&'static str> {
    use std::path::Component;
    if path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Some("must be a relative path inside the repository, without `..`");
    }
    let root = std::env::current_dir().and_then(|d| d.canonicalize()).ok()?;
    match path.canonicalize() {
        Ok(real) if !real.starts_with(&root) => {
            Some("resolves (through a symlink) to a file outside the repository")
        }
        _ => None,
    }
}

/// The config as written in `text` (diagnostics dropped: check the text first).
pub fn parse_text(name: &str, text: &str) -> RawConfig {
    parse(&Source::new(name, text), &mut Diagnostics::default())
}

/// Parses and decodes config text. Syntax errors stop here: what follows them would only
/// produce confusing follow-on errors.
pub fn parse(source: &Source, d: &mut Diagnostics) -> RawConfig {
    let (root, errors) = DeTable::parse_recoverable(&source.text);
    if !errors.is_empty() {
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            d.push(Diagnostic::new(
                &codes::TOML_SYNTAX,
                &Origin::file(span),
                format!("invalid TOML: {}", e.message()),
            ));
        }
        return RawConfig::default();
    }
    decode::decode(&root, d)
}
