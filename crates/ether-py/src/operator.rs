//! `ether.EdOperator`: the Hamiltonian of an `ether ed` spin run on one symmetry sector
//! ([`ether::experiments::ed::SectorOperator`]), applied to numpy vectors, for users who combine
//! ether's ED with their own operators, solvers or time evolution. The keyword arguments are
//! those of `ether.ed` (the CLI's flags), checked by the library as a run checks them.

use crate::{convert, errors, lattice};
use ether::ed::operator::LinearOperator;
use ether::experiment::params_from_json;
use ether::experiments::ed::{EdParams, SectorOperator};
use ether::linalg::C64;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Hamiltonian of a spin model on one symmetry sector, as `ether ed` builds it:
/// `EdOperator(model="heisenberg", lattice="4x4", sector="sz=0,k=0:0")` takes the keyword
/// arguments of `ether.ed` (those that define the model and the sector; `nev`, `observables`
/// and the like are accepted and ignored). `H @ x` (or `H.apply(x)`) is `H x` for a vector of
/// `H.dim` values: float64 for real sectors, complex128 for sectors with complex characters
/// (`H.dtype` says which). Index `i` is the basis state `H.states[i]` (its representative
/// configuration, site `r` up when bit `r` is set); without `sector` the whole 2^N space.
#[pyclass(module = "ether", name = "EdOperator", frozen)]
pub(crate) struct PyEdOperator {
    inner: SectorOperator,
    label: String,
}

#[pymethods]
impl PyEdOperator {
    #[new]
    #[pyo3(signature = (**kwargs))]
    fn new(py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut value = serde_json::Map::new();
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let key: String = k.extract()?;
                let json = convert::to_json(&v, &key)?;
                // None means "the default", as for the chapter functions
                if !json.is_null() {
                    value.insert(key, json);
                }
            }
        }
        let p: EdParams =
            params_from_json("ed", serde_json::Value::Object(value)).map_err(|e| errors::to_py(py, &e))?;
        let inner = py
            .detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| SectorOperator::new(&p))))
            .map_err(|panic| errors::internal(py, "EdOperator", panic.as_ref()))?
            .map_err(|e| errors::to_py(py, &e))?;
        let b = inner.basis();
        let label = Some(b.sector.label(b.n_sites)).filter(|l| !l.is_empty()).unwrap_or_else(|| "all".into());
        Ok(PyEdOperator { inner, label })
    }

    /// The sector's dimension (the length of the vectors `H` acts on).
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    /// `(dim, dim)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        (self.inner.dim(), self.inner.dim())
    }

    /// `"float64"` for a real sector, `"complex128"` for a complex one.
    #[getter]
    fn dtype(&self) -> &'static str {
        match self.inner {
            SectorOperator::Real(_) => "float64",
            SectorOperator::Complex(_) => "complex128",
        }
    }

    /// The sector, as `ether ed` labels it (`"all"` for the whole space).
    #[getter]
    fn sector(&self) -> String {
        self.label.clone()
    }

    /// The number of sites.
    #[getter]
    fn n_sites(&self) -> usize {
        self.inner.basis().n_sites
    }

    /// The basis: `states[i]` is the representative configuration of index `i` (uint64, site
    /// `r` up when bit `r` is set).
    #[getter]
    fn states<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.basis().states.clone().into_pyarray(py)
    }

    /// `H x` for a vector `x` of `dim` values (a new array; the GIL is released meanwhile).
    fn apply<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let n = self.inner.dim();
        let per = format!("one amplitude per basis state of sector {}", self.label);
        match &self.inner {
            SectorOperator::Real(h) => {
                if x.hasattr("dtype")? && x.getattr("dtype")?.getattr("kind")?.extract::<String>()? == "c" {
                    return Err(errors::invalid_type(
                        py,
                        &format!("invalid x: a complex array; sector {} is real, give float64 values", self.label),
                    ));
                }
                let v: Vec<f64> = lattice::vector(py, x, n, "x", &per)?;
                let y = py.detach(|| {
                    let mut y = vec![0.0; n];
                    h.apply(&v, &mut y);
                    y
                });
                Ok(y.into_pyarray(py).into_any())
            }
            SectorOperator::Complex(h) => {
                let v: Vec<C64> = lattice::vector(py, x, n, "x", &per)?;
                let y = py.detach(|| {
                    let mut y = vec![C64::new(0.0, 0.0); n];
                    h.apply(&v, &mut y);
                    y
                });
                Ok(y.into_pyarray(py).into_any())
            }
        }
    }

    fn __matmul__<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.apply(py, x)
    }

    fn __repr__(&self) -> String {
        format!(
            "EdOperator(sector {}, {} sites, dim {}, {})",
            self.label,
            self.inner.basis().n_sites,
            self.inner.dim(),
            self.dtype()
        )
    }
}
