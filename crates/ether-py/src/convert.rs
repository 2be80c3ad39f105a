//! Python values to JSON: what a keyword argument may be, and the one-line error when it cannot
//! be a parameter at all. Types are not coerced here (serde checks them against `Params`, with
//! its own message); only the shapes JSON cannot carry are refused: NaN and infinities (the
//! library's own finite-number message), integers beyond 64 bits, complex numbers, objects.

use crate::errors;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;

/// `obj` as JSON; `at` names it in errors ("beta", "beta[2]", "model.J").
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, at: &str) -> PyResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(errors::invalid_input(
            py,
            &format!("invalid {at}: {}; give an integer that fits in 64 bits", obj.str()?),
        ));
    }
    if obj.is_instance_of::<PyFloat>() {
        let x: f64 = obj.extract()?;
        if let Err(e) = ether::error::require_finite(at, x) {
            return Err(errors::to_py(py, &e));
        }
        return Ok(serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(Value::Null));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::String(obj.extract()?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut v = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            v.push(to_json(&item?, &format!("{at}[{i}]"))?);
        }
        return Ok(Value::Array(v));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| errors::invalid_type(py, &format!("invalid {at}: the keys of a table must be strings")))?;
            let val = to_json(&v, &format!("{at}.{key}"))?;
            m.insert(key, val);
        }
        return Ok(Value::Object(m));
    }
    // numpy: an array becomes nested lists, a scalar (np.int64, np.float32, np.bool_) its Python
    // value; both through numpy's own `tolist`, then the rules above (so NaN is refused there).
    if obj.hasattr("dtype")? && obj.hasattr("tolist")? {
        let kind: String = obj.getattr("dtype")?.getattr("kind")?.extract()?;
        if !matches!(kind.as_str(), "b" | "i" | "u" | "f" | "U") {
            let dtype = obj.getattr("dtype")?.str()?.to_string();
            return Err(errors::invalid_type(
                py,
                &format!("invalid {at}: a numpy value of dtype {dtype}; give real numbers (float64, int) or strings"),
            ));
        }
        return to_json(&obj.call_method0("tolist")?, at);
    }
    // paths (pathlib.Path and other os.PathLike) are strings
    if obj.hasattr("__fspath__")? {
        let s = obj.call_method0("__fspath__")?;
        if s.is_instance_of::<PyString>() {
            return Ok(Value::String(s.extract()?));
        }
    }
    let ty = obj.get_type().name()?.to_string();
    let hint = if ty == "complex" {
        "parameters are real numbers".to_string()
    } else {
        "give a number, a string, a list or a dict".to_string()
    };
    Err(errors::invalid_type(py, &format!("invalid {at}: a value of type {ty}; {hint}")))
}
