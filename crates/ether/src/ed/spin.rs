//! Spin-½ Hamiltonians for ED, derived from a [`SpinModel`], and their matrix-free application
//! in a symmetry sector ([`SpinHamiltonian`]).
//!
//! The model's canonical bilinear form `Σ_b S_i·M_b S_j + Σ_i h_i·S_i` (spin operators S, not
//! Pauli matrices) is split, in the S^z basis, into
//! - the diagonal: `M^zz S^z_i S^z_j` and `h^z_i S^z_i`;
//! - the real flip-flop exchange `½ J_⊥ (S^+_i S^-_j + S^-_i S^+_j)`, `J_⊥ = (M^xx + M^yy)/2`: the fast
//!   path of the Heisenberg, XXZ and J1-J2 models (two bits flipped when they differ);
//! - every other off-diagonal element as a [`Hop`]: complex flip-flops (Dzyaloshinskii-Moriya),
//!   pair flips `S^+S^+` (from `M^xx ≠ M^yy`), `S^z S^x`-type single flips and transverse fields,
//!   each a set of flipped bits with an amplitude that depends on two bits of the state.
//!
//! The transverse-field Ising model (Pauli matrices, `−J Σ σ^zσ^z − h Σ σ^x`) is
//! `M^zz = −4J`, `h^x = −2h`.

use crate::ed::basis::{Sector, SpinBasis, Symmetries, MAX_SITES};
use crate::ed::operator::{LinearOperator, Scalar, CHUNK};
use crate::error::{check_memory, Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::ising::TransverseIsing;
use crate::model::spin_model::{SpinModel, Symmetry};
use crate::model::Heisenberg;
use rayon::prelude::*;
use std::marker::PhantomData;

/// An off-diagonal element of a general spin-½ Hamiltonian: the row of basis state s has the
/// element `⟨s|H|s ^ flip⟩ = amp[2 s_a + s_b]` (s_a, s_b the bits of sites a and b; a = b for
/// one-site terms, where only `amp[0]` and `amp[3]` occur).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hop {
    /// Bits flipped.
    pub flip: u64,
    /// First control site.
    pub a: usize,
    /// Second control site.
    pub b: usize,
    /// Amplitude by the two control bits.
    pub amp: [C64; 4],
}

/// The terms of a spin-½ Hamiltonian in the S^z basis (data only), derived from a model.
#[derive(Clone, Debug, PartialEq)]
pub struct SpinTerms {
    /// The lattice the sites live on (its symmetries define the sectors).
    pub lattice: Lattice,
    /// The model the terms come from (names terms in errors).
    pub model: SpinModel,
    /// Diagonal bonds (i, j, M^zz), canonical order; zero couplings left out.
    pub zz: Vec<(usize, usize, f64)>,
    /// Longitudinal field h^z of every site (diagonal).
    pub hz: Vec<f64>,
    /// Real flip-flop exchange (i, j, a): `⟨s|H|s ^ (bit i | bit j)⟩ = a` where the spins differ.
    pub exchange: Vec<(usize, usize, f64)>,
    /// Every other off-diagonal element.
    pub hops: Vec<Hop>,
    /// The symmetries the terms have.
    pub symmetries: Symmetries,
}

impl SpinTerms {
    /// The ED terms of a spin-½ model.
    pub fn new(model: &SpinModel) -> Result<Self> {
        if (model.spin - 0.5).abs() > 1e-12 {
            return Err(Error::invalid("spin", model.spin.to_string(), "the ED engine is for spin ½: use spin 0.5"));
        }
        let l = &model.lattice;
        let n = l.n_sites();
        if n > MAX_SITES {
            return Err(Error::invalid(
                "lattice",
                l.to_string(),
                format!("{n} sites; the spin-½ ED basis holds at most {MAX_SITES} sites"),
            ));
        }
        let ex = model.exchange();
        let (mut zz, mut exchange, mut hops) = (Vec::new(), Vec::new(), Vec::new());
        let z = C64::new(0.0, 0.0);
        let sz = |bit: usize| if bit == 1 { 0.5 } else { -0.5 };
        for b in &ex.bonds {
            let m = &b.matrix;
            let (i, j) = (b.i, b.j);
            if m[2][2] != 0.0 {
                zz.push((i, j, m[2][2]));
            }
            let both = (1u64 << i) | (1u64 << j);
            // Coefficients of S^+_i S^-_j (c) and S^+_i S^+_j (d); H holds their conjugates too.
            let c = C64::new((m[0][0] + m[1][1]) / 4.0, (m[0][1] - m[1][0]) / 4.0);
            let d = C64::new((m[0][0] - m[1][1]) / 4.0, -(m[0][1] + m[1][0]) / 4.0);
            let mut pair = [z; 4];
            if c.im == 0.0 {
                if c.re != 0.0 {
                    exchange.push((i, j, c.re));
                }
            } else {
                // Row state (s_i, s_j) = (1, 0) reaches (0, 1) through S^+_i S^-_j: amplitude c.
                pair[2] = c;
                pair[1] = c.conj();
            }
            if d != z {
                pair[3] = d;
                pair[0] = d.conj();
            }
            if pair != [z; 4] {
                hops.push(Hop { flip: both, a: i, b: j, amp: pair });
            }
            // S^z_i (M^zx S^x_j + M^zy S^y_j): flips j, weighted by S^z_i.
            let (zx, zy) = (m[2][0], m[2][1]);
            if zx != 0.0 || zy != 0.0 {
                let mut amp = [z; 4];
                for si in 0..2 {
                    for sj in 0..2 {
                        let w = if sj == 1 { C64::new(zx, -zy) } else { C64::new(zx, zy) };
                        amp[2 * si + sj] = w * (0.5 * sz(si));
                    }
                }
                hops.push(Hop { flip: 1u64 << j, a: i, b: j, amp });
            }
            // (M^xz S^x_i + M^yz S^y_i) S^z_j: flips i, weighted by S^z_j.
            let (xz, yz) = (m[0][2], m[1][2]);
            if xz != 0.0 || yz != 0.0 {
                let mut amp = [z; 4];
                for si in 0..2 {
                    for sj in 0..2 {
                        let w = if si == 1 { C64::new(xz, -yz) } else { C64::new(xz, yz) };
                        amp[2 * si + sj] = w * (0.5 * sz(sj));
                    }
                }
                hops.push(Hop { flip: 1u64 << i, a: i, b: j, amp });
            }
        }
        let mut hz = vec![0.0; n];
        for (r, h) in ex.fields.iter().enumerate() {
            hz[r] = h[2];
            if h[0] != 0.0 || h[1] != 0.0 {
                // h^x S^x + h^y S^y = ½(h^x − i h^y) S^+ + ½(h^x + i h^y) S^−.
                let up = C64::new(h[0] / 2.0, -h[1] / 2.0);
                hops.push(Hop { flip: 1u64 << r, a: r, b: r, amp: [up.conj(), z, z, up] });
            }
        }
        let has = |s: Symmetry| model.breaking_term(&s).is_none();
        let d = l.dim();
        let square = d == 2 && l.extents()[0] == l.extents()[1];
        let symmetries = Symmetries {
            sz: has(Symmetry::Sz),
            translation: (0..d).all(|a| has(Symmetry::Translation(a))),
            inversion: has(Symmetry::Inversion),
            spin_flip: has(Symmetry::SpinFlip),
            mirror: d == 2 && has(Symmetry::Mirror),
            rotation: square && has(Symmetry::Rotation),
        };
        Ok(SpinTerms { lattice: l.clone(), model: model.clone(), zz, hz, exchange, hops, symmetries })
    }

    /// The spin-½ Heisenberg model (the model's spin must be ½).
    pub fn heisenberg(m: &Heisenberg) -> Result<Self> {
        Self::new(&SpinModel::heisenberg(m)?)
    }

    /// The transverse-field Ising model `−J Σ σ^z σ^z − h Σ σ^x`.
    pub fn transverse_ising(m: &TransverseIsing) -> Result<Self> {
        Self::new(&SpinModel::transverse_ising(m)?)
    }

    /// Whether total S^z commutes with H.
    pub fn conserves_sz(&self) -> bool {
        self.symmetries.sz
    }

    /// Whether every matrix element is real in the S^z basis.
    pub fn is_real(&self) -> bool {
        self.hops.iter().all(|h| h.amp.iter().all(|a| a.im == 0.0))
    }

    /// Off-diagonal elements per row, on average over the basis (for estimates): half of the
    /// exchange bonds and of the pair flips act on a random state, single flips always.
    pub fn offdiagonal_per_row(&self) -> f64 {
        let z = C64::new(0.0, 0.0);
        let hops: f64 = self
            .hops
            .iter()
            .map(|h| {
                // One-site hops see only the configurations 0 and 3 of their control bits.
                let seen: &[usize] = if h.a == h.b { &[0, 3] } else { &[0, 1, 2, 3] };
                seen.iter().filter(|&&i| h.amp[i] != z).count() as f64 / seen.len() as f64
            })
            .sum();
        self.exchange.len() as f64 / 2.0 + hops
    }

    /// Check a sector's quantum numbers against the terms: every symmetry the sector uses must
    /// be a symmetry of every term; the first term that breaks one is named.
    pub fn check_sector(&self, sector: &Sector) -> Result<()> {
        let l = &self.lattice;
        let mut used = Vec::new();
        if sector.n_up.is_some() {
            used.push(Symmetry::Sz);
        }
        if sector.k.is_some() {
            used.extend((0..l.dim()).map(Symmetry::Translation));
        }
        if sector.parity.is_some() {
            used.push(Symmetry::Inversion);
        }
        if sector.mirror.is_some() {
            used.push(Symmetry::Mirror);
        }
        if sector.rotation.is_some() {
            used.push(Symmetry::Rotation);
        }
        if sector.spinflip.is_some() {
            used.push(Symmetry::SpinFlip);
        }
        for s in used {
            if self.model.site_permutation(&s).is_none() {
                continue; // not a map of this lattice: Sector::validate explains it
            }
            let culprits = self.model.breaking_terms(&s);
            if !culprits.is_empty() {
                let names: Vec<String> = culprits
                    .iter()
                    .map(|&t| format!("term {} ({})", t + 1, self.model.terms()[t].describe()))
                    .collect();
                return Err(Error::invalid(
                    "sector",
                    sector.label(l.n_sites()),
                    format!(
                        "{} of the model {} {}, so {}= is not a quantum number: drop it from the sector",
                        names.join(" and "),
                        if culprits.len() == 1 { "breaks" } else { "together break" },
                        s.describe(),
                        s.key()
                    ),
                ));
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
/// row-wise code). `S` is `f64` for real sectors of real models and [`C64`] otherwise.
#[derive(Debug)]
pub struct SpinHamiltonian<S: Scalar> {
    /// The terms.
    pub terms: SpinTerms,
    /// The sector basis.
    pub basis: SpinBasis,
    chars: Vec<S>,
    diag: Vec<f64>,
    /// The general off-diagonal elements with amplitudes in `S`.
    hops: Vec<(u64, usize, usize, [S; 4])>,
    cache: Option<RowCache<S>>,
    _s: PhantomData<S>,
}

/// Precomputed off-diagonal rows, one block per [`CHUNK`] rows (the same blocks the parallel
/// product uses, so no global concatenation is needed). In compact form (real sectors whose
/// off-diagonal amplitudes take at most four distinct values, dimension below 2^29) only the
/// columns are stored, with the character's sign in the top bit and the amplitude's class in
/// the next two; the product is `(1/sqrt c_b) Σ_k amp_k Σ_{a in class k} ±sqrt(c_a) x_a`
/// (equal to the matrix-free product to rounding; the same bits for any thread count).
#[derive(Debug)]
struct RowCache<S> {
    chunks: Vec<ChunkRows<S>>,
    compact: Option<Vec<f64>>,
}

#[derive(Debug)]
struct ChunkRows<S> {
    starts: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<S>,
}

const SIGN_BIT: u32 = 1 << 31;
const CLASS_SHIFT: u32 = 29;
const COL_MASK: u32 = (1 << CLASS_SHIFT) - 1;

/// An off-diagonal amplitude as the row loop sees it: the fast exchange path keeps a real
/// number (the product `χ(g) · (a · sqrt c_a / sqrt c_b)` is formed as before), general hops
/// carry a scalar; both carry their compact class.
#[derive(Clone, Copy)]
enum Amp<S> {
    Real(f64, u8),
    General(S, u8),
}

impl<S: Scalar> SpinHamiltonian<S> {
    /// Build the sector basis and the operator; symmetry-checked (see
    /// [`SpinTerms::check_sector`]). `S` must be complex if the sector has complex
    /// characters or the model complex matrix elements.
    pub fn new(terms: &SpinTerms, sector: &Sector, storage: Storage) -> Result<Self> {
        terms.check_sector(sector)?;
        let basis = SpinBasis::new(&terms.lattice, sector, terms.conserves_sz())?;
        Self::from_basis(terms, basis, storage)
    }

    /// The operator on an existing basis.
    pub fn from_basis(terms: &SpinTerms, basis: SpinBasis, storage: Storage) -> Result<Self> {
        Ok(Self::from_basis_until(terms, basis, storage, &|| false)?.expect("never asked to stop"))
    }

    /// [`SpinHamiltonian::from_basis`] that polls `stop` while it builds the row cache (minutes
    /// for the largest sectors) and returns `None` as soon as it says so; the rows are the same,
    /// bit for bit, as an uninterrupted build.
    pub fn from_basis_until(
        terms: &SpinTerms,
        basis: SpinBasis,
        storage: Storage,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Self>> {
        terms.check_sector(&basis.sector)?;
        let complex_hint = || {
            Error::invalid(
                "sector",
                basis.sector.label(basis.n_sites),
                "this sector (or the model) is complex: use the complex operator",
            )
        };
        let mut chars = Vec::with_capacity(basis.group.order());
        for &c in &basis.group.characters {
            chars.push(S::from_c64(c).ok_or_else(complex_hint)?);
        }
        let mut hops = Vec::with_capacity(terms.hops.len());
        for h in &terms.hops {
            let mut amp = [S::ZERO; 4];
            for (a, z) in amp.iter_mut().zip(h.amp) {
                *a = S::from_c64(z).ok_or_else(complex_hint)?;
            }
            hops.push((h.flip, h.a, h.b, amp));
        }
        let diag: Vec<f64> = basis.states.par_iter().map(|&s| diagonal(terms, s)).collect();
        let mut h = SpinHamiltonian { terms: terms.clone(), basis, chars, diag, hops, cache: None, _s: PhantomData };
        let nnz_est = h.dim() as u64 * (h.terms.offdiagonal_per_row().ceil() as u64 + 1);
        let per_nnz = if h.compact_classes().is_some() { 4 } else { 4 + std::mem::size_of::<S>() as u64 };
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
            match h.build_cache(stop) {
                Some(c) => h.cache = Some(c),
                None => return Ok(None),
            }
        }
        Ok(Some(h))
    }

    /// Whether the off-diagonal elements are cached.
    pub fn is_cached(&self) -> bool {
        self.cache.is_some()
    }

    /// Off-diagonal elements of row b: calls `f(column, value)`.
    #[inline]
    fn row(&self, b: usize, mut f: impl FnMut(usize, S)) {
        self.row_raw(b, None, |a, _, _, v| f(a, v));
    }

    /// Off-diagonal elements of row b: calls `f(column, group element, amplitude class, value)`.
    /// `classes` maps amplitudes to compact classes (only when building a compact cache).
    #[inline]
    fn row_raw(&self, b: usize, classes: Option<&[f64]>, mut f: impl FnMut(usize, usize, u8, S)) {
        let s = self.basis.states[b];
        let inv_nb = 1.0 / self.basis.sqrt_norm[b];
        // Two passes: first every representative (compute-bound), then every index look-up
        // (one cache miss each); the look-ups of the second pass are independent, so the
        // processor overlaps their misses.
        const BATCH: usize = 64;
        let mut reps = [(0u64, 0usize, Amp::Real(0.0, 0)); BATCH];
        let mut len = 0;
        let mut flush = |reps: &[(u64, usize, Amp<S>)]| {
            for &(rep, g, h) in reps {
                if let Some(a) = self.basis.index(rep) {
                    let na = self.basis.sqrt_norm[a];
                    match h {
                        Amp::Real(h, k) => f(a, g, k, self.chars[g].scale(h * na * inv_nb)),
                        Amp::General(h, k) if !S::COMPLEX => f(a, g, k, self.chars[g].scale(h.re() * na * inv_nb)),
                        Amp::General(h, k) => f(a, g, k, (self.chars[g] * h).scale(na * inv_nb)),
                    }
                }
            }
        };
        let class_of = |x: f64| -> u8 { classes.and_then(|c| c.iter().position(|&y| y == x)).unwrap_or(0) as u8 };
        let exchange = self
            .terms
            .exchange
            .iter()
            .filter(|&&(i, j, _)| ((s >> i) ^ (s >> j)) & 1 == 1)
            .map(|&(i, j, a)| (s ^ ((1u64 << i) | (1u64 << j)), Amp::Real(a, class_of(a))));
        let hops = self.hops.iter().filter_map(|&(flip, a, bb, ref amp)| {
            let v = amp[(2 * ((s >> a) & 1) + ((s >> bb) & 1)) as usize];
            (v != S::ZERO).then(|| (s ^ flip, Amp::General(v, class_of(v.re()))))
        });
        for (t, h) in exchange.chain(hops) {
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

    /// The distinct off-diagonal amplitudes (at most four), if the sector and the model are
    /// real and the dimension fits in 29 bits: the classes of the compact cache.
    fn compact_classes(&self) -> Option<Vec<f64>> {
        if S::COMPLEX || self.dim() > COL_MASK as usize {
            return None;
        }
        let mut classes: Vec<f64> = Vec::new();
        let amps = self
            .terms
            .exchange
            .iter()
            .map(|e| e.2)
            .chain(self.hops.iter().flat_map(|h| h.3.iter().map(|v| v.re())).filter(|&v| v != 0.0));
        for a in amps {
            if !classes.contains(&a) {
                classes.push(a);
            }
        }
        (!classes.is_empty() && classes.len() <= 4).then_some(classes)
    }

    /// The row cache, built in rounds of chunks with `stop` polled between rounds (`None`:
    /// stopped). Every chunk is built the same way whatever the rounds.
    fn build_cache(&self, stop: &dyn Fn() -> bool) -> Option<RowCache<S>> {
        let compact = self.compact_classes();
        let n = self.dim();
        let n_chunks = n.div_ceil(CHUNK);
        // A round of 8 chunks per thread: enough that the pool stays busy (the chunks of a round
        // cost about the same), short enough (under a second for the rows of the 6x6 J1-J2
        // sector, 72 elements each) that a stop request is answered at once.
        let round = 8 * rayon::current_num_threads().max(1);
        let mut chunks: Vec<ChunkRows<S>> = Vec::with_capacity(n_chunks);
        for first in (0..n_chunks).step_by(round) {
            if stop() {
                return None;
            }
            chunks.par_extend(
                (first..(first + round).min(n_chunks)).into_par_iter().map(|c| self.cache_chunk(c, compact.as_deref())),
            );
        }
        Some(RowCache { chunks, compact })
    }

    /// The cached rows of chunk `c` (rows `c · CHUNK ..`).
    fn cache_chunk(&self, c: usize, compact: Option<&[f64]>) -> ChunkRows<S> {
        let lo = c * CHUNK;
        let hi = (lo + CHUNK).min(self.dim());
        let mut starts = Vec::with_capacity(hi - lo + 1);
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        starts.push(0u32);
        for b in lo..hi {
            self.row_raw(b, compact, |a, g, k, v| {
                if compact.is_some() {
                    let neg = self.chars[g].re() < 0.0;
                    cols.push(a as u32 | (u32::from(k) << CLASS_SHIFT) | if neg { SIGN_BIT } else { 0 });
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
    for &(i, j, jz) in &t.zz {
        let same = ((s >> i) ^ (s >> j)) & 1 == 0;
        e += if same { 0.25 * jz } else { -0.25 * jz };
    }
    for (r, &h) in t.hz.iter().enumerate() {
        if h != 0.0 {
            e += if (s >> r) & 1 == 1 { 0.5 * h } else { -0.5 * h };
        }
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
        // Compact cache: (H x)_b = h_bb x_b + (1 / sqrt c_b) Σ_k amp_k Σ_a ±(sqrt c_a x_a), with
        // the products sqrt c_a x_a formed once per application, so that the inner loop
        // gathers one vector instead of two.
        let scaled: Vec<S> = match self.cache.as_ref().and_then(|rc| rc.compact.as_ref()) {
            Some(_) if x.len() <= 2 * CHUNK => x.iter().zip(sn).map(|(&xa, &s)| xa.scale(s)).collect(),
            Some(_) => x.par_iter().zip(sn.par_iter()).map(|(&xa, &s)| xa.scale(s)).collect(),
            None => Vec::new(),
        };
        let row_block = |(c, yc): (usize, &mut [S])| {
            let rows = self.cache.as_ref().map(|rc| (&rc.chunks[c], rc.compact.as_deref()));
            for (o, yb) in yc.iter_mut().enumerate() {
                let b = c * CHUNK + o;
                let mut acc = x[b].scale(self.diag[b]);
                match rows {
                    Some((ch, Some(&[amp]))) => {
                        let mut off = S::ZERO;
                        for &col in &ch.cols[ch.starts[o] as usize..ch.starts[o + 1] as usize] {
                            let xa = scaled[(col & COL_MASK) as usize];
                            if col & SIGN_BIT != 0 {
                                off -= xa;
                            } else {
                                off += xa;
                            }
                        }
                        acc += off.scale(amp / sn[b]);
                    }
                    Some((ch, Some(classes))) => {
                        let mut off = [S::ZERO; 4];
                        for &col in &ch.cols[ch.starts[o] as usize..ch.starts[o + 1] as usize] {
                            let xa = scaled[(col & COL_MASK) as usize];
                            let k = ((col >> CLASS_SHIFT) & 3) as usize;
                            if col & SIGN_BIT != 0 {
                                off[k] -= xa;
                            } else {
                                off[k] += xa;
                            }
                        }
                        for (o_k, &amp) in off.iter().zip(classes) {
                            acc += o_k.scale(amp / sn[b]);
                        }
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
        };
        // Small sectors on the calling thread (the pool's hand-off costs more than the rows);
        // every row is computed the same way on either path.
        if self.dim() <= 2 * CHUNK {
            y.chunks_mut(CHUNK).enumerate().for_each(row_block);
        } else {
            y.par_chunks_mut(CHUNK).enumerate().for_each(row_block);
        }
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
        b += dim * (terms.offdiagonal_per_row() * per + 4.0);
    }
    b as u64
}

/// Whether a sector needs complex arithmetic: complex characters (momenta other than 0 and π).
pub fn sector_is_complex(lattice: &Lattice, sector: &Sector) -> bool {
    match &sector.k {
        Some(k) => k.iter().zip(lattice.extents()).any(|(&m, &l)| (2 * m) % l != 0),
        None => false,
    }
}

/// Whether the operator of a sector of these terms needs complex arithmetic (complex
/// characters, or complex matrix elements of the model).
pub fn needs_complex(terms: &SpinTerms, sector: &Sector) -> bool {
    sector_is_complex(&terms.lattice, sector) || !terms.is_real()
}

/// Convenience: the complex characters as a vector (for observables).
pub fn characters(basis: &SpinBasis) -> &[C64] {
    &basis.group.characters
}
