//! The vocabulary every chapter's experiment shares: how a run reports ([`Observer`]), what it
//! concludes ([`Claim`]), what it returns ([`Record`] with [`DataArray`]s and their [`Axis`]es),
//! how it is driven ([`Experiment`]) and how it survives an interruption ([`Checkpoints`]).
//!
//! An experiment is a plain function of a parameter struct: `E::run(&params, &mut observer)`.
//! The CLI, the demo and the Python package all call it the same way; none of them computes
//! physics or decides a verdict. A verdict is a [`Claim`]: a named number, the rule it is held to
//! (a reference with a tolerance, or a threshold), where the rule comes from, and `pass`, which
//! the constructor computes and nobody sets by hand.
//!
//! ```
//! use ether::experiment::Claim;
//! let c = Claim::within("spin waves of a ferromagnet disperse as k²", "exponent p of ω ~ k^p",
//!     1.994, 2.0, 0.05, "linear spin-wave theory: ω = 2JS(1 − cos k) ≈ JS k²");
//! assert!(c.pass);
//! assert!(!Claim::at_least("a gap", "gap Δ", f64::NAN, 0.1, "threshold").pass);
//! ```

use crate::error::{Error, Result};
use num_complex::Complex64;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// How a running experiment talks to whoever called it. Every method has a default that does
/// nothing, so an observer implements only what it shows.
pub trait Observer {
    /// A named stage of the run begins, with `total` steps (0 if unknown).
    fn stage(&mut self, _name: &str, _total: u64) {}
    /// Progress within the current stage: `done` of its `total` steps.
    fn advance(&mut self, _done: u64) {}
    /// A line for people (the CLI prints it on stderr unless `--quiet`).
    fn say(&mut self, _line: &str) {}
    /// True once the run should stop (SIGINT/SIGTERM, Ctrl-C in Python). Long loops check it at
    /// safe points, save their checkpoint and return [`Error::Interrupted`].
    fn should_stop(&self) -> bool {
        false
    }
    /// Where resumable state is kept, if this run is resumable.
    fn checkpoints(&self) -> Option<&Checkpoints> {
        None
    }
}

/// An observer that shows nothing, never stops and keeps no checkpoints.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Observer for Quiet {}

/// Return [`Error::Interrupted`] if the observer asks to stop; `kept` says what was saved.
pub fn check_stop(obs: &dyn Observer, what: &str, kept: impl FnOnce() -> String) -> Result<()> {
    if obs.should_stop() {
        return Err(Error::Interrupted { what: what.to_string(), kept: kept() });
    }
    Ok(())
}

/// The rule a claim's number is held to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Rule {
    /// `|value − reference| ≤ tolerance`.
    Within {
        /// The expected value.
        reference: f64,
        /// The allowed deviation (its reason belongs in the claim's `source`).
        tolerance: f64,
    },
    /// `value ≤ threshold`.
    AtMost {
        /// The threshold.
        threshold: f64,
    },
    /// `value ≥ threshold`.
    AtLeast {
        /// The threshold.
        threshold: f64,
    },
}

impl Rule {
    /// Whether `value` satisfies the rule (NaN never does).
    pub fn holds(&self, value: f64) -> bool {
        if !value.is_finite() {
            return false;
        }
        match *self {
            Rule::Within { reference, tolerance } => (value - reference).abs() <= tolerance,
            Rule::AtMost { threshold } => value <= threshold,
            Rule::AtLeast { threshold } => value >= threshold,
        }
    }

    /// The rule in words, e.g. "expected 2 ± 0.05" or "at most 0.01".
    pub fn describe(&self) -> String {
        match *self {
            Rule::Within { reference, tolerance } => {
                format!("expected {} ± {}", fmt_num(reference), fmt_num(tolerance))
            }
            Rule::AtMost { threshold } => format!("at most {}", fmt_num(threshold)),
            Rule::AtLeast { threshold } => format!("at least {}", fmt_num(threshold)),
        }
    }
}

/// A number in the shortest form that shows its digits (no `-0`, no trailing zeros).
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{x:.3e}");
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// One verdict: a claim of the physics, the number measured for it, the rule it is held to and
/// where that rule comes from. `pass` is computed from `value` and `rule`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The physics statement, e.g. "helicity ±2 stays gapless".
    pub claim: String,
    /// The measured number's name, e.g. "exponent p of ω ~ k^p, helicity ±2".
    pub quantity: String,
    /// The measured number.
    pub value: f64,
    /// The rule it is held to.
    #[serde(flatten)]
    pub rule: Rule,
    /// Where the reference or threshold comes from (paper, derivation, docs section), and why the
    /// tolerance is what it is.
    pub source: String,
    /// Whether `value` satisfies `rule`.
    pub pass: bool,
    /// The number in words, for tables: "exponent p of ω ~ k^p = 1.994 (expected 2 ± 0.05)".
    pub measured: String,
}

impl Claim {
    /// A claim held to a rule.
    pub fn new(
        claim: impl Into<String>,
        quantity: impl Into<String>,
        value: f64,
        rule: Rule,
        source: impl Into<String>,
    ) -> Self {
        let quantity = quantity.into();
        let measured = format!("{quantity} = {} ({})", fmt_num(value), rule.describe());
        Claim { claim: claim.into(), quantity, value, pass: rule.holds(value), rule, source: source.into(), measured }
    }

    /// `|value − reference| ≤ tolerance`.
    pub fn within(
        claim: impl Into<String>,
        quantity: impl Into<String>,
        value: f64,
        reference: f64,
        tolerance: f64,
        source: impl Into<String>,
    ) -> Self {
        Self::new(claim, quantity, value, Rule::Within { reference, tolerance }, source)
    }

    /// `value ≤ threshold`.
    pub fn at_most(
        claim: impl Into<String>,
        quantity: impl Into<String>,
        value: f64,
        threshold: f64,
        source: impl Into<String>,
    ) -> Self {
        Self::new(claim, quantity, value, Rule::AtMost { threshold }, source)
    }

    /// `value ≥ threshold`.
    pub fn at_least(
        claim: impl Into<String>,
        quantity: impl Into<String>,
        value: f64,
        threshold: f64,
        source: impl Into<String>,
    ) -> Self {
        Self::new(claim, quantity, value, Rule::AtLeast { threshold }, source)
    }

    /// Replace the words of the measured figure (keeping the number and the rule in them).
    pub fn with_measured(mut self, measured: impl Into<String>) -> Self {
        self.measured = measured.into();
        self
    }
}

/// One axis of a saved array: its name, unit, values and the `.npy` file that holds them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Name, e.g. "omega" or "k index along the path".
    pub name: String,
    /// Unit, e.g. "J" (energies in units of the exchange J) or "1" (dimensionless, an index).
    pub unit: String,
    /// The `.npy` file holding the values (several arrays may share one axis file).
    pub file: String,
    /// The coordinate of each index along the axis.
    pub values: Vec<f64>,
    /// Optional names of the entries (e.g. "β = 1.0, hot start" for a run axis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

impl Axis {
    /// An axis with values saved in `file`.
    pub fn new(name: impl Into<String>, unit: impl Into<String>, file: impl Into<String>, values: Vec<f64>) -> Self {
        Axis { name: name.into(), unit: unit.into(), file: file.into(), values, labels: None }
    }

    /// An index axis 0..n with a label per entry.
    pub fn labelled(name: impl Into<String>, file: impl Into<String>, labels: Vec<String>) -> Self {
        let values = (0..labels.len()).map(|i| i as f64).collect();
        Axis { name: name.into(), unit: "1".into(), file: file.into(), values, labels: Some(labels) }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True if the axis has no entries.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The numbers of a saved array.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Real numbers (f64); NaN where the JSON would say null.
    Real(Vec<f64>),
    /// Complex numbers (complex128).
    Complex(Vec<Complex64>),
}

impl Values {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            Values::Real(v) => v.len(),
            Values::Complex(v) => v.len(),
        }
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An array of a run, saved as `.npy` (C order, the last axis varying fastest) with each axis
/// saved beside it and all of them described in the manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct DataArray {
    /// The `.npy` file name, e.g. "skw.npy".
    pub file: String,
    /// What it is.
    pub description: String,
    /// The unit of its values.
    pub unit: String,
    /// Its axes, outermost first; the shape is their lengths.
    pub axes: Vec<Axis>,
    /// The values.
    pub values: Values,
}

impl DataArray {
    /// A real array; checks that the values fill the axes.
    pub fn real(
        file: impl Into<String>,
        description: impl Into<String>,
        unit: impl Into<String>,
        axes: Vec<Axis>,
        values: Vec<f64>,
    ) -> Self {
        let a = DataArray {
            file: file.into(),
            description: description.into(),
            unit: unit.into(),
            axes,
            values: Values::Real(values),
        };
        debug_assert_eq!(
            a.shape().iter().product::<usize>(),
            a.values.len(),
            "{}: values do not fill the axes",
            a.file
        );
        a
    }

    /// A complex array; checks that the values fill the axes.
    pub fn complex(
        file: impl Into<String>,
        description: impl Into<String>,
        unit: impl Into<String>,
        axes: Vec<Axis>,
        values: Vec<Complex64>,
    ) -> Self {
        let a = DataArray {
            file: file.into(),
            description: description.into(),
            unit: unit.into(),
            axes,
            values: Values::Complex(values),
        };
        debug_assert_eq!(
            a.shape().iter().product::<usize>(),
            a.values.len(),
            "{}: values do not fill the axes",
            a.file
        );
        a
    }

    /// The shape: the lengths of the axes.
    pub fn shape(&self) -> Vec<usize> {
        self.axes.iter().map(|a| a.len()).collect()
    }

    /// Check that the values fill the axes exactly.
    pub fn check(&self) -> Result<()> {
        let n: usize = self.shape().iter().product();
        if n != self.values.len() {
            return Err(Error::invalid(
                "array",
                self.file.clone(),
                format!(
                    "{} values for axes of shape {:?}: an internal inconsistency, please report it",
                    self.values.len(),
                    self.shape()
                ),
            ));
        }
        Ok(())
    }
}

/// What a run returns. Its JSON is the run's `result.json` and the CLI's `--json` document.
pub trait Record: Serialize {
    /// The arrays of the run directory, each with its axes.
    fn arrays(&self) -> Vec<DataArray> {
        Vec::new()
    }
    /// The chapter's claims, each a number held to a stated rule.
    fn claims(&self) -> Vec<Claim> {
        Vec::new()
    }
    /// The lines the CLI prints when the run is done (stderr).
    fn summary(&self) -> Vec<String> {
        Vec::new()
    }
    /// Paragraphs for the demo report.
    fn narrative(&self) -> Vec<String> {
        Vec::new()
    }
    /// A check the command guarantees that failed in this run (an invariant, not a physics
    /// verdict): the CLI still writes the run directory, then exits with code 1 and this message.
    fn failure(&self) -> Option<String> {
        None
    }
}

/// One run of the demo: which chapter of the talk, the part's title, the run directory's name
/// inside the demo directory, and the parameters (small defaults).
#[derive(Clone, Debug)]
pub struct DemoRun<P> {
    /// Chapter number in the talk's order.
    pub chapter: u32,
    /// Title of this part of the chapter.
    pub title: String,
    /// Run directory name inside the demo directory, e.g. "ch3-phases".
    pub dir: String,
    /// The parameters.
    pub params: P,
}

/// An experiment: one chapter of the talk as a function of its parameters.
pub trait Experiment {
    /// The command name, e.g. "phases" (the CLI subcommand, the Python function, the manifest's
    /// `command`).
    const COMMAND: &'static str;
    /// The parameters: serde with unknown keys rejected; keys are the CLI's long flags with '_'
    /// for '-'; `Default` gives the CLI's defaults.
    type Params: Serialize + DeserializeOwned + Clone + Debug + Default;
    /// What a run returns.
    type Record: Record;
    /// Check the parameters (and estimate the memory and time they need) before anything is
    /// allocated; errors are one line saying what to do.
    fn validate(p: &Self::Params) -> Result<()>;
    /// Run (calls [`Experiment::validate`] first).
    fn run(p: &Self::Params, obs: &mut dyn Observer) -> Result<Self::Record>;
    /// The demo's runs of this experiment.
    fn demo(seed: u64) -> Vec<DemoRun<Self::Params>>;
}

/// Parameters from a JSON value (a config file, a manifest, Python keyword arguments), with a
/// one-line error that names the offending key (and its CLI flag) and, for an unknown key, lists
/// the valid ones. A `null` where a floating-point number belongs is reported as a number that is
/// not finite: that is what NaN and infinity become on their way through JSON; a `null` anywhere
/// else is reported as a missing value.
pub fn params_from_json<P: DeserializeOwned>(command: &str, value: serde_json::Value) -> Result<P> {
    let lookup = value.clone();
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let key = path.split(['.', '[']).next().unwrap_or("").to_string();
        let flag = key.replace('_', "-");
        let at = lookup.pointer(&format!("/{}", path.replace(['.', '['], "/").replace(']', "")));
        if path == "." || key.is_empty() {
            return Error::invalid(
                format!("{command} parameters"),
                inner,
                "the keys are the command's long flags with '_' for '-' (see `ether COMMAND --help`)",
            );
        }
        if at.is_some_and(|v| v.is_null()) && inner.contains("null") {
            if inner.contains("expected f64") || inner.contains("expected f32") {
                return Error::invalid(
                    format!("{command} parameter `{key}` (--{flag})"),
                    "not a finite number",
                    "give a finite number (NaN and infinity are refused)",
                );
            }
            return Error::invalid(
                format!("{command} parameter `{key}` (--{flag})"),
                format!("no value ({inner})"),
                "give a value, or leave the key out for the default",
            );
        }
        Error::invalid(
            format!("{command} parameter `{path}` (--{flag})"),
            inner,
            "see `ether COMMAND --help` for what it takes",
        )
    })
}

/// A record with its type erased (for callers that handle every chapter alike, such as Python).
pub trait AnyRecord {
    /// The record as JSON.
    fn to_json(&self) -> Result<serde_json::Value>;
    /// Its arrays.
    fn data_arrays(&self) -> Vec<DataArray>;
    /// Its claims.
    fn claim_list(&self) -> Vec<Claim>;
    /// Its summary lines.
    fn summary_lines(&self) -> Vec<String>;
}

impl<R: Record> AnyRecord for R {
    fn to_json(&self) -> Result<serde_json::Value> {
        serde_json::to_value(self).map_err(|e| Error::Json { context: "encoding a record".into(), source: e })
    }
    fn data_arrays(&self) -> Vec<DataArray> {
        self.arrays()
    }
    fn claim_list(&self) -> Vec<Claim> {
        self.claims()
    }
    fn summary_lines(&self) -> Vec<String> {
        self.summary()
    }
}

/// Run experiment `E` from JSON parameters and return its record with the type erased.
pub fn run_json<E: Experiment>(params: serde_json::Value, obs: &mut dyn Observer) -> Result<Box<dyn AnyRecord>>
where
    E::Record: 'static,
{
    let p: E::Params = params_from_json(E::COMMAND, params)?;
    Ok(Box::new(E::run(&p, obs)?))
}

pub use crate::error::{bytes_of, check_memory, memory_limit};

/// Named, checksummed checkpoint files in one directory, written atomically.
///
/// A checkpoint file holds a header (JSON: the command, the ether version and whatever the
/// writer must match on resume, such as the parameters) and a payload (bytes), followed by a
/// 64-bit FNV-1a checksum of everything before it. Loading refuses a file whose checksum fails
/// (truncated or corrupted) and one whose header differs from the expected header, naming the
/// first key that differs.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    dir: PathBuf,
}

const MAGIC: &[u8; 10] = b"ETHERCKP1\n";

/// The byte layout of every saved state ([`Checkpoints`] files, [`crate::mc::checkpoint`] byte
/// strings): `magic`, the header length (u64, little endian), the header (JSON), the payload
/// length (u64), the payload, and the FNV-1a checksum of everything before it.
pub(crate) fn frame(magic: &[u8], header: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(magic.len() + 16 + header.len() + payload.len() + 8);
    buf.extend_from_slice(magic);
    buf.extend_from_slice(&(header.len() as u64).to_le_bytes());
    buf.extend_from_slice(header);
    buf.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    buf.extend_from_slice(payload);
    let sum = fnv1a64(&buf);
    buf.extend_from_slice(&sum.to_le_bytes());
    buf
}

/// The header and payload of a [`frame`]d byte string, or why it is damaged.
pub(crate) fn unframe<'a>(
    magic: &[u8],
    bytes: &'a [u8],
) -> std::result::Result<(serde_json::Value, &'a [u8]), &'static str> {
    if bytes.len() < magic.len() + 24 || &bytes[..magic.len()] != magic {
        return Err("not an ether checkpoint, or truncated");
    }
    let (body, tail) = bytes.split_at(bytes.len() - 8);
    let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
    if fnv1a64(body) != stored {
        return Err("checksum mismatch: truncated or corrupted");
    }
    let mut at = magic.len();
    let read_len = |at: &mut usize| -> Option<usize> {
        let v = u64::from_le_bytes(body.get(*at..*at + 8)?.try_into().ok()?);
        *at += 8;
        usize::try_from(v).ok()
    };
    let hl = read_len(&mut at).ok_or("bad header length")?;
    let header =
        body.get(at..at.saturating_add(hl)).and_then(|h| serde_json::from_slice(h).ok()).ok_or("unreadable header")?;
    at += hl;
    let pl = read_len(&mut at).ok_or("bad payload length")?;
    let payload = body.get(at..at.saturating_add(pl)).ok_or("truncated payload")?;
    Ok((header, payload))
}

/// FNV-1a, 64 bits: a checksum that catches truncation and corruption (not an adversary).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl Checkpoints {
    /// Checkpoints kept in `dir` (created on the first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Checkpoints { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// True if the directory holds at least one checkpoint file.
    pub fn exists(&self) -> bool {
        std::fs::read_dir(&self.dir)
            .map(|d| d.flatten().any(|e| e.path().extension().is_some_and(|x| x == "ckpt")))
            .unwrap_or(false)
    }

    /// The names of the checkpoint files present, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.flatten()
                    .filter_map(|e| {
                        let p = e.path();
                        if p.extension()? != "ckpt" {
                            return None;
                        }
                        Some(p.file_stem()?.to_string_lossy().into_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.ckpt"))
    }

    /// Save `payload` under `name` with `header`, atomically (a reader sees the old file or the
    /// new one, never a mixture).
    pub fn save(&self, name: &str, header: &serde_json::Value, payload: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(format!("creating the checkpoint directory {}", self.dir.display()), e))?;
        let h = serde_json::to_vec(header)
            .map_err(|e| Error::Json { context: "encoding a checkpoint header".into(), source: e })?;
        let buf = frame(MAGIC, &h, payload);
        crate::record::write_atomic(&self.path(name), &buf)
    }

    /// Load the payload saved under `name`, or `None` if there is none. Refuses (as invalid
    /// input, with the reason) a damaged file or one whose header differs from `expected`.
    pub fn load(&self, name: &str, expected: &serde_json::Value) -> Result<Option<Vec<u8>>> {
        let path = self.path(name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(format!("reading the checkpoint {}", path.display()), e)),
        };
        let damaged = |why: &str| {
            Error::invalid(
                "checkpoint",
                path.display().to_string(),
                format!("it is damaged ({why}); it was not loaded. Remove it and start again without --resume"),
            )
        };
        let (header, payload) = unframe(MAGIC, &bytes).map_err(damaged)?;
        if let Some(diff) = first_difference(expected, &header, "") {
            return Err(Error::invalid(
                "checkpoint",
                path.display().to_string(),
                format!("it belongs to another run ({diff}); resume with the parameters it was written with, or start a new run elsewhere"),
            ));
        }
        Ok(Some(payload.to_vec()))
    }

    /// Remove every checkpoint file and the directory (after the run they belong to finished).
    pub fn remove_all(&self) -> Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(format!("removing {}", self.dir.display()), e)),
        }
    }
}

/// The first key where two JSON values differ, in words ("lattice: 8x8x8x8 here, 6x6x6x6 in the checkpoint").
pub(crate) fn first_difference(expected: &serde_json::Value, found: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match (expected, found) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let key = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                match b.get(k) {
                    None => return Some(format!("{key}: {va} here, absent in the checkpoint")),
                    Some(vb) => {
                        if let Some(d) = first_difference(va, vb, &key) {
                            return Some(d);
                        }
                    }
                }
            }
            b.keys().find(|k| !a.contains_key(*k)).map(|k| {
                format!(
                    "{}: absent here, {} in the checkpoint",
                    if at.is_empty() { k.clone() } else { format!("{at}.{k}") },
                    b[k]
                )
            })
        }
        _ if expected == found => None,
        _ => Some(format!("{}: {expected} here, {found} in the checkpoint", if at.is_empty() { "value" } else { at })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_compute_pass_from_the_rule() {
        assert!(Claim::within("c", "q", 1.0, 1.05, 0.1, "s").pass);
        assert!(!Claim::within("c", "q", 1.0, 1.2, 0.1, "s").pass);
        assert!(Claim::at_most("c", "q", 0.01, 0.05, "s").pass);
        assert!(!Claim::at_most("c", "q", 0.06, 0.05, "s").pass);
        assert!(Claim::at_least("c", "q", 3.0, 2.0, "s").pass);
        assert!(!Claim::at_least("c", "q", 1.0, 2.0, "s").pass);
        assert!(!Claim::within("c", "q", f64::NAN, 0.0, f64::INFINITY, "s").pass);
        let c = Claim::within("c", "exponent p", 1.994, 2.0, 0.05, "s");
        assert_eq!(c.measured, "exponent p = 1.994 (expected 2 ± 0.05)");
        let j = serde_json::to_value(&c).unwrap();
        assert_eq!(j["rule"], "within");
        assert_eq!(j["reference"], 2.0);
        let back: Claim = serde_json::from_value(j).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn parameter_errors_name_the_key_and_the_valid_ones() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct P {
            lattice: String,
            seed: u64,
        }
        let e = params_from_json::<P>("toy", serde_json::json!({"latice": "4x4", "seed": 1})).unwrap_err();
        let m = e.to_string();
        assert!(e.is_user_error());
        assert!(
            m.starts_with("invalid toy parameter `latice` (--latice): unknown field `latice`, expected")
                && m.contains("`lattice`"),
            "{m}"
        );
    }

    #[test]
    fn a_null_is_a_non_finite_number_only_where_a_float_belongs() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct P {
            lattice: String,
            field: f64,
            beta: Vec<f64>,
        }
        let err = |v| params_from_json::<P>("toy", v).unwrap_err().to_string();
        let m = err(serde_json::json!({"lattice": "4x4", "field": null, "beta": [1.0]}));
        assert!(m.contains("`field` (--field): not a finite number"), "{m}");
        let m = err(serde_json::json!({"lattice": "4x4", "field": 1.0, "beta": [1.0, null]}));
        assert!(m.contains("`beta` (--beta): not a finite number"), "{m}");
        let m = err(serde_json::json!({"lattice": null, "field": 1.0, "beta": [1.0]}));
        assert!(m.contains("`lattice` (--lattice): no value") && !m.contains("finite"), "{m}");
    }

    #[test]
    fn numbers_print_without_noise() {
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(0.05), "0.05");
        assert_eq!(fmt_num(1.0111331), "1.011133");
        assert_eq!(fmt_num(2.5e-7), "2.500e-7");
    }

    fn tmp(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ether-ckpt-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn checkpoints_round_trip_and_refuse_damage_and_other_runs() {
        let d = tmp("rt");
        let c = Checkpoints::new(&d);
        assert!(!c.exists());
        let h = serde_json::json!({"command": "phases", "params": {"lattice": "4x4x4x4", "beta": [1.0]}});
        assert_eq!(c.load("chain", &h).unwrap(), None);
        c.save("chain", &h, b"state bytes").unwrap();
        c.save("params", &h, b"{}").unwrap();
        assert!(c.exists());
        assert_eq!(c.names(), ["chain", "params"]);
        assert_eq!(c.load("chain", &h).unwrap().unwrap(), b"state bytes");
        // another run's parameters: refused, naming the key
        let other = serde_json::json!({"command": "phases", "params": {"lattice": "6x6x6x6", "beta": [1.0]}});
        let e = c.load("chain", &other).unwrap_err().to_string();
        assert!(e.contains("params.lattice") && e.contains("6x6x6x6"), "{e}");
        // every single-byte corruption and every truncation is detected
        let path = d.join("chain.ckpt");
        let good = std::fs::read(&path).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x20;
            std::fs::write(&path, &bad).unwrap();
            assert!(c.load("chain", &h).is_err(), "flipped byte {i} was not detected");
        }
        for n in 0..good.len() {
            std::fs::write(&path, &good[..n]).unwrap();
            assert!(c.load("chain", &h).is_err(), "truncation to {n} bytes was not detected");
        }
        c.remove_all().unwrap();
        assert!(!d.exists());
    }

    #[test]
    fn memory_requests_beyond_the_limit_are_refused() {
        assert!(check_memory("a small thing", 1024, "hint").is_ok());
        let e = check_memory("a huge gauge field", u64::MAX, "use a smaller lattice").unwrap_err();
        assert!(e.is_user_error());
        assert!(e.to_string().contains("a huge gauge field"));
        assert_eq!(bytes_of(u128::MAX, 8), u64::MAX);
    }
}
