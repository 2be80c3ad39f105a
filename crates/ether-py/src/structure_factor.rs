//! `ether.StructureFactor`: the library's S(k, ω) accumulator
//! ([`ether::dynamics::StructureFactor`] with the trace projector Σ_α |A^α_k(ω)|²) fed with
//! trajectories held in numpy arrays, for users who produce their own trajectories (their own
//! integrator, another code's output) and want ether's estimator, conventions and normalization.

use crate::{errors, lattice::PyLattice};
use ether::dynamics::{StructureFactor, Trace};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// S(k, ω) of real fields on a periodic lattice, averaged over trajectories:
/// `StructureFactor(lattice, n_components, n_times, dt)`; `add(frames)` with `frames` a float64
/// array of shape `(n_times, n_components, n_sites)` (or `(n_times, n_components * n_sites)`,
/// component-major); `intensity()` the normalized `S(k, ω_j) = Δt / (2π N T) ⟨Σ_α |A^α_k(ω_j)|²⟩`
/// of shape `(n_sites, n_times)`, rows in the order of `Lattice.momenta()`, columns at `omega`
/// (FFT order: 0, Δω, …, π/dt, then the negative frequencies). Conventions: `A_k = Σ_r e^{+i k·r} A_r`,
/// `A(ω) = Σ_n e^{−i ω t_n} A(t_n)` (docs/conventions.md); Parseval: `Σ_k Σ_j S Δω / N` is the
/// time average of `Σ_α A_r^α²` per site.
#[pyclass(module = "ether", name = "StructureFactor")]
pub(crate) struct PyStructureFactor {
    inner: StructureFactor,
    n_components: usize,
}

#[pymethods]
impl PyStructureFactor {
    #[new]
    fn new(py: Python<'_>, lattice: &Bound<'_, PyAny>, n_components: usize, n_times: usize, dt: f64) -> PyResult<Self> {
        let lat = match lattice.cast::<PyLattice>() {
            Ok(l) => l.get().inner.clone(),
            Err(_) => PyLattice::new(py, lattice)?.inner,
        };
        if n_components == 0 {
            return Err(errors::invalid_input(py, "invalid n_components: 0; give at least 1 component per site"));
        }
        if !dt.is_finite() {
            return Err(errors::invalid_input(py, &format!("invalid dt: {dt}; give a finite number")));
        }
        let inner = StructureFactor::new(&lat, n_components, n_times, dt, 1).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyStructureFactor { inner, n_components })
    }

    /// Add one trajectory (the GIL is released during the transforms).
    fn add(&mut self, py: Python<'_>, frames: &Bound<'_, PyAny>) -> PyResult<()> {
        let (nt, nc, n) = (self.inner.n_times(), self.n_components, self.inner.lattice().n_sites());
        let want = format!("({nt}, {nc}, {n}) or ({nt}, {})", nc * n);
        let dtype: Option<String> =
            if frames.hasattr("dtype")? { Some(frames.getattr("dtype")?.str()?.extract()?) } else { None };
        if dtype.as_deref() != Some("float64") {
            return Err(errors::invalid_type(
                py,
                &format!("invalid frames: give a float64 numpy array of shape {want} (np.asarray(x, dtype=float))"),
            ));
        }
        let arr = frames.cast::<PyArrayDyn<f64>>().map_err(|_| {
            errors::invalid_type(py, &format!("invalid frames: give a float64 numpy array of shape {want}"))
        })?;
        let shape = arr.shape().to_vec();
        if !(shape == [nt, nc, n] || shape == [nt, nc * n]) {
            return Err(errors::invalid_input(py, &format!("invalid frames: shape {shape:?}; give {want}")));
        }
        let view = arr.readonly();
        // A C-contiguous array is read in place; any other layout is copied once, in C order.
        let copied: Vec<f64>;
        let flat: &[f64] = match view.as_slice() {
            Ok(s) => s,
            Err(_) => {
                copied = view.as_array().iter().copied().collect();
                &copied
            }
        };
        if let Some(i) = flat.iter().position(|x| !x.is_finite()) {
            return Err(errors::invalid_input(
                py,
                &format!("invalid frames: value {} at flat index {i}; give finite numbers", flat[i]),
            ));
        }
        let inner = &mut self.inner;
        py.detach(|| inner.add_trajectory_flat(flat, &Trace)).map_err(|e| errors::to_py(py, &e))
    }

    /// Add the trajectories of another accumulator of the same lattice, components and frames.
    fn merge(&mut self, py: Python<'_>, other: &Bound<'_, PyStructureFactor>) -> PyResult<()> {
        let o =
            other.try_borrow().map_err(|_| errors::invalid_input(py, "invalid merge: an accumulator with itself"))?;
        self.inner.merge(&o.inner).map_err(|e| errors::to_py(py, &e))
    }

    /// The normalized S(k, ω_j), shape (n_sites, n_times).
    fn intensity<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (n, nt) = (self.inner.lattice().n_sites(), self.inner.n_times());
        let v: Vec<f64> =
            (0..n).flat_map(|k| (0..nt).map(move |j| (k, j))).map(|(k, j)| self.inner.intensity(0, k, j)).collect();
        v.into_pyarray(py).reshape([n, nt])
    }

    /// The frequencies of the columns (FFT order), in units of 1/dt.
    #[getter]
    fn omega<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        (0..self.inner.n_times()).map(|j| self.inner.omega(j)).collect::<Vec<_>>().into_pyarray(py)
    }

    /// Bin width Δω = 2π / (n_times dt).
    #[getter]
    fn domega(&self) -> f64 {
        self.inner.domega()
    }

    /// Trajectories added.
    #[getter]
    fn samples(&self) -> usize {
        self.inner.samples()
    }

    /// Frames per trajectory.
    #[getter]
    fn n_times(&self) -> usize {
        self.inner.n_times()
    }

    /// Components per site.
    #[getter]
    fn n_components(&self) -> usize {
        self.n_components
    }

    fn __repr__(&self) -> String {
        format!(
            "StructureFactor(\"{}\", n_components={}, n_times={}, samples={})",
            self.inner.lattice(),
            self.n_components,
            self.inner.n_times(),
            self.inner.samples()
        )
    }
}
