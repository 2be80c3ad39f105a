//! What every command shares: output handling (run directory, `--json`, figures), progress
//! bars, and the mapping of errors to exit codes.

use anyhow::Result;
use ether::record::RunDir;
use ether_plot::Figure;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

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

/// Output options shared by the physics commands.
#[derive(Clone, Debug, clap::Args)]
pub struct OutputArgs {
    /// Write a run directory: manifest.json, data as JSON and .npy, plots as PNG and SVG.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print exactly one JSON document on stdout (progress and summaries go to stderr).
    #[arg(long)]
    pub json: bool,
}

/// Where a command's results go.
#[derive(Debug)]
pub struct Output {
    run: Option<RunDir>,
    json: bool,
    quiet: bool,
    /// Say "wrote DIR" at the end (not for the demo's sub-runs, which live in its staging area).
    announce: bool,
}

impl Output {
    /// Set up outputs; fails (exit 2) on an unusable `--out` before any computing happens.
    pub fn new(args: &OutputArgs, g: &Global) -> Result<Self> {
        let run = match &args.out {
            Some(p) => Some(RunDir::create(p)?),
            None => None,
        };
        Ok(Output { run, json: args.json, quiet: g.quiet, announce: true })
    }

    /// An output that writes into a run directory (used by the demo).
    pub fn to_dir(dir: &Path, quiet: bool) -> Result<Self> {
        Ok(Output { run: Some(RunDir::create(dir)?), json: false, quiet, announce: false })
    }

    /// The checkpoint file of this run (`DIR.checkpoint.json`), if it has a run directory.
    pub fn checkpoint_path(&self) -> Option<PathBuf> {
        self.run.as_ref().map(|r| r.checkpoint_path())
    }

    /// True if progress and human summaries should be shown.
    pub fn chatty(&self) -> bool {
        !self.quiet
    }

    /// Print a human line on stderr (unless quiet).
    pub fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A progress bar on stderr (hidden when quiet or when stderr is not a terminal).
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        progress(len, what, self.quiet)
    }

    /// Save a data file (JSON) in the run directory, if any.
    pub fn json_file<T: Serialize + ?Sized>(&mut self, name: &str, description: &str, value: &T) -> Result<()> {
        if let Some(r) = &mut self.run {
            r.json(name, description, value)?;
        }
        Ok(())
    }

    /// Save a real array as `.npy` in the run directory, if any.
    pub fn npy(&mut self, name: &str, description: &str, shape: &[usize], data: &[f64]) -> Result<()> {
        if let Some(r) = &mut self.run {
            r.npy(name, description, shape, data)?;
        }
        Ok(())
    }

    /// Save a figure: its data as `figures/NAME.json` and the drawing as `NAME.png` and `NAME.svg`.
    pub fn figure(&mut self, name: &str, description: &str, fig: &Figure) -> Result<()> {
        if let Some(r) = &mut self.run {
            save_figure(r, name, description, fig)?;
        }
        Ok(())
    }

    /// Finish: print the JSON document (with `--json`), write `result.json` and the manifest,
    /// and move the run directory into place. Returns the run directory, if any.
    pub fn finish<T: Serialize>(
        mut self,
        command: &str,
        parameters: serde_json::Value,
        seed: Option<u64>,
        result: &T,
    ) -> Result<Option<PathBuf>> {
        let value = serde_json::to_value(result)?;
        let mut dir = None;
        if let Some(mut r) = self.run.take() {
            r.json("result.json", "the command's result (the same document as --json)", &value)?;
            let p = r.commit(command, parameters, seed)?;
            if !self.quiet && self.announce {
                eprintln!("wrote {}", p.display());
            }
            dir = Some(p);
        }
        if self.json {
            print_stdout(&serde_json::to_string_pretty(&value)?)?;
        }
        Ok(dir)
    }
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

/// A progress bar on stderr, hidden when `quiet` or when stderr is not a terminal.
pub fn progress(len: u64, what: &str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg:>24} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// A status line for a long computation of unknown length (a spinner on a terminal). On a
/// non-terminal stderr (a log file), messages are printed as lines, at most one per 10 s.
/// Nothing is shown with `quiet`.
pub fn status(quiet: bool) -> ether::ed::lanczos::Sink {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    if quiet {
        return std::sync::Arc::new(|_: &str| {});
    }
    if std::io::stderr().is_terminal() {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(200));
        return std::sync::Arc::new(move |m: &str| {
            if m.is_empty() {
                pb.finish_and_clear();
            } else {
                pb.set_message(m.to_string());
            }
        });
    }
    let start = Instant::now();
    let last: Mutex<Option<Instant>> = Mutex::new(None);
    std::sync::Arc::new(move |m: &str| {
        let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
        if !m.is_empty() && l.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            eprintln!("  [{:>6.0} s] {m}", start.elapsed().as_secs_f64());
            *l = Some(Instant::now());
        }
    })
}

/// Read a TOML config file into `T` (whose serde derive must carry `deny_unknown_fields`).
/// A misspelt key, a wrong type or an unreadable file is a usage error (exit 2) on one line.
pub fn load_config<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("--config {}: cannot read it ({e})", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().replace('\n', " ");
        let at = e.span().map(|s| {
            let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
            format!(" (line {line})")
        });
        UsageError(format!(
            "--config {}: {msg}{}; fix the file (keys are the command's long flags with '_' for '-')",
            path.display(),
            at.unwrap_or_default()
        ))
        .into()
    })
}

/// Parse a comma-separated momentum `kx,ky,kz` (radians; `pi` allowed, e.g. `pi/2,0,0`).
pub fn parse_k(s: &str, dim: usize) -> Result<Vec<f64>> {
    let parts: Vec<&str> = s.split(',').map(|p| p.trim()).collect();
    if parts.len() != dim {
        return usage(format!(
            "--k {s}: {} components given but the lattice is {dim}-dimensional; give {dim} comma-separated numbers, e.g. {}",
            parts.len(),
            vec!["0.5"; dim].join(",")
        ));
    }
    parts
        .iter()
        .map(|p| {
            parse_angle(p).ok_or_else(|| {
                UsageError(format!("--k {s}: cannot read '{p}'; use numbers in radians, 'pi' and 'pi/N' allowed"))
                    .into()
            })
        })
        .collect()
}

/// Read a number that may be written with `pi` (`pi`, `-pi/2`, `2pi`, `0.5`).
pub fn parse_angle(p: &str) -> Option<f64> {
    let p = p.trim().to_lowercase();
    if let Ok(x) = p.parse::<f64>() {
        return x.is_finite().then_some(x);
    }
    let (neg, body) = match p.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, p.clone()),
    };
    let (num, den) = match body.split_once('/') {
        Some((a, b)) => (a.to_string(), b.parse::<f64>().ok()?),
        None => (body.clone(), 1.0),
    };
    let coef = if num == "pi" {
        1.0
    } else {
        num.strip_suffix("pi").and_then(|c| c.trim_end_matches('*').parse::<f64>().ok())?
    };
    let v = coef * std::f64::consts::PI / den;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles() {
        let pi = std::f64::consts::PI;
        assert_eq!(parse_angle("pi"), Some(pi));
        assert_eq!(parse_angle("-pi/2"), Some(-pi / 2.0));
        assert_eq!(parse_angle("2pi"), Some(2.0 * pi));
        assert_eq!(parse_angle("0.25"), Some(0.25));
        assert_eq!(parse_angle("nan"), None);
        assert_eq!(parse_angle("x"), None);
        assert!(parse_k("1,2", 3).is_err());
    }
}
