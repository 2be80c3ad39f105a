//! Spin-½ Hamiltonians for ED: XXZ bonds plus a transverse field, and their matrix-free
//! application in a symmetry sector ([`SpinHamiltonian`]).
//!
//! `H = Σ_b [ Jz_b S^z_i S^z_j + Jxy_b (S^x_i S^x_j + S^y_i S^y_j) ] + Σ_i hx_i S^x_i`
//! with spin operators S (not Pauli matrices). The Heisenberg model ([`Heisenberg`]) is
//! `Jz = Jxy = J`; the transverse-field Ising model ([`TransverseIsing`], written with Pauli
//! matrices) is `Jz = −4J`, `Jxy = 0`, `hx = −2h`.

use crate::ed::basis::{Sector, SpinBasis};
use crate::ed::operator::{LinearOperator, Scalar, CHUNK};
use crate::error::{check_memory, Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::ising::TransverseIsing;
use crate::model::Heisenberg;
use rayon::prelude::*;
use std::marker::PhantomData;

/// One XXZ bond.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bond {
    /// First site.
    pub i: usize,
    /// Second site.
    pub j: usize,
    /// S^z S^z coupling.
    pub jz: f64,
    /// S^x S^x + S^y S^y coupling.
    pub jxy: f64,
}

/// The terms of a spin-½ Hamiltonian (data only).
#[derive(Clone, Debug, PartialEq)]
pub struct SpinTerms {
    /// The lattice the sites live on (its symmetries define the sectors).
    pub lattice: Lattice,
    /// XXZ bonds.
    pub bonds: Vec<Bond>,
    /// Transverse field coefficient of S^x on every site.
    pub hx: Vec<f64>,
}

impl SpinTerms {
    /// The spin-½ Heisenberg model (the model's spin must be ½).
    pub fn heisenberg(m: &Heisenberg) -> Result<Self> {
        if (m.spin - 0.5).abs() > 1e-12 {
            return Err(Error::invalid("spin", m.spin.to_string(), "the ED engine is for spin ½: use spin 0.5"));
        }
        let bonds = m.bonds().into_iter().map(|(i, j)| Bond { i, j, jz: m.coupling, jxy: m.coupling }).collect();
        Ok(SpinTerms { lattice: m.lattice.clone(), bonds, hx: vec![0.0; m.lattice.n_sites()] })
    }

    /// The transverse-field Ising model `−J Σ σ^z σ^z − h Σ σ^x`.
    pub fn transverse_ising(m: &TransverseIsing) -> Self {
        let l = &m.lattice;
        let mut bonds = Vec::new();
        for r in 0..l.n_sites() {
            for a in 0..l.dim() {
                bonds.push(Bond { i: r, j: l.forward(r, a), jz: -4.0 * m.coupling, jxy: 0.0 });
            }
        }
        SpinTerms { lattice: l.clone(), bonds, hx: vec![-2.0 * m.field; l.n_sites()] }
    }

    /// Whether total S^z commutes with H (no transverse field).
    pub fn conserves_sz(&self) -> bool {
        self.hx.iter().all(|&h| h == 0.0)
    }

    /// Symmetry check: every element of the sector's group must map the terms onto themselves
    /// (bonds as unordered pairs with their couplings, fields site by site). A global flip is
    /// always a symmetry of these terms (no longitudinal field). Returns an
    /// [`Error::Invariant`] naming the broken symmetry.
    pub fn check_symmetry(&self, basis: &SpinBasis) -> Result<()> {
        let key = |b: &Bond, p: &[usize]| {
            let (a, c) = (p[b.i].min(p[b.j]), p[b.i].max(p[b.j]));
            (a, c, b.jz.to_bits(), b.jxy.to_bits())
        };
        let id: Vec<usize> = (0..self.lattice.n_sites()).collect();
        let mut reference: Vec<_> = self.bonds.iter().map(|b| key(b, &id)).collect();
        reference.sort_unstable();
        for (g, perm) in basis.group.perms.iter().enumerate() {
            let mut img: Vec<_> = self.bonds.iter().map(|b| key(b, perm)).collect();
            img.sort_unstable();
            let fields_ok = (0..self.hx.len()).all(|r| self.hx[perm[r]] == self.hx[r]);
            if img != reference || !fields_ok {
                return Err(Error::Invariant(format!(
                    "the Hamiltonian is not invariant under symmetry element {g} of sector {} (site permutation {:?}): it breaks a declared symmetry; drop that quantum number",
                    basis.sector.label(self.lattice.n_sites()),
                    perm
                )));
            }
        }
        Ok(())
    }
}

/// How [`SpinHamiltonian`] applies H.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Recompute every matrix element (representatives and all) in every product.
    MatrixFree,
    /// Precompute the off-diagonal elements once (column u32 + value) and reuse them.
    Cached,
    /// `Cached` if the estimate fits in a quarter of free memory, else `MatrixFree`.
    Auto,
}

/// H restricted to one sector, applied matrix-free (or from a row cache built by the same
/// row-wise code). `S` is `f64` for real sectors and [`C64`] otherwise.
#[derive(Debug)]
pub struct SpinHamiltonian<S: Scalar> {
    /// The terms.
    pub terms: SpinTerms,
    /// The sector basis.
    pub basis: SpinBasis,
    chars: Vec<S>,
    diag: Vec<f64>,
    cache: Option<RowCache<S>>,
    _s: PhantomData<S>,
}

/// Precomputed off-diagonal rows, one block per [`CHUNK`] rows (the same blocks the parallel
/// product uses, so no global concatenation is needed). In compact form (real sectors whose
/// off-diagonal amplitudes are all equal) only the columns are stored, with the character's
/// sign in the top bit; the product is `amp/sqrt(c_b) · Σ_a ±sqrt(c_a) x_a` (equal to the
/// matrix-free product to rounding; the same bits for any thread count).
#[derive(Debug)]
struct RowCache<S> {
    chunks: Vec<ChunkRows<S>>,
    compact: Option<f64>,
}

#[derive(Debug)]
struct ChunkRows<S> {
    starts: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<S>,
}

const SIGN_BIT: u32 = 1 << 31;

impl<S: Scalar> SpinHamiltonian<S> {
    /// Build the sector basis and the operator; symmetry-checked (see
    /// [`SpinTerms::check_symmetry`]). `S` must be complex if the sector has complex
    /// characters.
    pub fn new(terms: &SpinTerms, sector: &Sector, storage: Storage) -> Result<Self> {
        let basis = SpinBasis::new(&terms.lattice, sector, terms.conserves_sz())?;
        Self::from_basis(terms, basis, storage)
    }

    /// The operator on an existing basis.
    pub fn from_basis(terms: &SpinTerms, basis: SpinBasis, storage: Storage) -> Result<Self> {
        terms.check_symmetry(&basis)?;
        let mut chars = Vec::with_capacity(basis.group.order());
        for &c in &basis.group.characters {
            chars.push(S::from_c64(c).ok_or_else(|| {
                Error::invalid(
                    "sector",
                    basis.sector.label(basis.n_sites),
                    "this sector is complex: use the complex operator",
                )
            })?);
        }
        let diag: Vec<f64> = basis.states.par_iter().map(|&s| diagonal(terms, s)).collect();
        let mut h = SpinHamiltonian { terms: terms.clone(), basis, chars, diag, cache: None, _s: PhantomData };
        let nnz_est = h.dim() as u64
            * (h.terms.bonds.len() as u64 / 2 + h.terms.hx.len() as u64 * u64::from(!h.terms.conserves_sz()) + 1);
        let per_nnz = if h.compact_amplitude().is_some() { 4 } else { 4 + std::mem::size_of::<S>() as u64 };
        let bytes = nnz_est * per_nnz + h.dim() as u64 * 4;
        let use_cache = match storage {
            Storage::Cached => true,
            Storage::MatrixFree => false,
            Storage::Auto => {
                // Leave room for the Lanczos vectors and other users of the machine.
                let avail = crate::error::available_memory_bytes().unwrap_or(4 << 30);
                let vectors = 5 * h.dim() as u64 * std::mem::size_of::<S>() as u64;
                bytes + vectors < avail / 2
            }
        };
        if use_cache {
            check_memory("the cached sector Hamiltonian", bytes, "use matrix-free storage or a smaller sector")?;
            h.cache = Some(h.build_cache());
        }
        Ok(h)
    }

    /// Whether the off-diagonal elements are cached.
    pub fn is_cached(&self) -> bool {
        self.cache.is_some()
    }

    /// Off-diagonal elements of row b: calls `f(column, value)`.
    #[inline]
    fn row(&self, b: usize, mut f: impl FnMut(usize, S)) {
        self.row_raw(b, |a, _, v| f(a, v));
    }

    /// Off-diagonal elements of row b: calls `f(column, group element, value)`.
    #[inline]
    fn row_raw(&self, b: usize, mut f: impl FnMut(usize, usize, S)) {
        let s = self.basis.states[b];
        let inv_nb = 1.0 / self.basis.sqrt_norm[b];
        // Two passes: first every representative (compute-bound), then every index look-up
        // (one cache miss each); the look-ups of the second pass are independent, so the
        // processor overlaps their misses.
        const BATCH: usize = 64;
        let mut reps = [(0u64, 0usize, 0f64); BATCH];
        let mut len = 0;
        let mut flush = |reps: &[(u64, usize, f64)]| {
            for &(rep, g, h) in reps {
                if let Some(a) = self.basis.index(rep) {
                    f(a, g, self.chars[g].scale(h * self.basis.sqrt_norm[a] * inv_nb));
                }
            }
        };
        let terms = self
            .terms
            .bonds
            .iter()
            .filter(|bd| bd.jxy != 0.0 && ((s >> bd.i) ^ (s >> bd.j)) & 1 == 1)
            .map(|bd| (s ^ ((1u64 << bd.i) | (1u64 << bd.j)), 0.5 * bd.jxy));
        let fields =
            self.terms.hx.iter().enumerate().filter(|(_, &h)| h != 0.0).map(|(i, &h)| (s ^ (1u64 << i), 0.5 * h));
        for (t, h) in terms.chain(fields) {
            let (rep, g) = self.basis.group.representative(t);
            reps[len] = (rep, g, h);
            len += 1;
            if len == BATCH {
                flush(&reps[..len]);
                len = 0;
            }
        }
        flush(&reps[..len]);
    }

    /// The common off-diagonal amplitude, if the sector is real, every off-diagonal term has
    /// the same coefficient and the dimension fits in 31 bits.
    fn compact_amplitude(&self) -> Option<f64> {
        if S::COMPLEX || self.dim() >= SIGN_BIT as usize {
            return None;
        }
        let mut amps = self
            .terms
            .bonds
            .iter()
            .filter(|b| b.jxy != 0.0)
            .map(|b| 0.5 * b.jxy)
            .chain(self.terms.hx.iter().filter(|&&h| h != 0.0).map(|&h| 0.5 * h));
        let first = amps.next()?;
        amps.all(|a| a == first).then_some(first)
    }

    fn build_cache(&self) -> RowCache<S> {
        let compact = self.compact_amplitude();
        let n = self.dim();
        let chunks: Vec<ChunkRows<S>> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let lo = c * CHUNK;
                let hi = (lo + CHUNK).min(n);
                let mut starts = Vec::with_capacity(hi - lo + 1);
                let mut cols = Vec::new();
                let mut vals = Vec::new();
                starts.push(0u32);
                for b in lo..hi {
                    self.row_raw(b, |a, g, v| {
                        if compact.is_some() {
                            let neg = self.chars[g].re() < 0.0;
                            cols.push(a as u32 | if neg { SIGN_BIT } else { 0 });
                        } else {
                            cols.push(a as u32);
                            vals.push(v);
                        }
                    });
                    starts.push(cols.len() as u32);
                }
                cols.shrink_to_fit();
                vals.shrink_to_fit();
                ChunkRows { starts, cols, vals }
            })
            .collect();
        RowCache { chunks, compact }
    }

    /// Bytes held by the operator (basis, diagonal, cache).
    pub fn memory_bytes(&self) -> u64 {
        let c = self
            .cache
            .as_ref()
            .map(|c| {
                c.chunks
                    .iter()
                    .map(|k| k.starts.len() * 4 + k.cols.len() * 4 + k.vals.len() * std::mem::size_of::<S>())
                    .sum::<usize>()
            })
            .unwrap_or(0);
        self.basis.memory_bytes() + (self.diag.len() * 8 + c) as u64
    }
}

/// The diagonal element of basis state s.
#[inline]
fn diagonal(t: &SpinTerms, s: u64) -> f64 {
    let mut e = 0.0;
    for b in &t.bonds {
        let same = ((s >> b.i) ^ (s >> b.j)) & 1 == 0;
        e += if same { 0.25 * b.jz } else { -0.25 * b.jz };
    }
    e
}

impl<S: Scalar> LinearOperator for SpinHamiltonian<S> {
    type Scalar = S;
    fn dim(&self) -> usize {
        self.basis.dim()
    }
    fn apply(&self, x: &[S], y: &mut [S]) {
        let sn = &self.basis.sqrt_norm;
        // Compact cache: (H x)_b = h_bb x_b + (amp / sqrt c_b) Σ_a ±(sqrt c_a x_a), with the
        // products sqrt c_a x_a formed once per application, so that the inner loop gathers
        // one vector instead of two.
        let scaled: Vec<S> = match self.cache.as_ref().and_then(|rc| rc.compact) {
            Some(_) => x.par_iter().zip(sn.par_iter()).map(|(&xa, &s)| xa.scale(s)).collect(),
            None => Vec::new(),
        };
        y.par_chunks_mut(CHUNK).enumerate().for_each(|(c, yc)| {
            let rows = self.cache.as_ref().map(|rc| (&rc.chunks[c], rc.compact));
            for (o, yb) in yc.iter_mut().enumerate() {
                let b = c * CHUNK + o;
                let mut acc = x[b].scale(self.diag[b]);
                match rows {
                    Some((ch, Some(amp))) => {
                        let mut off = S::ZERO;
                        for &col in &ch.cols[ch.starts[o] as usize..ch.starts[o + 1] as usize] {
                            let xa = scaled[(col & !SIGN_BIT) as usize];
                            if col & SIGN_BIT != 0 {
                                off -= xa;
                            } else {
                                off += xa;
                            }
                        }
                        acc += off.scale(amp / sn[b]);
                    }
                    Some((ch, None)) => {
                        for k in ch.starts[o] as usize..ch.starts[o + 1] as usize {
                            acc += ch.vals[k] * x[ch.cols[k] as usize];
                        }
                    }
                    None => self.row(b, |a, v| acc += v * x[a]),
                }
                *yb = acc;
            }
        });
    }
}

/// Memory estimate (bytes) of a Lanczos ground-state run in a sector: basis (16 B/state plus
/// the hash index, 8 B per slot), diagonal (8 B), four Lanczos vectors, and the row cache if
/// requested.
pub fn estimate_memory(terms: &SpinTerms, sector: &Sector, complex: bool, cached: bool) -> u64 {
    let dim = SpinBasis::estimate_dim(&terms.lattice, sector);
    let sz = if complex { 16.0 } else { 8.0 };
    let mut b = dim * (16.0 + 8.0 + 4.0 * sz) + 8.0 * crate::ed::basis::index_slots(dim as usize) as f64;
    if cached {
        // Compact rows (4 bytes per element) for real sectors, column + value otherwise; a
        // compact product also forms sqrt(c_a) x_a, one more vector.
        let per = if complex { 4.0 + sz } else { 4.0 };
        if !complex {
            b += dim * sz;
        }
        let offdiag = terms.bonds.len() as f64 / 2.0 + if terms.conserves_sz() { 0.0 } else { terms.hx.len() as f64 };
        b += dim * (offdiag * per + 4.0);
    }
    b as u64
}

/// Whether a sector needs complex arithmetic.
pub fn sector_is_complex(lattice: &Lattice, sector: &Sector) -> bool {
    match &sector.k {
        Some(k) => k.iter().zip(lattice.extents()).any(|(&m, &l)| (2 * m) % l != 0),
        None => false,
    }
}

/// Convenience: the complex characters as a vector (for observables).
pub fn characters(basis: &SpinBasis) -> &[C64] {
    &basis.group.characters
}
