//! `ether._ether`: the extension module behind the Python package `ether`.
//!
//! A thin skin over the library's experiment API ([`ether::experiment`]): keyword arguments are
//! turned into JSON ([`convert`]), laid over the experiment's defaults and deserialized into its
//! `Params` by serde (which refuses unknown keys and names the valid ones); `E::run` runs with
//! the GIL released and a [`observer::PyObserver`] (progress bars, messages, Ctrl-C); the record
//! comes back as its JSON document, its arrays as numpy arrays with their axes, its claims and
//! its summary ([`record`]). Errors become the package's exception classes ([`errors`]); a panic
//! never crosses the boundary. Which experiments exist and what their parameters mean is read
//! from the library's source at build time (`build.rs`), so nothing here is kept by hand per
//! chapter.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

mod convert;
mod errors;
mod lattice;
mod observer;
mod operator;
mod record;
mod registry;
mod selftest;
mod structure_factor;

/// The experiments this build binds: a list of dicts `{command, rust_path, defaults}` where
/// `defaults` is the JSON text of `Params::default()` (the CLI's defaults).
#[pyfunction]
fn experiments(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for e in registry::all() {
        let d = PyDict::new(py);
        d.set_item("command", e.command)?;
        d.set_item("rust_path", e.rust_path)?;
        let defaults = (e.defaults)().map_err(|err| errors::to_py(py, &err))?;
        d.set_item("defaults", defaults.to_string())?;
        d.set_item("public", e.public)?;
        list.append(d)?;
    }
    Ok(list)
}

/// The parameter docs of every experiment, read from the library's source when this module was
/// built (JSON text: a list of `{rust_path, doc, params_type, params_doc, fields: [{key, doc,
/// rust_type, python_type}]}`).
#[pyfunction]
fn docs() -> &'static str {
    include_str!(concat!(env!("OUT_DIR"), "/docs.json"))
}

/// Run the experiment `command` with `params` (a dict keyed like the CLI's long flags with '_'
/// for '-'), writing a run directory at `out` if given. Returns a dict with the record's JSON
/// text, the parameters as the run saw them (JSON text), the arrays (numpy, with their axes), the
/// claims (JSON text), the summary lines and the wall time of the run itself (seconds, without
/// the bridge).
#[pyfunction]
#[pyo3(signature = (command, params, quiet = false, out = None))]
fn run<'py>(
    py: Python<'py>,
    command: &str,
    params: &Bound<'py, PyDict>,
    quiet: bool,
    out: Option<std::path::PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let entry = registry::find(command).ok_or_else(|| {
        let names: Vec<&str> = registry::all().iter().filter(|e| e.public).map(|e| e.command).collect();
        errors::invalid_input(py, &format!("unknown experiment '{command}'; the experiments are: {}", names.join(", ")))
    })?;
    let mut value = match (entry.defaults)().map_err(|e| errors::to_py(py, &e))? {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    for (k, v) in params.iter() {
        let key: String = k.extract().map_err(|_| errors::invalid_input(py, "parameter names must be strings"))?;
        let json = convert::to_json(&v, &key)?;
        value.insert(key, json);
    }
    let mut obs = observer::PyObserver::new(quiet);
    let outcome = py.detach(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let started = std::time::Instant::now();
            let ran = (entry.run)(serde_json::Value::Object(value), &mut obs, out.as_deref())?;
            let wall = started.elapsed().as_secs_f64();
            record::Parts::of(ran, wall)
        }))
    });
    obs.finish();
    // A signal seen by the observer wins over whatever the run returned: the user asked to stop.
    if let Some(err) = obs.take_signal_error() {
        return Err(match &outcome {
            Ok(Err(e @ ether::Error::Interrupted { .. }))
                if err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) =>
            {
                pyo3::exceptions::PyKeyboardInterrupt::new_err(e.to_string())
            }
            _ => err,
        });
    }
    match outcome {
        Ok(Ok(parts)) => {
            let d = parts.into_py(py, entry.command)?;
            d.set_item("path", out)?;
            Ok(d)
        }
        Ok(Err(e)) => Err(errors::to_py(py, &e)),
        Err(panic) => Err(errors::internal(py, command, panic.as_ref())),
    }
}

/// The ether version and the git revision of the library this module was built from.
#[pyfunction]
fn version() -> (&'static str, &'static str) {
    (ether::record::VERSION, ether::record::git_revision())
}

/// ether's experiments from Python (the compiled core; use the package `ether`).
#[pymodule]
fn _ether(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::install_panic_hook();
    m.add_function(wrap_pyfunction!(experiments, m)?)?;
    m.add_function(wrap_pyfunction!(docs, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_class::<lattice::PyLattice>()?;
    m.add_class::<operator::PyEdOperator>()?;
    m.add_class::<structure_factor::PyStructureFactor>()?;
    Ok(())
}
