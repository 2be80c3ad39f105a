//! The double semion (twisted Z₂ string net) on a honeycomb patch: its explicit ground state.
//!
//! Note C.5. Strings live on the edges of a honeycomb patch, *string present ⇔ σ^z = −1*.
//! `H_DS = −Σ_v Π_{e∋v} σ^z_e + Σ_p B_p`, with
//! `B_p = Π_{e∈∂p} σ^x_e · Π_{j∈legs(p)} i^{(1−σ^z_j)/2}`.
//!
//! The closed-string configurations of a planar patch are exactly `X = ∂F` for the sets `F`
//! of hexagons (one each), so the ground state is the signed loop gas
//! `Ψ_DS(∂F) = (−1)^{#loops(∂F)}` over the `2^{#hexagons}` sets `F`; the toric code's
//! `Ψ_TC(∂F) = 1`. [`LoopGas::new`] builds either, counting loops directly (connected
//! components of the string edges; on a trivalent graph a closed configuration is a disjoint
//! union of loops). [`LoopGas::ground_state_check`] verifies that every vertex term is `+1`
//! and `B_p Ψ = −Ψ` for every hexagon, so `⟨H⟩` reaches the lower bound `−N_v − N_p` and `Ψ`
//! is a ground state.

use super::honeycomb::HoneycombPatch;
use super::schmidt::ConfigState;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Most hexagons for an explicit loop gas (`2^24` configurations, about 400 MiB with the
/// Schmidt bookkeeping).
pub const MAX_HEXAGONS: usize = 24;

/// Which string net.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StringNet {
    /// Toric code (Z₂ string net): `Ψ = 1`.
    ToricCode,
    /// Double semion: `Ψ = (−1)^{#loops}`.
    DoubleSemion,
}

/// A loop-gas ground state on a honeycomb patch.
#[derive(Clone, Debug)]
pub struct LoopGas {
    /// The patch.
    pub patch: HoneycombPatch,
    /// Which string net.
    pub kind: StringNet,
    /// The state; configuration `k` is `∂F` for the hexagon set with bit mask `k`.
    pub state: ConfigState,
    /// Number of loops of each configuration.
    pub loops: Vec<u32>,
}

/// Bytes needed for a loop gas with `n_hex` hexagons (state, loops, Schmidt hash maps).
pub fn estimate_bytes(n_hex: usize) -> u64 {
    (1u64 << n_hex.min(62)) * 96
}

/// Result of [`LoopGas::ground_state_check`] (fields in alphabetical order, as in JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroundStateCheck {
    /// `⟨H⟩` with `H = −Σ_v Q_v ∓ Σ_p B_p`.
    pub energy: f64,
    /// The lower bound `−N_v − N_p` (every term at its smallest eigenvalue).
    pub lower_bound: f64,
    /// Largest `‖B_p Ψ − λ Ψ‖` over hexagons, with `λ = −1` (DS) or `+1` (TC, `B_p = Π σ^x`).
    pub plaquette_residual: f64,
    /// Largest `|Π_v σ^z − 1|` over vertices and configurations (0: every vertex closed).
    pub vertex_violation: f64,
}

impl LoopGas {
    /// Build the loop gas on a patch (at most [`MAX_HEXAGONS`] hexagons).
    pub fn new(patch: HoneycombPatch, kind: StringNet) -> Result<Self> {
        let nh = patch.hexagons.len();
        if nh > MAX_HEXAGONS {
            return Err(Error::too_large(
                format!("the explicit loop gas on a {}-ring patch ({nh} hexagons, 2^{nh} configurations)", patch.rings),
                estimate_bytes(nh),
                crate::error::memory_limit(),
                "use at most 2 rings (19 hexagons); this model has no stabilizer shortcut",
            ));
        }
        if patch.n_edges() > 128 {
            return Err(Error::invalid("honeycomb patch", format!("{} edges", patch.n_edges()), "at most 128 edges"));
        }
        let hmask: Vec<u128> = patch.hexagons.iter().map(|h| h.iter().fold(0u128, |m, &e| m | (1u128 << e))).collect();
        let n = 1usize << nh;
        let mut configs = vec![0u128; n];
        // Gray-free enumeration: config(k) = config(k without its lowest bit) ^ hexagon.
        for k in 1..n {
            let low = k.trailing_zeros() as usize;
            configs[k] = configs[k & (k - 1)] ^ hmask[low];
        }
        let mut loops = vec![0u32; n];
        let mut parent: Vec<usize> = (0..patch.vertices.len()).collect();
        for k in 0..n {
            loops[k] = count_loops(&patch, configs[k], &mut parent);
        }
        let amps: Vec<f64> = match kind {
            StringNet::ToricCode => vec![1.0; n],
            StringNet::DoubleSemion => loops.iter().map(|&l| if l % 2 == 0 { 1.0 } else { -1.0 }).collect(),
        };
        let state = ConfigState::new(patch.n_edges(), configs, amps)?;
        Ok(LoopGas { patch, kind, state, loops })
    }

    /// Check that the state is a ground state: vertex rule, plaquette eigenvalue, energy.
    pub fn ground_state_check(&self) -> GroundStateCheck {
        let p = &self.patch;
        let mut vertex_violation: f64 = 0.0;
        let mut energy = 0.0;
        for (&x, &a) in self.state.configs.iter().zip(&self.state.amps) {
            for ve in &p.vertex_edges {
                let par = ve.iter().filter(|&&e| (x >> e) & 1 == 1).count() % 2;
                let q = if par == 0 { 1.0 } else { -1.0 };
                vertex_violation = vertex_violation.max((q - 1.0f64).abs());
                energy -= a * a * q;
            }
        }
        let lambda = match self.kind {
            StringNet::ToricCode => 1.0,
            StringNet::DoubleSemion => -1.0,
        };
        let psi = &self.state.amps;
        let mut residual: f64 = 0.0;
        for (h, legs) in p.legs.iter().enumerate() {
            // (B_p Ψ)(X ^ ∂p) = phase(X) Ψ(X); phase = i^{#occupied legs} (TC: 1).
            let mut r2 = 0.0;
            let mut expect = 0.0;
            for k in 0..psi.len() {
                let x = self.state.configs[k];
                let phase = match self.kind {
                    StringNet::ToricCode => 1.0,
                    StringNet::DoubleSemion => {
                        let occ = legs.iter().filter(|&&e| (x >> e) & 1 == 1).count();
                        // occ is even on closed configurations (sum of vertex parities); i^occ = ±1.
                        if occ % 2 == 1 {
                            // An open vertex: B_p would not be real here; fail the check loudly
                            // (f64::max ignores NaN, so use infinity).
                            f64::INFINITY
                        } else if (occ / 2) % 2 == 0 {
                            1.0
                        } else {
                            -1.0
                        }
                    }
                };
                let target = k ^ (1usize << h);
                let bpsi = phase * psi[k];
                r2 += (bpsi - lambda * psi[target]).powi(2);
                expect += psi[target] * bpsi;
            }
            residual = residual.max(r2.sqrt());
            // H contains -lambda * B_p so that each term's lowest value is -1.
            energy += -lambda * expect;
        }
        GroundStateCheck {
            vertex_violation,
            plaquette_residual: residual,
            energy,
            lower_bound: -((p.vertices.len() + p.hexagons.len()) as f64),
        }
    }

    /// Euler characteristic `V − E + F` of the closed union of the hexagon set `k`
    /// (note C.5: `#loops ≡ χ (mod 2)`), an independent check of the loop count.
    pub fn euler_characteristic(&self, k: usize) -> i64 {
        let p = &self.patch;
        let mut vs = std::collections::HashSet::new();
        let mut es = std::collections::HashSet::new();
        let mut f = 0;
        for h in 0..p.hexagons.len() {
            if (k >> h) & 1 == 1 {
                f += 1;
                vs.extend(p.hexagon_vertices[h].iter().copied());
                es.extend(p.hexagons[h].iter().copied());
            }
        }
        vs.len() as i64 - es.len() as i64 + f
    }
}

/// Connected components of the string edges of `x` (each is one loop).
fn count_loops(p: &HoneycombPatch, x: u128, parent: &mut [usize]) -> u32 {
    fn find(par: &mut [usize], mut a: usize) -> usize {
        while par[a] != a {
            par[a] = par[par[a]];
            a = par[a];
        }
        a
    }
    let mut touched = Vec::new();
    let mut bits = x;
    let mut comps: i64 = 0;
    while bits != 0 {
        let e = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let (a, b) = p.edges[e];
        touched.push(a);
        touched.push(b);
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra] = rb;
            comps -= 1;
        }
    }
    touched.sort_unstable();
    touched.dedup();
    comps += touched.len() as i64;
    for &v in &touched {
        parent[v] = v;
    }
    comps as u32
}
