//! What every command shares: output handling (run directory, `--json`, figures), progress
//! bars, and the mapping of errors to exit codes.

use anyhow::Result;
use ether::record::RunDir;
use ether_plot::Figure;
use std::path::Path;

/// Options given before the subcommand.
#[derive(Clone, Debug)]
pub struct Global {
    /// Hide progress and summaries.
    pub quiet: bool,
}

/// An error the user must fix (bad input): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Return a usage error (exit code 2) with a message that says what to do.
pub fn usage<T>(msg: impl Into<String>) -> Result<T> {
    Err(UsageError(msg.into()).into())
}

/// Exit code for an error: 2 for bad input (usage errors and the library's input errors), 130
/// for a run stopped by SIGINT/SIGTERM (its checkpoint kept), 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            return 2;
        }
        if let Some(le) = cause.downcast_ref::<ether::Error>() {
            if le.is_user_error() {
                return 2;
            }
            if matches!(le, ether::Error::Interrupted { .. }) {
                return 130;
            }
        }
    }
    1
}

/// Save a figure into a staged run directory: its data as `figures/NAME.json` and the drawing as
/// `NAME.png` and `NAME.svg`.
pub fn save_figure(r: &mut RunDir, name: &str, description: &str, fig: &Figure) -> Result<()> {
    save_figure_files(&r.staged(""), name, fig)?;
    r.register(&format!("figures/{name}.json"), &format!("data of the plot {name}"));
    r.register(&format!("{name}.png"), description);
    r.register(&format!("{name}.svg"), description);
    Ok(())
}

/// Write a figure's files into directory `dir`: `figures/NAME.json`, `NAME.png`, `NAME.svg`.
pub fn save_figure_files(dir: &Path, name: &str, fig: &Figure) -> Result<()> {
    let figdir = dir.join("figures");
    std::fs::create_dir_all(&figdir)?;
    ether::record::write_json(&figdir.join(format!("{name}.json")), fig)?;
    ether_plot::render(fig, &dir.join(name))?;
    Ok(())
}

/// Print a line on stdout. A closed pipe (`ether ... --json | head`) is not an error: the reader
/// has what it wanted, so stop quietly instead of panicking like `println!`.
pub fn print_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
