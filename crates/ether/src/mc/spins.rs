//! Classical thermal states of the Heisenberg model by Metropolis Monte Carlo.
//!
//! On a bipartite lattice the sweep is a checkerboard: all sites of one sublattice are updated
//! in parallel (they do not interact), in fixed chunks with their own random streams
//! ([`crate::mc::rng::stream`]), so the result does not depend on the number of threads.
//! On a non-bipartite lattice (a ferromagnet with an odd extent) the sweep is sequential.
//!
//! The sampler is a [`MarkovChain`] ([`SpinChain`]) driven by [`crate::mc::chain::run`];
//! [`thermalize`] is the one-call form. It sees the model through [`SpinSystem`] (the exchange
//! field in the caller's storage order), so `mc` does not depend on the dynamics that use it.

use crate::error::{require_positive, Result};
use crate::mc::chain::{run, MarkovChain, NoHooks, Schedule};
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

/// What the Metropolis sampler needs of a classical nearest-neighbour spin model, in the storage
/// order of the spins it is given (e.g. the sublattice order of the spin dynamics).
pub trait SpinSystem: Sync {
    /// Spin length S.
    fn spin(&self) -> f64;
    /// Exchange J.
    fn coupling(&self) -> f64;
    /// Coordination number z.
    fn coordination(&self) -> usize;
    /// Number of A spins, stored first, on a bipartite lattice (`None` otherwise).
    fn sublattice_a_len(&self) -> Option<usize>;
    /// Exchange field at index `i` of `spins`.
    fn field(&self, spins: &[[f64; 3]], i: usize) -> [f64; 3];
    /// Exchange field at index `i` when the other sublattice is given as its own slice.
    fn field_from(&self, other: &[[f64; 3]], i: usize) -> [f64; 3];
}

/// A Metropolis chain of classical spins at temperature T (the spins are the caller's).
#[derive(Debug)]
pub struct SpinChain<'a, S: SpinSystem + ?Sized> {
    system: &'a S,
    spins: &'a mut [[f64; 3]],
    seed: u64,
    beta: f64,
    len: f64,
    width: f64,
    sweep: u64,
    accepted: u64,
    tried: u64,
}

impl<'a, S: SpinSystem + ?Sized> SpinChain<'a, S> {
    /// A chain of `spins` (in `system`'s storage order) at `temperature` with random streams of
    /// `seed`.
    pub fn new(system: &'a S, spins: &'a mut [[f64; 3]], temperature: f64, seed: u64) -> Result<Self> {
        require_positive("temperature", temperature, "a thermal state needs T > 0")?;
        let len = system.spin();
        // Proposal width: the thermal angle sqrt(T / (z |J| S²)), clamped to a sensible range.
        let z = system.coordination() as f64;
        let width = (temperature / (z * system.coupling().abs() * len * len)).sqrt().clamp(0.02, 1.0);
        Ok(SpinChain { system, spins, seed, beta: 1.0 / temperature, len, width, sweep: 0, accepted: 0, tried: 0 })
    }

    /// Acceptance and proposal width so far.
    pub fn report(&self) -> MetropolisReport {
        MetropolisReport { acceptance: self.accepted as f64 / self.tried.max(1) as f64, step: self.width }
    }

    /// The spins.
    pub fn spins(&self) -> &[[f64; 3]] {
        self.spins
    }
}

impl<S: SpinSystem + ?Sized> MarkovChain for SpinChain<'_, S> {
    fn sweeps_done(&self) -> u64 {
        self.sweep
    }

    fn sweep(&mut self) -> Result<()> {
        let (dynamics, spins, params_seed) = (self.system, &mut *self.spins, self.seed);
        let (beta, len, width, sweep) = (self.beta, self.len, self.width, self.sweep);
        let (mut accepted, mut tried) = (0u64, 0u64);
        if let Some(na) = dynamics.sublattice_a_len() {
            for sub in 0..2usize {
                let (a, b) = spins.split_at_mut(na);
                let (mine, other, offset) = if sub == 0 { (a, &*b, 0) } else { (b, &*a, na) };
                let counts: Vec<u64> = mine
                    .par_chunks_mut(CHUNK)
                    .enumerate()
                    .map(|(c, chunk)| {
                        let mut rng = stream(params_seed, &[sweep, sub as u64, c as u64]);
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
            let mut rng = stream(params_seed, &[sweep, 99]);
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
        self.accepted += accepted;
        self.tried += tried;
        self.sweep += 1;
        Ok(())
    }
}

/// Equilibrate `spins` (in `system`'s storage order, e.g. the spin dynamics' internal order) at
/// temperature T with `params.sweeps` sweeps of [`SpinChain`].
pub fn thermalize<S: SpinSystem + ?Sized>(
    system: &S,
    spins: &mut [[f64; 3]],
    params: &Metropolis,
) -> Result<MetropolisReport> {
    let mut chain = SpinChain::new(system, spins, params.temperature, params.seed)?;
    run(&mut chain, &Schedule::new(params.sweeps as u64, 0), &mut NoHooks)?;
    Ok(chain.report())
}
