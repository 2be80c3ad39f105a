//! The exchange identity evaluated on explicit state vectors (rotor note, section 3.6 B).
//!
//! A state is stored sparsely, as the amplitudes of the link (or site-occupation)
//! configurations it contains. Operators act on it through [`Hop`]. One function,
//! [`exchange_on_state`], evaluates `⟨B|A⟩ / (‖A‖ ‖B‖)` with `|A⟩ = t_sl t_js t_sk |ψ⟩` and
//! `|B⟩ = t_sk t_js t_sl |ψ⟩` for any hops: Jordan-Wigner fermions and hard-core bosons on four
//! sites (section 3.1: −1 and +1), and truncated spin-S rotors on the links of the cubic torus
//! with or without the twist.

use super::algebra::TripleSign;
use super::twist::HopAlgebra;
use crate::error::{Error, Result};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A configuration: link variables L_l (rotors) or occupations n_i (particles).
pub type Config = Vec<i64>;

/// A state vector stored as its non-zero amplitudes (real: every operator here is real).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseState {
    /// Amplitude of each configuration.
    pub amp: BTreeMap<Config, f64>,
}

impl SparseState {
    /// A single basis state.
    pub fn basis(c: Config) -> Self {
        let mut amp = BTreeMap::new();
        amp.insert(c, 1.0);
        SparseState { amp }
    }

    /// Add `a |c⟩`.
    pub fn add(&mut self, c: Config, a: f64) {
        *self.amp.entry(c).or_insert(0.0) += a;
    }

    /// The norm ‖ψ‖.
    pub fn norm(&self) -> f64 {
        self.amp.values().map(|a| a * a).sum::<f64>().sqrt()
    }

    /// `⟨self|other⟩`.
    pub fn dot(&self, other: &SparseState) -> f64 {
        self.amp.iter().map(|(c, a)| a * other.amp.get(c).copied().unwrap_or(0.0)).sum()
    }
}

/// An operator acting on sparse states.
pub trait Hop {
    /// `op |ψ⟩`; errors if the operator cannot act (a truncated link would saturate).
    fn apply(&self, psi: &SparseState) -> Result<SparseState>;
}

/// The outcome of the exchange identity on one state.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct ExchangeOnState {
    /// `⟨B|A⟩ / (‖A‖ ‖B‖)`: +1 bosons, −1 fermions.
    pub overlap: f64,
    /// ‖A‖.
    pub norm_a: f64,
    /// ‖B‖.
    pub norm_b: f64,
}

/// Evaluate `|A⟩ = t_sl t_js t_sk |ψ⟩`, `|B⟩ = t_sk t_js t_sl |ψ⟩` and their normalized overlap
/// (rotor note, eq. 3.1 and section 3.6 B.3-4).
pub fn exchange_on_state(t_sl: &dyn Hop, t_js: &dyn Hop, t_sk: &dyn Hop, psi: &SparseState) -> Result<ExchangeOnState> {
    let a = t_sl.apply(&t_js.apply(&t_sk.apply(psi)?)?)?;
    let b = t_sk.apply(&t_js.apply(&t_sl.apply(psi)?)?)?;
    let (na, nb) = (a.norm(), b.norm());
    if na == 0.0 || nb == 0.0 {
        return Err(Error::Invariant(format!(
            "exchange test: a hop sequence annihilated the state (|A| = {na}, |B| = {nb}); the state must have \
             particles on k and l and none on s and j"
        )));
    }
    Ok(ExchangeOnState { overlap: b.dot(&a) / (na * nb), norm_a: na, norm_b: nb })
}

/// Which point particles for the four-site check and the free-particle comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Particles {
    /// Spinless fermions (Jordan-Wigner).
    Fermions,
    /// Hard-core bosons.
    HardCoreBosons,
}

/// The hop of one point particle from site `from` to site `to` (occupations 0 or 1):
/// `c†_to c_from` for spinless fermions, with the Jordan-Wigner string taken in the site order
/// `order` (`order[p]` is the site at position p of the string), or `b†_to b_from` for hard-core
/// bosons (no signs; `order` unused).
#[derive(Clone, Debug)]
pub struct ParticleHop {
    /// Fermions or hard-core bosons.
    pub particles: Particles,
    /// Destination site.
    pub to: usize,
    /// Source site.
    pub from: usize,
    /// Jordan-Wigner order of the sites (fermions).
    pub order: Vec<usize>,
}

impl ParticleHop {
    /// `c†_to c_from` with the Jordan-Wigner string in `order`.
    pub fn fermion(to: usize, from: usize, order: Vec<usize>) -> Self {
        ParticleHop { particles: Particles::Fermions, to, from, order }
    }

    /// `b†_to b_from` for hard-core bosons.
    pub fn boson(to: usize, from: usize) -> Self {
        ParticleHop { particles: Particles::HardCoreBosons, to, from, order: Vec::new() }
    }

    /// The Jordan-Wigner sign `(−1)^{occupied sites before site}` (1 for bosons).
    fn string_sign(&self, n: &[i64], site: usize) -> f64 {
        if self.particles == Particles::HardCoreBosons {
            return 1.0;
        }
        let pos = self.order.iter().position(|&x| x == site).unwrap_or(0);
        let k: i64 = self.order[..pos].iter().map(|&m| n[m]).sum();
        if k % 2 == 0 {
            1.0
        } else {
            -1.0
        }
    }
}

impl Hop for ParticleHop {
    fn apply(&self, psi: &SparseState) -> Result<SparseState> {
        let mut out = SparseState::default();
        for (c, a) in &psi.amp {
            if c[self.from] != 1 || (c[self.to] != 0 && self.to != self.from) {
                continue;
            }
            let mut n = c.clone();
            let s1 = self.string_sign(&n, self.from);
            n[self.from] = 0;
            let s2 = self.string_sign(&n, self.to);
            n[self.to] = 1;
            out.add(n, a * s1 * s2);
        }
        Ok(out)
    }
}

/// The exchange identity for two particles on four sites s=0, j=1, k=2, l=3 (a T-junction):
/// start with particles on k and l. `order` is the Jordan-Wigner order (fermions only).
pub fn four_site_exchange(p: Particles, order: &[usize; 4]) -> Result<ExchangeOnState> {
    let (s, j, k, l) = (0, 1, 2, 3);
    let psi = SparseState::basis(vec![0, 0, 1, 1]);
    let mk = |to: usize, from: usize| ParticleHop { particles: p, to, from, order: order.to_vec() };
    exchange_on_state(&mk(s, l), &mk(j, s), &mk(s, k), &psi)
}

/// A twisted or untwisted hop on truncated spin-S links: `S^±_l (−1)^{Σ_{m∈T(l)} L_m}` with
/// `L = S^z` and `S^± |m⟩ = sqrt(S(S+1) − m(m±1)) |m±1⟩`.
#[derive(Clone, Debug)]
pub struct RotorHop {
    /// The link.
    pub link: usize,
    /// Raise (true) or lower L on the link.
    pub raise: bool,
    /// The twist set T(l).
    pub twist: Vec<usize>,
    /// Spin S of every link (integer, so that (−1)^L is defined).
    pub spin: i64,
}

impl Hop for RotorHop {
    fn apply(&self, psi: &SparseState) -> Result<SparseState> {
        let s = self.spin;
        let mut out = SparseState::default();
        for (c, a) in &psi.amp {
            let par: i64 = self.twist.iter().map(|&m| c[m].rem_euclid(2)).sum();
            let sign = if par % 2 == 0 { 1.0 } else { -1.0 };
            let m = c[self.link];
            let m2 = if self.raise { m + 1 } else { m - 1 };
            if m2.abs() > s {
                return Err(Error::invalid(
                    "spin",
                    format!("S = {s}"),
                    format!(
                        "the state test moves link {} from L = {m} to L = {m2}, which a spin-{s} link cannot hold \
                         (S^± annihilates the end of the ladder, so the exchange identity would compare zero \
                         vectors); use S >= {}",
                        self.link,
                        m2.abs()
                    ),
                ));
            }
            let amp = ((s * (s + 1) - m * m2) as f64).sqrt();
            let mut n = c.clone();
            n[self.link] = m2;
            out.add(n, a * sign * amp);
        }
        Ok(out)
    }
}

/// The state prepared for the test at vertex s with legs (j, k, l): unit charges on k and l, none
/// on s and j, made of two strings leaving k and l (ending away from s) plus plaquette loops
/// through the three legs, superposed with random amplitudes (section 3.6 B.2).
pub fn prepare_state(alg: &HopAlgebra, s: usize, legs: [usize; 3], seed: u64) -> Result<SparseState> {
    let cx = &alg.complex;
    let g = |i: usize| cx.legs[s][i].ok_or_else(|| Error::invalid("leg", format!("{i} at {s}"), "no such leg"));
    let (gj, gk, gl) = (g(legs[0])?, g(legs[1])?, g(legs[2])?);
    let (j, k, l) = (gj.neighbour, gk.neighbour, gl.neighbour);
    let near: Vec<usize> = cx.legs[s].iter().flatten().map(|x| x.neighbour).chain([s]).collect();
    let mut base = vec![0i64; cx.n_links()];
    for (start, blocked) in [(k, [s, j, l]), (l, [s, j, k])] {
        let path = cx.path(start, |v| !near.contains(&v), &blocked).ok_or_else(|| {
            Error::invalid("lattice", cx.name.clone(), "no room for the strings of the state test; use extents >= 3")
        })?;
        for w in path.windows(2) {
            let link = cx.link_between(w[0], w[1]).unwrap_or(0);
            base[link] += if cx.links[link].0 == w[0] { 1 } else { -1 };
        }
    }
    let field: Vec<(usize, i64)> = base.iter().enumerate().map(|(i, &n)| (i, n)).collect();
    let q = cx.div(&field);
    if q[k] != 1 || q[l] != 1 || q[s] != 0 || q[j] != 0 {
        return Err(Error::Invariant(format!("state preparation: charges {:?} at s,j,k,l", [q[s], q[j], q[k], q[l]])));
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let amp = |rng: &mut Xoshiro256PlusPlus| {
        let x: f64 = rng.random_range(0.5..1.5);
        if rng.random::<bool>() {
            x
        } else {
            -x
        }
    };
    let mut psi = SparseState::default();
    psi.add(base.clone(), amp(&mut rng));
    for leg in [gj, gk, gl] {
        // a plaquette through this leg whose loop keeps every |L| <= 1
        let mut added = false;
        for b in &cx.plaquettes {
            if added || !b.iter().any(|&(x, _)| x == leg.link) {
                continue;
            }
            for sgn in [1i64, -1] {
                let mut c = base.clone();
                for &(x, o) in b {
                    c[x] += sgn * o as i64;
                }
                if c.iter().all(|v| v.abs() <= 1) {
                    psi.add(c, amp(&mut rng));
                    added = true;
                }
            }
        }
    }
    Ok(psi)
}

/// The three hops of the test at vertex s with legs (j, k, l) on spin-S links.
fn rotor_hops(alg: &HopAlgebra, s: usize, legs: [usize; 3], spin: i64) -> [RotorHop; 3] {
    let cx = &alg.complex;
    let mk = |leg: usize, to_s: bool| {
        let g = cx.legs[s][leg].unwrap_or(crate::lattice::Leg { link: 0, neighbour: 0 });
        let to = if to_s { s } else { g.neighbour };
        RotorHop { link: g.link, raise: cx.links[g.link].0 == to, twist: alg.twist_sets[g.link].clone(), spin }
    };
    // t_sl, t_js, t_sk
    [mk(legs[2], true), mk(legs[0], false), mk(legs[1], true)]
}

/// Largest |L| any link reaches while the test runs at (s; j, k, l): the smallest spin that
/// does not saturate.
pub fn required_spin(alg: &HopAlgebra, s: usize, legs: [usize; 3], seed: u64) -> Result<i64> {
    let psi = prepare_state(alg, s, legs, seed)?;
    let hops = rotor_hops(alg, s, legs, i64::MAX / 4);
    let mut need = 0i64;
    for c in psi.amp.keys() {
        need = need.max(c.iter().map(|v| v.abs()).max().unwrap_or(0));
        for seq in [[2, 1, 0], [0, 1, 2]] {
            let mut x = c.clone();
            for i in seq {
                let h = &hops[i];
                x[h.link] += if h.raise { 1 } else { -1 };
                need = need.max(x[h.link].abs());
            }
        }
    }
    Ok(need)
}

/// The state-vector census over every vertex and leg triple.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StatesCensus {
    /// Spin S of the links.
    pub spin: i64,
    /// Smallest spin that avoids saturation for these states.
    pub required_spin: i64,
    /// Leg triples checked.
    pub triples_checked: usize,
    /// Triples with overlap +1.
    pub plus: usize,
    /// Triples with overlap −1.
    pub minus: usize,
    /// Largest `| |⟨B|A⟩|/(‖A‖‖B‖) − 1 |`.
    pub max_overlap_error: f64,
    /// Largest `|‖A‖ − ‖B‖| / ‖A‖`.
    pub max_norm_mismatch: f64,
    /// Per-triple results (first ordering).
    pub signs: Vec<TripleSign>,
}

/// Run the state-vector test at every vertex and 3-subset of legs on spin-S links.
/// Errors (invalid input) if S is too small for the prepared states.
pub fn states_census(alg: &HopAlgebra, spin: i64, seed: u64) -> Result<StatesCensus> {
    if !(1..=1_000_000).contains(&spin) {
        return Err(Error::invalid("spin", format!("S = {spin}"), "use an integer spin 2 <= S <= 1000000"));
    }
    let mut triples = Vec::new();
    for s in 0..alg.complex.n_sites() {
        let present: Vec<usize> = (0..6).filter(|&i| alg.complex.legs[s][i].is_some()).collect();
        for x in 0..present.len() {
            for y in x + 1..present.len() {
                for z in y + 1..present.len() {
                    triples.push((s, [present[x], present[y], present[z]]));
                }
            }
        }
    }
    let mut need = 0;
    for (i, &(s, legs)) in triples.iter().enumerate() {
        need = need.max(required_spin(alg, s, legs, seed.wrapping_add(i as u64))?);
    }
    if spin < need {
        return Err(Error::invalid(
            "spin",
            format!("S = {spin}"),
            format!(
                "the state test raises some link to |L| = {need}, where a spin-{spin} link saturates (S^± \
                 annihilates the end of the ladder); use S >= {need}"
            ),
        ));
    }
    let mut c = StatesCensus {
        spin,
        required_spin: need,
        triples_checked: 0,
        plus: 0,
        minus: 0,
        max_overlap_error: 0.0,
        max_norm_mismatch: 0.0,
        signs: Vec::new(),
    };
    for (i, &(s, legs)) in triples.iter().enumerate() {
        let psi = prepare_state(alg, s, legs, seed.wrapping_add(i as u64))?;
        let [t_sl, t_js, t_sk] = rotor_hops(alg, s, legs, spin);
        let r = exchange_on_state(&t_sl, &t_js, &t_sk, &psi)?;
        c.triples_checked += 1;
        c.max_overlap_error = c.max_overlap_error.max((r.overlap.abs() - 1.0).abs());
        c.max_norm_mismatch = c.max_norm_mismatch.max((r.norm_a - r.norm_b).abs() / r.norm_a);
        let sign = if r.overlap > 0.0 { 1 } else { -1 };
        if sign > 0 {
            c.plus += 1;
        } else {
            c.minus += 1;
        }
        c.signs.push(TripleSign { vertex: s, legs, sign });
    }
    Ok(c)
}
