//! Ground-state observables of a spin-½ sector: static S^z correlations and structure factor,
//! bipartite entanglement entropy, and the dynamic structure factor S^{zz}(q, ω) by the
//! continued-fraction (Lanczos) method.
//!
//! Conventions: `S^z_q = N^{−1/2} Σ_r e^{−i q·r} S^z_r`; `S(q) = ⟨S^z_{−q} S^z_q⟩ = Σ_r e^{−iq·r} C(r)`
//! with `C(r) = N^{−1} Σ_i ⟨S^z_i S^z_{i+r}⟩`; `S(q, ω) = Σ_n |⟨n|S^z_q|0⟩|² δ(ω − E_n + E_0)`, so
//! `∫ S(q, ω) dω = S(q)`. With the sector convention of [`crate::ed::basis`]
//! (`T_t ψ = e^{−ik·t} ψ`), `S^z_q` maps momentum k to k − q.

use crate::ed::basis::{Sector, SpinBasis};
use crate::ed::lanczos::{lanczos_coefficients, tridiagonal_eigh};
use crate::ed::operator::{LinearOperator, Scalar};
use crate::ed::spin::{SpinHamiltonian, SpinTerms, Storage};
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg::{self, C64};
use rayon::prelude::*;
use serde::Serialize;
use std::f64::consts::PI;

#[inline]
fn sz(s: u64, r: usize) -> f64 {
    if (s >> r) & 1 == 1 {
        0.5
    } else {
        -0.5
    }
}

/// `C(r) = N^{−1} Σ_i ⟨S^z_i S^z_{i+r}⟩` for every displacement r (site index of the vector r).
///
/// The translation-averaged correlation is invariant under every symmetry of the basis, so
/// each symmetric state contributes its representative's value (the orbit states all agree).
pub fn zz_correlations<S: Scalar>(basis: &SpinBasis, psi: &[S]) -> Vec<f64> {
    let l = &basis.lattice;
    let n = l.n_sites();
    let shifted: Vec<Vec<usize>> = (0..n)
        .map(|r| {
            let c = l.coords(r);
            let sh: Vec<isize> = (0..l.dim()).map(|a| c[a] as isize).collect();
            (0..n).map(|i| l.translate(i, &sh)).collect()
        })
        .collect();
    let parts: Vec<Vec<f64>> = basis
        .states
        .par_chunks(4096)
        .zip(psi.par_chunks(4096))
        .map(|(st, ps)| {
            let mut c = vec![0.0; n];
            for (&s, &p) in st.iter().zip(ps) {
                let w = p.abs2();
                for (r, sh) in shifted.iter().enumerate() {
                    let mut acc = 0.0;
                    for i in 0..n {
                        acc += sz(s, i) * sz(s, sh[i]);
                    }
                    c[r] += w * acc / n as f64;
                }
            }
            c
        })
        .collect();
    let mut c = vec![0.0; n];
    for p in parts {
        for (a, b) in c.iter_mut().zip(p) {
            *a += b;
        }
    }
    c
}

/// `S(q) = Σ_r e^{−i q·r} C(r)` on the momentum grid (index i ↔ `lattice.momentum_of_index(i)`).
pub fn structure_factor(lattice: &Lattice, corr: &[f64]) -> Vec<f64> {
    let n = lattice.n_sites();
    (0..n)
        .map(|qi| {
            let q = lattice.momentum_of_index(qi);
            (0..n)
                .map(|r| {
                    let c = lattice.coords(r);
                    let ph: f64 = q.components().iter().enumerate().map(|(a, k)| k * c[a] as f64).sum();
                    corr[r] * ph.cos()
                })
                .sum()
        })
        .collect()
}

/// Von Neumann entropy `−Tr ρ_A ln ρ_A` of the first `n_a` sites (site order of the lattice):
/// [`region_entropy`] of the region `0..n_a`.
pub fn entanglement_entropy<S: Scalar>(basis: &SpinBasis, psi: &[S], n_a: usize) -> Result<f64> {
    let n = basis.n_sites;
    if n_a == 0 || n_a >= n {
        return Err(Error::invalid("subsystem size", n_a.to_string(), format!("give 1 <= n_A < {n}")));
    }
    region_entropy(basis, psi, &(0..n_a).collect::<Vec<_>>())
}

/// Von Neumann entropy `−Tr ρ_A ln ρ_A` of a region A (distinct sites, `1 <= |A| < N`) of a
/// sector state: the ED side of the one entanglement-entropy interface
/// ([`crate::topo::entanglement::QubitState`], implemented for ED states by
/// [`crate::topo::entanglement::schmidt::EdState`]).
///
/// The state is expanded into the S^z basis, split by the number of up spins in A (ρ_A is
/// block diagonal in it when S^z is conserved; otherwise one block), and each block of
/// `ρ_A = ψ ψ†` is diagonalized through [`crate::linalg`]. The bits of A and of its complement
/// B are placed in increasing site order, so for `A = 0..n_a` the configuration is `a | b << n_a`.
pub fn region_entropy<S: Scalar>(basis: &SpinBasis, psi: &[S], region: &[usize]) -> Result<f64> {
    let n = basis.n_sites;
    let n_a = region.len();
    let mut in_a = vec![false; n];
    for &r in region {
        if r >= n || std::mem::replace(&mut in_a[r], true) {
            return Err(Error::invalid("region", format!("{region:?}"), format!("give distinct sites below {n}")));
        }
    }
    if n_a == 0 || n_a >= n {
        return Err(Error::invalid("subsystem size", n_a.to_string(), format!("give 1 <= n_A < {n}")));
    }
    if n_a > 14 || n - n_a > 22 {
        return Err(Error::invalid(
            "subsystem size",
            n_a.to_string(),
            "entanglement entropy is limited to n_A <= 14 and n_B <= 22",
        ));
    }
    let sites_a: Vec<usize> = (0..n).filter(|&r| in_a[r]).collect();
    let sites_b: Vec<usize> = (0..n).filter(|&r| !in_a[r]).collect();
    let deposit = |x: u64, sites: &[usize]| -> u64 {
        sites.iter().enumerate().fold(0u64, |acc, (i, &r)| acc | (((x >> i) & 1) << r))
    };
    let (sites_a, sites_b) = (sites_a.as_slice(), sites_b.as_slice());
    let nb = n - n_a;
    // Group A configurations by popcount; full amplitude matrix per (popA) block.
    let blocks: Vec<usize> = match basis.sector.n_up {
        Some(_) => (0..=n_a).collect(),
        None => vec![usize::MAX],
    };
    let mut entropy = 0.0;
    let mut trace = 0.0;
    for &pa in &blocks {
        let rows: Vec<u64> =
            (0..(1u64 << n_a)).filter(|&a| pa == usize::MAX || a.count_ones() as usize == pa).collect();
        let cols: Vec<u64> = (0..(1u64 << nb))
            .filter(|&b| match basis.sector.n_up {
                Some(m) => pa <= m && b.count_ones() as usize == m - pa,
                None => true,
            })
            .collect();
        if rows.is_empty() || cols.is_empty() {
            continue;
        }
        let (nr, nc) = (rows.len(), cols.len());
        let amp: Vec<C64> = rows
            .par_iter()
            .flat_map_iter(|&a| {
                cols.iter().map(move |&b| basis.amplitude(psi, deposit(a, sites_a) | deposit(b, sites_b)))
            })
            .collect();
        let mut rho = vec![C64::new(0.0, 0.0); nr * nr];
        rho.par_chunks_mut(nr).enumerate().for_each(|(i, row)| {
            for (j, x) in row.iter_mut().enumerate() {
                let mut acc = C64::new(0.0, 0.0);
                for c in 0..nc {
                    acc += amp[i * nc + c] * amp[j * nc + c].conj();
                }
                *x = acc;
            }
        });
        for p in linalg::eigvalsh_complex(nr, &rho)? {
            trace += p;
            if p > 1e-15 {
                entropy -= p * p.ln();
            }
        }
    }
    if (trace - 1.0).abs() > 1e-8 {
        return Err(Error::Invariant(format!(
            "reduced density matrix has trace {trace}, expected 1 (state not normalized?)"
        )));
    }
    Ok(entropy)
}

/// `S^{zz}(q, ω)` of one momentum in pole form (from the Lanczos coefficients).
#[derive(Clone, Debug, Serialize)]
pub struct DynamicStructureFactor {
    /// Momentum q (radians per axis).
    pub q: Vec<f64>,
    /// Total weight `⟨0|S^z_{−q} S^z_q|0⟩ = S(q)`.
    pub weight: f64,
    /// Lanczos diagonal α_j.
    pub alpha: Vec<f64>,
    /// Lanczos off-diagonal β_j.
    pub beta: Vec<f64>,
    /// Excitation energies ω_n = θ_n − E_0 of the poles.
    pub poles: Vec<f64>,
    /// Pole weights (sum to `weight`).
    pub residues: Vec<f64>,
    /// The ground-state energy the frequencies are measured from.
    pub e0: f64,
}

impl DynamicStructureFactor {
    /// `S(q, ω)` with Lorentzian broadening η, from the continued fraction
    /// `G(z) = w / (z − α_0 − β_1² / (z − α_1 − …))`, `S = −Im G(ω + E_0 + iη)/π`.
    pub fn continued_fraction(&self, omega: f64, eta: f64) -> f64 {
        let z = C64::new(omega + self.e0, eta);
        let m = self.alpha.len();
        let mut g = C64::new(0.0, 0.0);
        for j in (0..m).rev() {
            let b2 = if j < self.beta.len() { self.beta[j] * self.beta[j] } else { 0.0 };
            g = C64::new(1.0, 0.0) / (z - self.alpha[j] - b2 * g);
        }
        -(self.weight * g).im / PI
    }

    /// The same from the poles: `Σ_n r_n (η/π) / ((ω − ω_n)² + η²)`.
    pub fn from_poles(&self, omega: f64, eta: f64) -> f64 {
        self.poles.iter().zip(&self.residues).map(|(&w, &r)| r * eta / PI / ((omega - w).powi(2) + eta * eta)).sum()
    }

    /// The lowest pole carrying at least `fraction` of the total weight.
    pub fn lowest_pole(&self, fraction: f64) -> Option<f64> {
        self.poles.iter().zip(&self.residues).find(|(_, &r)| r >= fraction * self.weight).map(|(&w, _)| w)
    }
}

/// `S^{zz}(q, ω)` from the ground state `psi` (energy `e0`) of the sector `basis`, for the
/// momentum with grid indices `q_idx`, with `m` Lanczos steps in the target sector
/// (same S^z, momentum k − q, no parity or spin flip). The weight is checked against the
/// orbit formula (an error if they disagree, which would mean a wrong sector).
pub fn dynamic_structure_factor<S: Scalar>(
    terms: &SpinTerms,
    basis: &SpinBasis,
    psi: &[S],
    e0: f64,
    q_idx: &[usize],
    m: usize,
) -> Result<DynamicStructureFactor> {
    let l = &terms.lattice;
    let n = l.n_sites();
    let k0 = basis.sector.k.clone().unwrap_or_else(|| vec![0; l.dim()]);
    if basis.sector.k.is_none() {
        return Err(Error::invalid(
            "sector",
            basis.sector.label(n),
            "S(q, ω) needs a ground state with definite momentum: fix k",
        ));
    }
    let k1: Vec<usize> =
        (0..l.dim()).map(|a| (k0[a] + l.extents()[a] - q_idx[a] % l.extents()[a]) % l.extents()[a]).collect();
    let target = Sector { n_up: basis.sector.n_up, k: Some(k1), parity: None, spinflip: None, ..Default::default() };
    let h1 = SpinHamiltonian::<C64>::new(terms, &target, Storage::Auto)?;
    let qv: Vec<f64> = (0..l.dim()).map(|a| 2.0 * PI * q_idx[a] as f64 / l.extents()[a] as f64).collect();
    let phases: Vec<C64> = (0..n)
        .map(|r| {
            let c = l.coords(r);
            let ph: f64 = (0..l.dim()).map(|a| qv[a] * c[a] as f64).sum();
            C64::from_polar(1.0 / (n as f64).sqrt(), -ph)
        })
        .collect();
    let zq = |s: u64| -> C64 { (0..n).map(|r| phases[r] * sz(s, r)).sum() };
    let g1 = h1.basis.group.order() as f64;
    let phi: Vec<C64> = h1
        .basis
        .states
        .par_iter()
        .zip(&h1.basis.sqrt_norm)
        .map(|(&s, &sn)| zq(s) * basis.amplitude(psi, s) * (g1.sqrt() / sn))
        .collect();
    let expected: f64 = basis.states.par_iter().zip(psi).map(|(&s, &p)| p.abs2() * zq(s).norm_sqr()).sum();
    let got: f64 = phi.iter().map(|z| z.norm_sqr()).sum();
    if (got - expected).abs() > 1e-8 * expected.max(1e-12) && expected > 1e-14 {
        return Err(Error::Invariant(format!(
            "S^z_q|0> lost weight in the projection onto {}: {got} vs {expected}",
            target.label(n)
        )));
    }
    let (alpha, beta, nrm) = lanczos_coefficients(&h1, &phi, m.min(h1.dim()))?;
    let (poles, residues) = if alpha.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let (th, vecs) = tridiagonal_eigh(&alpha, &beta[..alpha.len() - 1])?;
        (th.iter().map(|t| t - e0).collect(), vecs.iter().map(|v| nrm * nrm * v[0] * v[0]).collect())
    };
    Ok(DynamicStructureFactor { q: qv, weight: nrm * nrm, alpha, beta, poles, residues, e0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed::dense::dense_eigh;
    use crate::ed::solve::{spin_sector, SolveOptions, Vectors};
    use crate::model::Heisenberg;

    fn chain(n: usize) -> SpinTerms {
        SpinTerms::heisenberg(&Heisenberg::new(Lattice::parse(&n.to_string()).unwrap(), 0.5, 1.0).unwrap()).unwrap()
    }

    fn ground(t: &SpinTerms, sec: &Sector) -> (SpinBasis, Vec<f64>, f64) {
        let (l, v) =
            spin_sector(t, sec, &SolveOptions { eigenvectors: true, tol: 1e-12, ..Default::default() }).unwrap();
        let Some(Vectors::Real(v)) = v else { panic!("real sector") };
        (SpinBasis::new(&t.lattice, sec, true).unwrap(), v[0].clone(), l.energies[0])
    }

    #[test]
    fn static_correlations_n4_exact_and_sum_rules() {
        // N = 4 singlet ground state (E0 = −2): ⟨S_i·S_j⟩ is −1/2 (nearest) ... by E0 = 4 J ⟨S_0·S_1⟩
        // → ⟨S^z_0 S^z_1⟩ = −1/6; Σ_r C(r) = ⟨(S^z_tot)²⟩/N = 0; C(0) = 1/4.
        let t = chain(4);
        let sec = Sector { n_up: Some(2), k: Some(vec![0]), parity: Some(1), spinflip: Some(1), ..Default::default() };
        let (b, psi, e0) = ground(&t, &sec);
        assert!((e0 + 2.0).abs() < 1e-12);
        let c = zz_correlations(&b, &psi);
        assert!((c[0] - 0.25).abs() < 1e-12);
        assert!((c[1] + 1.0 / 6.0).abs() < 1e-12, "{c:?}");
        assert!(c.iter().sum::<f64>().abs() < 1e-12);
        // The structure factor averages to C(0) over the Brillouin zone.
        let s = structure_factor(&t.lattice, &c);
        assert!((s.iter().sum::<f64>() / 4.0 - 0.25).abs() < 1e-12);
    }

    #[test]
    fn entanglement_of_a_singlet_and_product_states() {
        // Two sites in a singlet: S = ln 2 exactly. N = 2 chain (double bond).
        let t = chain(2);
        let sec = Sector { n_up: Some(1), k: Some(vec![0]), ..Default::default() };
        let b = SpinBasis::new(&t.lattice, &sec, true).unwrap();
        // Sector k=0 at N=2, n_up=1: the triplet (|01>+|10>)/√2 — also entropy ln 2.
        assert_eq!(b.dim(), 1);
        let s = entanglement_entropy(&b, &[1.0f64], 1).unwrap();
        assert!((s - 2f64.ln()).abs() < 1e-12);
        // Ferromagnetic all-up state: a product state, S = 0.
        let t = chain(6);
        let sec = Sector { n_up: Some(6), k: Some(vec![0]), ..Default::default() };
        let b = SpinBasis::new(&t.lattice, &sec, true).unwrap();
        assert!(entanglement_entropy(&b, &[1.0f64], 3).unwrap().abs() < 1e-12);
    }

    #[test]
    fn entanglement_same_in_reduced_and_plain_bases() {
        // The entropy of the N=12 ground state must not depend on which symmetries were used.
        let t = chain(12);
        let full = Sector { n_up: Some(6), k: Some(vec![0]), parity: Some(1), spinflip: Some(1), ..Default::default() };
        let plain = Sector { n_up: Some(6), ..Default::default() };
        let (b1, p1, _) = ground(&t, &full);
        let (b2, p2, _) = ground(&t, &plain);
        let s1 = entanglement_entropy(&b1, &p1, 6).unwrap();
        let s2 = entanglement_entropy(&b2, &p2, 6).unwrap();
        assert!((s1 - s2).abs() < 1e-8, "{s1} vs {s2}");
    }

    #[test]
    fn continued_fraction_matches_dense_spectral_sum() {
        // Oracle: S(q, ω) = Σ_n |⟨n|S^z_q|0⟩|² δ(ω − E_n + E_0) from the dense eigenvectors of the
        // plain S^z = 0 block (no momentum), with S^z_q applied bit by bit. N = 10.
        let n = 10;
        let t = chain(n);
        let sec = Sector { n_up: Some(5), k: Some(vec![5]), parity: Some(1), spinflip: Some(-1), ..Default::default() };
        let (b, psi, e0) = ground(&t, &sec);
        let plain_sec = Sector { n_up: Some(5), ..Default::default() };
        let hp = SpinHamiltonian::<f64>::new(&t, &plain_sec, Storage::Cached).unwrap();
        let (vals, vecs) = dense_eigh(&hp).unwrap();
        assert!((vals[0] - e0).abs() < 1e-10, "the reduced sector holds the ground state");
        // Ground state expanded into the plain basis.
        let g: Vec<C64> = hp.basis.states.iter().map(|&s| b.amplitude(&psi, s)).collect();
        for qi in [1usize, 3, 5] {
            let q = 2.0 * PI * qi as f64 / n as f64;
            let sq: Vec<C64> = hp
                .basis
                .states
                .iter()
                .zip(&g)
                .map(|(&s, &a)| {
                    let z: C64 =
                        (0..n).map(|r| C64::from_polar(1.0 / (n as f64).sqrt(), -q * r as f64) * sz(s, r)).sum();
                    z * a
                })
                .collect();
            let dsf = dynamic_structure_factor(&t, &b, &psi, e0, &[qi], 200).unwrap();
            let eta = 0.1;
            for w in [0.2, 0.8, 1.5, 2.5] {
                let exact: f64 = vals
                    .iter()
                    .zip(&vecs)
                    .map(|(&e, v)| {
                        let amp: C64 = v.iter().zip(&sq).map(|(&x, &y)| y * x).sum();
                        amp.norm_sqr() * eta / PI / ((w - (e - e0)).powi(2) + eta * eta)
                    })
                    .sum();
                let cf = dsf.continued_fraction(w, eta);
                let pf = dsf.from_poles(w, eta);
                // Both are exact here: the Krylov space closes (dim ≤ 200), so agreement to rounding.
                assert!((cf - exact).abs() < 1e-9 * (1.0 + exact), "q={qi} ω={w}: cf {cf} vs dense {exact}");
                assert!((pf - exact).abs() < 1e-9 * (1.0 + exact), "q={qi} ω={w}: poles {pf} vs dense {exact}");
            }
            let static_sq: f64 = sq.iter().map(|z| z.norm_sqr()).sum();
            assert!((dsf.weight - static_sq).abs() < 1e-12, "sum rule ∫S(q,ω)dω = S(q)");
        }
    }
}
