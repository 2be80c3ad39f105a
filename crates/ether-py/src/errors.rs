//! The library's errors as the package's exceptions (defined in `ether/_errors.py`, so that they
//! can inherit from two built-in classes): the message is the same line the CLI prints after
//! `error: `.

use pyo3::prelude::*;
use std::sync::Mutex;

mod py {
    pyo3::import_exception!(ether._errors, EtherError);
    pyo3::import_exception!(ether._errors, InvalidInput);
    pyo3::import_exception!(ether._errors, InvalidType);
    pyo3::import_exception!(ether._errors, TooLarge);
    pyo3::import_exception!(ether._errors, NumericalError);
    pyo3::import_exception!(ether._errors, InvariantError);
    pyo3::import_exception!(ether._errors, EtherIOError);
    pyo3::import_exception!(ether._errors, InternalError);
}

/// `ether.InvalidInput(message)`.
pub(crate) fn invalid_input(_py: Python<'_>, message: &str) -> PyErr {
    py::InvalidInput::new_err(message.to_string())
}

/// `ether.InvalidType(message)`: a value of the wrong type (a `ValueError` and a `TypeError`).
pub(crate) fn invalid_type(_py: Python<'_>, message: &str) -> PyErr {
    py::InvalidType::new_err(message.to_string())
}

/// The exception for a library error.
pub(crate) fn to_py(py: Python<'_>, e: &ether::Error) -> PyErr {
    use ether::Error as E;
    let msg = e.to_string();
    match e {
        // serde's "invalid type: string \"x\", expected f64" is a wrong type, not a wrong value
        E::InvalidInput { value, .. } if value.starts_with("invalid type:") => py::InvalidType::new_err(msg),
        E::InvalidInput { .. } => py::InvalidInput::new_err(msg),
        E::TooLarge { needed_bytes, .. } => {
            let err = py::TooLarge::new_err(msg);
            let _ = err.value(py).setattr("needed_bytes", *needed_bytes);
            err
        }
        E::Numerical { .. } => py::NumericalError::new_err(msg),
        E::Invariant(_) => py::InvariantError::new_err(msg),
        E::Io { source, .. } => {
            let err = py::EtherIOError::new_err(msg);
            let _ = err.value(py).setattr("errno", source.raw_os_error());
            err
        }
        E::Interrupted { .. } => pyo3::exceptions::PyKeyboardInterrupt::new_err(msg),
        E::Json { .. } => py::EtherError::new_err(msg),
    }
}

/// The last panic's message and place, kept by [`install_panic_hook`]'s hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replace the default panic hook of this extension (it has its own copy of Rust's standard
/// library, so no other code is affected): instead of printing a backtrace into the user's
/// session, keep the message and its place for the `InternalError` the caller raises.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        let at = info.location().map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{msg}{at}"));
    }));
}

/// `ether.InternalError` for a panic inside the library (a bug: it says so and what to report).
pub(crate) fn internal(_py: Python<'_>, command: &str, payload: &(dyn std::any::Any + Send)) -> PyErr {
    let kept = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
    let what = kept
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    py::InternalError::new_err(format!(
        "internal error in {command}: {what}; this is a bug in ether, please report it with the parameters that caused it"
    ))
}
