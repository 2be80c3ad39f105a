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
use crate::lattice::Lattice;
use crate::mc::action::GaugeAction;
use crate::mc::chain::MarkovChain;
use crate::mc::checkpoint::{self, Reader};
use crate::mc::domain::{Domain, SingleProcess};
use crate::mc::field::{GaugeField, PlaquetteSums};
use crate::mc::rng::sweep_key;
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
}

impl Default for SweepPlan {
    fn default() -> Self {
        SweepPlan { overrelax: 3, hits: 4 }
    }
}

impl SweepPlan {
    /// Refuse a plan that does nothing.
    pub fn validate(&self) -> Result<()> {
        if self.hits == 0 {
            return Err(Error::invalid("hits", "0", "links with Villain plaquettes need at least one Metropolis step per sweep"));
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
    counts: UpdateCounts,
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

    /// A new chain in one process (the whole lattice); refuses a lattice too large for the
    /// memory available before allocating.
    pub fn new(action: GaugeAction, start: Start, seed: u64, plan: SweepPlan) -> Result<Self> {
        let lat = action.lattice().clone();
        check_memory(
            &format!("a gauge field on {lat}"),
            Self::estimate_bytes(&lat),
            "use a smaller lattice (64 bytes per site in 4D, plus a one-site halo)",
        )?;
        let domain = Box::new(SingleProcess::new(&lat)?);
        Self::with_domain(action, domain, start, seed, plan)
    }

    /// A new chain on a given domain (the block of the lattice this process owns).
    pub fn with_domain(action: GaugeAction, domain: Box<dyn Domain>, start: Start, seed: u64, plan: SweepPlan) -> Result<Self> {
        plan.validate()?;
        if domain.block().global() != action.lattice() {
            return Err(Error::invalid("domain", domain.block().global().to_string(), "the domain must split the action's lattice"));
        }
        let field = match start {
            Start::Hot => GaugeField::hot(domain.as_ref(), seed)?,
            Start::Cold => GaugeField::cold(domain.as_ref()),
        };
        let couplings = (0..action.dim()).map(|mu| DirCoupling::new(&action, mu)).collect();
        Ok(GaugeChain { action, domain, field, seed, start, plan, sweep: 0, counts: UpdateCounts::default(), couplings })
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
    /// Counts of the local updates so far.
    pub fn counts(&self) -> UpdateCounts {
        self.counts
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
                    self.counts = self.counts.add(c);
                    self.domain.exchange(parity, &mut arrays[2 * mu + parity])?;
                }
            }
        }
        self.sweep += 1;
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
            "payload": "sweep, 6 update counts (u64); links in canonical order (site·d + μ) as (re, im) f64 bit patterns, little endian",
        })
    }

    /// The state to save: sweep counter, update counts and every link (canonical order, exact
    /// bit patterns). One process: the whole lattice.
    pub fn checkpoint_payload(&self) -> Vec<u8> {
        let links = self.field.links();
        let mut out = Vec::with_capacity(56 + links.len() * 16);
        let c = self.counts;
        for v in [self.sweep, c.heat_bath, c.metropolis_tried, c.metropolis_accepted, c.overrelaxed, c.reflect_tried, c.reflect_accepted] {
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
    pub fn restore(action: GaugeAction, start: Start, seed: u64, plan: SweepPlan, header: &Value, payload: &[u8]) -> Result<Self> {
        checkpoint::check_header(header, &Self::header_for(&action, start, seed, plan))?;
        let mut chain = Self::new(action, Start::Cold, seed, plan)?;
        chain.start = start;
        let mut r = Reader::new(payload);
        chain.sweep = r.u64()?;
        chain.counts = UpdateCounts {
            heat_bath: r.u64()?,
            metropolis_tried: r.u64()?,
            metropolis_accepted: r.u64()?,
            overrelaxed: r.u64()?,
            reflect_tried: r.u64()?,
            reflect_accepted: r.u64()?,
        };
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
}

impl MarkovChain for GaugeChain {
    fn sweep(&mut self) -> Result<()> {
        GaugeChain::sweep(self)
    }
    fn sweeps_done(&self) -> u64 {
        self.sweep
    }
}
