//! The gauge Monte Carlo engine: a chain of compact U(1) gauge fields under any
//! [`GaugeAction`] (isotropic Wilson or Villain, the anisotropic rotor action).
//!
//! One sweep is one update pass over every link (exact heat bath for Wilson links, `hits`
//! Metropolis steps for links with Villain plaquettes) followed by `overrelax` overrelaxation
//! passes ([`crate::mc::update`]). Each pass visits the checkerboard classes in a fixed order,
//! direction μ = 0, …, d − 1 and within it even then odd sites; after a class is updated the domain
//! refreshes its halo copies ([`crate::mc::domain`]).
//!
//! The chain's state is the field, the sweep counter and the update counts: the random numbers of
//! sweep `n` are a function of `(seed, n)` and the link alone, so nothing else needs saving, and
//! [`GaugeChain::to_bytes`] / [`GaugeChain::from_bytes`] resume a chain bitwise.

use crate::error::{check_memory, Error, Result};
use crate::experiment::Checkpoints;
use crate::lattice::Lattice;
use crate::mc::action::GaugeAction;
use crate::mc::chain::MarkovChain;
use crate::mc::checkpoint::{self, Reader};
use crate::mc::domain::{Domain, SingleProcess};
use crate::mc::field::{GaugeField, PlaquetteSums};
use crate::mc::rng::{sweep_key, Philox};
use crate::mc::update::{update_class, DirCoupling, Pass, UpdateCounts};
use num_complex::Complex64;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The format name and version of a saved gauge chain.
pub const CHECKPOINT_FORMAT: &str = "ether-gauge-chain";
/// Bumped whenever the meaning of a saved chain changes (layout, random numbers, update order).
pub const CHECKPOINT_VERSION: u32 = 1;

/// How a chain starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// Independent uniform link angles (disordered).
    Hot,
    /// Every link `U = 1` (ordered).
    Cold,
}

impl Start {
    /// "hot" or "cold".
    pub fn name(self) -> &'static str {
        match self {
            Start::Hot => "hot",
            Start::Cold => "cold",
        }
    }
}

/// What one sweep does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SweepPlan {
    /// Overrelaxation passes after the update pass (default 3: one heat bath + three
    /// overrelaxations, the usual ratio for U(1)).
    pub overrelax: u32,
    /// Metropolis steps per link in the update pass of links with Villain plaquettes (default 4).
    pub hits: u32,
    /// End every sweep with one flux-sector twist proposal per plane (default true): a global
    /// move that changes the number of flux quanta through the planes of the torus, which local
    /// updates cannot do at weak coupling or fine time steps (see `docs/physics/lattice-gauge-mc.md`).
    pub flux: bool,
}

impl Default for SweepPlan {
    fn default() -> Self {
        SweepPlan { overrelax: 3, hits: 4, flux: true }
    }
}

/// The Philox stage of the flux-sector twists (item = plane index); link updates use stages
/// 0..=overrelax.
const TWIST_STAGE: u32 = 0x8000_0000;

impl SweepPlan {
    /// Refuse a plan that does nothing.
    pub fn validate(&self) -> Result<()> {
        if self.hits == 0 {
            return Err(Error::invalid(
                "hits",
                "0",
                "links with Villain plaquettes need at least one Metropolis step per sweep",
            ));
        }
        if self.overrelax > 100 {
            return Err(Error::invalid(
                "overrelax",
                self.overrelax.to_string(),
                "more than 100 overrelaxation passes per sweep do not decorrelate further; use 1-10",
            ));
        }
        Ok(())
    }
}

/// Plaquette means of a field.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Plaquette {
    /// Mean `cos Θ_P` over all plaquettes.
    pub all: f64,
    /// Over space-space plaquettes (NaN in 2D, where there are none).
    pub space: f64,
    /// Over space-time plaquettes.
    pub time: f64,
}

impl From<PlaquetteSums> for Plaquette {
    fn from(s: PlaquetteSums) -> Self {
        Plaquette { all: s.mean(), space: s.mean_space(), time: s.mean_time() }
    }
}

/// A Markov chain of gauge fields.
#[derive(Debug)]
pub struct GaugeChain {
    action: GaugeAction,
    domain: Box<dyn Domain>,
    field: GaugeField,
    seed: u64,
    start: Start,
    plan: SweepPlan,
    sweep: u64,
    /// Counts of this process's link updates (and the twists, which every process makes alike)
    /// since the start or the restore.
    counts: UpdateCounts,
    /// Counts of the whole lattice restored from a checkpoint.
    counts_base: UpdateCounts,
    couplings: Vec<DirCoupling>,
}

impl GaugeChain {
    /// Bytes a chain on `lattice` allocates in one process: the padded field and the halo tables
    /// (from the extents alone, before anything is allocated).
    pub fn estimate_bytes(lattice: &Lattice) -> u64 {
        GaugeField::estimate_bytes(lattice).saturating_add(SingleProcess::table_bytes(lattice))
    }

    /// Refuse a lattice whose chain would need more than `budget` bytes, with the estimate.
    pub fn check_size(lattice: &Lattice, budget: u64) -> Result<()> {
        let need = Self::estimate_bytes(lattice);
        if need > budget {
            return Err(Error::too_large(
                format!("a gauge field on {lattice}"),
                need,
                budget,
                "use a smaller lattice (each site stores its d links as complex numbers with a one-site halo: 64 bytes per site in 4D, plus the halo)",
            ));
        }
        Ok(())
    }

    /// A new chain in this process's domain ([`crate::mc::grid::default_domain`]: the whole
    /// lattice, or its block when split over MPI processes); refuses a lattice too large for the
    /// memory available before allocating.
    pub fn new(action: GaugeAction, start: Start, seed: u64, plan: SweepPlan) -> Result<Self> {
        let lat = action.lattice().clone();
        check_memory(
            &format!("a gauge field on {lat}"),
            Self::estimate_bytes(&lat),
            "use a smaller lattice (64 bytes per site in 4D, plus a one-site halo)",
        )?;
        Self::with_domain(action, crate::mc::grid::default_domain(&lat)?, start, seed, plan)
    }

    /// A new chain on a given domain (the block of the lattice this process owns).
    pub fn with_domain(
        action: GaugeAction,
        domain: Box<dyn Domain>,
        start: Start,
        seed: u64,
        plan: SweepPlan,
    ) -> Result<Self> {
        plan.validate()?;
        if domain.block().global() != action.lattice() {
            return Err(Error::invalid(
                "domain",
                domain.block().global().to_string(),
                "the domain must split the action's lattice",
            ));
        }
        let field = match start {
            Start::Hot => GaugeField::hot(domain.as_ref(), seed)?,
            Start::Cold => GaugeField::cold(domain.as_ref()),
        };
        let couplings = (0..action.dim()).map(|mu| DirCoupling::new(&action, mu)).collect();
        Ok(GaugeChain {
            action,
            domain,
            field,
            seed,
            start,
            plan,
            sweep: 0,
            counts: UpdateCounts::default(),
            counts_base: UpdateCounts::default(),
            couplings,
        })
    }

    /// The action.
    pub fn action(&self) -> &GaugeAction {
        &self.action
    }
    /// The field.
    pub fn field(&self) -> &GaugeField {
        &self.field
    }
    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The start.
    pub fn start(&self) -> Start {
        self.start
    }
    /// The sweep plan.
    pub fn plan(&self) -> SweepPlan {
        self.plan
    }
    /// The domain.
    pub fn domain(&self) -> &dyn Domain {
        self.domain.as_ref()
    }
    /// Counts of the updates so far, over the whole lattice (split over processes: a collective
    /// call, summed over the processes).
    pub fn counts(&self) -> UpdateCounts {
        if self.domain.processes() == 1 {
            return self.counts_base.plus(self.counts);
        }
        let (tried, accepted) = (self.counts.twist_tried, self.counts.twist_accepted);
        let mut links = self.counts;
        links.twist_tried = 0;
        links.twist_accepted = 0;
        let mut v = links.to_array();
        self.domain.sum_counts(&mut v);
        let mut all = self.counts_base.plus(UpdateCounts::from_array(v));
        all.twist_tried += tried;
        all.twist_accepted += accepted;
        all
    }

    /// The angles of every link of the lattice into `out` (canonical order); split over
    /// processes, a collective call (every process gets the whole field, for measurements).
    pub fn angles_into(&self, out: &mut [f64]) -> Result<()> {
        if self.domain.processes() == 1 {
            return self.field.angles_into(out);
        }
        let links = self.all_links();
        if out.len() != links.len() {
            return Err(Error::invalid(
                "angles",
                format!("{} values", out.len()),
                format!("the lattice has {} links", links.len()),
            ));
        }
        for (o, u) in out.iter_mut().zip(&links) {
            *o = u.im.atan2(u.re);
        }
        Ok(())
    }

    /// Every link of the lattice in canonical order (`site · d + μ`); split over processes, a
    /// collective call that assembles the blocks on every process.
    pub fn all_links(&self) -> Vec<Complex64> {
        self.domain.gather_links(&self.field)
    }
    /// Link updates per sweep (each heat-bath, Metropolis or overrelaxation visit of a link
    /// counts one).
    pub fn link_updates_per_sweep(&self) -> u64 {
        self.action.lattice().n_links() as u64 * (1 + u64::from(self.plan.overrelax))
    }

    /// One sweep: the update pass, then the overrelaxation passes.
    pub fn sweep(&mut self) -> Result<()> {
        let key = sweep_key(self.seed, self.sweep);
        let d = self.action.dim();
        let block = self.domain.block().clone();
        for pass in 0..=self.plan.overrelax {
            let kind = if pass == 0 { Pass::Update { hits: self.plan.hits } } else { Pass::Reflect };
            for mu in 0..d {
                for parity in 0..2 {
                    let arrays = self.field.arrays_mut();
                    let c = update_class(&block, arrays, mu, parity, &self.couplings[mu], kind, key, pass);
                    self.counts = self.counts.plus(c);
                    self.domain.exchange(parity, &mut arrays[2 * mu + parity])?;
                }
            }
        }
        if self.plan.flux {
            self.flux_moves(key)?;
        }
        self.sweep += 1;
        Ok(())
    }

    /// One twist proposal per plane (a, b): ±1 flux quantum through every (a, b) slice, accepted
    /// with probability `min(1, e^{−ΔS})` (a symmetric, measure-preserving global move).
    fn flux_moves(&mut self, key: [u32; 2]) -> Result<()> {
        let d = self.action.dim();
        let mut plane = 0u64;
        for a in 0..d {
            for b in a + 1..d {
                let (u, _, up) = Philox::new(key, plane, TWIST_STAGE).pair();
                plane += 1;
                let s = if up { 1.0 } else { -1.0 };
                let ds = self.domain.sum(self.field.twist_action_change(&self.action, a, b, s))?.value();
                self.counts.twist_tried += 1;
                if ds <= 0.0 || u < (-ds).exp() {
                    self.counts.twist_accepted += 1;
                    self.field.apply_twist(self.domain.as_ref(), a, b, s)?;
                }
            }
        }
        Ok(())
    }

    /// Sweeps done.
    pub fn sweeps_done(&self) -> u64 {
        self.sweep
    }

    /// Plaquette means (all, space-space, space-time), reduced over the domain.
    pub fn plaquette(&self) -> Result<Plaquette> {
        let mut s = self.field.plaquette_sums();
        s.space = self.domain.sum(s.space)?;
        s.time = self.domain.sum(s.time)?;
        let lat = self.action.lattice();
        let t = lat.dim() - 1;
        s.n_time = (lat.n_sites() * t) as u64;
        s.n_space = (lat.n_plaquettes() - lat.n_sites() * t) as u64;
        Ok(s.into())
    }

    /// The total action `Σ_P s(Θ_P)`.
    pub fn total_action(&self) -> Result<f64> {
        Ok(self.domain.sum(self.field.action_sum(&self.action))?.value())
    }

    /// What a resumed chain must match: format, version, lattice, action, seed, start, plan.
    pub fn checkpoint_header(&self) -> Value {
        Self::header_for(&self.action, self.start, self.seed, self.plan)
    }

    /// The header a chain with these settings writes.
    pub fn header_for(action: &GaugeAction, start: Start, seed: u64, plan: SweepPlan) -> Value {
        json!({
            "format": CHECKPOINT_FORMAT,
            "version": CHECKPOINT_VERSION,
            "lattice": action.lattice().to_string(),
            "action": action,
            "seed": seed,
            "start": start,
            "plan": plan,
            "payload": "sweep, 8 update counts (u64); links in canonical order (site·d + μ) as (re, im) f64 bit patterns, little endian",
        })
    }

    /// The state to save: sweep counter, update counts and every link (canonical order, exact
    /// bit patterns), the same bytes for any split over processes (a collective call then).
    pub fn checkpoint_payload(&self) -> Vec<u8> {
        let links = self.all_links();
        let mut out = Vec::with_capacity(72 + links.len() * 16);
        out.extend_from_slice(&self.sweep.to_le_bytes());
        for v in self.counts().to_array() {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for u in links {
            out.extend_from_slice(&u.re.to_bits().to_le_bytes());
            out.extend_from_slice(&u.im.to_bits().to_le_bytes());
        }
        out
    }

    /// A chain with these settings continued from a saved `header` and `payload` (refused, with
    /// the reason, if they belong to another run or are damaged).
    pub fn restore(
        action: GaugeAction,
        start: Start,
        seed: u64,
        plan: SweepPlan,
        header: &Value,
        payload: &[u8],
    ) -> Result<Self> {
        let lat = action.lattice().clone();
        check_memory(
            &format!("a gauge field on {lat}"),
            Self::estimate_bytes(&lat),
            "use a smaller lattice (64 bytes per site in 4D, plus a one-site halo)",
        )?;
        Self::restore_with_domain(action, crate::mc::grid::default_domain(&lat)?, start, seed, plan, header, payload)
    }

    /// [`Self::restore`] on a given domain: a checkpoint written by any split over processes
    /// continues on any other (the payload is in canonical order).
    pub fn restore_with_domain(
        action: GaugeAction,
        domain: Box<dyn Domain>,
        start: Start,
        seed: u64,
        plan: SweepPlan,
        header: &Value,
        payload: &[u8],
    ) -> Result<Self> {
        checkpoint::check_header(header, &Self::header_for(&action, start, seed, plan))?;
        let mut chain = Self::with_domain(action, domain, Start::Cold, seed, plan)?;
        chain.start = start;
        let mut r = Reader::new(payload);
        chain.sweep = r.u64()?;
        let mut counts = [0u64; 8];
        for c in counts.iter_mut() {
            *c = r.u64()?;
        }
        chain.counts_base = UpdateCounts::from_array(counts);
        let n = chain.action.lattice().n_links();
        let mut links = Vec::with_capacity(n);
        for _ in 0..n {
            let re = r.f64()?;
            let im = r.f64()?;
            links.push(Complex64::new(re, im));
        }
        r.finish()?;
        chain.field = GaugeField::from_links(chain.domain.as_ref(), &links)?;
        Ok(chain)
    }

    /// Save the chain under `name` in a run's checkpoint store (atomic, checksummed).
    pub fn save(&self, checkpoints: &Checkpoints, name: &str) -> Result<()> {
        checkpoints.save(name, &self.checkpoint_header(), &self.checkpoint_payload())
    }

    /// The chain saved under `name` with these settings, or `None` if there is none; refused, with
    /// the reason, if it belongs to another run (lattice, action, seed, start, plan, version) or is
    /// damaged.
    pub fn load(
        checkpoints: &Checkpoints,
        name: &str,
        action: GaugeAction,
        start: Start,
        seed: u64,
        plan: SweepPlan,
    ) -> Result<Option<Self>> {
        let header = Self::header_for(&action, start, seed, plan);
        match checkpoints.load(name, &header)? {
            None => Ok(None),
            Some(payload) => Self::restore(action, start, seed, plan, &header, &payload).map(Some),
        }
    }

    /// The chain as one self-contained, checksummed byte string ([`crate::mc::checkpoint`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        checkpoint::encode(&self.checkpoint_header(), &self.checkpoint_payload())
    }

    /// A chain with these settings continued from [`GaugeChain::to_bytes`] output.
    pub fn from_bytes(action: GaugeAction, start: Start, seed: u64, plan: SweepPlan, bytes: &[u8]) -> Result<Self> {
        let expected = Self::header_for(&action, start, seed, plan);
        let (header, payload) = checkpoint::decode(bytes, &expected)?;
        Self::restore(action, start, seed, plan, &header, &payload)
    }

    /// [`Self::from_bytes`] on a given domain (any split over processes).
    pub fn from_bytes_with_domain(
        action: GaugeAction,
        domain: Box<dyn Domain>,
        start: Start,
        seed: u64,
        plan: SweepPlan,
        bytes: &[u8],
    ) -> Result<Self> {
        let expected = Self::header_for(&action, start, seed, plan);
        let (header, payload) = checkpoint::decode(bytes, &expected)?;
        Self::restore_with_domain(action, domain, start, seed, plan, &header, &payload)
    }
}

impl MarkovChain for GaugeChain {
    fn sweep(&mut self) -> Result<()> {
        GaugeChain::sweep(self)
    }
    fn sweeps_done(&self) -> u64 {
        self.sweep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::action::{Plane, RotorCouplings};
    use crate::mc::rng::sweep_key;
    use std::f64::consts::PI;

    fn actions() -> Vec<GaugeAction> {
        let c = RotorCouplings::new(1.0, 1.0, 0.2).unwrap();
        vec![
            GaugeAction::wilson(Lattice::parse("4x4x4x4").unwrap(), 1.0).unwrap(),
            GaugeAction::villain(Lattice::parse("4x4x6").unwrap(), 0.7).unwrap(),
            GaugeAction::rotor(Lattice::parse("4x2x6").unwrap(), &c).unwrap(),
            GaugeAction::new(Lattice::parse("6x4").unwrap(), Plane::wilson(0.5), Plane::wilson(1.5)).unwrap(),
        ]
    }

    fn bits(c: &GaugeChain) -> Vec<u64> {
        c.field().links().iter().flat_map(|u| [u.re.to_bits(), u.im.to_bits()]).collect()
    }

    /// Random numbers belong to links, so the chain is the same for any thread count, bit for bit
    /// (1, 2 and 3 threads; every action kind).
    #[test]
    fn same_seed_same_chain_for_one_two_and_three_threads() {
        for a in actions() {
            let run = |threads| {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                pool.install(|| {
                    let mut c = GaugeChain::new(a.clone(), Start::Hot, 5, SweepPlan::default()).unwrap();
                    for _ in 0..3 {
                        c.sweep().unwrap();
                    }
                    (bits(&c), c.counts())
                })
            };
            let one = run(1);
            assert_eq!(one, run(2), "{}", a.describe());
            assert_eq!(one, run(3), "{}", a.describe());
            assert!(one.1.heat_bath + one.1.metropolis_tried > 0);
        }
    }

    /// Overrelaxation of Wilson links keeps the action to rounding (1e-12 relative: a few hundred
    /// roundings of order 1e-16 per plaquette sum), on an isotropic and an anisotropic action, and
    /// changes the field (it is not the identity).
    #[test]
    fn overrelaxation_conserves_the_wilson_action() {
        for a in [&actions()[0], &actions()[3]] {
            let mut c = GaugeChain::new(a.clone(), Start::Hot, 9, SweepPlan::default()).unwrap();
            c.sweep().unwrap();
            let before = c.total_action().unwrap();
            let links_before = c.field().links();
            let block = c.domain.block().clone();
            for mu in 0..a.dim() {
                for p in 0..2 {
                    let arrays = c.field.arrays_mut();
                    update_class(&block, arrays, mu, p, &c.couplings[mu], Pass::Reflect, [0, 0], 1);
                    c.domain.exchange(p, &mut arrays[2 * mu + p]).unwrap();
                }
            }
            let after = c.total_action().unwrap();
            assert!((after - before).abs() < 1e-12 * before, "{}: {before} -> {after}", a.describe());
            let moved = c.field().links().iter().zip(&links_before).filter(|(x, y)| (*x - *y).norm() > 1e-6).count();
            assert!(moved > a.lattice().n_links() / 2, "only {moved} links moved");
        }
    }

    /// The exact conditional density of one link given its neighbours, from the action's plaquette
    /// weights evaluated on the canonical lattice (`Lattice::plaquette_links`: a code path
    /// independent of the engine's staples), as a CDF on a grid of `n` points over (−π, π].
    fn conditional_cdf(a: &GaugeAction, angles: &[f64], site: usize, mu: usize, n: usize) -> Vec<f64> {
        let lat = a.lattice();
        let link = lat.link(site, mu);
        let plaqs: Vec<usize> =
            (0..lat.n_plaquettes()).filter(|&p| lat.plaquette_links(p).iter().any(|&(l, _)| l == link)).collect();
        let mut th = angles.to_vec();
        let density = |t: f64, th: &mut Vec<f64>| {
            th[link] = t;
            let s: f64 = plaqs
                .iter()
                .map(|&p| {
                    let (_, x, y) = lat.plaquette_site_axes(p);
                    let phi: f64 = lat.plaquette_links(p).iter().map(|&(l, sg)| f64::from(sg) * th[l]).sum();
                    a.plaquette_action(x, y, phi)
                })
                .sum();
            (-s).exp()
        };
        // trapezoid rule on a fine grid (the integrand is smooth and periodic: spectrally accurate)
        let h = 2.0 * PI / n as f64;
        let vals: Vec<f64> = (0..=n).map(|i| density(-PI + i as f64 * h, &mut th)).collect();
        let mut cdf = vec![0.0; n + 1];
        for i in 1..=n {
            cdf[i] = cdf[i - 1] + 0.5 * h * (vals[i - 1] + vals[i]);
        }
        let z = cdf[n];
        cdf.iter().map(|c| c / z).collect()
    }

    /// Kolmogorov-Smirnov distance of samples in [0, 1] from the uniform distribution.
    fn ks_uniform(samples: &mut [f64]) -> f64 {
        samples.sort_by(|a, b| a.total_cmp(b));
        let m = samples.len() as f64;
        samples
            .iter()
            .enumerate()
            .map(|(i, &u)| (u - i as f64 / m).abs().max((u - (i + 1) as f64 / m).abs()))
            .fold(0.0, f64::max)
    }

    /// The value at angle `t` of a CDF tabulated on the uniform grid of (−π, π].
    fn cdf_at(cdf: &[f64], t: f64) -> f64 {
        let n = cdf.len() - 1;
        let x = (t + PI) / (2.0 * PI) * n as f64;
        let i = (x.floor() as usize).min(n - 1);
        cdf[i] + (x - i as f64) * (cdf[i + 1] - cdf[i])
    }

    /// Update the class (`mu`, `parity`) `passes` times with the rest of the field frozen, in the
    /// cycle of a sweep (one update pass, then `overrelax` reflections); after every `every`
    /// passes (a multiple of the cycle) map each class link's angle through its own exact conditional CDF
    /// (probability integral transform). Links of a class share no plaquette, so given the frozen
    /// rest they are independent and, if the update is right, every transformed value is uniform.
    /// The same values transformed with the CDFs of `alt` are returned second (a power check).
    fn transformed_draws(
        c: &mut GaugeChain,
        mu: usize,
        parity: usize,
        passes: usize,
        every: usize,
        alt: &GaugeAction,
    ) -> (Vec<f64>, Vec<f64>) {
        let lat = c.action().lattice().clone();
        let block = c.domain.block().clone();
        let sites: Vec<usize> = (0..lat.n_sites()).filter(|&r| block.locate(r).unwrap().1 == parity).collect();
        let angles = c.field().angles();
        let cdfs: Vec<Vec<f64>> = sites.iter().map(|&r| conditional_cdf(c.action(), &angles, r, mu, 8192)).collect();
        let alts: Vec<Vec<f64>> = sites.iter().map(|&r| conditional_cdf(alt, &angles, r, mu, 8192)).collect();
        let (mut out, mut out_alt) = (Vec::new(), Vec::new());
        let cycle = 1 + c.plan.overrelax as usize;
        for n in 0..passes {
            let arrays = c.field.arrays_mut();
            // the passes of a sweep: one update, then the overrelaxation passes
            let kind = if n % cycle == 0 { Pass::Update { hits: c.plan.hits } } else { Pass::Reflect };
            update_class(
                &block,
                arrays,
                mu,
                parity,
                &c.couplings[mu],
                kind,
                sweep_key(77, (n / cycle) as u64),
                (n % cycle) as u32,
            );
            c.domain.exchange(parity, &mut arrays[2 * mu + parity]).unwrap();
            if (n + 1) % every == 0 {
                for (k, &r) in sites.iter().enumerate() {
                    let t = c.field().angle(r, mu).unwrap();
                    out.push(cdf_at(&cdfs[k], t));
                    out_alt.push(cdf_at(&alts[k], t));
                }
            }
        }
        (out, out_alt)
    }

    /// The heat bath draws each Wilson link from its exact conditional density, and the
    /// overrelaxation passes keep it: a Kolmogorov-Smirnov test (fixed seed; 1500 sweep cycles of
    /// the 128 links of one class = 192000 independent values, one after each heat bath + three
    /// reflections) of the probability-integral-transformed angles against the uniform distribution,
    /// the CDF of each link computed by quadrature from the plaquette weights. Weak (β = 0.3),
    /// medium (1.0) and strong (4.0, κ ≈ 20) concentration, with anisotropic couplings.
    /// Threshold: the 0.1% critical value 1.95/√n of the KS distance. Power check: the same draws
    /// against the conditional density of couplings 20% larger are rejected.
    #[test]
    fn heat_bath_draws_the_exact_conditional_density() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        pool.install(|| {
            for beta in [0.3, 1.0, 4.0] {
                let lat = Lattice::parse("4x4x4x4").unwrap();
                let a = GaugeAction::new(lat.clone(), Plane::wilson(beta), Plane::wilson(0.7 * beta)).unwrap();
                let alt = GaugeAction::new(lat, Plane::wilson(1.2 * beta), Plane::wilson(0.84 * beta)).unwrap();
                let mut c = GaugeChain::new(a.clone(), Start::Hot, 3, SweepPlan::default()).unwrap();
                for _ in 0..3 {
                    c.sweep().unwrap();
                }
                let (mut u, mut w) = transformed_draws(&mut c, 1, 0, 4 * 1500, 4, &alt);
                let crit = 1.95 / (u.len() as f64).sqrt();
                let d = ks_uniform(&mut u);
                assert!(d < crit, "β = {beta}: KS distance {d} of {} values", u.len());
                let dw = ks_uniform(&mut w);
                assert!(dw > crit, "β = {beta}: 20% larger couplings not rejected ({dw})");
            }
        })
    }

    /// The Metropolis update of links with Villain plaquettes and their Metropolized reflections
    /// leave the exact conditional density invariant: the transformed angles of the 48 links of a
    /// class, recorded after every 2nd sweep cycle (8 Metropolis steps and 6 reflections apart,
    /// nearly independent), 24000 values against the uniform
    /// distribution; KS at the 0.1% value with a factor 1.5 allowed for the remaining correlation.
    /// A temporal class of the rotor action (all plaquettes Villain) and a spatial one (Wilson and
    /// Villain plaquettes). Power check: a temporal coupling 30% larger is rejected.
    #[test]
    fn villain_metropolis_keeps_the_exact_conditional_density() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        pool.install(|| {
            let c = RotorCouplings::new(1.0, 1.0, 0.25).unwrap();
            let a = GaugeAction::rotor(Lattice::parse("4x4x6").unwrap(), &c).unwrap();
            for mu in [2, 0] {
                let mut ch = GaugeChain::new(a.clone(), Start::Hot, 4, SweepPlan::default()).unwrap();
                for _ in 0..5 {
                    ch.sweep().unwrap();
                }
                let alt =
                    GaugeAction::new(a.lattice().clone(), a.space(), Plane::villain(1.3 * a.time().beta)).unwrap();
                let (mut u, mut w) = transformed_draws(&mut ch, mu, 1, 8 * 500, 8, &alt);
                let crit = 1.5 * 1.95 / (u.len() as f64).sqrt();
                let d = ks_uniform(&mut u);
                assert!(d < crit, "μ = {mu}: KS distance {d} of {} values", u.len());
                let dw = ks_uniform(&mut w);
                assert!(dw > crit, "μ = {mu}: 30% larger β_t not rejected ({dw})");
            }
        })
    }

    /// At the largest β the exact action sums hold (β = 1e14 on 4⁴: the limit is 6e14), a cold
    /// chain stays frozen: the fluctuations are of order 1/√β, and no flux twist (cost β(1 −
    /// cos 2π/16) per plaquette) is accepted. Before the limit existed, β = 1e19 wrapped the
    /// fixed-point sum of the twist's cost, the twist was taken, and every plaquette sat at
    /// cos(π/8) = 0.924; above the limit the action is now refused.
    #[test]
    fn a_cold_chain_at_the_largest_beta_stays_frozen_and_larger_beta_is_refused() {
        let lat = Lattice::parse("4x4x4x4").unwrap();
        let a = GaugeAction::wilson(lat.clone(), 1e14).unwrap();
        let mut c = GaugeChain::new(a, Start::Cold, 3, SweepPlan::default()).unwrap();
        for _ in 0..4 {
            c.sweep().unwrap();
        }
        let p = c.plaquette().unwrap();
        assert!(1.0 - p.all < 1e-9, "plaquette {}", p.all);
        assert_eq!(c.counts().twist_accepted, 0);
        let e = GaugeAction::wilson(lat, 1e19).unwrap_err().to_string();
        assert!(e.contains("hold β <"), "{e}");
    }

    /// A resumed chain continues bitwise: 4 sweeps, save, 3 more; against loading the bytes and
    /// doing the 3 sweeps again (every action kind).
    #[test]
    fn a_resumed_chain_is_bitwise_the_uninterrupted_one() {
        for a in actions() {
            let plan = SweepPlan { overrelax: 2, hits: 3, flux: true };
            let mut c = GaugeChain::new(a.clone(), Start::Hot, 11, plan).unwrap();
            for _ in 0..4 {
                c.sweep().unwrap();
            }
            let saved = c.to_bytes();
            for _ in 0..3 {
                c.sweep().unwrap();
            }
            let mut r = GaugeChain::from_bytes(a.clone(), Start::Hot, 11, plan, &saved).unwrap();
            assert_eq!(r.sweeps_done(), 4);
            for _ in 0..3 {
                r.sweep().unwrap();
            }
            assert_eq!(bits(&r), bits(&c), "{}", a.describe());
            assert_eq!(r.counts(), c.counts());
            assert_eq!(r.sweeps_done(), 7);
        }
    }

    /// A checkpoint of another lattice, action, seed, start, plan or format version is refused
    /// with the reason; a truncated or corrupted one by its checksum.
    #[test]
    fn foreign_or_damaged_checkpoints_are_refused() {
        let a = actions()[0].clone();
        let plan = SweepPlan::default();
        let mut c = GaugeChain::new(a.clone(), Start::Hot, 11, plan).unwrap();
        c.sweep().unwrap();
        let bytes = c.to_bytes();
        let other_lat = GaugeAction::wilson(Lattice::parse("4x4x4x6").unwrap(), 1.0).unwrap();
        let other_beta = GaugeAction::wilson(Lattice::parse("4x4x4x4").unwrap(), 1.1).unwrap();
        let villain = GaugeAction::villain(Lattice::parse("4x4x4x4").unwrap(), 1.0).unwrap();
        let cases: Vec<(GaugeAction, Start, u64, SweepPlan, &str)> = vec![
            (other_lat, Start::Hot, 11, plan, "lattice: \"4x4x4x6\" here, \"4x4x4x4\""),
            (other_beta, Start::Hot, 11, plan, "1.1 here, 1.0 in the checkpoint"),
            (villain, Start::Hot, 11, plan, "\"villain\" here, \"wilson\""),
            (a.clone(), Start::Hot, 12, plan, "seed: 12 here, 11 in the checkpoint"),
            (a.clone(), Start::Cold, 11, plan, "start: \"cold\" here, \"hot\""),
            (a.clone(), Start::Hot, 11, SweepPlan { overrelax: 1, ..plan }, "plan.overrelax: 1 here, 3"),
        ];
        for (act, start, seed, pl, why) in cases {
            let e = GaugeChain::from_bytes(act, start, seed, pl, &bytes).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("another run"), "{why}: {e}");
        }
        let mut h = c.checkpoint_header();
        h["version"] = json!(CHECKPOINT_VERSION + 1);
        let newer = checkpoint::encode(&h, &c.checkpoint_payload());
        let e = GaugeChain::from_bytes(a.clone(), Start::Hot, 11, plan, &newer).unwrap_err().to_string();
        assert!(e.contains("version: 1 here, 2 in the checkpoint"), "{e}");
        for cut in [10, bytes.len() / 3, bytes.len() - 3] {
            let e = GaugeChain::from_bytes(a.clone(), Start::Hot, 11, plan, &bytes[..cut]).unwrap_err().to_string();
            assert!(e.contains("damaged"), "{e}");
        }
        let mut bad = bytes.clone();
        let i = bad.len() - 100;
        bad[i] ^= 1;
        let e = GaugeChain::from_bytes(a, Start::Hot, 11, plan, &bad).unwrap_err().to_string();
        assert!(e.contains("checksum mismatch"), "{e}");
    }

    /// Sizes are estimated from the extents before anything is allocated: 128⁴ needs 130⁴ padded
    /// sites × 64 bytes ≈ 17 GiB and is refused by a 16 GiB budget with the figure; 8⁴ fits.
    #[test]
    fn a_lattice_too_large_is_refused_with_the_estimate() {
        let big = Lattice::parse("128x128x128x128").unwrap();
        let need = GaugeChain::estimate_bytes(&big);
        assert!(need > 130u64.pow(4) * 64 && need < 130u64.pow(4) * 70, "{need}");
        let e = GaugeChain::check_size(&big, 16 << 30).unwrap_err();
        assert!(e.is_user_error());
        let msg = e.to_string();
        assert!(msg.contains("128x128x128x128") && msg.contains("GiB") && msg.contains("smaller lattice"), "{msg}");
        assert!(GaugeChain::check_size(&Lattice::parse("8x8x8x8").unwrap(), 16 << 30).is_ok());
        // absurd sizes are estimated without overflow (2^50 padded sites, 64 PiB) and refused
        let huge = Lattice::parse("65536x65536x65536x2").unwrap();
        assert!(GaugeChain::estimate_bytes(&huge) > 1 << 55);
        assert!(GaugeChain::check_size(&huge, 1 << 40).is_err());
        assert!(SweepPlan { hits: 0, ..SweepPlan::default() }.validate().is_err());
    }
}
