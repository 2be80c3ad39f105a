//! The toric code in a field, `H = −J_e Σ_v A_v − J_m Σ_p B_p − h Σ_e σ^z_e`, by exact
//! diagonalization, and the entropies of its ground state.
//!
//! The model is [`crate::model::ToricCode`]; docs/physics/topological-order.md derives what is
//! used here. The field commutes with every `B_p` and with the logical loops `Z_1, Z_2`, so the
//! ground state lies in the sector `B_p = Z_1 = Z_2 = +1` that contains `|0…0⟩`
//! ([`FluxFreeSector`]). That sector is spanned by `Π_{v∈S} A_v |0…0⟩` for vertex sets `S`
//! (with `S` and its complement giving the same state, so vertex 0 is kept out of `S`): `2^{V−1}`
//! states instead of `2^{2V}`. In it `A_v` flips whether `v ∈ S` and `σ^z_e = −1` iff exactly
//! one end of `e` is in `S`: the transverse-field Ising model of the vertices
//! ([`crate::model::ToricCode::dual_ising`]).
//!
//! Two independent routes to the ground state:
//! - **Dual Ising ED** ([`DualIsing`], the default): the Ising model's ground state in its fully
//!   symmetric sector (zero momentum, even under the point group and the global flip, which
//!   holds the unique, positive ground state of this stoquastic Hamiltonian) by the project's ED
//!   engine ([`crate::ed`]), expanded orbit by orbit into the `2^{V−1}` sector amplitudes, and
//!   checked by the residual `‖H ψ − E ψ‖` of the sector Hamiltonian below. The symmetric
//!   sector has about `2^V / (4 · 2 · V)` states (5x5: 84 000), so tori up to the memory of one
//!   sector vector are reached (5x5, 4x6, 5x6).
//! - **Sector Lanczos** ([`SectorHamiltonian`] with a [`GroundStateSolver`]): the toric-code
//!   Hamiltonian written directly on the `2^{V−1}` sector states, solved by the ED engine's
//!   Lanczos or densely; itself checked against the toric code on the full `2^{2V}` space
//!   ([`FullHamiltonian`]) on 2x2 and 3x3.
//!
//! Entropies: the sector's configurations `x = M s` are a GF(2) linear code (`M` maps a vertex
//! set to the links with one end in it), so the Schmidt decomposition across `A | B` is block
//! diagonal over the cosets of `K_A ⊕ K_B`, with `K_A = ker M_A`, `K_B = ker M_B` (vertex sets
//! whose flips act only on `B`, resp. `A`), and each block is a full `|K_B| × |K_A|` matrix
//! `ψ(r ⊕ a ⊕ b)` ([`SectorState`]). The work is `2^{V−1} · min(|K_A|, |K_B|)` and no
//! configuration is stored. [`super::schmidt::ConfigState`], the generic block Schmidt
//! decomposition over explicit configurations, is its independent check.

use super::schmidt::ConfigState;
use super::QubitState;
use crate::ed::basis::{Sector, SpinBasis};
use crate::ed::lanczos::{lanczos_from, LanczosOptions};
use crate::ed::solve::{spin_sector_in, SolveOptions, Vectors};
use crate::ed::spin::SpinTerms;
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg;
use crate::model::toric_code::ToricCode;
use crate::topo::gf2::BitMatrix;
use rayon::prelude::*;
use std::sync::Arc;

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

/// Most vertices of a torus whose sector ether builds (sector states are indexed by `u64`).
pub const MAX_VERTICES: usize = 64;

/// The flux-free, loop-even sector `B_p = Z_1 = Z_2 = +1` of the toric code on a 2D torus:
/// basis state `s` (bit `v − 1` set iff vertex `v ∈ S`, vertex 0 never in `S`) is
/// `Π_{v∈S} A_v |0…0⟩`.
#[derive(Clone, Debug, PartialEq)]
pub struct FluxFreeSector {
    lattice: Lattice,
    bits: usize,
    /// For each link, the bits of its two ends (vertex 0 has none): `σ^z_l = −1` in state `s`
    /// iff `s · mask` is odd.
    link_masks: Vec<u64>,
}

/// What a toric-code-in-a-field ground state on a torus costs, estimated from the lattice alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldEstimate {
    /// Sector states `2^{V−1}`.
    pub sector_states: f64,
    /// States of the dual Ising model's symmetric sector (approximately `2^V / |G|`).
    pub ising_states: f64,
    /// Bytes: the sector vector, the residual check's second vector and the link counts (17 per
    /// sector state), plus the Ising basis, Hamiltonian rows and Lanczos vectors (about 200 bytes
    /// per symmetric state).
    pub bytes: u64,
}

impl FluxFreeSector {
    /// The sector of a 2D torus with at most [`MAX_VERTICES`] vertices.
    pub fn new(lat: &Lattice) -> Result<Self> {
        if lat.dim() != 2 || !lat.is_periodic() {
            return Err(Error::invalid(
                "lattice",
                lat.to_string(),
                "the toric code in a field is set up on a 2D torus, e.g. 4x4",
            ));
        }
        if lat.n_sites() > MAX_VERTICES {
            return Err(Error::too_large(
                format!("the gauge sector of the toric code in a field on {lat} (2^{} states)", lat.n_sites() - 1),
                Self::estimate(lat).bytes,
                crate::error::memory_limit(),
                "exact diagonalization reaches tori of up to about 30 sites (5x6)",
            ));
        }
        let bits = lat.n_sites() - 1;
        let bit = |v: usize| if v == 0 { 0 } else { 1u64 << (v - 1) };
        let link_masks = (0..lat.n_links())
            .map(|l| {
                let (a, b) = lat.link_ends(l);
                bit(a) ^ bit(b)
            })
            .collect();
        Ok(FluxFreeSector { lattice: lat.clone(), bits, link_masks })
    }

    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// Number of basis states, `2^{V−1}`.
    pub fn dim(&self) -> usize {
        1usize << self.bits
    }

    /// The memory a ground state on `lat` needs, before anything is built.
    pub fn estimate(lat: &Lattice) -> FieldEstimate {
        let v = lat.n_sites() as i32;
        let sector_states = 2f64.powi(v - 1);
        let group = (v as f64) * 2.0 * if lat.dim() == 2 { 4.0 } else { 1.0 };
        let ising_states = 2f64.powi(v) / group;
        let bytes = (17.0 * sector_states + 200.0 * ising_states).min(u64::MAX as f64) as u64;
        FieldEstimate { sector_states, ising_states, bytes }
    }

    /// Refuse a torus whose ground state does not fit in [`crate::error::memory_limit`].
    pub fn check_fits(lat: &Lattice) -> Result<FieldEstimate> {
        let e = Self::estimate(lat);
        crate::error::check_memory(
            &format!(
                "the toric code in a field on {lat}: its gauge sector of 2^{} states ({:.2e}) and the dual Ising sector of about {:.2e}",
                lat.n_sites().saturating_sub(1),
                e.sector_states,
                e.ising_states
            ),
            e.bytes,
            "use a smaller torus (4x4, 4x5, 5x5, 4x6); this model has no stabilizer shortcut",
        )?;
        Ok(e)
    }

    /// The qubit configuration (bit `l` = σ^z_l = −1) of basis state `s` (at most 128 links).
    pub fn configuration(&self, s: usize) -> u128 {
        let mut x = 0u128;
        for (l, &m) in self.link_masks.iter().enumerate() {
            if (s as u64 & m).count_ones() % 2 == 1 {
                x |= 1u128 << l;
            }
        }
        x
    }

    /// A basis of `{s : s · mask_l = 0 for every link l in `links`}` as bit masks.
    fn kernel(&self, links: impl Iterator<Item = usize>) -> Vec<u64> {
        let mut m = BitMatrix::new(self.bits);
        for l in links {
            let mask = self.link_masks[l];
            let cols: Vec<usize> = (0..self.bits).filter(|&b| (mask >> b) & 1 == 1).collect();
            m.push_columns(&cols);
        }
        m.echelon()
            .nullspace()
            .iter()
            .map(|x| (0..self.bits).filter(|&b| x[b]).fold(0u64, |a, b| a | (1 << b)))
            .collect()
    }
}

/// All `2^k` elements of the span of `basis` (k ≤ 20), in Gray-code order.
fn span(basis: &[u64]) -> Vec<u64> {
    let mut out = vec![0u64; 1usize << basis.len()];
    for i in 1..out.len() {
        out[i] = out[i & (i - 1)] ^ basis[i.trailing_zeros() as usize];
    }
    out
}

/// A state of the flux-free sector: amplitudes `ψ(s)` over its `2^{V−1}` basis states.
#[derive(Clone, Debug)]
pub struct SectorState {
    sector: FluxFreeSector,
    psi: Vec<f64>,
}

/// Largest `min(dim K_A, dim K_B)` the block decomposition accepts (blocks of `2^12` rows).
const MAX_BLOCK_BITS: usize = 12;

/// Representatives per parallel chunk of the block sum (fixed, so the sum's order and hence its
/// bits do not depend on the thread count).
const BLOCK_CHUNK: usize = 256;

impl SectorState {
    /// A state from its amplitudes (normalized here).
    pub fn new(sector: FluxFreeSector, mut psi: Vec<f64>) -> Result<Self> {
        if psi.len() != sector.dim() {
            return Err(Error::invalid(
                "sector state",
                format!("{} amplitudes", psi.len()),
                format!("need {}", sector.dim()),
            ));
        }
        let norm = psi.iter().map(|a| a * a).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return Err(Error::invalid("sector state", format!("norm {norm}"), "amplitudes must be finite, not all 0"));
        }
        psi.iter_mut().for_each(|a| *a /= norm);
        Ok(SectorState { sector, psi })
    }

    /// The sector.
    pub fn sector(&self) -> &FluxFreeSector {
        &self.sector
    }

    /// The amplitudes.
    pub fn amplitudes(&self) -> &[f64] {
        &self.psi
    }

    /// The same state as explicit configurations (for the generic Schmidt decomposition; at
    /// most 128 links).
    pub fn to_config_state(&self) -> Result<ConfigState> {
        let n = self.sector.lattice.n_links();
        if n > 128 {
            return Err(Error::invalid("configuration state", format!("{n} qubits"), "at most 128 qubits"));
        }
        let configs = (0..self.psi.len()).map(|s| self.sector.configuration(s)).collect();
        ConfigState::new(n, configs, self.psi.clone())
    }
}

fn plogp(p: f64) -> f64 {
    if p > 1e-300 {
        -p * p.ln()
    } else {
        0.0
    }
}

impl QubitState for SectorState {
    fn n_qubits(&self) -> usize {
        self.sector.lattice.n_links()
    }

    fn entropy(&self, region: &[usize]) -> Result<f64> {
        let n = self.n_qubits();
        let mut in_a = vec![false; n];
        for &q in region {
            if q >= n || std::mem::replace(&mut in_a[q], true) {
                return Err(Error::invalid(
                    "region",
                    format!("qubit {q}"),
                    "regions must list distinct qubits of the system",
                ));
            }
        }
        let ka = self.sector.kernel((0..n).filter(|&l| in_a[l]));
        let kb = self.sector.kernel((0..n).filter(|&l| !in_a[l]));
        // Rows of a block are indexed by K_B (cosets of K_A), columns by K_A; the Gram matrix
        // goes on the smaller side.
        let (small, big) = if kb.len() <= ka.len() { (&kb, &ka) } else { (&ka, &kb) };
        if small.len() > MAX_BLOCK_BITS {
            return Err(Error::invalid(
                "region",
                format!("{} qubits", region.len()),
                format!(
                    "its Schmidt blocks have 2^{} rows on both sides; use regions whose boundary cuts fewer stars",
                    small.len()
                ),
            ));
        }
        let (ss, bs) = (span(small), span(big));
        // Coset representatives of K_A ⊕ K_B: the states with zero bits at the pivots of an
        // echelon basis of the sum.
        let mut m = BitMatrix::new(self.sector.bits);
        for &v in ka.iter().chain(&kb) {
            m.push_columns(&(0..self.sector.bits).filter(|&b| (v >> b) & 1 == 1).collect::<Vec<_>>());
        }
        let pivots = m.echelon().leads().iter().fold(0u64, |a, &c| a | (1 << c));
        let reps: Vec<u64> = (0..self.psi.len() as u64).filter(|&s| s & pivots == 0).collect();
        let dim = ss.len();
        let partial: Vec<Result<f64>> = reps
            .par_chunks(BLOCK_CHUNK)
            .map(|chunk| {
                let mut s_sum = 0.0;
                let mut g = vec![0.0; dim * dim];
                for &r in chunk {
                    g.iter_mut().for_each(|x| *x = 0.0);
                    for &b in &bs {
                        let base = r ^ b;
                        for (i, &x) in ss.iter().enumerate() {
                            let a = self.psi[(base ^ x) as usize];
                            if a == 0.0 {
                                continue;
                            }
                            for (j, &y) in ss.iter().enumerate().skip(i) {
                                g[i * dim + j] += a * self.psi[(base ^ y) as usize];
                            }
                        }
                    }
                    if dim == 1 {
                        s_sum += plogp(g[0]);
                        continue;
                    }
                    for i in 0..dim {
                        for j in 0..i {
                            g[i * dim + j] = g[j * dim + i];
                        }
                    }
                    s_sum += linalg::eigvalsh_real(dim, &g)?.into_iter().map(plogp).sum::<f64>();
                }
                Ok(s_sum)
            })
            .collect();
        let mut s = 0.0;
        for p in partial {
            s += p?;
        }
        Ok(s)
    }
}

/// The toric code in a field, restricted to its flux-free sector, as an operator.
#[derive(Clone, Debug)]
pub struct SectorHamiltonian {
    sector: FluxFreeSector,
    je: f64,
    h: f64,
    /// `−J_m N_p − h N_l`: the diagonal of the state with no flipped link.
    offset: f64,
    /// For each vertex, the basis-bit mask that flips it (vertex 0 flips all bits).
    flips: Vec<u64>,
    /// The number of links with σ^z = −1 in each basis state (independent of the couplings, so
    /// it is shared between Hamiltonians of one torus).
    down: Arc<Vec<u8>>,
}

/// States per parallel chunk of the sector matrix-vector product.
const APPLY_CHUNK: usize = 1 << 12;

impl SectorHamiltonian {
    /// The sector Hamiltonian with unit star and plaquette couplings and field `h`.
    pub fn new(lat: &Lattice, h: f64) -> Result<Self> {
        crate::error::require_non_negative("field h", h, "the field strength; its sign is a gauge choice")?;
        Self::from_model(&ToricCode::new(lat.clone(), 1.0, 1.0, h)?)
    }

    /// The sector Hamiltonian of a toric-code model `H = −J_e Σ A_v − J_m Σ B_p − h Σ σ^z`;
    /// refuses sectors that do not fit in memory, with the estimate.
    pub fn from_model(model: &ToricCode) -> Result<Self> {
        let lat = &model.lattice;
        FluxFreeSector::check_fits(lat)?;
        let sector = FluxFreeSector::new(lat)?;
        let masks = &sector.link_masks;
        let down: Vec<u8> = (0..sector.dim())
            .into_par_iter()
            .with_min_len(APPLY_CHUNK)
            .map(|i| masks.iter().filter(|&&m| (i as u64 & m).count_ones() % 2 == 1).count() as u8)
            .collect();
        Self::with_down_counts(model, sector, Arc::new(down))
    }

    fn with_down_counts(model: &ToricCode, sector: FluxFreeSector, down: Arc<Vec<u8>>) -> Result<Self> {
        let lat = &model.lattice;
        if lat != &sector.lattice {
            return Err(Error::invalid("lattice", lat.to_string(), "use the lattice the sector was built on"));
        }
        let all = (sector.dim() - 1) as u64;
        let flips: Vec<u64> = (0..lat.n_sites()).map(|v| if v == 0 { all } else { 1u64 << (v - 1) }).collect();
        let offset = -model.plaquette * lat.n_plaquettes() as f64 - model.field * lat.n_links() as f64;
        Ok(SectorHamiltonian { sector, je: model.star, h: model.field, offset, flips, down })
    }

    /// The same sector with the couplings of another model on the same torus (no recount).
    pub fn with_couplings(&self, model: &ToricCode) -> Result<Self> {
        Self::with_down_counts(model, self.sector.clone(), self.down.clone())
    }

    /// The field.
    pub fn field(&self) -> f64 {
        self.h
    }

    /// The sector.
    pub fn sector(&self) -> &FluxFreeSector {
        &self.sector
    }

    #[inline]
    fn diagonal(&self, i: usize) -> f64 {
        self.offset + 2.0 * self.h * f64::from(self.down[i])
    }

    /// The ground state with its energy, by `solver`.
    pub fn ground_state(&self, solver: &dyn GroundStateSolver) -> Result<(f64, SectorState)> {
        let (e, v) = solver.ground_state(self)?;
        Ok((e, SectorState::new(self.sector.clone(), v)?))
    }

    /// `‖H ψ − E ψ‖` for a normalized state: how well it is an eigenstate of this Hamiltonian.
    pub fn residual(&self, e: f64, psi: &[f64]) -> f64 {
        let mut y = vec![0.0; psi.len()];
        crate::ed::lanczos::LinearOperator::apply(self, psi, &mut y);
        let parts: Vec<f64> = y
            .par_chunks(APPLY_CHUNK)
            .zip(psi.par_chunks(APPLY_CHUNK))
            .map(|(y, x)| y.iter().zip(x).map(|(a, b)| (a - e * b).powi(2)).sum::<f64>())
            .collect();
        parts.iter().sum::<f64>().sqrt()
    }
}

impl crate::ed::lanczos::LinearOperator for SectorHamiltonian {
    type Scalar = f64;
    fn dim(&self) -> usize {
        self.down.len()
    }

    fn apply(&self, x: &[f64], y: &mut [f64]) {
        y.par_chunks_mut(APPLY_CHUNK).enumerate().for_each(|(c, yc)| {
            for (k, yi) in yc.iter_mut().enumerate() {
                let i = c * APPLY_CHUNK + k;
                let mut s = 0.0;
                for &f in &self.flips {
                    s += x[i ^ f as usize];
                }
                *yi = self.diagonal(i) * x[i] - self.je * s;
            }
        });
    }
}

/// The toric code in a field on the full `2^n` qubit space (the oracle for the sector
/// construction; `n ≤ 24`): `A_v` flips the star's bits, `B_p` and `σ^z` are diagonal.
#[derive(Clone, Debug)]
pub struct FullHamiltonian {
    je: f64,
    stars: Vec<usize>,
    diag: Vec<f64>,
}

impl FullHamiltonian {
    /// The unit-coupling model on a 2D torus with at most 24 links.
    pub fn new(lat: &Lattice, h: f64) -> Result<Self> {
        Self::from_model(&ToricCode::new(lat.clone(), 1.0, 1.0, h)?)
    }

    /// Any toric-code model on a 2D torus with at most 24 links.
    pub fn from_model(model: &ToricCode) -> Result<Self> {
        let lat = &model.lattice;
        let n = lat.n_links();
        if lat.dim() != 2 || n > 24 {
            return Err(Error::invalid(
                "lattice",
                format!("{lat}"),
                "the full-space oracle takes a 2D torus of at most 24 links",
            ));
        }
        let mask = |links: &[usize]| links.iter().fold(0usize, |m, &l| m ^ (1 << l));
        let stars = model.stars().iter().map(|s| mask(s)).collect();
        let plaqs: Vec<usize> = model.plaquettes().iter().map(|p| mask(p)).collect();
        let diag = (0..1usize << n)
            .map(|b| {
                let bp: f64 = plaqs.iter().map(|&m| if (b & m).count_ones() % 2 == 0 { 1.0 } else { -1.0 }).sum();
                let sz = n as f64 - 2.0 * b.count_ones() as f64;
                -model.plaquette * bp - model.field * sz
            })
            .collect();
        Ok(FullHamiltonian { je: model.star, stars, diag })
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
                s -= self.je * x[i ^ f];
            }
            y[i] = s;
        }
    }
}

/// The ground state of the toric code in a field from its dual Ising model (the default route),
/// for one torus and any number of fields: the Ising model's symmetric sector is built once.
#[derive(Debug)]
pub struct DualIsing {
    sector: FluxFreeSector,
    basis: SpinBasis,
    /// The sector Hamiltonian of the torus (its link counts, shared by every field).
    hamiltonian: SectorHamiltonian,
}

/// A ground state of the toric code in a field and how it was checked.
#[derive(Clone, Debug)]
pub struct FieldGroundState {
    /// The model.
    pub model: ToricCode,
    /// Ground-state energy of the toric code (the Ising energy plus `−J_m N_p`).
    pub energy: f64,
    /// The state in the flux-free sector.
    pub state: SectorState,
    /// `‖H ψ − E ψ‖` of the expanded state under the sector Hamiltonian (an independent check
    /// of the duality and the expansion).
    pub residual: f64,
    /// Dimension of the Ising sector that was diagonalized.
    pub ising_sector_states: usize,
}

impl DualIsing {
    /// Build the symmetric sector of the dual Ising model of a 2D torus (refused, with the
    /// estimate, if it does not fit in memory).
    pub fn new(lat: &Lattice) -> Result<Self> {
        FluxFreeSector::check_fits(lat)?;
        let sector = FluxFreeSector::new(lat)?;
        let ext = lat.extents();
        let ising_sector = Sector {
            k: Some(vec![0; lat.dim()]),
            spinflip: Some(1),
            mirror: Some(1),
            rotation: (ext[0] == ext[1]).then_some(1),
            parity: (ext[0] != ext[1]).then_some(1),
            ..Sector::default()
        };
        let basis = SpinBasis::new(lat, &ising_sector, false)?;
        if basis.group.characters.iter().any(|c| c.re != 1.0 || c.im != 0.0) {
            return Err(Error::Invariant("the dual Ising sector is not the trivial representation".into()));
        }
        let hamiltonian = SectorHamiltonian::from_model(&ToricCode::new(lat.clone(), 1.0, 1.0, 0.0)?)?;
        Ok(DualIsing { sector, basis, hamiltonian })
    }

    /// Dimension of the symmetric Ising sector.
    pub fn ising_dim(&self) -> usize {
        self.basis.dim()
    }

    /// The ground state of `model` (on this torus), expanded into the flux-free sector and
    /// checked by its residual under the sector Hamiltonian.
    pub fn ground_state(&self, model: &ToricCode) -> Result<FieldGroundState> {
        if model.lattice != self.sector.lattice {
            return Err(Error::invalid(
                "lattice",
                model.lattice.to_string(),
                "use the lattice the dual sector was built on",
            ));
        }
        let terms = SpinTerms::transverse_ising(&model.dual_ising()?)?;
        let opts = SolveOptions { nev: 1, tol: 1e-12, eigenvectors: true, ..SolveOptions::default() };
        let (levels, vectors) = spin_sector_in(&terms, self.basis.clone(), &opts)?;
        let x = match vectors {
            Some(Vectors::Real(mut v)) if !v.is_empty() => v.swap_remove(0),
            _ => return Err(Error::numerical("dual Ising ED", "no real eigenvector returned", "report this")),
        };
        // Expand orbit by orbit: every member of a representative's orbit has the amplitude
        // x_a sqrt(c_a / |G|) (all characters are 1); keep the states with vertex 0 unflipped.
        let g = &self.basis.group;
        let order = g.order();
        let scale = 1.0 / (order as f64).sqrt();
        let mut psi = vec![0.0; self.sector.dim()];
        for (a, &rep) in self.basis.states.iter().enumerate() {
            let amp = x[a] * self.basis.sqrt_norm[a] * scale;
            for e in 0..order {
                let s = g.apply(e, rep);
                if s & 1 == 0 {
                    psi[(s >> 1) as usize] = amp;
                }
            }
        }
        let state = SectorState::new(self.sector.clone(), psi)?;
        let energy = levels.energies[0] + model.dual_ising_offset();
        let residual = self.hamiltonian.with_couplings(model)?.residual(energy, state.amplitudes());
        Ok(FieldGroundState { model: model.clone(), energy, state, residual, ising_sector_states: self.basis.dim() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The orbit expansion against the ED basis's own `amplitude` (the documented expansion).
    #[test]
    fn orbit_expansion_matches_the_basis_amplitudes() {
        let lat = Lattice::parse("3x4").unwrap();
        let dual = DualIsing::new(&lat).unwrap();
        let tc = ToricCode::new(lat.clone(), 1.0, 1.0, 0.3).unwrap();
        let gs = dual.ground_state(&tc).unwrap();
        let terms = SpinTerms::transverse_ising(&tc.dual_ising().unwrap()).unwrap();
        let opts = SolveOptions { nev: 1, tol: 1e-12, eigenvectors: true, ..SolveOptions::default() };
        let (_, v) = spin_sector_in(&terms, dual.basis.clone(), &opts).unwrap();
        let Some(Vectors::Real(v)) = v else { panic!("real sector") };
        let norm = 2f64.sqrt(); // the even state's weight is split evenly between S and its complement
        for s in 0..gs.state.sector().dim() as u64 {
            let a = dual.basis.amplitude(&v[0], s << 1).re * norm;
            assert!((a - gs.state.amplitudes()[s as usize]).abs() < 1e-12, "state {s}");
        }
        assert!(gs.residual < 1e-8, "{}", gs.residual);
    }
}
