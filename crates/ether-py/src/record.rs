//! A finished run's record, taken apart without the GIL ([`Parts::of`]) and handed to Python
//! ([`Parts::into_py`]): the JSON text (the CLI's `--json` document), the arrays as numpy arrays
//! of their shape (the values move into numpy without a copy), each axis once, the claims and the
//! summary lines.

use ether::experiment::{Axis, Claim, DataArray, Values};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// What a record hands over; `Send`, so it is built while the GIL is released.
pub(crate) struct Parts {
    json: String,
    params: String,
    arrays: Vec<DataArray>,
    claims: String,
    summary: Vec<String>,
    failure: Option<String>,
    wall_time: f64,
}

impl Parts {
    pub(crate) fn of(ran: crate::registry::Ran, wall_time: f64) -> ether::Result<Parts> {
        let rec = ran.record.as_ref();
        let json = serde_json::to_string(&rec.to_json()?)
            .map_err(|e| ether::Error::Json { context: "encoding the record".into(), source: e })?;
        let arrays = rec.data_arrays();
        for a in &arrays {
            a.check()?;
        }
        let claims: Vec<Claim> = rec.claim_list();
        let claims = serde_json::to_string(&claims)
            .map_err(|e| ether::Error::Json { context: "encoding the claims".into(), source: e })?;
        Ok(Parts {
            json,
            params: ran.params.to_string(),
            arrays,
            claims,
            summary: rec.summary_lines(),
            failure: ran.failure,
            wall_time,
        })
    }

    pub(crate) fn into_py<'py>(self, py: Python<'py>, command: &str) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("command", command)?;
        out.set_item("json", self.json)?;
        out.set_item("params", self.params)?;
        out.set_item("claims", self.claims)?;
        out.set_item("summary", self.summary)?;
        out.set_item("wall_time", self.wall_time)?;
        out.set_item("failure", self.failure)?;
        let arrays = PyList::empty(py);
        let axes = PyDict::new(py); // axis file -> its dict, each built once
        for a in self.arrays {
            let d = PyDict::new(py);
            d.set_item("file", &a.file)?;
            d.set_item("description", &a.description)?;
            d.set_item("unit", &a.unit)?;
            let shape = a.shape();
            d.set_item("values", values_to_numpy(py, a.values, &shape)?)?;
            let names = PyList::empty(py);
            for x in a.axes {
                names.append(&x.file)?;
                if !axes.contains(&x.file)? {
                    let file = x.file.clone();
                    axes.set_item(file, axis_to_py(py, x)?)?;
                }
            }
            d.set_item("axes", names)?;
            arrays.append(d)?;
        }
        out.set_item("arrays", arrays)?;
        out.set_item("axes", axes)?;
        Ok(out)
    }
}

fn axis_to_py(py: Python<'_>, x: Axis) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", x.name)?;
    d.set_item("unit", x.unit)?;
    d.set_item("file", x.file)?;
    d.set_item("values", x.values.into_pyarray(py))?;
    d.set_item("labels", x.labels)?;
    Ok(d)
}

/// The values as a numpy array of `shape`, C order; the buffer moves into numpy (no copy).
fn values_to_numpy<'py>(py: Python<'py>, values: Values, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    use numpy::ndarray::{ArrayD, IxDyn};
    let bad = |e: numpy::ndarray::ShapeError| pyo3::exceptions::PyRuntimeError::new_err(e.to_string());
    Ok(match values {
        Values::Real(v) => ArrayD::from_shape_vec(IxDyn(shape), v).map_err(bad)?.into_pyarray(py).into_any(),
        Values::Complex(v) => ArrayD::from_shape_vec(IxDyn(shape), v).map_err(bad)?.into_pyarray(py).into_any(),
    })
}
