//! Two charges hopping in the flux-free sector of the Z₂ version (rotor note, section 3.6 C).
//!
//! On an open box of the cubic lattice with a qubit per link (`S → X`, `(−1)^L → Z`), the
//! Hamiltonian `H = −t Σ_l h_l` restricted to the states with exactly two charges
//! (`(−1)^{Q_v} = −1` at two vertices) and all `B̃_p = +1` is diagonalized densely. Its
//! spectrum is compared with two independent computations:
//!
//! - two free spinless fermions, `E = ε_a + ε_b` (a < b) from the single-particle hopping matrix
//!   `−t w_ij` (and, as a cross-check, the Jordan-Wigner two-particle matrix);
//! - two hard-core bosons with the same hopping `−t w_ij`, in the pair basis.
//!
//! The bond signs `w_ij = ±1` carry the flux a single charge sees around each plaquette:
//! the loop of four hops equals `ε_p B̃_p` with a sign ε_p fixed by the operator algebra, so on
//! the flux-free sector the single-particle loop phase is ε_p. Statistics is the only thing the
//! free comparison models still differ in.

use super::shift::SignedShift;
use super::states::{Hop, ParticleHop, SparseState};
use super::twist::HopAlgebra;
use crate::error::{Error, Result};
use crate::lattice::CubicComplex;
use crate::linalg::eigvalsh_real;
use crate::model::Twist;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The comparison of the gauge-model spectrum with free fermions and hard-core bosons.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpectrumComparison {
    /// The cluster.
    pub cluster: String,
    /// Which model.
    pub twist: Twist,
    /// Dimension of the two-charge flux-free sector (= number of vertex pairs).
    pub dim: usize,
    /// Dimension of each flux-free state's support (configurations per state).
    pub states_per_sector_vector: usize,
    /// Loop sign ε_p of every plaquette.
    pub plaquette_loop_signs: Vec<i8>,
    /// Spectrum of the gauge model (ascending, units of t).
    pub gauge: Vec<f64>,
    /// Two free fermions: ε_a + ε_b.
    pub fermions: Vec<f64>,
    /// Two free fermions from the Jordan-Wigner two-particle matrix.
    pub fermions_jordan_wigner: Vec<f64>,
    /// Two hard-core bosons.
    pub bosons: Vec<f64>,
    /// max |gauge − fermions|.
    pub deviation_from_fermions: f64,
    /// max |gauge − bosons|.
    pub deviation_from_bosons: f64,
    /// max |fermions − Jordan-Wigner fermions| (the two free-fermion computations).
    pub fermion_cross_check: f64,
}

impl SpectrumComparison {
    /// "fermions", "bosons" or "neither", with tolerance `tol` on the largest deviation.
    pub fn verdict(&self, tol: f64) -> &'static str {
        if self.deviation_from_fermions < tol && self.deviation_from_bosons > tol {
            "fermions"
        } else if self.deviation_from_bosons < tol && self.deviation_from_fermions > tol {
            "bosons"
        } else {
            "neither"
        }
    }
}

fn max_dev(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

/// Charges of a Z₂ configuration: vertices whose star has odd parity.
fn charges(cx: &CubicComplex, bits: u64) -> Vec<usize> {
    (0..cx.n_sites()).filter(|&v| cx.star(v).iter().map(|&l| (bits >> l) & 1).sum::<u64>() % 2 == 1).collect()
}

/// Largest open box accepted (the flux-free vectors have 2^(links − sites + 1) configurations).
pub const MAX_FREE_PLAQUETTES: usize = 14;

/// Diagonalize two charges on the open box `ext` and compare (hopping t = 1).
pub fn two_charge_spectrum(ext: [usize; 3], twist: Twist) -> Result<SpectrumComparison> {
    let cx = CubicComplex::open_box(ext)?;
    let (nv, nl) = (cx.n_sites(), cx.n_links());
    let free = (nl + 1).saturating_sub(nv);
    if nv < 3 || free > MAX_FREE_PLAQUETTES || nl >= 64 {
        return Err(Error::invalid(
            "cluster",
            cx.name.clone(),
            format!(
                "the spectrum test needs an open box with at least 3 vertices and at most {MAX_FREE_PLAQUETTES} \
                 independent plaquettes (this one has {free}); e.g. 2x2x2 or 3x2x2"
            ),
        ));
    }
    let alg = HopAlgebra::new(cx.clone(), twist);
    let hops: Vec<SignedShift> = (0..nl).map(|l| alg.hop_plus(l).modulo(2)).collect();
    let plaq: Vec<SignedShift> = alg.plaquettes.iter().map(|p| p.modulo(2)).collect();

    // Flux-free two-charge basis: P_flux |z_uv⟩ with z_uv a string from u to v.
    let mut pairs = Vec::new();
    let mut index = HashMap::new();
    let mut basis: Vec<HashMap<u64, f64>> = Vec::new();
    for u in 0..nv {
        for v in u + 1..nv {
            let path = cx.path(u, |w| w == v, &[]).ok_or_else(|| Error::Invariant("disconnected cluster".into()))?;
            let mut z = 0u64;
            for w in path.windows(2) {
                z ^= 1 << cx.link_between(w[0], w[1]).unwrap_or(0);
            }
            let mut psi: HashMap<u64, f64> = HashMap::from([(z, 1.0)]);
            for b in &plaq {
                let mut next = psi.clone();
                for (&c, &a) in &psi {
                    let (c2, s) = b.apply_bits(c);
                    *next.entry(c2).or_insert(0.0) += a * s as f64;
                }
                next.retain(|_, a| a.abs() > 1e-12);
                psi = next;
            }
            let norm = psi.values().map(|a| a * a).sum::<f64>().sqrt();
            if norm < 1e-9 {
                return Err(Error::Invariant(format!(
                    "the flux-free sector with charges at {u} and {v} is empty: the plaquette relations are not all +1"
                )));
            }
            psi.values_mut().for_each(|a| *a /= norm);
            index.insert((u, v), pairs.len());
            pairs.push((u, v));
            basis.push(psi);
        }
    }
    let dim = pairs.len();
    let support = basis[0].len();
    let mut h = vec![0.0; dim * dim];
    for (b, psi) in basis.iter().enumerate() {
        for op in &hops {
            let mut phi: HashMap<u64, f64> = HashMap::new();
            for (&c, &a) in psi {
                let (c2, s) = op.apply_bits(c);
                *phi.entry(c2).or_insert(0.0) += a * s as f64;
            }
            let Some(&any) = phi.keys().next() else { continue };
            let q = charges(&cx, any);
            if q.len() != 2 {
                continue; // the hop created or annihilated a pair: outside the two-charge sector
            }
            let a = index[&(q[0], q[1])];
            let overlap: f64 = basis[a].iter().map(|(c, x)| x * phi.get(c).copied().unwrap_or(0.0)).sum();
            h[a * dim + b] -= overlap;
        }
    }
    let gauge = eigvalsh_real(dim, &h)?;

    // Single-particle loop signs and bond signs.
    let mut eps = Vec::with_capacity(plaq.len());
    let mut eqs = Vec::new();
    let mut rhs = Vec::new();
    for (p, b) in cx.plaquettes.iter().enumerate() {
        let mut w = SignedShift::identity();
        for &(l, _) in b {
            w = hops[l].mul(&w);
        }
        let prod = w.mul(&plaq[p]).modulo(2);
        if !prod.is_scalar() {
            return Err(Error::Invariant(format!("plaquette {p}: the loop of hops is not proportional to B~_p")));
        }
        eps.push(prod.sign);
        eqs.push(b.iter().map(|x| x.0).collect::<Vec<usize>>());
        rhs.push(prod.sign < 0);
    }
    let x = crate::topo::gf2::solve(nl, &eqs, &rhs)
        .ok_or_else(|| Error::Invariant("no bond signs reproduce the plaquette loop signs".into()))?;
    let w: Vec<f64> = x.iter().map(|&b| if b { -1.0 } else { 1.0 }).collect();

    let mut h1 = vec![0.0; nv * nv];
    for (l, &(a, b, _)) in cx.links.iter().enumerate() {
        h1[a * nv + b] -= w[l];
        h1[b * nv + a] -= w[l];
    }
    let e1 = eigvalsh_real(nv, &h1)?;
    let mut fermions = Vec::with_capacity(dim);
    for a in 0..nv {
        for b in a + 1..nv {
            fermions.push(e1[a] + e1[b]);
        }
    }
    fermions.sort_by(|a, b| a.total_cmp(b));

    // Two-particle matrices in the pair basis: hard-core bosons and Jordan-Wigner fermions.
    let mut hb = vec![0.0; dim * dim];
    let mut hf = vec![0.0; dim * dim];
    let order: Vec<usize> = (0..nv).collect();
    for (bi, &(u, v)) in pairs.iter().enumerate() {
        let mut occ = vec![0i64; nv];
        occ[u] = 1;
        occ[v] = 1;
        let st = SparseState::basis(occ.clone());
        for (l, &(a, b, _)) in cx.links.iter().enumerate() {
            for (to, from) in [(a, b), (b, a)] {
                if occ[from] == 1 && occ[to] == 0 {
                    let (mut p, mut q) = (if from == u { to } else { u }, if from == v { to } else { v });
                    if p > q {
                        std::mem::swap(&mut p, &mut q);
                    }
                    let ai = index[&(p, q)];
                    hb[ai * dim + bi] -= w[l];
                    let out = ParticleHop::fermion(to, from, order.clone()).apply(&st)?;
                    for (c, amp) in &out.amp {
                        let occ2: Vec<usize> = (0..nv).filter(|&i| c[i] == 1).collect();
                        hf[index[&(occ2[0], occ2[1])] * dim + bi] -= w[l] * amp;
                    }
                }
            }
        }
    }
    let bosons = eigvalsh_real(dim, &hb)?;
    let fermions_jw = eigvalsh_real(dim, &hf)?;
    if max_dev(&fermions, &bosons) < 1e-6 {
        return Err(Error::invalid(
            "cluster",
            cx.name.clone(),
            "two free fermions and two hard-core bosons have the same spectrum on it (a chain has no junction \
             or loop where an exchange shows), so it cannot tell the statistics apart; use e.g. 2x2x2 or 3x2x2",
        ));
    }
    Ok(SpectrumComparison {
        cluster: cx.name.clone(),
        twist,
        dim,
        states_per_sector_vector: support,
        plaquette_loop_signs: eps,
        deviation_from_fermions: max_dev(&gauge, &fermions),
        deviation_from_bosons: max_dev(&gauge, &bosons),
        fermion_cross_check: max_dev(&fermions, &fermions_jw),
        gauge,
        fermions,
        fermions_jordan_wigner: fermions_jw,
        bosons,
    })
}
