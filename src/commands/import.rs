//! `import`: a config for endpoints that already scale, written so it plans clean.

use std::path::PathBuf;

use clap::Args;
use sagemaker_autoscale::import::{self, Selection};

use super::{CommandResult, Error, ExitStatus, runtime};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["endpoints", "prefix", "all"])))]
pub struct ImportArgs {
    /// Endpoint names (every variant of each is imported).
    pub endpoints: Vec<String>,
    /// Every endpoint whose name starts with PREFIX.
    #[arg(long)]
    pub prefix: Option<String>,
    /// Every endpoint in the region that has a scalable target.
    #[arg(long)]
    pub all: bool,
    /// AWS region [default: AWS_REGION / the credential chain].
    #[arg(long)]
    pub region: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ImportArgs) -> CommandResult {
    let selection = match (args.all, args.prefix) {
        (true, _) => Selection::All,
        (false, Some(p)) => Selection::Prefix(p),
        (false, None) => Selection::Names(args.endpoints),
    };
    if let Some(path) = &args.out
        && path.exists()
        && !args.force
    {
        return Err(
            Error::new(format!("{} exists; not overwriting it", path.display()))
                .hint("pass --force to replace it, or choose another --out"),
        );
    }
    let imported = runtime()?.block_on(import::import(args.region.as_deref(), &selection))?;
    match &args.out {
        Some(path) => std::fs::write(path, &imported.text)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?,
        None => print!("{}", imported.text),
    }
    let to = args
        .out
        .as_ref()
        .map_or("standard output".into(), |p| p.display().to_string());
    eprintln!(
        "Imported {} endpoint variant(s) to {to} ({} AWS calls).",
        imported.endpoints, imported.calls
    );
    if imported.remaining.is_empty() {
        eprintln!("A plan of it against the same account shows no changes.");
    } else {
        eprintln!("warning: not everything could be written (listed at the top of the file):");
        for line in &imported.remaining {
            eprintln!("  - {line}");
        }
    }
    Ok(ExitStatus::Success)
}
