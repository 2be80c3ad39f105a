//! Linearized modes of the symmetric-tensor rotor models, per helicity (graviton.md, B.6).
//!
//! At each momentum `k` the 6x6 kinetic and potential matrices `𝒦(K)`, `𝒱(K)` are built from the
//! model's terms (lattice difference operators, `Δ_a → iK_a`, `K_a = 2 sin(k_a/2)`) in the
//! orthonormal coordinates `Q, P` of B.2, `H = ½ P†𝒦P + ½ Q†𝒱Q`. They are transformed to the
//! helicity basis about `K̂` ([`helicity`]), checked block-diagonal (blocks +2, −2, +1, −1 and the
//! 2x2 block 0L/0T), restricted to the kernel of the model's constraints, and each block is solved
//! by [`crate::modes::normal::normal_modes`]. Zero modes are counted per block as the dimension of
//! the kernel of the block's dynamical matrix `𝒦^{½}𝒱𝒦^{½}` plus the directions removed by
//! constraints, never from a 12x12 phase-space eigen-solver (whose Jordan blocks give spurious
//! small frequencies, B.6 step 4).
//!
//! Tolerance: a number is zero when it is below [`REL_TOL`] times the natural scale at that `k`
//! (the Frobenius norms of the 6x6 matrices, or their product for `ω²`). The entries are
//! polynomials in `K` evaluated in double precision, so rounding is ~1e-16 of that scale, while
//! every non-zero eigenvalue of the reference models is an O(1) fraction of it at every `k ≠ 0`.

pub mod gaussian;
pub mod helicity;

use crate::error::{Error, Result};
use crate::linalg::{eigh_complex, C64};
use crate::model::graviton::{compose_chain, gauge_map, lattice_k, Acts, DiffOp, GravitonKind, GravitonModel};
use crate::modes::normal::normal_modes;
use helicity::{projectors, Helicity, HelicityBasis};
use serde::Serialize;
use std::collections::BTreeMap;

/// Relative tolerance for kernels and ranks (see the module doc).
pub const REL_TOL: f64 = 1e-9;

/// Small-k window of the exponent fit, |k| ∈ [0.005, 0.05] (B.6 step 6).
pub const FIT_WINDOW: [f64; 2] = [0.005, 0.05];

/// Number of points of the exponent fit (log-spaced over [`FIT_WINDOW`]).
pub const FIT_POINTS: usize = 12;

/// Default direction of the exponent fit: a generic direction, (3, 2, 1)/√14.
pub const FIT_DIRECTION: [f64; 3] = [0.801_783_725_737_273_2, 0.534_522_483_824_848_8, 0.267_261_241_912_424_4];

/// The helicity sectors (diagonal blocks in the helicity basis).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Sector {
    /// +2
    Plus2,
    /// −2
    Minus2,
    /// +1
    Plus1,
    /// −1
    Minus1,
    /// the 2x2 block 0L, 0T
    Zero,
}

impl Sector {
    /// All five blocks.
    pub const ALL: [Sector; 5] = [Sector::Plus2, Sector::Minus2, Sector::Plus1, Sector::Minus1, Sector::Zero];
    /// Helicity m.
    pub fn m(&self) -> i32 {
        match self {
            Sector::Plus2 => 2,
            Sector::Minus2 => -2,
            Sector::Plus1 => 1,
            Sector::Minus1 => -1,
            Sector::Zero => 0,
        }
    }
    /// The helicity states of the block.
    pub fn states(&self) -> &'static [Helicity] {
        match self {
            Sector::Plus2 => &[Helicity::Plus2],
            Sector::Minus2 => &[Helicity::Minus2],
            Sector::Plus1 => &[Helicity::Plus1],
            Sector::Minus1 => &[Helicity::Minus1],
            Sector::Zero => &[Helicity::ZeroL, Helicity::ZeroT],
        }
    }
    /// Column indices in the helicity basis.
    pub fn columns(&self) -> &'static [usize] {
        match self {
            Sector::Plus2 => &[0],
            Sector::Minus2 => &[1],
            Sector::Plus1 => &[2],
            Sector::Minus1 => &[3],
            Sector::Zero => &[4, 5],
        }
    }
    /// Label for people.
    pub fn label(&self) -> &'static str {
        match self {
            Sector::Plus2 => "+2",
            Sector::Minus2 => "-2",
            Sector::Plus1 => "+1",
            Sector::Minus1 => "-1",
            Sector::Zero => "0 (0L, 0T)",
        }
    }
}

/// The modes of one helicity block at one momentum.
#[derive(Clone, Debug, Serialize)]
pub struct SectorModes {
    /// Which block.
    pub sector: Sector,
    /// Its dimension (1, or 2 for helicity 0).
    pub dim: usize,
    /// Directions removed by constraints.
    pub removed: usize,
    /// The constraints that remove them.
    pub removed_by: Vec<String>,
    /// Dimension of the kernel of the kinetic matrix on the remaining (physical) directions.
    pub kinetic_kernel: usize,
    /// Dimension of the kernel of the potential matrix on the physical directions.
    pub potential_kernel: usize,
    /// Non-propagating modes: removed directions plus the kernel of `𝒦^{½}𝒱𝒦^{½}`.
    pub zero_modes: usize,
    /// Frequencies of the propagating modes, ascending.
    pub omega: Vec<f64>,
    /// Instabilities found in this block, by name.
    pub instabilities: Vec<String>,
}

/// All modes at one momentum, per helicity block, with the self-checks of B.6 step 2 and 4.
#[derive(Clone, Debug, Serialize)]
pub struct ModesAt {
    /// Momentum k.
    pub k: [f64; 3],
    /// Lattice momentum K = 2 sin(k/2).
    pub kk: [f64; 3],
    /// The five blocks.
    pub sectors: Vec<SectorModes>,
    /// ‖𝒱 G‖ / (‖𝒱‖ ‖G‖): the potential's violation of diffeomorphism invariance.
    pub gauge_residual: f64,
    /// Largest off-block element of 𝒦 and 𝒱 in the helicity basis, relative to their norms.
    pub off_block: f64,
    /// Anti-Hermitian part of 𝒦 and 𝒱 as written, relative to their norms.
    pub hermiticity_residual: f64,
}

impl ModesAt {
    /// The block of a sector.
    pub fn sector(&self, s: Sector) -> &SectorModes {
        &self.sectors[Sector::ALL.iter().position(|&x| x == s).unwrap_or(0)]
    }
    /// (helicity, ω) of every mode: propagating ones with their ω, zero modes with 0.
    pub fn mode_list(&self) -> Vec<(i32, f64, &'static str)> {
        let mut v = Vec::new();
        for s in &self.sectors {
            for &w in &s.omega {
                v.push((s.sector.m(), w, "propagating"));
            }
            for _ in 0..s.removed {
                v.push((s.sector.m(), 0.0, "removed by a constraint"));
            }
            for _ in 0..(s.zero_modes - s.removed) {
                v.push((s.sector.m(), 0.0, "zero mode"));
            }
        }
        v
    }
}

fn fro(a: &[C64]) -> f64 {
    a.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt()
}

fn matmul(n: usize, m: usize, p: usize, a: &[C64], b: &[C64]) -> Vec<C64> {
    let mut c = vec![C64::new(0.0, 0.0); n * p];
    for i in 0..n {
        for l in 0..m {
            let x = a[i * m + l];
            if x == C64::new(0.0, 0.0) {
                continue;
            }
            for j in 0..p {
                c[i * p + j] += x * b[l * p + j];
            }
        }
    }
    c
}

fn dagger(n: usize, m: usize, a: &[C64]) -> Vec<C64> {
    let mut t = vec![C64::new(0.0, 0.0); n * m];
    for i in 0..n {
        for j in 0..m {
            t[j * n + i] = a[i * m + j].conj();
        }
    }
    t
}

/// An operator's momentum-space matrix in orthonormal coordinates: `√M_out · O(K) · √M_in⁻¹`.
pub fn orthonormal_at(op: &DiffOp, kk: [f64; 3]) -> Vec<C64> {
    let (n, m) = (op.output.len(), op.input.len());
    let mut a = op.at(kk);
    for i in 0..n {
        for j in 0..m {
            a[i * m + j] *= op.output.metric[i].sqrt() / op.input.metric[j].sqrt();
        }
    }
    a
}

/// A quadratic form `Σ c (A x)·M(B x)` with composed operators, ready to evaluate at any k.
#[derive(Clone, Debug)]
struct Form {
    terms: Vec<(f64, DiffOp, DiffOp)>,
}

impl Form {
    fn new(terms: &[crate::model::graviton::QuadTerm]) -> Result<Self> {
        let terms = terms
            .iter()
            .map(|t| Ok((t.coef, compose_chain(&t.left)?, compose_chain(&t.right)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Form { terms })
    }
    /// The 6x6 matrix in Q coordinates: `Σ c (A_Q)† (B_Q)` with `A_Q = √M A W⁻¹`.
    /// The sum of the terms as evaluated, before Hermitizing (for the Hermiticity self-check).
    fn raw(&self, kk: [f64; 3]) -> Vec<C64> {
        let mut out = vec![C64::new(0.0, 0.0); 36];
        for (c, a, b) in &self.terms {
            let r = a.output.len();
            let aq = orthonormal_at(a, kk);
            let bq = orthonormal_at(b, kk);
            let m = matmul(6, r, 6, &dagger(r, 6, &aq), &bq);
            for i in 0..36 {
                out[i] += m[i] * *c;
            }
        }
        out
    }

    /// `‖A − A†‖ / ‖A‖` of the raw sum (zero for a correctly written form, up to rounding).
    fn hermiticity_residual(&self, kk: [f64; 3]) -> f64 {
        let a = self.raw(kk);
        let mut d = 0.0;
        for i in 0..6 {
            for j in 0..6 {
                d += (a[i * 6 + j] - a[j * 6 + i].conj()).norm_sqr();
            }
        }
        d.sqrt() / fro(&a).max(1e-300)
    }

    /// The Hermitian 6x6 matrix (the raw sum's Hermitian part: this only removes rounding asymmetry,
    /// which [`Form::hermiticity_residual`] measures).
    fn at(&self, kk: [f64; 3]) -> Vec<C64> {
        let out = self.raw(kk);
        let mut h = out.clone();
        for i in 0..6 {
            for j in 0..6 {
                h[i * 6 + j] = (out[i * 6 + j] + out[j * 6 + i].conj()) * 0.5;
            }
        }
        h
    }
}

/// The graviton mode solver for one model: its forms composed once, evaluated at any momentum.
#[derive(Clone, Debug)]
pub struct GravitonModes {
    /// The model.
    pub model: GravitonModel,
    kinetic: Form,
    potential: Form,
    constraints: Vec<(String, Acts, DiffOp)>,
    gauge: DiffOp,
}

/// Orthonormal kernel vectors of a Hermitian PSD `d x d` matrix (eigenvalues ≤ REL_TOL · scale).
fn kernel_basis(d: usize, a: &[C64], scale: f64) -> Result<Vec<Vec<C64>>> {
    let e = eigh_complex(d, a)?;
    Ok(e.values.iter().zip(e.vectors).filter(|(lam, _)| lam.abs() <= REL_TOL * scale).map(|(_, v)| v).collect())
}

/// Clean a Hermitian matrix: eigenvalues below the tolerance set to exactly zero. Returns the
/// cleaned matrix and its eigenvalues (cleaned).
fn clean(d: usize, a: &[C64], scale: f64) -> Result<(Vec<C64>, Vec<f64>)> {
    if d == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let e = eigh_complex(d, a)?;
    let mut out = vec![C64::new(0.0, 0.0); d * d];
    let mut vals = Vec::with_capacity(d);
    for (lam, v) in e.values.iter().zip(&e.vectors) {
        let l = if lam.abs() <= REL_TOL * scale { 0.0 } else { *lam };
        vals.push(l);
        for i in 0..d {
            for j in 0..d {
                out[i * d + j] += v[i] * v[j].conj() * l;
            }
        }
    }
    Ok((out, vals))
}

/// Restrict a 6x6 matrix to the span of the given Q-space vectors (`U† A U`, U = columns).
fn restrict(a: &[C64], basis: &[Vec<C64>]) -> Vec<C64> {
    let d = basis.len();
    let mut out = vec![C64::new(0.0, 0.0); d * d];
    for s in 0..d {
        for t in 0..d {
            let mut acc = C64::new(0.0, 0.0);
            for i in 0..6 {
                for j in 0..6 {
                    acc += basis[s][i].conj() * a[i * 6 + j] * basis[t][j];
                }
            }
            out[s * d + t] = acc;
        }
    }
    out
}

impl GravitonModes {
    /// Compose the model's forms once.
    pub fn new(model: &GravitonModel) -> Result<Self> {
        Ok(GravitonModes {
            model: model.clone(),
            kinetic: Form::new(&model.kinetic())?,
            potential: Form::new(&model.potential())?,
            constraints: model.constraints().into_iter().map(|c| (c.name, c.acts, c.op)).collect(),
            gauge: gauge_map(),
        })
    }

    /// The kinetic matrix 𝒦 at momentum k (6x6, Q coordinates).
    pub fn kinetic_at(&self, k: [f64; 3]) -> Vec<C64> {
        self.kinetic.at(lattice_k(k))
    }

    /// The potential matrix 𝒱 at momentum k (6x6, Q coordinates).
    pub fn potential_at(&self, k: [f64; 3]) -> Vec<C64> {
        self.potential.at(lattice_k(k))
    }

    /// The gauge map G at k (6x3, Q coordinates).
    pub fn gauge_at(&self, k: [f64; 3]) -> Vec<C64> {
        orthonormal_at(&self.gauge, lattice_k(k))
    }

    /// The larger of `‖𝒦 − 𝒦†‖/‖𝒦‖` and `‖𝒱 − 𝒱†‖/‖𝒱‖` of the forms as written, at k (B.6 step 2).
    pub fn hermiticity_residual(&self, k: [f64; 3]) -> f64 {
        let kk = lattice_k(k);
        self.kinetic.hermiticity_residual(kk).max(self.potential.hermiticity_residual(kk))
    }

    /// `‖𝒱 G‖ / (‖𝒱‖‖G‖)` at k.
    pub fn gauge_residual(&self, k: [f64; 3]) -> f64 {
        let v = self.potential_at(k);
        let g = self.gauge_at(k);
        let vg = matmul(6, 6, 3, &v, &g);
        fro(&vg) / (fro(&v) * fro(&g)).max(1e-300)
    }

    /// Each constraint's kernel restricted to the span of `basis` (Q vectors): returns
    /// (physical basis within the span, removed count, names of constraints that remove something).
    fn physical(&self, kk: [f64; 3], basis: &[Vec<C64>]) -> Result<(Vec<Vec<C64>>, usize, Vec<String>)> {
        let d = basis.len();
        let mut gram = vec![C64::new(0.0, 0.0); d * d];
        let mut names = Vec::new();
        for (name, _acts, op) in &self.constraints {
            // Both kinds of constraint are written on tensor components; in Q coordinates they act
            // as C W⁻¹ (on P for momentum constraints, on Q for coordinate constraints).
            let c = orthonormal_at(op, kk);
            let r = op.output.len();
            let norm2 = fro(&c).powi(2);
            if norm2 == 0.0 {
                continue;
            }
            let mut cb = vec![C64::new(0.0, 0.0); r * d];
            for i in 0..r {
                for t in 0..d {
                    for j in 0..6 {
                        cb[i * d + t] += c[i * 6 + j] * basis[t][j];
                    }
                }
            }
            let g = matmul(d, r, d, &dagger(r, d, &cb), &cb);
            let ker = kernel_basis(d, &g, norm2)?;
            if ker.len() < d {
                names.push(name.clone());
            }
            for i in 0..d * d {
                gram[i] += g[i] / norm2;
            }
        }
        if d == 0 {
            return Ok((Vec::new(), 0, names));
        }
        let ker = kernel_basis(d, &gram, 1.0)?;
        let phys: Vec<Vec<C64>> = ker
            .iter()
            .map(|y| {
                let mut v = vec![C64::new(0.0, 0.0); 6];
                for t in 0..d {
                    for i in 0..6 {
                        v[i] += basis[t][i] * y[t];
                    }
                }
                v
            })
            .collect();
        let removed = d - phys.len();
        Ok((phys, removed, names))
    }

    /// The modes at one momentum, per helicity block. Errors at the zone centre (`K = 0`), where
    /// helicity is undefined: use [`GravitonModes::zone_centre`] there.
    pub fn at(&self, k: [f64; 3]) -> Result<ModesAt> {
        require_finite_k(k)?;
        let kk = lattice_k(k);
        let basis = HelicityBasis::about(kk).ok_or_else(|| {
            Error::invalid(
                "k",
                format!("({}, {}, {})", k[0], k[1], k[2]),
                "helicity is undefined at the zone centre K = 0 (no direction K̂); give a non-zero momentum",
            )
        })?;
        let kin = self.kinetic_at(k);
        let pot = self.potential_at(k);
        let (sk, sv) = (fro(&kin), fro(&pot));
        let kh = basis.transform(&kin);
        let vh = basis.transform(&pot);
        // off-block check (only the 0L/0T block may mix)
        let block_of = |i: usize| if i >= 4 { 4 } else { i };
        let mut off: f64 = 0.0;
        for i in 0..6 {
            for j in 0..6 {
                if block_of(i) != block_of(j) {
                    off = off.max(kh[i * 6 + j].norm() / sk.max(1e-300)).max(vh[i * 6 + j].norm() / sv.max(1e-300));
                }
            }
        }
        let mut sectors = Vec::with_capacity(5);
        for s in Sector::ALL {
            let cols: Vec<Vec<C64>> = s.columns().iter().map(|&c| basis.columns[c].to_vec()).collect();
            let (phys, removed, removed_by) = self.physical(kk, &cols)?;
            let d = phys.len();
            let (kr, kvals) = clean(d, &restrict(&kin, &phys), sk)?;
            let (vr, vvals) = clean(d, &restrict(&pot, &phys), sv)?;
            let kinetic_kernel = kvals.iter().filter(|&&x| x == 0.0).count();
            let potential_kernel = vvals.iter().filter(|&&x| x == 0.0).count();
            let mut instabilities = Vec::new();
            let mut omega = Vec::new();
            let mut zero = 0;
            if kvals.iter().any(|&x| x < 0.0) {
                instabilities.push(format!(
                    "helicity {}: kinetic matrix not positive (eigenvalues {:?}): a wrong-sign kinetic term",
                    s.label(),
                    kvals
                ));
            } else if d > 0 {
                let nm = normal_modes(d, &kr, &vr)?;
                for &w2 in &nm.omega2 {
                    if w2.abs() <= REL_TOL * sk * sv {
                        zero += 1;
                    } else if w2 < 0.0 {
                        instabilities.push(format!(
                            "helicity {}: negative potential with positive kinetic term, ω² = {w2:.3e} (exponential growth)",
                            s.label()
                        ));
                    } else {
                        omega.push(w2.sqrt());
                    }
                }
            }
            sectors.push(SectorModes {
                sector: s,
                dim: cols.len(),
                removed,
                removed_by,
                kinetic_kernel,
                potential_kernel,
                zero_modes: removed + zero,
                omega,
                instabilities,
            });
        }
        Ok(ModesAt {
            k,
            kk,
            sectors,
            gauge_residual: self.gauge_residual(k),
            hermiticity_residual: self.hermiticity_residual(k),
            off_block: off,
        })
    }

    /// What happens at the zone centre, where helicity is undefined: the potential vanishes
    /// (every term has derivatives), so all six modes are degenerate at ω = 0.
    pub fn zone_centre(&self) -> ZoneCentre {
        let pot = self.potential_at([0.0; 3]);
        let kin = self.kinetic_at([0.0; 3]);
        let kvals = crate::linalg::eigvalsh_complex(6, &kin).unwrap_or_default();
        ZoneCentre {
            potential_norm: fro(&pot),
            kinetic_eigenvalues: kvals,
            omega: if fro(&pot) == 0.0 {
                vec![0.0; 6]
            } else {
                normal_modes(6, &kin, &pot).map(|m| m.omega()).unwrap_or_else(|_| vec![f64::NAN; 6])
            },
        }
    }

    /// Sector content without constraints, for diagnostics: the eigenvalues of 𝒦 and 𝒱 on each
    /// block at k (cleaned with the rank tolerance).
    pub fn unconstrained(&self, k: [f64; 3]) -> Result<Vec<SectorSpectrum>> {
        require_finite_k(k)?;
        let kk = lattice_k(k);
        let basis = HelicityBasis::about(kk)
            .ok_or_else(|| Error::invalid("k", "0", "helicity is undefined at the zone centre"))?;
        let kin = self.kinetic_at(k);
        let pot = self.potential_at(k);
        let (sk, sv) = (fro(&kin), fro(&pot));
        Sector::ALL
            .iter()
            .map(|&s| {
                let cols: Vec<Vec<C64>> = s.columns().iter().map(|&c| basis.columns[c].to_vec()).collect();
                let d = cols.len();
                let (_, kv) = clean(d, &restrict(&kin, &cols), sk)?;
                let (_, vv) = clean(d, &restrict(&pot, &cols), sv)?;
                Ok(SectorSpectrum { sector: s, kinetic: kv, potential: vv })
            })
            .collect()
    }

    /// The oracle of B.6 step 5: diagonalize the physical subspace as a whole (no helicity basis),
    /// then assign helicity content by the Barnes-Rivers projectors. Returns every mode (removed
    /// ones at ω = 0) sorted by ω with weights `[|m|=2, |m|=1, |m|=0]`; modes of a degenerate
    /// group share the group's average weights (the split inside a degenerate eigenspace is arbitrary).
    pub fn branch_weights(&self, k: [f64; 3]) -> Result<Vec<(f64, [f64; 3])>> {
        require_finite_k(k)?;
        let kk = lattice_k(k);
        let norm = (kk[0] * kk[0] + kk[1] * kk[1] + kk[2] * kk[2]).sqrt();
        if norm == 0.0 {
            return Err(Error::invalid("k", "0", "helicity weights are undefined at the zone centre"));
        }
        let n = [kk[0] / norm, kk[1] / norm, kk[2] / norm];
        let id: Vec<Vec<C64>> =
            (0..6).map(|i| (0..6).map(|j| C64::new(if i == j { 1.0 } else { 0.0 }, 0.0)).collect()).collect();
        let (phys, _, _) = self.physical(kk, &id)?;
        // complement of the physical space: the removed directions
        let mut pp = vec![C64::new(0.0, 0.0); 36];
        for v in &phys {
            for i in 0..6 {
                for j in 0..6 {
                    pp[i * 6 + j] += v[i] * v[j].conj();
                }
            }
        }
        let removed = kernel_basis(6, &pp, 1.0)?;
        let kin = self.kinetic_at(k);
        let pot = self.potential_at(k);
        let (sk, sv) = (fro(&kin), fro(&pot));
        let d = phys.len();
        let (kr, _) = clean(d, &restrict(&kin, &phys), sk)?;
        let (vr, _) = clean(d, &restrict(&pot, &phys), sv)?;
        let nm = normal_modes(d, &kr, &vr)?;
        let mut modes: Vec<(f64, Vec<C64>)> = Vec::new();
        let s = crate::modes::normal::sqrt_psd(d, &kr)?;
        let e = eigh_complex(d, &matmul(d, d, d, &matmul(d, d, d, &s, &vr), &s))?;
        // eigenvectors of the Hermitian dynamical matrix span the same degenerate groups as the
        // polarizations; use them (orthonormal) mapped back to Q space for the group projectors.
        for (j, w2) in nm.omega2.iter().enumerate() {
            let y = &e.vectors[j];
            let mut v = vec![C64::new(0.0, 0.0); 6];
            for t in 0..d {
                for i in 0..6 {
                    v[i] += phys[t][i] * y[t];
                }
            }
            let w = if w2.abs() <= REL_TOL * sk * sv { 0.0 } else { w2.max(0.0).sqrt() };
            modes.push((w, v));
        }
        for v in removed {
            modes.push((0.0, v));
        }
        modes.sort_by(|a, b| a.0.total_cmp(&b.0));
        let pr = projectors(n);
        let weight = |p: &[C64], v: &[C64]| -> f64 {
            let mut acc = C64::new(0.0, 0.0);
            for i in 0..6 {
                for j in 0..6 {
                    acc += v[i].conj() * p[i * 6 + j] * v[j];
                }
            }
            acc.re
        };
        let raw: Vec<[f64; 3]> = modes
            .iter()
            .map(|(_, v)| {
                let nv: f64 = v.iter().map(|x| x.norm_sqr()).sum();
                [weight(&pr[0], v) / nv, weight(&pr[1], v) / nv, (weight(&pr[2], v) + weight(&pr[3], v)) / nv]
            })
            .collect();
        // average over degenerate groups
        let scale = modes.iter().fold(0.0f64, |m, x| m.max(x.0)).max(1e-300);
        let mut out = Vec::with_capacity(modes.len());
        let mut i = 0;
        while i < modes.len() {
            let mut j = i + 1;
            while j < modes.len() && (modes[j].0 - modes[i].0).abs() <= 1e-7 * scale {
                j += 1;
            }
            let mut avg = [0.0; 3];
            for r in &raw[i..j] {
                for s in 0..3 {
                    avg[s] += r[s] / (j - i) as f64;
                }
            }
            for m in &modes[i..j] {
                out.push((m.0, avg));
            }
            i = j;
        }
        Ok(out)
    }
}

fn require_finite_k(k: [f64; 3]) -> Result<()> {
    if k.iter().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(Error::invalid("k", format!("{k:?}"), "give finite momenta (radians per lattice spacing)"))
    }
}

/// Eigenvalues of 𝒦 and 𝒱 on one helicity block, before constraints.
#[derive(Clone, Debug, Serialize)]
pub struct SectorSpectrum {
    /// The block.
    pub sector: Sector,
    /// Eigenvalues of the kinetic matrix on the block.
    pub kinetic: Vec<f64>,
    /// Eigenvalues of the potential matrix on the block.
    pub potential: Vec<f64>,
}

/// The degenerate modes at the zone centre.
#[derive(Clone, Debug, Serialize)]
pub struct ZoneCentre {
    /// ‖𝒱(K = 0)‖ (zero for every reference model).
    pub potential_norm: f64,
    /// Eigenvalues of 𝒦(K = 0).
    pub kinetic_eigenvalues: Vec<f64>,
    /// The six frequencies.
    pub omega: Vec<f64>,
}

/// Least-squares slope of `log y` against `log x` ([`crate::modes::fit::fit_power_law`]; NaN if
/// fewer than two usable points).
pub fn log_log_slope(x: &[f64], y: &[f64]) -> f64 {
    crate::modes::fit::fit_power_law(x, y).map(|l| l.exponent).unwrap_or(f64::NAN)
}

/// The low-k fit of one sector: the lowest propagating frequency at log-spaced |k| along
/// `direction`, and its log-log slope. `None` if the sector does not propagate at every point.
pub fn fit_exponent(
    solver: &GravitonModes,
    sector: Sector,
    direction: [f64; 3],
) -> Result<Option<(f64, Vec<[f64; 2]>)>> {
    let norm = (direction.iter().map(|x| x * x).sum::<f64>()).sqrt();
    let d = direction.map(|x| x / norm);
    let mut pts = Vec::with_capacity(FIT_POINTS);
    for i in 0..FIT_POINTS {
        let q = FIT_WINDOW[0] * (FIT_WINDOW[1] / FIT_WINDOW[0]).powf(i as f64 / (FIT_POINTS - 1) as f64);
        let m = solver.at(d.map(|x| x * q))?;
        match m.sector(sector).omega.first() {
            Some(&w) => pts.push([q, w]),
            None => return Ok(None),
        }
    }
    let x: Vec<f64> = pts.iter().map(|p| p[0]).collect();
    let y: Vec<f64> = pts.iter().map(|p| p[1]).collect();
    Ok(Some((log_log_slope(&x, &y), pts)))
}

/// The verdict of a modes run: which helicities are gapless, with which exponent, how many zero
/// modes each helicity has, and anything unstable.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Model name.
    pub model: GravitonKind,
    /// Sorted helicities with a gapless propagating branch.
    pub gapless_helicities: Vec<i32>,
    /// Helicity → fitted low-k exponent of its (lowest) propagating branch.
    pub exponents: BTreeMap<i32, f64>,
    /// Helicity → number of zero modes (non-propagating, including directions removed by constraints).
    pub zero_modes: BTreeMap<i32, usize>,
    /// Helicity → of those, how many are removed by constraints.
    pub removed_by_constraints: BTreeMap<i32, usize>,
    /// Helicity → constraints that remove modes there.
    pub constraint_names: BTreeMap<i32, Vec<String>>,
    /// Helicity → zero modes with 𝒱 = 0 (free angles) and with 𝒦 = 0 (frozen angles), on the physical directions.
    pub zero_mode_kinds: BTreeMap<i32, [usize; 2]>,
    /// True if the counts are the same at every non-zero grid momentum.
    pub zero_modes_uniform: bool,
    /// Number of grid momenta (k ≠ 0) at which the counts were taken.
    pub counted_at: usize,
    /// Instabilities after constraints, by name (empty for a stable model).
    pub instabilities: Vec<String>,
    /// What would go wrong without the constraints (e.g. the conformal mode of gravity).
    pub unconstrained_pathologies: Vec<String>,
    /// Largest ‖𝒱G‖/(‖𝒱‖‖G‖) seen (diffeomorphism invariance; should be ~1e-16).
    pub max_gauge_residual: f64,
    /// Largest relative off-block element in the helicity basis seen (should be ~1e-16).
    pub max_off_block: f64,
    /// Largest relative anti-Hermitian part of 𝒦, 𝒱 seen (should be ~1e-16).
    pub max_hermiticity_residual: f64,
    /// The fit window and direction.
    pub fit_window: [f64; 2],
    /// Direction of the fit.
    pub fit_direction: [f64; 3],
    /// The verdict in words.
    pub verdict: String,
}

/// Analyse a model: zero modes counted at every non-zero momentum of its lattice grid, exponents
/// from the small-k fit along [`FIT_DIRECTION`], instabilities, and the verdict in words.
pub fn analyze(solver: &GravitonModes) -> Result<Analysis> {
    analyze_observed(solver, &mut |_, _| Ok(()))
}

/// Momenta solved in parallel between progress reports of [`analyze_observed`].
const ANALYZE_BATCH: usize = 2048;

/// [`analyze`] with `progress(done, total)` called between batches of momenta (solved in
/// parallel, folded in momentum order); an error from it stops the analysis.
pub fn analyze_observed(
    solver: &GravitonModes,
    progress: &mut dyn FnMut(usize, usize) -> Result<()>,
) -> Result<Analysis> {
    use rayon::prelude::*;
    let lat = &solver.model.lattice;
    let mut counts: Option<BTreeMap<i32, usize>> = None;
    let mut uniform = true;
    let mut removed: BTreeMap<i32, usize> = BTreeMap::new();
    let mut names: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    let mut kinds: BTreeMap<i32, [usize; 2]> = BTreeMap::new();
    let mut instabilities: Vec<String> = Vec::new();
    let (mut max_gauge, mut max_off, mut max_herm) = (0.0f64, 0.0f64, 0.0f64);
    let mut counted = 0;
    let ns = lat.n_sites();
    let mut i0 = 1;
    while i0 < ns {
        let i1 = (i0 + ANALYZE_BATCH).min(ns);
        let batch: Vec<ModesAt> = (i0..i1)
            .into_par_iter()
            .map(|i| {
                let kc = lat.momentum_of_index(i);
                let c = kc.components();
                solver.at([c[0], c[1], c[2]])
            })
            .collect::<Result<Vec<_>>>()?;
        for m in batch {
            let c = m.k;
            counted += 1;
            max_gauge = max_gauge.max(m.gauge_residual);
            max_off = max_off.max(m.off_block);
            max_herm = max_herm.max(m.hermiticity_residual);
            let mut z: BTreeMap<i32, usize> = BTreeMap::new();
            for s in &m.sectors {
                *z.entry(s.sector.m()).or_insert(0) += s.zero_modes;
                for inst in &s.instabilities {
                    if !instabilities
                        .iter()
                        .any(|x: &String| x.starts_with(&inst[..inst.find(':').unwrap_or(inst.len())]))
                    {
                        instabilities.push(format!("{inst} (first at k = ({:.3}, {:.3}, {:.3}))", c[0], c[1], c[2]));
                    }
                }
                if counts.is_none() {
                    *removed.entry(s.sector.m()).or_insert(0) += s.removed;
                    let e = names.entry(s.sector.m()).or_default();
                    for n in &s.removed_by {
                        if !e.contains(n) {
                            e.push(n.clone());
                        }
                    }
                    let kd = kinds.entry(s.sector.m()).or_insert([0, 0]);
                    kd[0] += s.potential_kernel;
                    kd[1] += s.kinetic_kernel;
                }
            }
            match &counts {
                None => counts = Some(z),
                Some(c0) => {
                    if *c0 != z {
                        uniform = false;
                    }
                }
            }
        }
        i0 = i1;
        progress(i1, ns)?;
    }
    let zero_modes = counts.unwrap_or_default();
    // exponents
    let mut exponents = BTreeMap::new();
    let mut gapless = Vec::new();
    for s in Sector::ALL {
        if let Some((e, _)) = fit_exponent(solver, s, FIT_DIRECTION)? {
            if e > 0.1 {
                gapless.push(s.m());
                exponents.insert(s.m(), e);
            }
        }
    }
    gapless.sort();
    // unconstrained pathologies at a generic momentum
    let kref = FIT_DIRECTION.map(|x| 0.5 * x);
    let mut pathologies = Vec::new();
    if !solver.constraints.is_empty() {
        let m = solver.at(kref)?;
        for SectorSpectrum { sector: s, kinetic: kv, potential: vv } in solver.unconstrained(kref)? {
            let negk = kv.iter().any(|&x| x < 0.0);
            let negv = vv.iter().any(|&x| x < 0.0);
            if negk || negv {
                let by = m.sector(s).removed_by.join(" and ");
                pathologies.push(format!(
                    "helicity {}{}{}{} at k = 0.5·(3,2,1)/√14; {}",
                    s.label(),
                    if negk { format!(": kinetic eigenvalues {} (indefinite)", fmt_list(&kv)) } else { String::new() },
                    if negk && negv { "," } else { "" },
                    if negv {
                        format!(
                            " potential eigenvalues {} (negative: unbounded below, the conformal mode)",
                            fmt_list(&vv)
                        )
                    } else {
                        String::new()
                    },
                    if by.is_empty() {
                        "NOT removed by any constraint".to_string()
                    } else {
                        format!("removed by the {by}")
                    }
                ));
            }
        }
    }
    let mut a = Analysis {
        model: solver.model.kind,
        gapless_helicities: gapless,
        exponents,
        zero_modes,
        removed_by_constraints: removed,
        constraint_names: names,
        zero_mode_kinds: kinds,
        zero_modes_uniform: uniform,
        counted_at: counted,
        instabilities,
        unconstrained_pathologies: pathologies,
        max_gauge_residual: max_gauge,
        max_off_block: max_off,
        max_hermiticity_residual: max_herm,
        fit_window: FIT_WINDOW,
        fit_direction: FIT_DIRECTION,
        verdict: String::new(),
    };
    a.verdict = verdict(&a);
    Ok(a)
}

fn fmt_list(v: &[f64]) -> String {
    let s: Vec<String> = v.iter().map(|x| format!("{x:.3}")).collect();
    format!("[{}]", s.join(", "))
}

fn hel_list(ms: &[i32]) -> String {
    // "±2", "0", "±1" etc. from a sorted list
    let mut parts = Vec::new();
    for m in [2, 1, 0] {
        let has_p = ms.contains(&m);
        let has_m = ms.contains(&-m);
        if m == 0 && has_p {
            parts.push("0".to_string());
        } else if has_p && has_m {
            parts.push(format!("±{m}"));
        } else if has_p {
            parts.push(format!("+{m}"));
        } else if has_m {
            parts.push(format!("-{m}"));
        }
    }
    parts.join(", ")
}

/// The verdict in words.
pub fn verdict(a: &Analysis) -> String {
    if !a.instabilities.is_empty() {
        return format!("unstable: {}", a.instabilities.join("; "));
    }
    let exps: Vec<String> = a
        .gapless_helicities
        .iter()
        .filter(|&&m| m >= 0)
        .map(|m| {
            format!("helicity {}: ω ~ k^{:.2}", if *m == 0 { "0".into() } else { format!("±{m}") }, a.exponents[m])
        })
        .collect();
    let only_gravitons = a.gapless_helicities == vec![-2, 2];
    let mut s = if a.gapless_helicities.is_empty() {
        "no gapless mode".to_string()
    } else if only_gravitons {
        format!("only helicity ±2 is gapless, ω ~ k^{:.2}: gravitons", a.exponents[&2])
    } else {
        format!("gapless helicities {} ({}): not only gravitons", hel_list(&a.gapless_helicities), exps.join(", "))
    };
    // zero modes, split into constrained and classical
    let mut zero_list = Vec::new();
    let mut removed_list = Vec::new();
    for (&m, &n) in &a.zero_modes {
        let r = a.removed_by_constraints.get(&m).copied().unwrap_or(0);
        for _ in 0..(n - r) {
            zero_list.push(m);
        }
        for _ in 0..r {
            removed_list.push(m);
        }
    }
    let words = |v: &[i32]| {
        // e.g. "0, 0, ±1"
        let mut parts = Vec::new();
        let zeros = v.iter().filter(|&&m| m == 0).count();
        for _ in 0..zeros {
            parts.push("0".to_string());
        }
        for m in [1, 2] {
            let p = v.iter().filter(|&&x| x == m).count();
            let q = v.iter().filter(|&&x| x == -m).count();
            for _ in 0..p.min(q) {
                parts.push(format!("±{m}"));
            }
            for _ in 0..p.saturating_sub(q) {
                parts.push(format!("+{m}"));
            }
            for _ in 0..q.saturating_sub(p) {
                parts.push(format!("-{m}"));
            }
        }
        parts.join(", ")
    };
    if !zero_list.is_empty() {
        // classical statement only: what the quantum theory makes of them is decided from the
        // Gaussian fluctuations and the compactness of the rotors (`gaussian`)
        s.push_str(&format!(
            "; helicity {} {} of the linear theory",
            words(&zero_list),
            if zero_list.len() == 1 { "is a zero mode" } else { "are zero modes" }
        ));
    }
    if !removed_list.is_empty() {
        let mut cn: Vec<String> = Vec::new();
        for v in a.constraint_names.values() {
            for n in v {
                if !cn.contains(n) {
                    cn.push(n.clone());
                }
            }
        }
        s.push_str(&format!("; helicity {} removed by the {}", words(&removed_list), cn.join(" and ")));
    }
    s
}
