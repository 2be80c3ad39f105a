//! Classical Landau-Lifshitz dynamics of the Heisenberg model and its S(k, ω).
//!
//! Equation of motion (docs/physics/spin-waves.md, section "Classical dynamics"):
//! `dS_i/dt = −S_i × ∂H/∂S_i = B_i × S_i` with the exchange field `B_i = J Σ_{j ∈ nn(i)} S_j`.
//! Two integrators behind the one verb [`SpinDynamics::evolve`] ([`crate::dynamics::Dynamics`]):
//!
//! - [`Integrator::ImplicitMidpoint`]: `S' = S + dt B(S̄) × S̄`, `S̄ = (S + S')/2`, solved by
//!   fixed-point iteration. Symplectic, preserves every |S_i| exactly, energy error O(dt²)
//!   without drift. Works on any lattice; the reference (oracle) integrator.
//! - [`Integrator::Splitting`]: on a bipartite lattice the A spins feel only B spins and vice
//!   versa, so `H` splits into two flows that are rotations about frozen fields: rotate every A spin
//!   about its field (by the Cayley transform, [`cayley_rotate`]), then the B spins. The Strang composition
//!   A(dt/2) B(dt) A(dt/2) is symplectic, time-reversible and second order; each sub-flow is a
//!   rotation about the field, which conserves `S_i · B_i`, so the energy is conserved *exactly*
//!   (to rounding) and so is every |S_i|. Each half-sweep updates independent spins, in parallel,
//!   bit-identically for any thread count. This is the fast path (Krech, Bunker, Landau,
//!   Comput. Phys. Commun. 111, 1 (1998), describe this decomposition).
//!
//! Spins are passed in site order (the lattice's own numbering). Inside, the splitting step keeps
//! each sublattice contiguous (A sites in site order, then B sites), row by row (see `Rows`), so
//! a half-sweep borrows one sublattice mutably and the other immutably and the kernel runs over
//! whole rows; with several threads the rows are shared out as bands of planes by the team of
//! [`crate::par`]. Every layout and thread count gives the same bits.

use crate::dynamics::correlation::{StructureFactor, Trace};
use crate::dynamics::{Dynamics, TimeStep};
use crate::error::{require_positive, Error, Result};
use crate::experiment::{check_stop, Observer};
use crate::lattice::Lattice;
use crate::mc::spins::{thermalize, Metropolis, MetropolisReport};
use crate::model::heisenberg::{Heisenberg, Order};
use crate::par::{self, Ghosted, Mailbox, Padded};
use crate::simd::{multiversion, Isa};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Mutex;

/// Spins per parallel work item: fixed, so results never depend on the thread count.
const CHUNK: usize = 1024;

/// Fewest spins per sublattice and team member of the splitting step: smaller lattices run
/// on one thread, where a phase is too short to share.
const TEAM_MIN: usize = 1024;

/// A time-stepping scheme.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Integrator {
    /// Implicit midpoint with fixed-point tolerance `tol` on the midpoint spins.
    ImplicitMidpoint {
        /// Time step.
        dt: f64,
        /// Fixed-point tolerance.
        tol: f64,
    },
    /// Sublattice splitting with exact rotations (bipartite lattices only).
    Splitting {
        /// Time step.
        dt: f64,
    },
}

impl Integrator {
    /// The time step.
    pub fn dt(&self) -> f64 {
        match *self {
            Integrator::ImplicitMidpoint { dt, .. } | Integrator::Splitting { dt } => dt,
        }
    }
}

impl TimeStep for Integrator {
    fn dt(&self) -> f64 {
        Integrator::dt(self)
    }
    fn name(&self) -> &'static str {
        match self {
            Integrator::Splitting { .. } => "sublattice splitting (exact rotations)",
            Integrator::ImplicitMidpoint { .. } => "implicit midpoint",
        }
    }
}

/// The classical spin dynamics of a Heisenberg model: neighbour tables, the sublattice layout of
/// the fast step, and its kernels.
pub struct SpinDynamics {
    model: Heisenberg,
    /// z neighbours per site (forward then backward along each axis: the order every field sum
    /// keeps, bit for bit).
    neighbors: Vec<u32>,
    z: usize,
    /// The two-sublattice layout of the splitting step (bipartite lattices).
    checker: Option<Checkerboard>,
    /// The vector instructions of the row kernel (the widest the CPU has; every choice gives
    /// the same bits, see `crate::simd`).
    isa: Isa,
    /// The single-thread step's sublattice-ordered copy of the spins, kept between calls.
    scratch: Mutex<Vec<[f64; 3]>>,
}

impl Clone for SpinDynamics {
    fn clone(&self) -> Self {
        SpinDynamics {
            model: self.model.clone(),
            neighbors: self.neighbors.clone(),
            z: self.z,
            checker: self.checker.clone(),
            isa: self.isa,
            scratch: Mutex::new(Vec::new()),
        }
    }
}

impl std::fmt::Debug for SpinDynamics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpinDynamics")
            .field("model", &self.model)
            .field("bipartite", &self.checker.is_some())
            .field("isa", &self.isa)
            .finish()
    }
}

/// The sublattice order of a bipartite lattice: internal index `i < n_a` is the `i`-th A site
/// (even parity) in site order, `n_a + i` the `i`-th B site.
#[derive(Clone, Debug)]
struct Checkerboard {
    /// internal index → site
    order: Vec<u32>,
    /// Number of A sites.
    n_a: usize,
    /// z neighbours per internal index, as internal indices (the chain's kernel, the reference
    /// half-sweep and the Metropolis sweep).
    neighbors: Vec<u32>,
    /// Row structure (dimension >= 2).
    rows: Option<Rows>,
}

impl Checkerboard {
    fn new(lat: &Lattice) -> Option<Checkerboard> {
        if !lat.is_bipartite() {
            return None;
        }
        let n = lat.n_sites();
        let mut order: Vec<u32> = (0..n).filter(|&r| lat.parity(r) == 1).map(|r| r as u32).collect();
        let n_a = order.len();
        order.extend((0..n).filter(|&r| lat.parity(r) == -1).map(|r| r as u32));
        let mut position = vec![0u32; n];
        for (i, &r) in order.iter().enumerate() {
            position[r as usize] = i as u32;
        }
        let mut neighbors = Vec::with_capacity(n * lat.coordination());
        for &r in &order {
            for a in 0..lat.dim() {
                neighbors.push(position[lat.forward(r as usize, a)]);
                neighbors.push(position[lat.backward(r as usize, a)]);
            }
        }
        Some(Checkerboard { order, n_a, neighbors, rows: Rows::new(lat) })
    }

    /// Site-order spins into the sublattice order.
    fn gather(&self, site: &[[f64; 3]], internal: &mut [[f64; 3]]) {
        match &self.rows {
            Some(rw) => {
                let (a, b) = internal.split_at_mut(self.n_a);
                rw.split_rows(0, site, a, b);
            }
            None => internal.iter_mut().zip(&self.order).for_each(|(s, &r)| *s = site[r as usize]),
        }
    }

    /// Sublattice-order spins back into site order.
    fn scatter(&self, internal: &[[f64; 3]], site: &mut [[f64; 3]]) {
        match &self.rows {
            Some(rw) => {
                let (a, b) = internal.split_at(self.n_a);
                rw.join_rows(0, a, b, site);
            }
            None => internal.iter().zip(&self.order).for_each(|(s, &r)| site[r as usize] = *s),
        }
    }
}

/// The checkerboard layout as rows along axis 0 (the fastest axis of the site index).
///
/// On a bipartite lattice the sites of row `R` (all other coordinates fixed, `R = r / L_0`)
/// alternate between the sublattices, so each sublattice stores row `R` as the contiguous run
/// `R h .. (R + 1) h`, `h = L_0 / 2` (A and B spins are each kept in site order). A spin at
/// position `m` of row `R` sits at `x = 2m + x_0`; its neighbours along axis 0 are positions
/// `m` and `m − 1` (if `x_0 = 0`) or `m + 1` and `m` (if `x_0 = 1`) of row `R` of the other
/// sublattice (wrapping at the ends), and its neighbours along axes `a >= 1` are position `m` of
/// rows `R ± e_a`. The splitting step uses this instead of the neighbour table: the field needs
/// only `2(d − 1)` row indices per row instead of `2d` indices per spin.
#[derive(Clone, Debug)]
struct Rows {
    /// Spins per row and sublattice, `L_0 / 2`.
    h: usize,
    /// Rows per sublattice.
    n: usize,
    /// Neighbour rows per row, `2(d − 1)` of them: forward then backward along axes 1..d (the
    /// order of the neighbour table, so the field sums in the same order, bit for bit).
    nbr: Vec<u32>,
    /// Per row: whether its first A spin sits at `x = 1` (odd sum of the other coordinates).
    odd: Vec<bool>,
    /// Rows per plane: the rows with one coordinate along the last axis (one row in 2D, `L_1`
    /// rows in 3D). The thread team splits the lattice into bands of whole planes.
    per_plane: usize,
    /// Planes, `L_{d−1}`.
    planes: usize,
}

impl Rows {
    fn new(lat: &Lattice) -> Option<Rows> {
        if !lat.is_bipartite() || lat.dim() < 2 {
            return None;
        }
        let l0 = lat.extents()[0];
        let n = lat.n_sites() / l0;
        let mut nbr = Vec::with_capacity(n * 2 * (lat.dim() - 1));
        let mut odd = Vec::with_capacity(n);
        for row in 0..n {
            let r = row * l0;
            odd.push(lat.parity(r) == -1);
            for a in 1..lat.dim() {
                nbr.push((lat.forward(r, a) / l0) as u32);
                nbr.push((lat.backward(r, a) / l0) as u32);
            }
        }
        let planes = lat.extents()[lat.dim() - 1];
        Some(Rows { h: l0 / 2, n, nbr, odd, per_plane: n / planes, planes })
    }

    /// Split whole rows of site-order spins (`site`, rows `first, first + 1, ...`) into their A
    /// runs (`a`) and B runs (`b`).
    fn split_rows(&self, first: usize, site: &[[f64; 3]], a: &mut [[f64; 3]], b: &mut [[f64; 3]]) {
        let h = self.h;
        for (r, ((row, ra), rb)) in
            site.chunks_exact(2 * h).zip(a.chunks_exact_mut(h)).zip(b.chunks_exact_mut(h)).enumerate()
        {
            let (ea, eb) = if self.odd[first + r] { (rb, ra) } else { (ra, rb) };
            for ((pair, x), y) in row.chunks_exact(2).zip(ea.iter_mut()).zip(eb.iter_mut()) {
                *x = pair[0];
                *y = pair[1];
            }
        }
    }

    /// The inverse of [`Rows::split_rows`].
    fn join_rows(&self, first: usize, a: &[[f64; 3]], b: &[[f64; 3]], site: &mut [[f64; 3]]) {
        let h = self.h;
        for (r, ((row, ra), rb)) in
            site.chunks_exact_mut(2 * h).zip(a.chunks_exact(h)).zip(b.chunks_exact(h)).enumerate()
        {
            let (ea, eb) = if self.odd[first + r] { (rb, ra) } else { (ra, rb) };
            for ((pair, x), y) in row.chunks_exact_mut(2).zip(ea).zip(eb) {
                pair[0] = *x;
                pair[1] = *y;
            }
        }
    }

    /// Whether the first spin of row `r` of sublattice `sub` sits at `x = 1`.
    #[inline]
    fn x0_odd(&self, r: usize, sub: usize) -> bool {
        self.odd[r] ^ (sub == 1)
    }
}

multiversion! {
    /// Rotate the spins of one row (`mine`, `h` spins of one sublattice) about their fields: the
    /// other sublattice's spins of the same row (`same`) at positions `m, m − 1` (first spin at
    /// `x = 0`) or `m + 1, m` (`x0_odd`), wrapping, then position `m` of the `K` neighbour rows, summed
    /// in the order of the neighbour table (bit-identical to [`SpinDynamics::field`]).
    fn rotate_row<const K: usize>(
        mine: &mut [[f64; 3]],
        same: &[[f64; 3]],
        nb: [&[[f64; 3]]; K],
        x0_odd: bool,
        j: f64,
        tau: f64,
    ) {
        let h = mine.len();
        let same = &same[..h];
        let nb = nb.map(|s| &s[..h]);
        let add = |b: &mut [f64; 3], s: [f64; 3]| {
            b[0] += s[0];
            b[1] += s[1];
            b[2] += s[2];
        };
        for m in 0..h {
            let (xp, xm) =
                if x0_odd { (if m + 1 == h { 0 } else { m + 1 }, m) } else { (m, if m == 0 { h - 1 } else { m - 1 }) };
            let mut b = [0.0; 3];
            add(&mut b, same[xp]);
            add(&mut b, same[xm]);
            for row in &nb {
                add(&mut b, row[m]);
            }
            mine[m] = cayley_rotate(mine[m], [j * b[0], j * b[1], j * b[2]], tau);
        }
    }
}

/// One band of the splitting step's thread team: planes `first .. first + len` of the row
/// layout, stored per sublattice as a [`Ghosted`] band with one ghost plane per side (local
/// plane `lp` holds plane `first + lp − 1`). Local row `lp · per_plane + i` is row `i` of local
/// plane `lp`.
#[derive(Debug)]
struct Band {
    /// The band's first plane.
    first: usize,
    /// Planes in the band (at least one).
    len: usize,
    /// Per local row of planes `1 ..= len`: its `K` neighbour rows as local rows, in the order
    /// of the neighbour table (so the field sums in the same order, bit for bit).
    nbr: Vec<u32>,
}

impl Band {
    fn new<const K: usize>(rw: &Rows, first: usize, end: usize) -> Band {
        let (len, pp, last_axis) = (end - first, rw.per_plane, K / 2);
        let mut nbr = Vec::with_capacity(len * pp * K);
        for lp in 1..=len {
            for i in 0..pp {
                let g = (first + lp - 1) * pp + i;
                for k in 0..K {
                    // Neighbour k: forward (k even) or backward along axis 1 + k/2. Along the
                    // last axis it is the next or previous local plane (a ghost at the band's
                    // edges); along the others it stays in the plane.
                    let local = if 1 + k / 2 == last_axis {
                        (if k % 2 == 0 { lp + 1 } else { lp - 1 }) * pp + i
                    } else {
                        lp * pp + rw.nbr[g * K + k] as usize % pp
                    };
                    nbr.push(local as u32);
                }
            }
        }
        Band { first, len, nbr }
    }
}

#[inline(always)]
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

#[inline(always)]
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Rotate `s` about `b` by the angle `|b| tau` (right-handed): the exact flow of `ds/dt = b × s`.
#[inline]
pub fn rotate(s: [f64; 3], b: [f64; 3], tau: f64) -> [f64; 3] {
    let bn = dot(b, b).sqrt();
    if bn == 0.0 {
        return s;
    }
    let k = [b[0] / bn, b[1] / bn, b[2] / bn];
    let (sn, cs) = (bn * tau).sin_cos();
    let kxs = cross(k, s);
    let kds = dot(k, s) * (1.0 - cs);
    [s[0] * cs + kxs[0] * sn + k[0] * kds, s[1] * cs + kxs[1] * sn + k[1] * kds, s[2] * cs + kxs[2] * sn + k[2] * kds]
}

/// Rotate `s` about `b` by the angle `2 atan(|b| tau / 2) = |b| tau + O((|b| tau)³)`: the Cayley
/// transform `(1 − W)⁻¹(1 + W) s`, `W = [b tau/2]×`, which is the implicit midpoint rule applied to
/// `ds/dt = b × s` with `b` frozen. It is an exact rotation about `b` (so `s·b` and `|s|` are kept to
/// rounding) and needs no trigonometric function: the kernel of the splitting integrator.
#[inline(always)]
pub fn cayley_rotate(s: [f64; 3], b: [f64; 3], tau: f64) -> [f64; 3] {
    let h = 0.5 * tau;
    let w = [b[0] * h, b[1] * h, b[2] * h];
    let f = 2.0 / (1.0 + dot(w, w));
    let wxs = cross(w, s);
    let wwxs = cross(w, wxs);
    [s[0] + f * (wxs[0] + wwxs[0]), s[1] + f * (wxs[1] + wwxs[1]), s[2] + f * (wxs[2] + wwxs[2])]
}

impl SpinDynamics {
    /// Neighbour tables for the model's lattice.
    pub fn new(model: &Heisenberg) -> Result<Self> {
        let lat = &model.lattice;
        let n = lat.n_sites();
        if n > u32::MAX as usize {
            return Err(Error::invalid("lattice", lat.to_string(), "at most 2^32 sites"));
        }
        let z = lat.coordination();
        let mut neighbors = Vec::with_capacity(n * z);
        for r in 0..n {
            for a in 0..lat.dim() {
                neighbors.push(lat.forward(r, a) as u32);
                neighbors.push(lat.backward(r, a) as u32);
            }
        }
        Ok(SpinDynamics {
            model: model.clone(),
            neighbors,
            z,
            checker: Checkerboard::new(lat),
            isa: Isa::detect(),
            scratch: Mutex::new(Vec::new()),
        })
    }

    /// Bytes the dynamics of `model` holds (neighbour tables, layout, one copy of the spins), for
    /// size estimates before anything is allocated.
    pub fn memory_estimate(lattice: &Lattice) -> u64 {
        let n = lattice.n_sites() as u64;
        let z = lattice.coordination() as u64;
        // site neighbours (4 B each), internal neighbours and order on bipartite lattices,
        // the scratch copy of the spins (24 B per site)
        4 * n * z + if lattice.is_bipartite() { 4 * n * z + 4 * n } else { 0 } + 24 * n
    }

    /// The vector instruction set of the splitting step's row kernel.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Run the row kernel with `isa` (capped at what the CPU supports). Results do not depend
    /// on it: this is for comparisons and tests.
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa.supported_cap();
    }

    /// The model.
    pub fn model(&self) -> &Heisenberg {
        &self.model
    }
    /// Spin length S.
    pub fn spin(&self) -> f64 {
        self.model.spin
    }
    /// Exchange J.
    pub fn coupling(&self) -> f64 {
        self.model.coupling
    }
    /// Coordination number z.
    pub fn coordination(&self) -> usize {
        self.z
    }
    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.model.lattice
    }
    /// Whether the lattice is bipartite (so [`Integrator::Splitting`] applies).
    pub fn is_bipartite(&self) -> bool {
        self.checker.is_some()
    }

    /// Number of A spins (stored first in the sublattice order) on a bipartite lattice.
    pub(crate) fn sublattice_a_len(&self) -> Option<usize> {
        self.checker.as_ref().map(|c| c.n_a)
    }

    /// Site-order spins into the sublattice order (the identity on other lattices).
    pub(crate) fn to_internal(&self, site_spins: &[[f64; 3]]) -> Vec<[f64; 3]> {
        match &self.checker {
            Some(c) => c.order.iter().map(|&r| site_spins[r as usize]).collect(),
            None => site_spins.to_vec(),
        }
    }

    /// Sublattice-order spins back to site order.
    pub(crate) fn to_sites(&self, spins: &[[f64; 3]]) -> Vec<[f64; 3]> {
        match &self.checker {
            Some(c) => {
                let mut out = vec![[0.0; 3]; spins.len()];
                c.order.iter().zip(spins).for_each(|(&r, s)| out[r as usize] = *s);
                out
            }
            None => spins.to_vec(),
        }
    }

    /// The site of internal index `i` (energy sums run in this order, bit for bit as before the
    /// public API took site order).
    #[inline]
    fn site_of(&self, i: usize) -> usize {
        match &self.checker {
            Some(c) => c.order[i] as usize,
            None => i,
        }
    }

    /// Exchange field `B_r = J Σ_nn S_j` at site `r` (spins in site order).
    #[inline]
    pub fn field(&self, spins: &[[f64; 3]], r: usize) -> [f64; 3] {
        let mut b = [0.0; 3];
        for &j in &self.neighbors[r * self.z..(r + 1) * self.z] {
            let s = spins[j as usize];
            b[0] += s[0];
            b[1] += s[1];
            b[2] += s[2];
        }
        let j = self.model.coupling;
        [j * b[0], j * b[1], j * b[2]]
    }

    /// Exchange field at internal index `i` when the other sublattice is given as its own slice
    /// (sublattice order: A spins are `0..n_a`, B spins `n_a..N`).
    #[inline]
    pub(crate) fn field_from(&self, other: &[[f64; 3]], i: usize) -> [f64; 3] {
        let c = self.checker.as_ref().expect("field_from needs the sublattice order of a bipartite lattice");
        let off = if i < c.n_a { c.n_a } else { 0 };
        let mut b = [0.0; 3];
        for &j in &c.neighbors[i * self.z..(i + 1) * self.z] {
            let s = other[j as usize - off];
            b[0] += s[0];
            b[1] += s[1];
            b[2] += s[2];
        }
        let j = self.model.coupling;
        [j * b[0], j * b[1], j * b[2]]
    }

    /// Energy `H = J Σ_bonds S_i·S_j = ½ Σ_i S_i·B_i` of site-order spins, summed in fixed chunks
    /// of the sublattice order (deterministic for any thread count).
    pub fn energy(&self, spins: &[[f64; 3]]) -> f64 {
        let n = spins.len();
        let parts: Vec<f64> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                (c * CHUNK..((c + 1) * CHUNK).min(n))
                    .map(|i| {
                        let r = self.site_of(i);
                        dot(spins[r], self.field(spins, r))
                    })
                    .sum::<f64>()
            })
            .collect();
        0.5 * parts.iter().sum::<f64>()
    }

    /// Largest deviation of a spin length from S.
    pub fn length_error(&self, spins: &[[f64; 3]]) -> f64 {
        spins.iter().map(|&s| (dot(s, s).sqrt() - self.model.spin).abs()).fold(0.0, f64::max)
    }

    /// Rotate every spin of one sublattice about its (frozen) field ([`cayley_rotate`]), with
    /// the neighbour table (spins in the sublattice order): the chain's kernel and the oracle of
    /// the row kernel.
    fn half_sweep(&self, spins: &mut [[f64; 3]], sub: usize, tau: f64) {
        let na = self.sublattice_a_len().expect("splitting needs a bipartite lattice");
        let (a, b) = spins.split_at_mut(na);
        let (mine, other, offset) = if sub == 0 { (a, &*b, 0) } else { (b, &*a, na) };
        mine.par_chunks_mut(CHUNK).enumerate().for_each(|(c, ch)| {
            for (k, s) in ch.iter_mut().enumerate() {
                let h = self.field_from(other, offset + c * CHUNK + k);
                *s = cayley_rotate(*s, h, tau);
            }
        });
    }

    /// The single-thread step's buffer (a fresh one if another call holds it).
    fn take_scratch(&self, n: usize) -> Vec<[f64; 3]> {
        let mut v = self.scratch.try_lock().map(|mut g| std::mem::take(&mut *g)).unwrap_or_default();
        v.resize(n, [0.0; 3]);
        v
    }

    fn put_scratch(&self, v: Vec<[f64; 3]>) {
        if let Ok(mut g) = self.scratch.try_lock() {
            *g = v;
        }
    }

    /// The splitting integrator: Strang A(dt/2) [B(dt) A(dt)]^(n−1) B(dt) A(dt/2), consecutive A
    /// half-steps fused, i.e. `2n + 1` half-sweeps ("phases"), A on even phases.
    fn evolve_splitting(&self, cb: &Checkerboard, spins: &mut [[f64; 3]], dt: f64, n_steps: usize) {
        let phases = 2 * n_steps + 1;
        let tau = |p: usize| if p == 0 || p + 1 == phases { 0.5 * dt } else { dt };
        let Some(rw) = &cb.rows else {
            // A chain: the neighbour-table kernel over rayon chunks, in the sublattice order.
            let mut buf = self.take_scratch(spins.len());
            cb.gather(spins, &mut buf);
            for p in 0..phases {
                self.half_sweep(&mut buf, p % 2, tau(p));
            }
            cb.scatter(&buf, spins);
            self.put_scratch(buf);
            return;
        };
        match rw.nbr.len() / rw.n {
            2 => self.evolve_rows::<2>(cb, rw, spins, phases, &tau),
            4 => self.evolve_rows::<4>(cb, rw, spins, phases, &tau),
            6 => self.evolve_rows::<6>(cb, rw, spins, phases, &tau),
            k => unreachable!("{k} neighbour rows: row structure exists for 2 to 4 dimensions"),
        }
    }

    /// [`Self::evolve_splitting`] through the row structure, with `K = 2(d − 1)` neighbour rows.
    ///
    /// With more than one thread, one [`par::ring`] team of the pool's threads runs all phases
    /// (one `rayon::broadcast` per call instead of a fork-join per half-sweep). Team member `b`
    /// owns band `b`: a fixed range of planes ([`par::band_range`]), stored per sublattice with a
    /// ghost copy of the neighbouring bands' edge planes on either side ([`Ghosted`]), so a
    /// band's spins stay in its core's cache and the kernel runs over them as over the serial
    /// layout. Each phase of a band is two stages: its two edge planes first, which read the
    /// ghosts, after which it posts them to its mailbox; then its interior, which reads only its
    /// own planes. A band's edges of phase `p` wait only for its neighbours' edges of phase
    /// `p − 1`, which they posted at the start of that phase, so the members hardly ever wait,
    /// and the only data that crosses between cores per phase are four planes copied in bulk.
    /// The two sublattices alternate, so each posted plane is taken before it is posted again.
    /// An extra first and last stage copy the caller's (site-order) spins of the band in and
    /// out. Every update reads only the other sublattice, whose values are final for the phase,
    /// so the result is bit-identical for any thread count and any stage order.
    fn evolve_rows<const K: usize>(
        &self,
        cb: &Checkerboard,
        rw: &Rows,
        spins: &mut [[f64; 3]],
        phases: usize,
        tau: &(dyn Fn(usize) -> f64 + Sync),
    ) {
        let (h, j, isa) = (rw.h, self.model.coupling, self.isa);
        let na = cb.n_a;
        let t = rayon::current_num_threads().min(rw.planes).min(na / TEAM_MIN);
        if t < 2 {
            let mut buf = self.take_scratch(spins.len());
            cb.gather(spins, &mut buf);
            for p in 0..phases {
                let sub = p % 2;
                let (a, b) = buf.split_at_mut(na);
                let (mine, other) = if sub == 0 { (a, &*b) } else { (b, &*a) };
                for (r, row) in mine.chunks_exact_mut(h).enumerate() {
                    let nb: [&[[f64; 3]]; K] = std::array::from_fn(|k| {
                        let o = rw.nbr[r * K + k] as usize * h;
                        &other[o..o + h]
                    });
                    rotate_row::<K>(isa, row, &other[r * h..(r + 1) * h], nb, rw.x0_odd(r, sub), j, tau(p));
                }
            }
            cb.scatter(&buf, spins);
            self.put_scratch(buf);
            return;
        }
        let pp = rw.per_plane;
        let plane = pp * h;
        let maps: Vec<Band> = (0..t)
            .map(|b| {
                let r = par::band_range(b, t, rw.planes);
                Band::new::<K>(rw, r.start, r.end)
            })
            .collect();
        // The caller's spins, band by band: its planes are a contiguous range of sites (the last
        // axis is the slowest), for the first stage (copy in) and the last (copy out).
        let user: Vec<Mutex<&mut [[f64; 3]]>> = {
            let mut rest = spins;
            maps.iter()
                .map(|m| {
                    let (mine, r) = std::mem::take(&mut rest).split_at_mut(m.len * 2 * plane);
                    rest = r;
                    Mutex::new(mine)
                })
                .collect()
        };
        // Per band, both sublattices: ghost plane, the band's planes, ghost plane.
        #[allow(clippy::type_complexity)]
        let bands: Vec<Padded<Mutex<[Ghosted<[f64; 3]>; 2]>>> =
            maps.iter().map(|m| Padded(Mutex::new(std::array::from_fn(|_| Ghosted::new(m.len, plane, 1))))).collect();
        // Per band and sublattice: its edge planes as posted.
        let mail: Vec<[Mailbox<[f64; 3]>; 2]> =
            (0..t).map(|_| std::array::from_fn(|_| Mailbox::new(plane, 1))).collect();
        // Stage 0 copies in; stage 1 + 2p runs the edges of phase p, 2 + 2p its interior; the
        // last copies out. An edge stage of phase p needs the neighbours' posts of phase p − 1
        // (for p = 0: of the copy-in); the other stages need only the band's own previous stage.
        let stages = 2 * phases + 2;
        let needs = |s: usize| if s % 2 == 1 && s + 1 < stages { (s - 1).max(1) } else { 0 };
        let stage = |b: usize, s: usize| {
            let m = &maps[b];
            let mut guard = par::lock(&bands[b].0);
            let [sa, sb] = &mut *guard;
            if s == 0 || s + 1 == stages {
                let mut u = par::lock(&user[b]);
                if s == 0 {
                    rw.split_rows(m.first * pp, &u, sa.interior_mut(), sb.interior_mut());
                    sa.post(&mail[b][0]);
                    sb.post(&mail[b][1]);
                } else {
                    rw.join_rows(m.first * pp, sa.interior(), sb.interior(), &mut u);
                }
                return;
            }
            let p = (s - 1) / 2;
            let sub = p % 2;
            let (mine, other) = if sub == 0 { (sa, sb) } else { (sb, sa) };
            if s % 2 == 1 {
                // Edges: the ghosts of the other sublattice from the neighbours' posts of the
                // previous phase, then the first and last plane, then post them.
                let (lo, hi) = par::ring_neighbours(b, t);
                other.take_ghosts(&mail[lo][1 - sub], &mail[hi][1 - sub]);
                let last = if m.len > 1 { Some(m.len) } else { None };
                for lp in std::iter::once(1).chain(last) {
                    self.band_plane::<K>(rw, m, &mut mine.data, &other.data, lp, sub, tau(p));
                }
                mine.post(&mail[b][sub]);
            } else {
                for lp in 2..m.len {
                    self.band_plane::<K>(rw, m, &mut mine.data, &other.data, lp, sub, tau(p));
                }
            }
        };
        par::ring(t, stages, &needs, &stage);
    }

    /// Rotate the spins of local plane `lp` of a band (sublattice `sub`, stored in `mine`)
    /// about their fields from `other`, row by row.
    fn band_plane<const K: usize>(
        &self,
        rw: &Rows,
        m: &Band,
        mine: &mut [[f64; 3]],
        other: &[[f64; 3]],
        lp: usize,
        sub: usize,
        tau: f64,
    ) {
        let (h, pp) = (rw.h, rw.per_plane);
        for i in 0..pp {
            let lr = lp * pp + i;
            let g = (m.first + lp - 1) * pp + i;
            let nbr = &m.nbr[(lr - pp) * K..(lr - pp + 1) * K];
            let nb: [&[[f64; 3]]; K] = std::array::from_fn(|k| {
                let o = nbr[k] as usize * h;
                &other[o..o + h]
            });
            let row = &mut mine[lr * h..(lr + 1) * h];
            rotate_row::<K>(
                self.isa,
                row,
                &other[lr * h..(lr + 1) * h],
                nb,
                rw.x0_odd(g, sub),
                self.model.coupling,
                tau,
            );
        }
    }

    /// One implicit-midpoint step of site-order spins; returns the number of fixed-point
    /// iterations.
    pub fn midpoint_step(
        &self,
        spins: &mut [[f64; 3]],
        dt: f64,
        tol: f64,
        scratch: &mut Vec<[f64; 3]>,
    ) -> Result<usize> {
        let n = spins.len();
        let mut bar = spins.to_vec();
        scratch.resize(n, [0.0; 3]);
        for it in 1..=200 {
            let diffs: Vec<f64> = scratch
                .par_chunks_mut(CHUNK)
                .enumerate()
                .map(|(c, ch)| {
                    let mut m: f64 = 0.0;
                    for (k, out) in ch.iter_mut().enumerate() {
                        let i = c * CHUNK + k;
                        let f = cross(self.field(&bar, i), bar[i]);
                        let s = spins[i];
                        *out = [s[0] + 0.5 * dt * f[0], s[1] + 0.5 * dt * f[1], s[2] + 0.5 * dt * f[2]];
                        m = m.max(
                            (out[0] - bar[i][0]).abs().max((out[1] - bar[i][1]).abs()).max((out[2] - bar[i][2]).abs()),
                        );
                    }
                    m
                })
                .collect();
            std::mem::swap(&mut bar, scratch);
            if diffs.iter().cloned().fold(0.0, f64::max) <= tol {
                for (s, b) in spins.iter_mut().zip(&bar) {
                    *s = [2.0 * b[0] - s[0], 2.0 * b[1] - s[1], 2.0 * b[2] - s[2]];
                }
                return Ok(it);
            }
        }
        Err(Error::numerical(
            "implicit midpoint",
            format!("no convergence in 200 iterations at dt = {dt}"),
            "reduce the time step (--dt)",
        ))
    }

    /// Advance site-order `spins` by `n_steps` steps of `integrator`.
    pub fn evolve(&self, spins: &mut [[f64; 3]], integrator: Integrator, n_steps: usize) -> Result<()> {
        let n = self.model.lattice.n_sites();
        if spins.len() != n {
            return Err(Error::invalid(
                "spins",
                format!("{} spins", spins.len()),
                format!("give one spin per site of {} ({n} sites), in site order", self.model.lattice),
            ));
        }
        require_positive("time step dt", integrator.dt(), "the step must be a positive time")?;
        if n_steps == 0 {
            return Ok(());
        }
        match integrator {
            Integrator::Splitting { dt } => {
                let Some(cb) = &self.checker else {
                    return Err(Error::invalid(
                        "integrator",
                        "splitting",
                        "sublattice splitting needs a bipartite lattice (even extents); use implicit midpoint",
                    ));
                };
                self.evolve_splitting(cb, spins, dt, n_steps);
            }
            Integrator::ImplicitMidpoint { dt, tol } => {
                let mut scratch = Vec::new();
                for _ in 0..n_steps {
                    self.midpoint_step(spins, dt, tol, &mut scratch)?;
                }
            }
        }
        Ok(())
    }

    /// The fastest applicable integrator for time step `dt`.
    pub fn default_integrator(&self, dt: f64) -> Integrator {
        if self.checker.is_some() {
            Integrator::Splitting { dt }
        } else {
            Integrator::ImplicitMidpoint { dt, tol: 1e-13 * self.model.spin.max(1.0) }
        }
    }

    /// A Metropolis state at temperature `mc.temperature` grown from the model's classical ground
    /// state, in site order, with the sampler's report.
    pub fn thermal_state(&self, mc: &Metropolis) -> Result<(Vec<[f64; 3]>, MetropolisReport)> {
        let mut s = self.to_internal(&self.model.classical_ground_state());
        let rep = thermalize(self, &mut s, mc)?;
        Ok((self.to_sites(&s), rep))
    }
}

impl Dynamics for SpinDynamics {
    type State = [[f64; 3]];
    type Integrator = Integrator;
    fn evolve(&mut self, state: &mut [[f64; 3]], integrator: Integrator, steps: usize) -> Result<()> {
        SpinDynamics::evolve(self, state, integrator, steps)
    }
    fn energy(&self, state: &[[f64; 3]]) -> f64 {
        SpinDynamics::energy(self, state)
    }
}

/// The Metropolis sampler of `mc::spins` sees the dynamics through this trait (spins in the
/// internal order), so that `mc` does not depend on `dynamics`.
impl crate::mc::spins::SpinSystem for SpinDynamics {
    fn spin(&self) -> f64 {
        SpinDynamics::spin(self)
    }
    fn coupling(&self) -> f64 {
        SpinDynamics::coupling(self)
    }
    fn coordination(&self) -> usize {
        SpinDynamics::coordination(self)
    }
    fn sublattice_a_len(&self) -> Option<usize> {
        SpinDynamics::sublattice_a_len(self)
    }
    fn field(&self, spins: &[[f64; 3]], i: usize) -> [f64; 3] {
        SpinDynamics::field(self, spins, i)
    }
    fn field_from(&self, other: &[[f64; 3]], i: usize) -> [f64; 3] {
        SpinDynamics::field_from(self, other, i)
    }
}

/// Parameters of a thermal S(k, ω) measurement.
#[derive(Clone, Debug, Serialize)]
pub struct CorrelationParams {
    /// Temperature of the initial thermal states (energy units).
    pub temperature: f64,
    /// Seed.
    pub seed: u64,
    /// Independent thermal samples.
    pub samples: usize,
    /// Metropolis sweeps per sample.
    pub sweeps: usize,
    /// Integrator (its dt is the time step).
    pub integrator: Integrator,
    /// Integration steps between recorded frames.
    pub stride: usize,
    /// Recorded frames per trajectory (the time window is `frames · stride · dt`).
    pub frames: usize,
}

impl CorrelationParams {
    /// The default time between frames, π/(1.2 ω_max) with ω_max = 2z|J|S the top of the band
    /// (Nyquist just above it), for coordination `z`, exchange `|J|` and spin `S`.
    pub fn frame_interval(z: usize, coupling: f64, spin: f64) -> f64 {
        std::f64::consts::PI / (1.2 * (2.0 * z as f64 * coupling * spin))
    }

    /// Sensible defaults for a model: `dt = 0.1/ω_max`, frames every ~π/(1.2 ω_max) (Nyquist above
    /// the band top), `frames` frames, where `ω_max` bounds the spin-wave band (4d|J|S).
    pub fn for_model(dynamics: &SpinDynamics, temperature: f64, seed: u64, frames: usize) -> Self {
        let wmax = 2.0 * dynamics.coordination() as f64 * dynamics.coupling().abs() * dynamics.spin();
        let dt = 0.1 / wmax;
        let stride = (Self::frame_interval(dynamics.coordination(), dynamics.coupling().abs(), dynamics.spin()) / dt)
            .ceil() as usize;
        CorrelationParams {
            temperature,
            seed,
            samples: 2,
            sweeps: 200,
            integrator: dynamics.default_integrator(dt),
            stride,
            frames,
        }
    }
}

/// What a thermal S(k, ω) run measured.
#[derive(Debug)]
pub struct CorrelationRun {
    /// The structure factor (one channel: Σ_α S^{αα}).
    pub sf: StructureFactor,
    /// Largest |E(t) − E(0)| over all samples and frames.
    pub energy_drift: f64,
    /// Largest | |S_i| − S | over all samples and frames.
    pub length_error: f64,
    /// Mean Metropolis acceptance.
    pub acceptance: f64,
    /// Mean energy per site of the initial states.
    pub energy_per_site: f64,
}

/// Project a state to zero total spin, keeping every |S_i| = S (three passes of
/// `S_i ← S (S_i − M/N)/|S_i − M/N|`; each pass reduces M by orders of magnitude).
///
/// Total spin is conserved by H, and in a finite antiferromagnet a thermal net moment M acts as a
/// field that Zeeman-splits the two magnon polarizations by about ±M/(Nχ⊥), a finite-size effect
/// larger than a frequency bin on the lattices used here. Starting in the M = 0 sector removes it.
pub fn remove_net_spin(spins: &mut [[f64; 3]], len: f64) {
    let n = spins.len() as f64;
    for _ in 0..3 {
        let mut m = [0.0; 3];
        for s in spins.iter() {
            m[0] += s[0];
            m[1] += s[1];
            m[2] += s[2];
        }
        for s in spins.iter_mut() {
            let v = [s[0] - m[0] / n, s[1] - m[1] / n, s[2] - m[2] / n];
            let l = dot(v, v).sqrt();
            *s = [len * v[0] / l, len * v[1] / l, len * v[2] / l];
        }
    }
}

/// Everything a thermal S(k, ω) run has accumulated after some complete samples: written after
/// every sample so that an interrupted run can resume. Samples are seeded independently
/// (`seed`, sample index), so a resumed run gives bit-identical results to an uninterrupted one.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationCheckpoint {
    /// The run's parameters, to refuse resuming a different run.
    pub fingerprint: String,
    /// Samples completed.
    pub completed: usize,
    /// The accumulator.
    pub sf: crate::dynamics::correlation::StructureFactorState,
    /// Running maxima and sums.
    pub energy_drift: f64,
    /// Largest spin-length error so far.
    pub length_error: f64,
    /// Sum of acceptances so far.
    pub acceptance_sum: f64,
    /// Sum of initial energies per site so far.
    pub energy_sum: f64,
}

impl CorrelationCheckpoint {
    /// Compact bytes for a checkpoint file: the scalars as JSON, then the accumulated sums as
    /// little-endian f64 (8 bytes per value instead of ~20 as JSON text).
    pub fn to_bytes(&self) -> Vec<u8> {
        let head = serde_json::json!({
            "fingerprint": self.fingerprint, "completed": self.completed,
            "extents": self.sf.extents, "n_components": self.sf.n_components, "n_times": self.sf.n_times,
            "dt": self.sf.dt, "channels": self.sf.channels, "samples": self.sf.samples,
            "energy_drift": self.energy_drift, "length_error": self.length_error,
            "acceptance_sum": self.acceptance_sum, "energy_sum": self.energy_sum,
        });
        let h = head.to_string().into_bytes();
        let mut out = Vec::with_capacity(8 + h.len() + 8 * self.sf.sum.len());
        out.extend_from_slice(&(h.len() as u64).to_le_bytes());
        out.extend_from_slice(&h);
        for x in &self.sf.sum {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    }

    /// The inverse of [`CorrelationCheckpoint::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let bad = |why: &str| {
            Error::invalid("checkpoint", "S(k, ω) accumulator", format!("{why}; remove the checkpoint and start again"))
        };
        let hl = b.get(..8).and_then(|x| x.try_into().ok()).map(u64::from_le_bytes).ok_or_else(|| bad("truncated"))?;
        let hl = usize::try_from(hl).map_err(|_| bad("bad header length"))?;
        let head: serde_json::Value = b
            .get(8..8usize.saturating_add(hl))
            .and_then(|h| serde_json::from_slice(h).ok())
            .ok_or_else(|| bad("unreadable header"))?;
        let body = &b[8 + hl..];
        if body.len() % 8 != 0 {
            return Err(bad("truncated sums"));
        }
        let sum: Vec<f64> = body.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
        let f = |k: &str| head.get(k).and_then(serde_json::Value::as_f64).ok_or_else(|| bad(&format!("no {k}")));
        let u = |k: &str| {
            head.get(k).and_then(serde_json::Value::as_u64).map(|x| x as usize).ok_or_else(|| bad(&format!("no {k}")))
        };
        let extents: Vec<usize> =
            serde_json::from_value(head.get("extents").cloned().unwrap_or_default()).map_err(|_| bad("no extents"))?;
        Ok(CorrelationCheckpoint {
            fingerprint: head
                .get("fingerprint")
                .and_then(|v| v.as_str())
                .ok_or_else(|| bad("no fingerprint"))?
                .to_string(),
            completed: u("completed")?,
            sf: crate::dynamics::correlation::StructureFactorState {
                extents,
                n_components: u("n_components")?,
                n_times: u("n_times")?,
                dt: f("dt")?,
                channels: u("channels")?,
                samples: u("samples")?,
                sum,
            },
            energy_drift: f("energy_drift")?,
            length_error: f("length_error")?,
            acceptance_sum: f("acceptance_sum")?,
            energy_sum: f("energy_sum")?,
        })
    }
}

/// The fingerprint of a run (model and parameters) that a checkpoint must match.
pub fn fingerprint(model: &Heisenberg, params: &CorrelationParams) -> String {
    format!("{}", serde_json::json!({ "model": model, "params": params }))
}

/// Sample thermal states, evolve them and accumulate S(k, ω), reporting to `obs` (one stage,
/// advanced after every frame).
pub fn thermal_structure_factor(
    model: &Heisenberg,
    params: &CorrelationParams,
    obs: &mut dyn Observer,
) -> Result<CorrelationRun> {
    thermal_structure_factor_resumable(model, params, None, obs, &mut |_| Ok(()))
}

/// [`thermal_structure_factor`] that starts from `resume` (if given) and hands a checkpoint to
/// `checkpoint` after every completed sample; an error from `checkpoint` stops the run. When
/// `obs` asks to stop, the sample under way is dropped and [`Error::Interrupted`] returned: what
/// `checkpoint` last received is all that was kept, and resuming from it gives the same bits as
/// a run that was never interrupted (samples are seeded by their index).
pub fn thermal_structure_factor_resumable(
    model: &Heisenberg,
    params: &CorrelationParams,
    resume: Option<CorrelationCheckpoint>,
    obs: &mut dyn Observer,
    checkpoint: &mut dyn FnMut(&CorrelationCheckpoint) -> Result<()>,
) -> Result<CorrelationRun> {
    require_positive("temperature", params.temperature, "the dynamics starts from a thermal state at T > 0")?;
    if params.samples == 0 || params.frames < 4 || params.stride == 0 {
        return Err(Error::invalid(
            "sampling",
            format!("{} samples, {} frames, a frame every {} steps", params.samples, params.frames, params.stride),
            "need at least 1 sample, 4 frames and 1 step per frame",
        ));
    }
    let dynm = SpinDynamics::new(model)?;
    let n = model.lattice.n_sites();
    let dt_frame = params.integrator.dt() * params.stride as f64;
    let mut sf = StructureFactor::new(&model.lattice, 3, params.frames, dt_frame, 1)?;
    let mut drift: f64 = 0.0;
    let mut lerr: f64 = 0.0;
    let mut acc = 0.0;
    let mut e0sum = 0.0;
    let mut start = 0;
    let fp = fingerprint(model, params);
    if let Some(cp) = resume {
        if cp.fingerprint != fp {
            return Err(Error::invalid(
                "checkpoint",
                "parameters differ",
                "the checkpoint belongs to a run with other parameters; rerun without --resume or with the same flags",
            ));
        }
        sf = StructureFactor::from_state(cp.sf)?;
        drift = cp.energy_drift;
        lerr = cp.length_error;
        acc = cp.acceptance_sum;
        e0sum = cp.energy_sum;
        start = cp.completed;
    }
    let total = params.samples * params.frames;
    obs.stage("thermal samples, Landau-Lifshitz", total as u64);
    obs.advance((start * params.frames) as u64);
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    for sample in start..params.samples {
        let mut internal = dynm.to_internal(&model.classical_ground_state());
        let mc = Metropolis {
            temperature: params.temperature,
            sweeps: params.sweeps,
            seed: params.seed ^ (sample as u64) << 32,
        };
        let rep = thermalize(&dynm, &mut internal, &mc)?;
        acc += rep.acceptance;
        if model.order() == Order::Antiferro {
            // summed in the sublattice order, as the sampler left the spins
            remove_net_spin(&mut internal, dynm.spin());
        }
        let mut spins = dynm.to_sites(&internal);
        drop(internal);
        let e0 = dynm.energy(&spins);
        e0sum += e0 / n as f64;
        let mut frames = Vec::with_capacity(params.frames);
        for f in 0..params.frames {
            if f > 0 {
                dynm.evolve(&mut spins, params.integrator, params.stride)?;
            }
            let e = dynm.energy(&spins);
            if !e.is_finite()
                || (e - e0).abs() > 1e-3 * (e0.abs() + n as f64 * dynm.spin().powi(2) * dynm.coupling().abs())
            {
                return Err(Error::numerical(
                    "spin dynamics",
                    format!("energy jumped from {e0:.6e} to {e:.6e}"),
                    "the time step is too large for these couplings: reduce --dt",
                ));
            }
            drift = drift.max((e - e0).abs());
            lerr = lerr.max(dynm.length_error(&spins));
            let mut frame = vec![0.0; 3 * n];
            for (r, s) in spins.iter().enumerate() {
                frame[r] = s[0];
                frame[n + r] = s[1];
                frame[2 * n + r] = s[2];
            }
            frames.push(frame);
            obs.advance((sample * params.frames + f + 1) as u64);
            check_stop(obs, "the S(k, ω) run", || {
                format!(
                    "{sample} of {} thermal sample{} (the one under way is dropped)",
                    params.samples,
                    plural(params.samples)
                )
            })?;
        }
        sf.add_trajectory(&frames, &Trace)?;
        checkpoint(&CorrelationCheckpoint {
            fingerprint: fp.clone(),
            completed: sample + 1,
            sf: sf.state(),
            energy_drift: drift,
            length_error: lerr,
            acceptance_sum: acc,
            energy_sum: e0sum,
        })?;
    }
    Ok(CorrelationRun {
        sf,
        energy_drift: drift,
        length_error: lerr,
        acceptance: acc / params.samples as f64,
        energy_per_site: e0sum / params.samples as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Lattice;

    #[test]
    fn rotation_is_the_exact_flow() {
        // ds/dt = b × s with b = (0,0,w): s(t) = (cos wt, sin wt, 0) from (1,0,0).
        let s = rotate([1.0, 0.0, 0.0], [0.0, 0.0, 2.0], 0.3);
        assert!((s[0] - (0.6f64).cos()).abs() < 1e-15 && (s[1] - (0.6f64).sin()).abs() < 1e-15);
    }

    #[test]
    fn cayley_is_a_rotation_by_two_atan() {
        // About z by 2 atan(|b| tau / 2): |b| = 2, tau = 0.3 -> angle 2 atan(0.3).
        let s = cayley_rotate([1.0, 0.0, 0.5], [0.0, 0.0, 2.0], 0.3);
        let ang = 2.0 * (0.3f64).atan();
        assert!((s[0] - ang.cos()).abs() < 1e-15 && (s[1] - ang.sin()).abs() < 1e-15 && (s[2] - 0.5).abs() < 1e-15);
        // and it agrees with the exact rotation to third order in the angle
        let b = [0.3, -0.2, 0.9];
        let (x, y) = (cayley_rotate([0.1, 0.7, 0.2], b, 1e-3), rotate([0.1, 0.7, 0.2], b, 1e-3));
        assert!((0..3).all(|i| (x[i] - y[i]).abs() < 1e-9));
    }

    #[test]
    fn interrupted_and_resumed_run_equals_uninterrupted_run() {
        use crate::experiment::Quiet;
        let m = Heisenberg::antiferro(Lattice::parse("8x8").unwrap(), 0.5, 1.0).unwrap();
        let d = SpinDynamics::new(&m).unwrap();
        let mut p = CorrelationParams::for_model(&d, 0.01, 3, 16);
        p.samples = 3;
        p.sweeps = 10;
        let full = thermal_structure_factor(&m, &p, &mut Quiet).unwrap();
        let same = |run: &CorrelationRun| {
            (0..64)
                .all(|k| (0..16).all(|j| full.sf.intensity(0, k, j).to_bits() == run.sf.intensity(0, k, j).to_bits()))
                && full.energy_drift.to_bits() == run.energy_drift.to_bits()
        };
        // Interrupt after the first sample: the checkpoint callback fails like a killed process.
        let mut saved = None;
        let r = thermal_structure_factor_resumable(&m, &p, None, &mut Quiet, &mut |cp| {
            saved = Some(cp.clone());
            Err(Error::numerical("test", "interrupted", ""))
        });
        assert!(r.is_err());
        let cp = saved.unwrap();
        assert_eq!(cp.completed, 1);
        // A checkpoint survives the round trip through its file bytes.
        let cp = CorrelationCheckpoint::from_bytes(&cp.to_bytes()).unwrap();
        let resumed =
            thermal_structure_factor_resumable(&m, &p, Some(cp.clone()), &mut Quiet, &mut |_| Ok(())).unwrap();
        assert!(same(&resumed));
        // A checkpoint of another run is refused.
        let mut q = p.clone();
        q.seed = 4;
        assert!(thermal_structure_factor_resumable(&m, &q, Some(cp), &mut Quiet, &mut |_| Ok(())).is_err());
        // A stop request (SIGINT) in the middle of the second sample: that sample is dropped, the
        // run says what it kept, and resuming from the last checkpoint gives the same bits.
        struct StopAt(u64, u64);
        impl Observer for StopAt {
            fn advance(&mut self, done: u64) {
                self.1 = done;
            }
            fn should_stop(&self) -> bool {
                self.1 >= self.0
            }
        }
        let mut last = None;
        let e = thermal_structure_factor_resumable(&m, &p, None, &mut StopAt(16 + 5, 0), &mut |cp| {
            last = Some(cp.clone());
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(e, Error::Interrupted { .. }), "{e}");
        assert!(e.to_string().contains("1 of 3 thermal samples"), "{e}");
        let cp = last.unwrap();
        assert_eq!(cp.completed, 1);
        let resumed = thermal_structure_factor_resumable(&m, &p, Some(cp), &mut Quiet, &mut |_| Ok(())).unwrap();
        assert!(same(&resumed));
    }

    /// The fast splitting step (row structure instead of the neighbour table; serial, or a
    /// thread team of bands) against the plain neighbour-table half-sweeps: the same field sums
    /// in the same order, so the spins must agree bit for bit, for 1, 2 and 3 threads, with
    /// every vector instruction set the machine has.
    #[test]
    fn row_kernel_and_team_equal_the_neighbour_table_bit_for_bit() {
        for (lat, steps) in
            // The serial path: 8x6, 2x4x6, 4x8x8x8, 6x16x16 and 6x2x2 (fewer than 2 TEAM_MIN
            // spins per sublattice; 6x2x2 has axes of extent 2, both neighbours the same site).
            // Teams: 64x64 (bands of 32 planes), 32x16x16 (bands of 5 and 6 planes with 3
            // threads), 8x16x16x4 (4D, bands of 2 planes: edges, no interior), 4096x4 (bands of
            // 1 plane with 3 threads: one plane is both edges), 2048x2 (two bands of 1 plane:
            // both ghosts are the other band's plane), 256x2x8 (an in-plane axis of extent 2).
            [
                ("8x6", 7),
                ("2x4x6", 5),
                ("64x64", 3),
                ("4x8x8x8", 3),
                ("6x16x16", 3),
                ("32x16x16", 2),
                ("8x16x16x4", 2),
                ("6x2x2", 4),
                ("4096x4", 2),
                ("2048x2", 3),
                ("256x2x8", 3),
            ]
        {
            let m = Heisenberg::antiferro(Lattice::parse(lat).unwrap(), 1.0, 0.7).unwrap();
            let mut d = SpinDynamics::new(&m).unwrap();
            let n = m.lattice.n_sites();
            let s0: Vec<[f64; 3]> = (0..n)
                .map(|i| {
                    let (a, b) = ((i as f64 * 0.37).sin() * 3.0, (i as f64 * 0.91).cos() * 1.5);
                    [a.cos() * b.sin(), a.sin() * b.sin(), b.cos()]
                })
                .collect();
            let dt = 0.05;
            // The oracle runs in the sublattice order; `evolve` takes and returns site order.
            let mut reference = d.to_internal(&s0);
            d.half_sweep(&mut reference, 0, 0.5 * dt);
            for s in 0..steps {
                d.half_sweep(&mut reference, 1, dt);
                d.half_sweep(&mut reference, 0, if s + 1 == steps { 0.5 * dt } else { dt });
            }
            let reference = d.to_sites(&reference);
            // Every vector instruction set the machine has (crate::simd): the same bits.
            for isa in Isa::supported() {
                d.set_isa(isa);
                for threads in [1, 2, 3] {
                    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                    let mut fast = s0.clone();
                    pool.install(|| d.evolve(&mut fast, Integrator::Splitting { dt }, steps).unwrap());
                    for (i, (x, y)) in fast.iter().zip(&reference).enumerate() {
                        for c in 0..3 {
                            assert_eq!(x[c].to_bits(), y[c].to_bits(), "{lat}, {isa}, {threads} threads, spin {i}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn oversubscribed_teams_steal_and_still_agree() {
        // More team members than cores (3 and 4 threads on the CI's 2): members are descheduled
        // mid-phase, so the others take their bands' stages, and claims race with the owners'
        // own checks. Every run must finish and equal the serial kernel bit for bit. 32x32x16
        // forms teams of up to 8 bands; 150 steps are 301 phases of racing.
        let m = Heisenberg::antiferro(Lattice::parse("32x32x16").unwrap(), 1.0, 1.0).unwrap();
        let d = SpinDynamics::new(&m).unwrap();
        let n = m.lattice.n_sites();
        let s0: Vec<[f64; 3]> =
            (0..n).map(|i| [(i as f64 * 0.3).sin() * 0.6, (i as f64 * 0.7).cos() * 0.6, 0.8]).collect();
        let serial = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let mut want = s0.clone();
        serial.install(|| d.evolve(&mut want, Integrator::Splitting { dt: 0.02 }, 150).unwrap());
        // A lost claim shows as a team that never finishes: a watchdog turns that into a failure.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for threads in [2, 3, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                for _ in 0..3 {
                    let mut got = s0.clone();
                    pool.install(|| d.evolve(&mut got, Integrator::Splitting { dt: 0.02 }, 150).unwrap());
                    let same = got.iter().zip(&want).all(|(x, y)| (0..3).all(|c| x[c].to_bits() == y[c].to_bits()));
                    tx.send((threads, same)).unwrap();
                }
            }
        });
        for _ in 0..9 {
            let (threads, same) = rx
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("a team did not finish within 60 s (a lost claim deadlocks it)");
            assert!(same, "{threads} threads: differs from the serial kernel");
        }
    }

    /// Two runs sharing one pool at the same time (as parallel tests do with the global pool):
    /// each team completes even when the other holds threads, with the same bits as alone.
    #[test]
    fn concurrent_teams_on_one_pool_complete_and_agree() {
        // 64x128: 4096 spins per sublattice, so the pool's two threads form a team.
        let m = Heisenberg::ferro(Lattice::parse("64x128").unwrap(), 1.0, 1.0).unwrap();
        let d = SpinDynamics::new(&m).unwrap();
        let s0: Vec<[f64; 3]> = (0..8192).map(|i| [(i as f64).sin() * 0.6, (i as f64).cos() * 0.6, 0.8]).collect();
        let mut alone = s0.clone();
        d.evolve(&mut alone, Integrator::Splitting { dt: 0.02 }, 50).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let results: Vec<Vec<[f64; 3]>> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..4)
                .map(|_| {
                    sc.spawn(|| {
                        let mut s = s0.clone();
                        pool.install(|| d.evolve(&mut s, Integrator::Splitting { dt: 0.02 }, 50).unwrap());
                        s
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for r in results {
            assert!(r.iter().zip(&alone).all(|(x, y)| (0..3).all(|c| x[c].to_bits() == y[c].to_bits())));
        }
    }

    #[test]
    fn internal_order_roundtrips() {
        let m = Heisenberg::antiferro(Lattice::parse("4x6").unwrap(), 0.5, 1.0).unwrap();
        let d = SpinDynamics::new(&m).unwrap();
        let s: Vec<[f64; 3]> = (0..24).map(|i| [i as f64, 0.0, 0.0]).collect();
        assert_eq!(d.to_sites(&d.to_internal(&s)), s);
        assert_eq!(d.sublattice_a_len(), Some(12));
        // energy via fields equals the bond sum of the model
        let st: Vec<[f64; 3]> =
            (0..24).map(|i| [(i as f64).sin() * 0.3, (i as f64).cos() * 0.3, 0.4_f64.sqrt().min(0.4)]).collect();
        let e_model = m.classical_energy(&st);
        assert!((d.energy(&st) - e_model).abs() < 1e-12);
    }
}
