//! The toric code in a field, `H = −Σ_v A_v − Σ_p B_p − h Σ_e σ^z_e`, by exact diagonalization.
//!
//! Note C.7. The field commutes with every `B_p` and with the logical loops `Z_1, Z_2`, so the
//! ground state lies in the sector `B_p = Z_1 = Z_2 = +1` that contains `|0…0⟩`. That sector is
//! spanned by `Π_{v∈S} A_v |0…0⟩` for vertex sets `S` (with `S` and its complement giving the
//! same state, so vertex 0 is kept out of `S`): `2^{V−1}` states instead of `2^{2V}`. In it,
//! `A_v` flips whether `v ∈ S`, `σ^z_e = −1` iff exactly one end of `e` is in `S`, and
//! `B_p = 1` (this is the mapping to the transverse-field Ising model of note C.7). The ground
//! state, written back as a superposition of qubit configurations, goes to
//! [`super::schmidt::ConfigState`] for entropies.
//!
//! The solver is swappable ([`GroundStateSolver`]): [`EdLanczos`] (the project's ED engine,
//! [`crate::ed::lanczos`], the default) and [`DenseSolver`] for small sectors, its oracle. The sector
//! Hamiltonian is checked against the toric-code Hamiltonian on the full `2^n` space in the
//! tests. The model itself is the data type [`crate::model::toric_code::ToricCode`].

use super::schmidt::ConfigState;
use crate::ed::lanczos::{lanczos_from, LanczosOptions};
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg;
use crate::model::toric_code::ToricCode;

/// Largest sector dimension ether diagonalizes (`2^20` states: 1 048 576).
pub const MAX_SECTOR_BITS: usize = 20;

/// The ED engine's operator trait, for real symmetric sector Hamiltonians.
pub trait LinearOperator: crate::ed::lanczos::LinearOperator<Scalar = f64> {}
impl<T: crate::ed::lanczos::LinearOperator<Scalar = f64>> LinearOperator for T {}

/// Something that finds the lowest eigenpair of a real symmetric operator.
pub trait GroundStateSolver {
    /// Lowest eigenvalue and a normalized eigenvector.
    fn ground_state(&self, op: &dyn LinearOperator) -> Result<(f64, Vec<f64>)>;
}

/// The ED engine's Lanczos ([`crate::ed::lanczos`]), started from the uniform vector (the
/// sector Hamiltonian's ground state is positive, so it overlaps), eigenvector by its second pass.
#[derive(Clone, Debug)]
pub struct EdLanczos {
    /// Options (`eigenvectors` is forced on, `nev = 1`).
    pub options: LanczosOptions,
}

impl Default for EdLanczos {
    fn default() -> Self {
        EdLanczos { options: LanczosOptions { tol: 1e-12, ..LanczosOptions::default() } }
    }
}

struct EdAdapter<'a>(&'a dyn LinearOperator);

impl crate::ed::lanczos::LinearOperator for EdAdapter<'_> {
    type Scalar = f64;
    fn dim(&self) -> usize {
        crate::ed::lanczos::LinearOperator::dim(self.0)
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        crate::ed::lanczos::LinearOperator::apply(self.0, x, y)
    }
}

impl GroundStateSolver for EdLanczos {
    fn ground_state(&self, op: &dyn LinearOperator) -> Result<(f64, Vec<f64>)> {
        let n = op.dim();
        let opts = LanczosOptions { nev: 1, eigenvectors: true, ..self.options.clone() };
        let start = vec![1.0 / (n as f64).sqrt(); n];
        let r = lanczos_from(&EdAdapter(op), start, &opts)?;
        let v = r.eigenvectors.and_then(|mut v| if v.is_empty() { None } else { Some(v.swap_remove(0)) }).ok_or_else(
            || Error::numerical("ED Lanczos", "no eigenvector returned", "use DenseSolver on small sectors"),
        )?;
        Ok((r.eigenvalues[0], v))
    }
}

/// Dense diagonalization (builds the matrix column by column; `dim ≤ 4096`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DenseSolver;

impl GroundStateSolver for DenseSolver {
    fn ground_state(&self, op: &dyn LinearOperator) -> Result<(f64, Vec<f64>)> {
        let n = op.dim();
        if n > 4096 {
            return Err(Error::invalid("dense solver", format!("dimension {n}"), "use the Lanczos solver above 4096"));
        }
        let mut m = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        let mut col = vec![0.0; n];
        for j in 0..n {
            e.iter_mut().for_each(|x| *x = 0.0);
            e[j] = 1.0;
            op.apply(&e, &mut col);
            for i in 0..n {
                m[i * n + j] = col[i];
            }
        }
        let eig = linalg::eigh_real(n, &m)?;
        Ok((eig.values[0], eig.vectors[0].clone()))
    }
}

/// The toric code in a field, restricted to its ground-state sector.
#[derive(Clone, Debug)]
pub struct SectorHamiltonian {
    lattice: Lattice,
    h: f64,
    je: f64,
    /// For each vertex, the basis-bit mask that flips it (vertex 0 flips all bits).
    flips: Vec<usize>,
    /// For each link, the mask of basis bits of its two ends.
    link_masks: Vec<usize>,
    diag: Vec<f64>,
}

/// Sector dimension `2^{V−1}` as a power of two, and bytes needed (about 64 bytes per state:
/// Lanczos vectors, diagonal, configurations and the Schmidt bookkeeping).
pub fn sector_size(lat: &Lattice) -> (usize, u64) {
    let bits = lat.n_sites() - 1;
    (bits, 64u64.saturating_mul(1u64 << bits.min(60)))
}

impl SectorHamiltonian {
    /// The sector Hamiltonian with unit star and plaquette couplings and field `h`.
    pub fn new(lat: &Lattice, h: f64) -> Result<Self> {
        crate::error::require_non_negative("field h", h, "the field strength; its sign is a gauge choice")?;
        if lat.dim() != 2 {
            return Err(Error::invalid("lattice", format!("{lat}"), "the toric code in a field is 2D, e.g. 4x4"));
        }
        Self::from_model(&ToricCode::new(lat.clone(), 1.0, 1.0, h)?)
    }

    /// The sector Hamiltonian of a toric-code model `H = −J_e Σ A_v − J_m Σ B_p − h Σ σ^z`;
    /// refuses sectors beyond `2^MAX_SECTOR_BITS` states with a memory estimate.
    pub fn from_model(model: &ToricCode) -> Result<Self> {
        let lat = &model.lattice;
        let (je, jm, h) = (model.star, model.plaquette, model.field);
        let (bits, bytes) = sector_size(lat);
        if bits > MAX_SECTOR_BITS {
            return Err(Error::too_large(
                format!(
                    "exact diagonalization of the toric code in a field on {lat} ({} qubits; gauge sector of 2^{bits} states)",
                    lat.n_links()
                ),
                bytes,
                crate::error::available_memory_bytes().unwrap_or(0),
                format!(
                    "ED is limited to 2^{MAX_SECTOR_BITS} states (at most {} sites, e.g. 4x4 or 4x5); the time also grows as 2^{bits}",
                    MAX_SECTOR_BITS + 1
                ),
            ));
        }
        let bit = |v: usize| if v == 0 { 0 } else { 1usize << (v - 1) };
        let all = (1usize << bits) - 1;
        let flips: Vec<usize> = (0..lat.n_sites()).map(|v| if v == 0 { all } else { bit(v) }).collect();
        let link_masks: Vec<usize> = (0..lat.n_links())
            .map(|l| {
                let (a, b) = lat.link_ends(l);
                bit(a) ^ bit(b)
            })
            .collect();
        let np = jm * lat.n_plaquettes() as f64;
        let diag = (0..1usize << bits)
            .map(|i| {
                let down = link_masks.iter().filter(|&&m| (i & m).count_ones() % 2 == 1).count() as f64;
                let up = link_masks.len() as f64 - down;
                -np - h * (up - down)
            })
            .collect();
        Ok(SectorHamiltonian { lattice: lat.clone(), h, je, flips, link_masks, diag })
    }

    /// The field.
    pub fn field(&self) -> f64 {
        self.h
    }

    /// The qubit configuration (bit `l` = σ^z_l = −1) of basis state `i`.
    pub fn configuration(&self, i: usize) -> u128 {
        let mut x = 0u128;
        for (l, &m) in self.link_masks.iter().enumerate() {
            if (i & m).count_ones() % 2 == 1 {
                x |= 1u128 << l;
            }
        }
        x
    }

    /// The ground state as a superposition of qubit configurations, with its energy.
    pub fn ground_state(&self, solver: &dyn GroundStateSolver) -> Result<(f64, ConfigState)> {
        let (e, v) = solver.ground_state(self)?;
        let configs = (0..v.len()).map(|i| self.configuration(i)).collect();
        Ok((e, ConfigState::new(self.lattice.n_links(), configs, v)?))
    }
}

impl crate::ed::lanczos::LinearOperator for SectorHamiltonian {
    type Scalar = f64;
    fn dim(&self) -> usize {
        self.diag.len()
    }

    fn apply(&self, x: &[f64], y: &mut [f64]) {
        for i in 0..x.len() {
            let mut s = 0.0;
            for &f in &self.flips {
                s += x[i ^ f];
            }
            y[i] = self.diag[i] * x[i] - self.je * s;
        }
    }
}

/// The toric code in a field on the full `2^n` qubit space (the oracle for the sector
/// construction; `n ≤ 24`): `A_v` flips the star's four bits, `B_p` and `σ^z` are diagonal.
#[derive(Clone, Debug)]
pub struct FullHamiltonian {
    stars: Vec<usize>,
    diag: Vec<f64>,
}

impl FullHamiltonian {
    /// Build it on a 2D torus with at most 24 links.
    pub fn new(lat: &Lattice, h: f64) -> Result<Self> {
        let n = lat.n_links();
        if lat.dim() != 2 || n > 24 {
            return Err(Error::invalid(
                "lattice",
                format!("{lat}"),
                "the full-space oracle takes a 2D torus of at most 24 links",
            ));
        }
        let stars = (0..lat.n_sites())
            .map(|r| (0..2).fold(0usize, |m, a| m | (1 << lat.link(r, a)) | (1 << lat.link(lat.backward(r, a), a))))
            .collect();
        let plaqs: Vec<usize> = (0..lat.n_plaquettes())
            .map(|p| lat.plaquette_links(p).iter().fold(0usize, |m, &(l, _)| m | (1 << l)))
            .collect();
        let diag = (0..1usize << n)
            .map(|b| {
                let bp: f64 = plaqs.iter().map(|&m| if (b & m).count_ones() % 2 == 0 { 1.0 } else { -1.0 }).sum();
                let sz = n as f64 - 2.0 * b.count_ones() as f64;
                -bp - h * sz
            })
            .collect();
        Ok(FullHamiltonian { stars, diag })
    }
}

impl crate::ed::lanczos::LinearOperator for FullHamiltonian {
    type Scalar = f64;
    fn dim(&self) -> usize {
        self.diag.len()
    }

    fn apply(&self, x: &[f64], y: &mut [f64]) {
        for i in 0..x.len() {
            let mut s = self.diag[i] * x[i];
            for &f in &self.stars {
                s -= x[i ^ f];
            }
            y[i] = s;
        }
    }
}
