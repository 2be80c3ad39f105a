//! `ether.Lattice`: the library's periodic hypercubic lattice ([`ether::Lattice`]) with its cell
//! counts, site coordinates, momenta, and the incidence maps (grad, div, curl, curlᵀ, cube
//! divergence) applied to numpy vectors. Inputs are checked before the library sees them
//! (float64, one dimension, one value per cell), so a wrong array is a one-line exception.

use crate::errors;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyString;

/// A periodic hypercubic lattice (a torus) in 1 to 4 dimensions: `Lattice("32x32")` or
/// `Lattice([4, 4, 4])`. Sites are numbered with the first axis fastest; link `(r, a)` is
/// `r * dim + a` and runs from `r` to `r + e_a` (docs/conventions.md).
#[pyclass(module = "ether", name = "Lattice", frozen)]
pub(crate) struct PyLattice {
    pub(crate) inner: ether::Lattice,
}

/// The element of a vector argument: its numpy dtype, and whether arrays of other numeric
/// dtypes are converted (a real vector given to a complex operator) or refused.
pub(crate) trait VectorElement: numpy::Element + Copy + std::fmt::Display {
    /// The numpy dtype name.
    const DTYPE: &'static str;
    /// Whether other numeric dtypes are converted to [`VectorElement::DTYPE`].
    const CONVERTS: bool;
    /// Whether every part of the value is finite.
    fn finite(&self) -> bool;
}

impl VectorElement for f64 {
    const DTYPE: &'static str = "float64";
    const CONVERTS: bool = false;
    fn finite(&self) -> bool {
        self.is_finite()
    }
}

impl VectorElement for ether::linalg::C64 {
    const DTYPE: &'static str = "complex128";
    const CONVERTS: bool = true;
    fn finite(&self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}

/// A vector of `n` values from `x` (a numpy array, or a list converted by numpy), or the
/// exception that says what was wrong with it.
pub(crate) fn vector<T: VectorElement>(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    n: usize,
    what: &str,
    per: &str,
) -> PyResult<Vec<T>> {
    let arr = match x.cast::<PyArray1<T>>() {
        Ok(a) => a.clone(),
        Err(_) => {
            let np = py.import("numpy")?;
            if x.is_instance_of::<PyString>() {
                return Err(errors::invalid_type(py, &format!("invalid {what}: a string; give {n} numbers")));
            } else if !T::CONVERTS && x.hasattr("dtype")? {
                let dtype = x.getattr("dtype")?.str()?.to_string();
                if dtype != T::DTYPE {
                    return Err(errors::invalid_type(
                        py,
                        &format!(
                            "invalid {what}: an array of dtype {dtype}; give {} values (np.asarray(x, dtype=np.{}))",
                            T::DTYPE,
                            T::DTYPE
                        ),
                    ));
                }
            }
            let a = np.call_method1("asarray", (x, T::DTYPE)).map_err(|e| {
                errors::invalid_type(py, &format!("invalid {what}: not an array of numbers ({})", e.value(py)))
            })?;
            match a.cast::<PyArray1<T>>() {
                Ok(a) => a.clone(),
                Err(_) => {
                    let shape: Vec<usize> = a.getattr("shape")?.extract()?;
                    return Err(errors::invalid_input(
                        py,
                        &format!("invalid {what}: an array of shape {shape:?}; give a vector of {n} values, {per}"),
                    ));
                }
            }
        }
    };
    if arr.len() != n {
        return Err(errors::invalid_input(py, &format!("invalid {what}: {} values; give {n}, {per}", arr.len())));
    }
    let v: Vec<T> = arr.readonly().as_array().iter().copied().collect();
    if let Some(i) = v.iter().position(|x| !x.finite()) {
        return Err(errors::invalid_input(py, &format!("invalid {what}[{i}]: {}; give finite numbers", v[i])));
    }
    Ok(v)
}

impl PyLattice {
    fn map<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        (n_in, per): (usize, &str),
        n_out: usize,
        what: &str,
        f: fn(&ether::Lattice, &[f64], &mut [f64]),
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let v = vector(py, x, n_in, what, per)?;
        let lat = &self.inner;
        let out = py.detach(|| {
            let mut out = vec![0.0; n_out];
            f(lat, &v, &mut out);
            out
        });
        Ok(out.into_pyarray(py))
    }
}

#[pymethods]
impl PyLattice {
    #[new]
    pub(crate) fn new(py: Python<'_>, extents: &Bound<'_, PyAny>) -> PyResult<Self> {
        let inner = if let Ok(s) = extents.extract::<String>() {
            ether::Lattice::parse(&s)
        } else if let Ok(v) = extents.extract::<Vec<usize>>() {
            ether::Lattice::new(&v)
        } else {
            return Err(errors::invalid_type(
                py,
                "invalid lattice: give extents as a string (\"32x32\") or a list of positive integers ([32, 32])",
            ));
        };
        inner.map(|inner| PyLattice { inner }).map_err(|e| errors::to_py(py, &e))
    }

    /// The extents, e.g. (32, 32).
    #[getter]
    fn extents(&self) -> Vec<usize> {
        self.inner.extents().to_vec()
    }
    /// Number of dimensions.
    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }
    /// Number of sites.
    #[getter]
    fn n_sites(&self) -> usize {
        self.inner.n_sites()
    }
    /// Number of links (sites × dim).
    #[getter]
    fn n_links(&self) -> usize {
        self.inner.n_links()
    }
    /// Number of plaquettes (sites × dim(dim−1)/2).
    #[getter]
    fn n_plaquettes(&self) -> usize {
        self.inner.n_plaquettes()
    }
    /// Number of cubes (sites × dim(dim−1)(dim−2)/6).
    #[getter]
    fn n_cubes(&self) -> usize {
        self.inner.n_cubes()
    }
    /// True if every extent is even (two sublattices).
    #[getter]
    fn bipartite(&self) -> bool {
        self.inner.is_bipartite()
    }

    /// Integer coordinates of every site, shape (n_sites, dim).
    fn coords<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<i64>>> {
        let d = self.inner.dim();
        let v: Vec<i64> = (0..self.inner.n_sites())
            .flat_map(|r| self.inner.coords(r)[..d].iter().map(|&c| c as i64).collect::<Vec<_>>())
            .collect();
        v.into_pyarray(py).reshape([self.inner.n_sites(), d])
    }

    /// The allowed momenta k_a = 2π n_a / L_a in site-index order, shape (n_sites, dim),
    /// radians per lattice spacing.
    fn momenta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let d = self.inner.dim();
        let v: Vec<f64> = self.inner.momentum_grid().iter().flat_map(|k| k.components().to_vec()).collect();
        v.into_pyarray(py).reshape([self.inner.n_sites(), d])
    }

    /// Lattice gradient, sites to links: (grad f)_{r,a} = f(r + e_a) − f(r).
    fn grad<'py>(&self, py: Python<'py>, f: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let n = (self.inner.n_sites(), "one per site");
        self.map(py, f, n, self.inner.n_links(), "grad input", ether::Lattice::grad)
    }

    /// Lattice divergence, links to sites: (div E)_r = Σ_a (E_{r,a} − E_{r−e_a,a}) (= −gradᵀ).
    fn div<'py>(&self, py: Python<'py>, e: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let n = (self.inner.n_links(), "one per link");
        self.map(py, e, n, self.inner.n_sites(), "div input", ether::Lattice::div)
    }

    /// Lattice curl, links to plaquettes: Φ_{r,ab} = θ_{r,a} + θ_{r+a,b} − θ_{r+b,a} − θ_{r,b}.
    fn curl<'py>(&self, py: Python<'py>, theta: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.need_dim(py, 2, "curl")?;
        let n = (self.inner.n_links(), "one per link");
        self.map(py, theta, n, self.inner.n_plaquettes(), "curl input", ether::Lattice::curl)
    }

    /// Transpose of the curl, plaquettes to links.
    fn curl_t<'py>(&self, py: Python<'py>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.need_dim(py, 2, "curl_t")?;
        let n = (self.inner.n_plaquettes(), "one per plaquette");
        self.map(py, b, n, self.inner.n_links(), "curl_t input", ether::Lattice::curl_t)
    }

    /// Divergence of a plaquette field over cubes.
    fn cube_div<'py>(&self, py: Python<'py>, b: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        self.need_dim(py, 3, "cube_div")?;
        let n = (self.inner.n_plaquettes(), "one per plaquette");
        self.map(py, b, n, self.inner.n_cubes(), "cube_div input", ether::Lattice::cube_div)
    }

    fn __repr__(&self) -> String {
        format!("Lattice(\"{}\")", self.inner)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyLattice>().map(|o| o.get().inner == self.inner).unwrap_or(false)
    }
}

impl PyLattice {
    fn need_dim(&self, py: Python<'_>, d: usize, what: &str) -> PyResult<()> {
        if self.inner.dim() < d {
            return Err(errors::invalid_input(
                py,
                &format!(
                    "invalid lattice for {what}: {} has {} dimension(s); it needs at least {d}",
                    self.inner,
                    self.inner.dim()
                ),
            ));
        }
        Ok(())
    }
}
