//! Running an experiment from the command line, the same way for every command: parameters from
//! flags, `--config` and `--set`; the observer (progress bars, messages, SIGINT/SIGTERM,
//! checkpoints); the run directory (record, arrays with axes, figures drawn from the saved data,
//! manifest); `--json`.
//!
//! Precedence of parameters, lowest first: the command's defaults, a `--resume`d run's stored
//! parameters, `--config FILE` (TOML, or a run's `manifest.json`), flags typed on the command
//! line, `--set key=value`.

use crate::common::{print_stdout, UsageError};
use anyhow::{Context, Result};
use ether::experiment::{Checkpoints, Experiment, Observer, Record};
use ether::record::RunDir;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Where results go and where parameters come from, shared by every experiment command.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct RunArgs {
    /// Write a run directory: manifest.json, result.json, data as .npy with their axes, plots as
    /// PNG and SVG. Interrupted runs keep their state in DIR.checkpoint/.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print exactly one JSON document on stdout (progress and summaries go to stderr).
    #[arg(long)]
    pub json: bool,
    /// Read parameters from a TOML file (keys are the long flags with '_' for '-') or from a
    /// run's manifest.json, which reproduces that run. Flags typed on the command line win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set one parameter, KEY=VALUE (repeatable; keys as in --config; VALUE is read as JSON if it
    /// parses, else as a string: --set beta=[0.9,1.0] --set lattice=8x8x8x8).
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Continue an interrupted run from its checkpoint: `--resume DIR` (the run's --out), or
    /// `--resume` together with `--out DIR`. The result is the same as an uninterrupted run.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "", value_parser = any_path)]
    pub resume: Option<PathBuf>,
}

/// A path, the empty one included (clap's own path parser refuses "", which `--resume` without a
/// value stands for).
fn any_path(s: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(s))
}

/// Long flags typed on the command line of this invocation (set once by `main`).
static EXPLICIT: OnceLock<Vec<String>> = OnceLock::new();

/// Remember which long flags the user typed (`main` calls this with the subcommand's matches),
/// so that they override a config file while the defaults do not.
pub fn record_explicit_flags(cmd: &clap::Command, m: &clap::ArgMatches) {
    let mut v = Vec::new();
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if m.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            if let Some(long) = a.get_long() {
                v.push(long.replace('-', "_"));
            }
        }
    }
    let _ = EXPLICIT.set(v);
}

fn explicit_flags() -> &'static [String] {
    EXPLICIT.get().map(|v| v.as_slice()).unwrap_or(&[])
}

/// The SIGINT/SIGTERM flag. The first signal asks the run to stop at its next safe point (keeping
/// its checkpoint); a second one ends the process at once (exit 130).
pub fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let f = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // order matters: the conditional shutdown sees the flag before this signal sets it
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, f.clone());
            let _ = signal_hook::flag::register(sig, f.clone());
        }
        f
    })
    .clone()
}

/// The command line's observer: progress bars (or a line every 10 s when stderr is a log file),
/// messages on stderr, the signal flag and the run's checkpoints.
pub struct CliObserver {
    quiet: bool,
    tty: bool,
    bar: Option<ProgressBar>,
    stage: String,
    total: u64,
    last_line: Option<Instant>,
    started: Instant,
    stop: Arc<AtomicBool>,
    checkpoints: Option<Checkpoints>,
}

impl std::fmt::Debug for CliObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliObserver").field("stage", &self.stage).finish()
    }
}

impl CliObserver {
    /// An observer; `quiet` hides everything but errors.
    pub fn new(quiet: bool, checkpoints: Option<Checkpoints>) -> Self {
        CliObserver {
            quiet,
            tty: std::io::stderr().is_terminal(),
            bar: None,
            stage: String::new(),
            total: 0,
            last_line: None,
            started: Instant::now(),
            stop: stop_flag(),
            checkpoints,
        }
    }

    /// Clear the progress bar.
    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Observer for CliObserver {
    fn stage(&mut self, name: &str, total: u64) {
        self.finish();
        self.stage = name.to_string();
        self.total = total;
        self.last_line = None;
        if self.quiet || !self.tty {
            return;
        }
        let bar = if total > 0 {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{msg:>28} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b
        } else {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b
        };
        bar.set_message(name.to_string());
        self.bar = Some(bar);
    }

    fn advance(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        } else if !self.quiet && !self.tty && self.last_line.is_none_or(|t| t.elapsed() >= Duration::from_secs(10)) {
            let of = if self.total > 0 { format!("{done}/{}", self.total) } else { format!("{done}") };
            eprintln!("  [{:>6.0} s] {}: {of}", self.started.elapsed().as_secs_f64(), self.stage);
            self.last_line = Some(Instant::now());
        }
    }

    fn say(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    fn should_stop(&self) -> bool {
        // split over MPI processes: true on all of them if any was asked to stop (collective)
        ether::mc::grid::any_process(self.stop.load(Ordering::Relaxed))
    }

    fn checkpoints(&self) -> Option<&Checkpoints> {
        self.checkpoints.as_ref()
    }
}

/// `DIR.checkpoint`, beside the run directory `DIR`.
pub fn checkpoint_dir(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".checkpoint");
    PathBuf::from(p)
}

/// The run directory and whether this is a resume, from `--out` and `--resume`.
fn out_and_resume(ra: &RunArgs) -> Result<(Option<PathBuf>, bool)> {
    match &ra.resume {
        None => Ok((ra.out.clone(), false)),
        Some(d) if d.as_os_str().is_empty() => match &ra.out {
            Some(o) => Ok((Some(o.clone()), true)),
            None => Err(UsageError("--resume: say which run: --resume DIR, or --resume --out DIR".into()).into()),
        },
        Some(d) => match &ra.out {
            Some(o) if o != d => Err(UsageError(format!(
                "--resume {} with --out {}: a resumed run finishes in its own directory; drop --out",
                d.display(),
                o.display()
            ))
            .into()),
            _ => Ok((Some(d.clone()), true)),
        },
    }
}

/// Read `--config FILE`: TOML, or a run's `manifest.json` (its `parameters`, if it was written by
/// `command`). Returns a JSON object.
fn read_config(path: &Path, command: &str) -> Result<serde_json::Map<String, Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| UsageError(format!("--config {}: cannot read it ({e})", path.display())))?;
    let value: Value = if path.extension().is_some_and(|e| e == "json") {
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| UsageError(format!("--config {}: not valid JSON ({e})", path.display())))?;
        match (v.get("command").and_then(Value::as_str), v.get("parameters")) {
            (Some(c), Some(p)) if c == command => p.clone(),
            (Some(c), Some(_)) => {
                return Err(UsageError(format!(
                    "--config {}: a manifest of `ether {c}`, not of `ether {command}`; run `ether {c} --config {}`",
                    path.display(),
                    path.display()
                ))
                .into())
            }
            _ => v,
        }
    } else {
        let t: toml::Value = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            UsageError(format!(
                "--config {}: {}{}; fix the file (keys are the command's long flags with '_' for '-')",
                path.display(),
                e.message().replace('\n', " "),
                line.map(|l| format!(" (line {l})")).unwrap_or_default()
            ))
        })?;
        serde_json::to_value(t)?
    };
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(UsageError(format!("--config {}: expected a table of parameters", path.display())).into()),
    }
}

/// The parameters of this run: defaults, a resumed run's parameters, `--config`, typed flags,
/// `--set`, in that order; unknown keys are refused with the list of valid ones.
pub fn resolve_params<E: Experiment>(flags: &E::Params, ra: &RunArgs, stored: Option<Value>) -> Result<E::Params> {
    let flag_values = match serde_json::to_value(flags)? {
        Value::Object(m) => m,
        _ => anyhow::bail!("internal: {} parameters are not a table", E::COMMAND),
    };
    let mut v = flag_values.clone();
    let valid: Vec<String> = flag_values.keys().cloned().collect();
    let mut layer = |m: serde_json::Map<String, Value>, what: &str| -> Result<()> {
        for (k, x) in m {
            if !valid.contains(&k) {
                return Err(UsageError(format!(
                    "{what}: unknown parameter '{k}' for `ether {}`; valid: {}",
                    E::COMMAND,
                    valid.join(", ")
                ))
                .into());
            }
            v.insert(k, x);
        }
        Ok(())
    };
    if let Some(Value::Object(m)) = stored {
        layer(m, "the checkpoint's parameters")?;
    }
    if let Some(path) = &ra.config {
        layer(read_config(path, E::COMMAND)?, &format!("--config {}", path.display()))?;
    }
    let typed: serde_json::Map<String, Value> =
        explicit_flags().iter().filter_map(|k| flag_values.get(k).map(|x| (k.clone(), x.clone()))).collect();
    // JSON has no NaN or infinity: a flag given as one arrives here as null, which must not read
    // as "not given"
    if let Some(k) = typed.iter().find(|(_, x)| x.is_null()).map(|(k, _)| k) {
        return Err(UsageError(format!("--{}: not a finite number; give a finite number", k.replace('_', "-"))).into());
    }
    layer(typed, "a flag")?;
    for s in &ra.set {
        let (k, x) =
            s.split_once('=').ok_or_else(|| UsageError(format!("--set {s}: write KEY=VALUE, e.g. --set seed=7")))?;
        let val = serde_json::from_str(x.trim()).unwrap_or_else(|_| Value::String(x.trim().to_string()));
        layer(std::iter::once((k.trim().to_string(), val)).collect(), &format!("--set {s}"))?;
    }
    Ok(ether::experiment::params_from_json(E::COMMAND, Value::Object(v))?)
}

/// Run experiment `E` with the parameters the user gave (`flags` holds the values of the
/// command's flags, defaults included), handling output, checkpoints and signals.
pub fn run<E: Experiment>(flags: E::Params, ra: &RunArgs, quiet: bool) -> Result<()> {
    run_on::<E>(flags, ra, quiet, true)
}

/// The parameters a resumed run was started with (`None` for a new run). A new run into a
/// directory that holds an interrupted run's state is refused, and so is `--resume` without one.
fn stored_params(
    ck: Option<&Checkpoints>,
    resume: bool,
    root: bool,
    out: Option<&Path>,
    header: &Value,
) -> Result<Option<Value>> {
    Ok(match (ck, resume) {
        (Some(c), false) if root && c.exists() => {
            return Err(UsageError(format!(
                "{} holds the state of an interrupted run: continue it with --resume {}, or remove that directory to start over",
                c.dir().display(),
                out.unwrap_or(Path::new("")).display()
            ))
            .into())
        }
        (Some(c), true) => match c.load("params", header)? {
            Some(bytes) => Some(serde_json::from_slice::<Value>(&bytes).context("reading the checkpoint's parameters")?),
            None => {
                return Err(UsageError(format!(
                    "--resume: no checkpoint in {}; run without --resume to start",
                    c.dir().display()
                ))
                .into())
            }
        },
        _ => None,
    })
}

/// [`run`] as one process of several that compute together (`root`: the one that writes; the
/// others read a resumed run's checkpoints but write nothing and print nothing on stdout).
pub fn run_on<E: Experiment>(flags: E::Params, ra: &RunArgs, quiet: bool, root: bool) -> Result<()> {
    let (out, resume) = out_and_resume(ra)?;
    let ck = out.as_deref().map(|d| Checkpoints::new(checkpoint_dir(d)));
    let header = serde_json::json!({ "command": E::COMMAND, "ether_version": ether::record::VERSION });
    if let (Some(p), true) = (out.as_deref(), root) {
        ether::record::refuse_if_being_written(p)?;
    }
    let stored = stored_params(ck.as_ref(), resume, root, out.as_deref(), &header)?;
    let params = resolve_params::<E>(&flags, ra, stored)?;
    E::validate(&params)?;
    let mut run_dir = match &out {
        Some(p) if root => Some(RunDir::create(p)?),
        _ => None,
    };
    let pjson = serde_json::to_value(&params)?;
    // A resumed run keeps the parameters it was started with: a refused attempt with other
    // flags must not replace them.
    if let (Some(c), false, true) = (&ck, resume, root) {
        c.save("params", &header, &serde_json::to_vec(&pjson)?)?;
    }
    let mut obs = CliObserver::new(quiet, ck.clone());
    let result = E::run(&params, &mut obs);
    obs.finish();
    let rec = match result {
        Ok(r) => r,
        Err(e @ ether::Error::Interrupted { .. }) => {
            if let Some(d) = &out {
                obs.say(&format!(
                    "the run's state is in {}; continue with: ether {} --resume {}",
                    checkpoint_dir(d).display(),
                    E::COMMAND,
                    d.display()
                ));
            }
            return Err(e.into());
        }
        Err(e) => {
            // A run that failed before saving any state of its own leaves no checkpoint behind (a
            // next run would otherwise be refused); one that saved state keeps it for --resume.
            if let Some(c) = ck.as_ref().filter(|_| root) {
                if c.names().iter().all(|n| n == "params") {
                    c.remove_all()?;
                } else if let Some(d) = &out {
                    obs.say(&format!("the state of the finished part is kept in {}; after fixing the cause, continue with: ether {} --resume {}", c.dir().display(), E::COMMAND, d.display()));
                }
            }
            return Err(e.into());
        }
    };
    for line in rec.summary() {
        obs.say(&line);
    }
    let seed = pjson.get("seed").and_then(Value::as_u64);
    if let Some(mut rd) = run_dir.take() {
        write_run(&mut rd, E::COMMAND, &rec)?;
        let dir = rd.commit(E::COMMAND, pjson, seed)?;
        if let Some(c) = &ck {
            c.remove_all()?;
        }
        obs.say(&format!("wrote {}", dir.display()));
    }
    if ra.json && root {
        // through a Value, as result.json: keys sorted, the same bytes as before the experiment API
        print_stdout(&serde_json::to_string_pretty(&serde_json::to_value(&rec)?)?)?;
    }
    match rec.failure() {
        Some(why) => anyhow::bail!("{why}"),
        None => Ok(()),
    }
}

/// Write a record into a staged run directory and draw its figures from the saved data.
pub fn write_run<R: Record>(rd: &mut RunDir, command: &str, rec: &R) -> Result<()> {
    rd.record(rec)?;
    let data = ether_plot::RunData::load(&rd.staged(""))?;
    if let Some(figs) = ether_plot::chapters::figures(command, &data) {
        for f in figs? {
            crate::common::save_figure(rd, &f.name, &f.description, &f.figure)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ether::experiment::{Axis, Claim, DataArray, DemoRun};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct ToyParams {
        lattice: String,
        beta: Vec<f64>,
        seed: u64,
    }
    impl Default for ToyParams {
        fn default() -> Self {
            ToyParams { lattice: "4x4".into(), beta: vec![1.0], seed: 1 }
        }
    }
    #[derive(Serialize)]
    struct ToyRecord {
        sum: f64,
    }
    impl Record for ToyRecord {
        fn arrays(&self) -> Vec<DataArray> {
            let b = Axis::new("beta", "1", "toy_beta.npy", vec![0.5, 1.0]);
            let t = Axis::labelled("start", "toy_start.npy", vec!["hot".into(), "cold".into()]);
            vec![
                DataArray::real("toy.npy", "a toy table", "1", vec![b.clone(), t], vec![1.0, 2.0, 3.0, 4.0]),
                DataArray::real("toy_sum.npy", "its row sums", "1", vec![b], vec![3.0, 7.0]),
            ]
        }
        fn claims(&self) -> Vec<Claim> {
            vec![Claim::within("toy", "sum", self.sum, 10.0, 1e-12, "arithmetic")]
        }
    }
    struct Toy;
    impl Experiment for Toy {
        const COMMAND: &'static str = "toy";
        type Params = ToyParams;
        type Record = ToyRecord;
        fn validate(p: &ToyParams) -> ether::Result<()> {
            if p.beta.is_empty() {
                return Err(ether::Error::invalid("beta", "[]", "give at least one"));
            }
            Ok(())
        }
        fn run(p: &ToyParams, _obs: &mut dyn Observer) -> ether::Result<ToyRecord> {
            Self::validate(p)?;
            if p.lattice == "fail" {
                return Err(ether::Error::numerical("the toy", "it was asked to fail", "do not ask it to"));
            }
            Ok(ToyRecord { sum: p.beta.iter().sum::<f64>() + 10.0 - p.beta.iter().sum::<f64>() })
        }
        fn demo(seed: u64) -> Vec<DemoRun<ToyParams>> {
            vec![DemoRun {
                chapter: 0,
                title: "toy".into(),
                dir: "toy".into(),
                params: ToyParams { seed, ..Default::default() },
            }]
        }
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ether-cli-run-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn parameters_layer_in_order_and_unknown_keys_are_refused() {
        let d = tmp("params");
        let cfg = d.join("c.toml");
        std::fs::write(&cfg, "lattice = \"8x8\"\nbeta = [0.5, 0.7]\n").unwrap();
        let flags = ToyParams::default();
        let ra = RunArgs { config: Some(cfg.clone()), set: vec!["seed=7".into()], ..Default::default() };
        let p = resolve_params::<Toy>(&flags, &ra, None).unwrap();
        assert_eq!((p.lattice.as_str(), p.beta.as_slice(), p.seed), ("8x8", &[0.5, 0.7][..], 7));
        // a stored (resumed) parameter set sits under the config file
        let stored = serde_json::json!({"lattice": "2x2", "seed": 3});
        let p = resolve_params::<Toy>(&flags, &ra, Some(stored)).unwrap();
        assert_eq!((p.lattice.as_str(), p.seed), ("8x8", 7));
        // unknown keys, in the file or in --set, name the valid ones
        std::fs::write(&cfg, "latice = \"8x8\"\n").unwrap();
        let e = resolve_params::<Toy>(&flags, &ra, None).unwrap_err().to_string();
        assert!(e.contains("unknown parameter 'latice'") && e.contains("valid: beta, lattice, seed"), "{e}");
        let ra = RunArgs { set: vec!["betta=1".into()], ..Default::default() };
        assert!(resolve_params::<Toy>(&flags, &ra, None).unwrap_err().to_string().contains("'betta'"));
        let ra = RunArgs { set: vec!["seed".into()], ..Default::default() };
        assert!(resolve_params::<Toy>(&flags, &ra, None).unwrap_err().to_string().contains("KEY=VALUE"));
        // a wrong type is refused, not coerced
        let ra = RunArgs { set: vec!["seed=many".into()], ..Default::default() };
        assert!(resolve_params::<Toy>(&flags, &ra, None).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_run_directory_holds_the_record_its_arrays_with_axes_and_a_manifest_that_reproduces_it() {
        let d = tmp("dir");
        let out = d.join("run");
        let ra = RunArgs { out: Some(out.clone()), set: vec!["seed=5".into()], ..Default::default() };
        run::<Toy>(ToyParams::default(), &ra, true).unwrap();
        let m: Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["command"], "toy");
        assert_eq!(m["seed"], 5);
        assert_eq!(m["arrays"][0]["shape"], serde_json::json!([2, 2]));
        assert_eq!(m["arrays"][0]["axes"][1]["labels"], serde_json::json!(["hot", "cold"]));
        for f in ["result.json", "toy.npy", "toy_sum.npy", "toy_beta.npy", "toy_start.npy"] {
            assert!(out.join(f).exists(), "{f} missing");
        }
        assert!(!checkpoint_dir(&out).exists(), "a finished run keeps no checkpoint");
        // the manifest reproduces the run's parameters
        let ra = RunArgs { config: Some(out.join("manifest.json")), ..Default::default() };
        let p = resolve_params::<Toy>(&ToyParams::default(), &ra, None).unwrap();
        assert_eq!(p.seed, 5);
        // a checkpoint left by an interrupted run is never silently overwritten
        let out2 = d.join("run2");
        let ck = Checkpoints::new(checkpoint_dir(&out2));
        ck.save("params", &serde_json::json!({"command": "toy", "ether_version": ether::record::VERSION}), b"{}")
            .unwrap();
        let ra = RunArgs { out: Some(out2.clone()), ..Default::default() };
        let e = run::<Toy>(ToyParams::default(), &ra, true).unwrap_err().to_string();
        assert!(e.contains("--resume"), "{e}");
        assert!(ck.exists() && !out2.exists());
        let ra = RunArgs { resume: Some(out2.clone()), ..Default::default() };
        run::<Toy>(ToyParams::default(), &ra, true).unwrap();
        assert!(out2.join("result.json").exists() && !ck.exists());
        // a run that fails before saving state of its own leaves no checkpoint (and no run directory)
        let out3 = d.join("run3");
        let ra = RunArgs { out: Some(out3.clone()), set: vec!["lattice=fail".into()], ..Default::default() };
        assert!(run::<Toy>(ToyParams::default(), &ra, true).is_err());
        assert!(!checkpoint_dir(&out3).exists() && !out3.exists());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
