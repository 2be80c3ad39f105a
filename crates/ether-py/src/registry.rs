//! The experiments this build binds: every `impl Experiment for T` in the library (found by
//! `build.rs`), plus the bridge's own self-test experiment.

use ether::experiment::{params_from_json, AnyRecord, Experiment, Observer, Record};
use ether::record::RunDir;
use std::path::Path;
use std::sync::OnceLock;

/// How an entry runs: parameters, observer, run directory (if any) -> resolved parameters and
/// the record.
pub(crate) type RunFn = fn(serde_json::Value, &mut dyn Observer, Option<&Path>) -> ether::Result<Ran>;

/// What a finished run hands back: the parameters as the run saw them, the record, and the
/// record's failed guarantee if any ([`ether::experiment::Record::failure`]).
pub(crate) struct Ran {
    pub params: serde_json::Value,
    pub record: Box<dyn AnyRecord>,
    pub failure: Option<String>,
}

/// One experiment, with its type erased.
pub(crate) struct Entry {
    /// `E::COMMAND`: the CLI subcommand and the Python function.
    pub command: &'static str,
    /// The Rust type, e.g. `ether::experiments::photon::Photon` (matches the build-time docs).
    pub rust_path: &'static str,
    /// False for the bridge's self-test (not exported as a function of the package).
    pub public: bool,
    /// `Params::default()` as JSON.
    pub defaults: fn() -> ether::Result<serde_json::Value>,
    /// Deserialize the parameters (unknown keys refused, with serde's message listing the valid
    /// ones) and run; returns the parameters as the run saw them (serialized back from `Params`,
    /// as the CLI's manifest stores them) and the record.
    /// With `out`, the record is also written as a run directory, as `ether COMMAND --out DIR`
    /// writes it (without the figures, which `ether plot DIR` draws from the saved data).
    pub run: RunFn,
}

fn defaults_of<E: Experiment>() -> ether::Result<serde_json::Value> {
    serde_json::to_value(E::Params::default())
        .map_err(|e| ether::Error::Json { context: format!("encoding the defaults of {}", E::COMMAND), source: e })
}

/// [`ether::experiment::run_json`], keeping the parameters it deserialized.
///
/// The run directory is staged and renamed into place only when the run succeeded: an error or
/// Ctrl-C leaves nothing behind (the staging directory goes with `RunDir`'s drop).
fn run_of<E: Experiment>(params: serde_json::Value, obs: &mut dyn Observer, out: Option<&Path>) -> ether::Result<Ran>
where
    E::Record: 'static,
{
    // (keys given as null are left out: an `Option` that serializes as absent when None)
    let given: Vec<String> = params
        .as_object()
        .map(|m| m.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let p: E::Params = params_from_json(E::COMMAND, params)?;
    let resolved = serde_json::to_value(&p)
        .map_err(|e| ether::Error::Json { context: format!("encoding the parameters of {}", E::COMMAND), source: e })?;
    // serde refuses unknown keys when `Params` says `deny_unknown_fields` (the house rule); if a
    // chapter forgot it, a misspelt keyword must still not be dropped silently.
    if let Some(known) = resolved.as_object() {
        if let Some(k) = given.iter().find(|k| !known.contains_key(*k)) {
            let valid: Vec<String> = known.keys().map(|k| format!("`{k}`")).collect();
            return Err(ether::Error::invalid(
                format!("{} parameters", E::COMMAND),
                format!("unknown field `{k}`, expected one of {}", valid.join(", ")),
                "the keys are the command's long flags with '_' for '-' (see `ether COMMAND --help`)",
            ));
        }
    }
    let run_dir = match out {
        Some(dir) => {
            E::validate(&p)?; // refuse bad parameters before creating anything
            Some(RunDir::create(dir)?)
        }
        None => None,
    };
    let rec = E::run(&p, obs)?;
    if let Some(mut rd) = run_dir {
        rd.record(&rec)?;
        let seed = resolved.get("seed").and_then(serde_json::Value::as_u64);
        rd.commit(E::COMMAND, resolved.clone(), seed)?;
    }
    let failure = rec.failure();
    Ok(Ran { params: resolved, record: Box::new(rec), failure })
}

/// The entry of experiment `E`.
pub(crate) fn entry<E: Experiment + 'static>() -> Entry
where
    E::Record: 'static,
{
    Entry {
        command: E::COMMAND,
        rust_path: std::any::type_name::<E>(),
        public: true,
        defaults: defaults_of::<E>,
        run: run_of::<E>,
    }
}

mod generated {
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

/// Every experiment, the library's in source order, then the self-test.
pub(crate) fn all() -> &'static [Entry] {
    static ALL: OnceLock<Vec<Entry>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v = generated::entries();
        v.push(Entry { public: false, ..entry::<crate::selftest::SelfTest>() });
        v
    })
}

/// The experiment called `command`.
pub(crate) fn find(command: &str) -> Option<&'static Entry> {
    all().iter().find(|e| e.command == command)
}
