//! Classical thermal states of the Heisenberg model by Metropolis Monte Carlo.
//!
//! On a bipartite lattice the sweep is a checkerboard: all sites of one sublattice are updated
//! in parallel (they do not interact), in fixed chunks with their own random streams
//! ([`crate::mc::rng::stream`]), so the result does not depend on the number of threads.
//! On a non-bipartite lattice (a ferromagnet with an odd extent) the sweep is sequential.

use crate::dynamics::spin::SpinDynamics;
use crate::error::{require_positive, Result};
use crate::mc::rng::stream;
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Sites per random stream: fixed, so results are independent of the thread count.
const CHUNK: usize = 512;

/// Parameters of a Metropolis run.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Metropolis {
    /// Temperature (energy units, k_B = 1), > 0.
    pub temperature: f64,
    /// Number of sweeps.
    pub sweeps: usize,
    /// Seed.
    pub seed: u64,
}

/// Outcome of a Metropolis run.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct MetropolisReport {
    /// Fraction of accepted moves.
    pub acceptance: f64,
    /// Proposal width used (radians, roughly).
    pub step: f64,
}

fn propose(s: [f64; 3], len: f64, width: f64, rng: &mut impl RngExt) -> [f64; 3] {
    let g: [f64; 3] = [rng.sample(StandardNormal), rng.sample(StandardNormal), rng.sample(StandardNormal)];
    let v = [s[0] / len + width * g[0], s[1] / len + width * g[1], s[2] / len + width * g[2]];
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    [len * v[0] / n, len * v[1] / n, len * v[2] / n]
}

fn accept(de: f64, beta: f64, rng: &mut impl RngExt) -> bool {
    de <= 0.0 || rng.random::<f64>() < (-beta * de).exp()
}

/// Equilibrate `spins` (in the dynamics' internal order, see [`SpinDynamics`]) at temperature T.
pub fn thermalize(dynamics: &SpinDynamics, spins: &mut [[f64; 3]], params: &Metropolis) -> Result<MetropolisReport> {
    require_positive("temperature", params.temperature, "a thermal state needs T > 0")?;
    let beta = 1.0 / params.temperature;
    let len = dynamics.spin();
    // Proposal width: the thermal angle sqrt(T / (z |J| S²)), clamped to a sensible range.
    let z = dynamics.coordination() as f64;
    let width = (params.temperature / (z * dynamics.coupling().abs() * len * len)).sqrt().clamp(0.02, 1.0);
    let mut accepted = 0u64;
    let mut tried = 0u64;
    for sweep in 0..params.sweeps {
        if let Some(na) = dynamics.sublattice_a_len() {
            for sub in 0..2usize {
                let (a, b) = spins.split_at_mut(na);
                let (mine, other, offset) = if sub == 0 { (a, &*b, 0) } else { (b, &*a, na) };
                let counts: Vec<u64> = mine
                    .par_chunks_mut(CHUNK)
                    .enumerate()
                    .map(|(c, chunk)| {
                        let mut rng = stream(params.seed, &[sweep as u64, sub as u64, c as u64]);
                        let mut acc = 0;
                        for (i, s) in chunk.iter_mut().enumerate() {
                            let idx = offset + c * CHUNK + i;
                            let h = dynamics.field_from(other, idx);
                            let new = propose(*s, len, width, &mut rng);
                            let de = (new[0] - s[0]) * h[0] + (new[1] - s[1]) * h[1] + (new[2] - s[2]) * h[2];
                            if accept(de, beta, &mut rng) {
                                *s = new;
                                acc += 1;
                            }
                        }
                        acc
                    })
                    .collect();
                accepted += counts.iter().sum::<u64>();
                tried += mine.len() as u64;
            }
        } else {
            let mut rng = stream(params.seed, &[sweep as u64, 99]);
            for i in 0..spins.len() {
                let h = dynamics.field(spins, i);
                let s = spins[i];
                let new = propose(s, len, width, &mut rng);
                let de = (new[0] - s[0]) * h[0] + (new[1] - s[1]) * h[1] + (new[2] - s[2]) * h[2];
                if accept(de, beta, &mut rng) {
                    spins[i] = new;
                    accepted += 1;
                }
                tried += 1;
            }
        }
    }
    Ok(MetropolisReport { acceptance: accepted as f64 / tried.max(1) as f64, step: width })
}
