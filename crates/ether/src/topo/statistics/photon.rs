//! The twist leaves the photon untouched (rotor note, section 3.4, last paragraph).
//!
//! In the zero-charge sector every closed-surface product of the twisted plaquettes is +1, so a
//! diagonal ±1 unitary W with `W B_p W† = B̃_p` exists, and `H_f = W H W†` there. This module
//! checks it by exact diagonalization of the Z_N clock version (N even, so that `(−1)^L` is defined)
//! of both Hamiltonians `H = J Σ L² − g Σ_p (B_p + B_p†)` in the zero-charge sector of an open box,
//! constructs W explicitly on that sector, and compares the linearized (harmonic) modes of the
//! two models, whose quadratic forms are read off the Hamiltonians in the W frame.

use super::shift::SignedShift;
use super::twist::HopAlgebra;
use crate::error::{Error, Result};
use crate::lattice::CubicComplex;
use crate::linalg::{eigvalsh_real, C64};
use crate::model::Twist;
use crate::modes::normal::normal_modes;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The zero-charge comparison of the twisted and untwisted models.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PhotonComparison {
    /// The cluster.
    pub cluster: String,
    /// Clock order N.
    pub n_clock: i64,
    /// Couplings J and g.
    pub j: f64,
    /// Plaquette coupling g.
    pub g: f64,
    /// Dimension of the zero-charge sector.
    pub dim: usize,
    /// Off-diagonal matrix elements the twist changes (it flips their sign; shows the test is not vacuous).
    pub changed_matrix_elements: usize,
    /// Off-diagonal matrix elements in total.
    pub matrix_elements: usize,
    /// Lowest eigenvalues of the untwisted model.
    pub low_untwisted: Vec<f64>,
    /// Lowest eigenvalues of the twisted model.
    pub low_twisted: Vec<f64>,
    /// max |E_twisted − E_untwisted| over the whole spectrum.
    pub max_spectrum_difference: f64,
    /// Plaquette matrix elements violating `W B_p W† = B̃_p` for the constructed W.
    pub w_violations: usize,
    /// Signs σ_p with `W B_p W† = σ_p B̃_p` (all +1 when W exists).
    pub frame_signs: Vec<i8>,
    /// Linearized ω² of the untwisted model (ascending).
    pub omega2_untwisted: Vec<f64>,
    /// Linearized ω² of the twisted model in the W frame.
    pub omega2_twisted: Vec<f64>,
    /// max |Δω²|.
    pub max_mode_difference: f64,
}

fn reduce(c: &mut [i64], n: i64) {
    for v in c.iter_mut() {
        *v = v.rem_euclid(n);
    }
}

fn l2(v: i64, n: i64) -> f64 {
    let l = if v <= n / 2 { v } else { v - n };
    (l * l) as f64
}

/// A matrix element of B̃_p: (from, to, sign).
type Edge = (usize, usize, i8);

/// Build the zero-charge sector and the Hamiltonian matrix of one model.
fn zero_charge_hamiltonian(
    cx: &CubicComplex,
    plaq: &[SignedShift],
    n: i64,
    j: f64,
    g: f64,
) -> (Vec<Vec<i64>>, Vec<f64>, Vec<Vec<Edge>>) {
    // sector by breadth-first search from L = 0 with the plaquette loops
    let loops: Vec<Vec<(usize, i64)>> =
        cx.plaquettes.iter().map(|b| b.iter().map(|&(l, s)| (l, s as i64)).collect()).collect();
    let mut configs = vec![vec![0i64; cx.n_links()]];
    let mut index: HashMap<Vec<i64>, usize> = HashMap::from([(configs[0].clone(), 0)]);
    let mut k = 0;
    while k < configs.len() {
        for lp in &loops {
            for dir in [1, -1] {
                let mut c = configs[k].clone();
                for &(l, s) in lp {
                    c[l] += dir * s;
                }
                reduce(&mut c, n);
                if !index.contains_key(&c) {
                    index.insert(c.clone(), configs.len());
                    configs.push(c);
                }
            }
        }
        k += 1;
    }
    let dim = configs.len();
    let mut h = vec![0.0; dim * dim];
    // edges[p] = (from, to, sign) of B~_p
    let mut edges = vec![Vec::new(); plaq.len()];
    for (a, c) in configs.iter().enumerate() {
        h[a * dim + a] = j * c.iter().map(|&v| l2(v, n)).sum::<f64>();
        for (p, b) in plaq.iter().enumerate() {
            for op in [b.clone(), b.inverse()] {
                let mut c2 = c.clone();
                let s = op.apply(&mut c2);
                reduce(&mut c2, n);
                let t = index[&c2];
                h[t * dim + a] -= g * s as f64;
            }
            let mut c2 = c.clone();
            let s = b.apply(&mut c2);
            reduce(&mut c2, n);
            edges[p].push((a, index[&c2], s));
        }
    }
    (configs, h, edges)
}

/// Compare the two models on the zero-charge sector of the open box `ext` with Z_N links.
pub fn compare_zero_charge(ext: [usize; 3], n_clock: i64, j: f64, g: f64) -> Result<PhotonComparison> {
    compare_zero_charge_with(ext, n_clock, j, g, None)
}

/// Like [`compare_zero_charge`], with explicit twist sets for the "twisted" model (`None`: the
/// tournament of section 3.4). Used as a negative control: a sign rule whose closed-surface
/// products are not +1 has no W and changes the zero-charge spectrum.
pub fn compare_zero_charge_with(
    ext: [usize; 3],
    n_clock: i64,
    j: f64,
    g: f64,
    twist_sets: Option<Vec<Vec<usize>>>,
) -> Result<PhotonComparison> {
    if n_clock < 2 || n_clock % 2 != 0 {
        return Err(Error::invalid(
            "clock order N",
            n_clock.to_string(),
            "the twisted model needs (-1)^L, defined for Z_N only when N is even: use N = 2 or 4",
        ));
    }
    let cx = CubicComplex::open_box(ext)?;
    let free = (cx.n_links() + 1).saturating_sub(cx.n_sites()) as f64;
    let dim_est = (n_clock as f64).powf(free);
    if dim_est > 2500.0 {
        return Err(Error::invalid(
            "cluster",
            format!("{} with Z_{n_clock}", cx.name),
            format!("the zero-charge sector has {dim_est:.0} states; dense diagonalization here is limited to 2500 (e.g. 3x2x2 with N = 2, 2x2x2 with N = 4)"),
        ));
    }
    let untw = HopAlgebra::new(cx.clone(), Twist::Untwisted);
    let tw = match twist_sets {
        Some(ts) => HopAlgebra::from_sets(cx.clone(), Twist::Twisted, ts),
        None => HopAlgebra::new(cx.clone(), Twist::Twisted),
    };
    let pu: Vec<SignedShift> = untw.plaquettes.iter().map(|p| p.modulo(n_clock)).collect();
    let pt: Vec<SignedShift> = tw.plaquettes.iter().map(|p| p.modulo(n_clock)).collect();
    let (configs, hu, eu) = zero_charge_hamiltonian(&cx, &pu, n_clock, j, g);
    let (configs_t, ht, et) = zero_charge_hamiltonian(&cx, &pt, n_clock, j, g);
    if configs != configs_t {
        return Err(Error::Invariant("the two models enumerate different zero-charge sectors".into()));
    }
    let dim = configs.len();
    let mut flipped = 0;
    let mut total = 0;
    for i in 0..dim * dim {
        if i / dim != i % dim && (hu[i] != 0.0 || ht[i] != 0.0) {
            total += 1;
            if hu[i] != ht[i] {
                flipped += 1;
            }
        }
    }
    let vu = eigvalsh_real(dim, &hu)?;
    let vt = eigvalsh_real(dim, &ht)?;
    let max_spectrum_difference = vu.iter().zip(&vt).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);

    // W by breadth-first search: D(c') D(c) = τ (twisted sign) / (untwisted sign).
    let mut d = vec![0i8; dim];
    d[0] = 1;
    let mut queue = std::collections::VecDeque::from([0usize]);
    let mut adj = vec![Vec::new(); dim];
    for p in 0..pt.len() {
        for (e_u, e_t) in eu[p].iter().zip(&et[p]) {
            let ratio = e_t.2 * e_u.2;
            adj[e_u.0].push((e_u.1, ratio));
            adj[e_u.1].push((e_u.0, ratio));
        }
    }
    while let Some(a) = queue.pop_front() {
        for &(b, r) in &adj[a] {
            if d[b] == 0 {
                d[b] = d[a] * r;
                queue.push_back(b);
            }
        }
    }
    let mut w_violations = 0;
    let mut frame_signs = vec![1i8; pt.len()];
    for p in 0..pt.len() {
        let mut signs = std::collections::BTreeSet::new();
        for (e_u, e_t) in eu[p].iter().zip(&et[p]) {
            let sigma = d[e_u.0] * d[e_u.1] * e_t.2 * e_u.2;
            signs.insert(sigma);
        }
        if signs.len() > 1 {
            w_violations += eu[p].len();
        }
        frame_signs[p] = *signs.iter().next().unwrap_or(&1);
        if frame_signs[p] != 1 {
            w_violations += 1;
        }
    }

    // Linearized modes: H ≈ ½ p A p + ½ q B q with p = L, q = θ (in the W frame for H_f):
    // A = 2J·1, B = 2g Σ_p σ_p c_p c_pᵀ (c_p the oriented boundary of p).
    let nl = cx.n_links();
    let kin: Vec<C64> = (0..nl * nl).map(|i| C64::new(if i / nl == i % nl { 2.0 * j } else { 0.0 }, 0.0)).collect();
    let pot = |sig: &[i8]| {
        let mut b = vec![C64::new(0.0, 0.0); nl * nl];
        for (p, bd) in cx.plaquettes.iter().enumerate() {
            for &(x, sx) in bd {
                for &(y, sy) in bd {
                    b[x * nl + y] += C64::new(2.0 * g * (sig[p] * sx * sy) as f64, 0.0);
                }
            }
        }
        b
    };
    let ones = vec![1i8; pt.len()];
    let mu = normal_modes(nl, &kin, &pot(&ones))?;
    let mt = normal_modes(nl, &kin, &pot(&frame_signs))?;
    let max_mode_difference = mu.omega2.iter().zip(&mt.omega2).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    Ok(PhotonComparison {
        cluster: cx.name.clone(),
        n_clock,
        j,
        g,
        dim,
        changed_matrix_elements: flipped,
        matrix_elements: total,
        low_untwisted: vu.iter().take(6).copied().collect(),
        low_twisted: vt.iter().take(6).copied().collect(),
        max_spectrum_difference,
        w_violations,
        frame_signs,
        omega2_untwisted: mu.omega2,
        omega2_twisted: mt.omega2,
        max_mode_difference,
    })
}
