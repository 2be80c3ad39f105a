//! Classical Landau-Lifshitz dynamics of the Heisenberg model and its S(k, ω).
//!
//! Equation of motion (spin-waves note A.3): `dS_i/dt = −S_i × ∂H/∂S_i = B_i × S_i` with the
//! exchange field `B_i = J Σ_{j ∈ nn(i)} S_j`. Two integrators, one driver:
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
//! Spins are stored in an internal order (sublattice A first, then B) so a half-sweep can borrow
//! one sublattice mutably and the other immutably; [`SpinDynamics::to_internal`] and
//! [`SpinDynamics::to_sites`] convert.

use crate::dynamics::correlation::{StructureFactor, Trace};
use crate::error::{require_positive, Error, Result};
use crate::lattice::Lattice;
use crate::mc::spins::{thermalize, Metropolis};
use crate::model::heisenberg::{Heisenberg, Order};
use crate::simd::{multiversion, Isa};
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Spins per parallel work item: fixed, so results never depend on the thread count.
const CHUNK: usize = 1024;

/// Fewest spins per sublattice and team member of the splitting step: smaller lattices run
/// on one thread, where a phase is too short to share.
const TEAM_MIN: usize = 1024;

/// Idle polls (busy-wait spins, about a microsecond in all) before a team member takes a ready
/// stage of another member's band: a member that is only a little behind keeps its band (and
/// its cache), one that is absent is covered at once.
const STEAL_AFTER: u32 = 256;

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

/// The classical spin dynamics of a Heisenberg model: neighbour tables and kernels.
#[derive(Clone, Debug)]
pub struct SpinDynamics {
    lattice: Lattice,
    coupling: f64,
    spin: f64,
    /// internal index → site
    order: Vec<usize>,
    /// site → internal index
    position: Vec<usize>,
    /// Number of A spins if the lattice is bipartite.
    n_a: Option<usize>,
    /// z neighbours (internal indices) per internal index.
    neighbors: Vec<u32>,
    z: usize,
    /// Row structure of the checkerboard layout (bipartite lattices of dimension >= 2).
    rows: Option<Rows>,
    /// The vector instructions of the row kernel (the widest the CPU has; every choice gives
    /// the same bits, see `crate::simd`).
    isa: Isa,
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
}

multiversion! {
    /// Rotate the spins of one row (`mine`, `h` spins of one sublattice) about their fields: the
    /// other sublattice's spins of the same row (`same`) at positions `m, m − 1` (first spin at
    /// `x = 0`) or `m + 1, m` (`x0_odd`), wrapping, then position `m` of the `K` neighbour rows, summed
    /// in the order of the neighbour table (bit-identical to [`SpinDynamics::field_from`]).
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

/// A band's spins, per sublattice: ghost plane, the band's planes, ghost plane.
type BandSpins = [Vec<[f64; 3]>; 2];

/// One band of the caller's spins: its A rows and its B rows.
type CallerItem<'a> = (&'a mut [[f64; 3]], &'a mut [[f64; 3]]);

/// One band of the splitting step's thread team: planes `first .. first + len` of the row
/// layout, stored (per sublattice) as local planes `0 ..= len + 1`, local plane `lp` holding
/// plane `first + lp − 1` (planes 0 and `len + 1` are the ghosts: the neighbouring bands' edge
/// planes). Local row `lp · per_plane + i` is row `i` of local plane `lp`.
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

/// Sets its flag if dropped while its thread unwinds from a panic.
struct AbortOnPanic<'a>(&'a AtomicBool);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// A band's edge planes of one sublattice as posted for its neighbours (its first plane, then
/// its last), behind a lock that is never contended: the stage counters order every post
/// before the takes it serves, and every take before the next post. One lock per post and per
/// neighbour taken from, and each copy a `memcpy`.
type Mailbox = Padded<Mutex<Vec<[f64; 3]>>>;

/// Lock one of the team's never-contended locks. A poisoned lock means another member
/// panicked; that panic reaches the caller (see `AbortOnPanic`), so the data is taken as is.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A value on its own cache lines (no false sharing between the team's counters and locks).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

/// An atomic counter on its own cache line.
type Counter = Padded<AtomicUsize>;

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
        let lat = model.lattice.clone();
        let n = lat.n_sites();
        if n > u32::MAX as usize {
            return Err(Error::invalid("lattice", lat.to_string(), "at most 2^32 sites"));
        }
        let bip = lat.is_bipartite();
        let mut order: Vec<usize> = (0..n).filter(|&r| !bip || lat.parity(r) == 1).collect();
        let n_a = bip.then_some(order.len());
        if bip {
            order.extend((0..n).filter(|&r| lat.parity(r) == -1));
        }
        let mut position = vec![0; n];
        for (i, &r) in order.iter().enumerate() {
            position[r] = i;
        }
        let z = lat.coordination();
        let mut neighbors = Vec::with_capacity(n * z);
        for &r in &order {
            for a in 0..lat.dim() {
                neighbors.push(position[lat.forward(r, a)] as u32);
                neighbors.push(position[lat.backward(r, a)] as u32);
            }
        }
        Ok(SpinDynamics {
            lattice: lat,
            coupling: model.coupling,
            spin: model.spin,
            order,
            position,
            n_a,
            neighbors,
            z,
            rows: Rows::new(&model.lattice),
            isa: Isa::detect(),
        })
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

    /// Spin length S.
    pub fn spin(&self) -> f64 {
        self.spin
    }
    /// Exchange J.
    pub fn coupling(&self) -> f64 {
        self.coupling
    }
    /// Coordination number z.
    pub fn coordination(&self) -> usize {
        self.z
    }
    /// Number of A spins (stored first) on a bipartite lattice; `None` otherwise.
    pub fn sublattice_a_len(&self) -> Option<usize> {
        self.n_a
    }
    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// Reorder site-indexed spins into the internal order.
    pub fn to_internal(&self, site_spins: &[[f64; 3]]) -> Vec<[f64; 3]> {
        self.order.iter().map(|&r| site_spins[r]).collect()
    }

    /// Reorder internal spins back to site order.
    pub fn to_sites(&self, spins: &[[f64; 3]]) -> Vec<[f64; 3]> {
        (0..self.lattice.n_sites()).map(|r| spins[self.position[r]]).collect()
    }

    /// Exchange field `B_i = J Σ_nn S_j` at internal index `i`.
    #[inline]
    pub fn field(&self, spins: &[[f64; 3]], i: usize) -> [f64; 3] {
        let mut b = [0.0; 3];
        for &j in &self.neighbors[i * self.z..(i + 1) * self.z] {
            let s = spins[j as usize];
            b[0] += s[0];
            b[1] += s[1];
            b[2] += s[2];
        }
        [self.coupling * b[0], self.coupling * b[1], self.coupling * b[2]]
    }

    /// Exchange field at internal index `i` when the other sublattice is given as its own slice
    /// (bipartite storage: A spins are `0..n_a`, B spins `n_a..N`).
    #[inline]
    pub fn field_from(&self, other: &[[f64; 3]], i: usize) -> [f64; 3] {
        let n_a = self.n_a.unwrap_or(0);
        let off = if i < n_a { n_a } else { 0 };
        let mut b = [0.0; 3];
        for &j in &self.neighbors[i * self.z..(i + 1) * self.z] {
            let s = other[j as usize - off];
            b[0] += s[0];
            b[1] += s[1];
            b[2] += s[2];
        }
        [self.coupling * b[0], self.coupling * b[1], self.coupling * b[2]]
    }

    /// Energy `H = J Σ_bonds S_i·S_j = ½ Σ_i S_i·B_i`, summed in fixed chunks (deterministic).
    pub fn energy(&self, spins: &[[f64; 3]]) -> f64 {
        let parts: Vec<f64> = spins
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(c, ch)| ch.iter().enumerate().map(|(k, &s)| dot(s, self.field(spins, c * CHUNK + k))).sum::<f64>())
            .collect();
        0.5 * parts.iter().sum::<f64>()
    }

    /// Largest deviation of a spin length from S.
    pub fn length_error(&self, spins: &[[f64; 3]]) -> f64 {
        spins.iter().map(|&s| (dot(s, s).sqrt() - self.spin).abs()).fold(0.0, f64::max)
    }

    /// Rotate every spin of one sublattice about its (frozen) field ([`cayley_rotate`]).
    fn half_sweep(&self, spins: &mut [[f64; 3]], sub: usize, tau: f64) {
        let na = self.n_a.expect("splitting needs a bipartite lattice");
        let (a, b) = spins.split_at_mut(na);
        let (mine, other, offset) = if sub == 0 { (a, &*b, 0) } else { (b, &*a, na) };
        mine.par_chunks_mut(CHUNK).enumerate().for_each(|(c, ch)| {
            for (k, s) in ch.iter_mut().enumerate() {
                let h = self.field_from(other, offset + c * CHUNK + k);
                *s = cayley_rotate(*s, h, tau);
            }
        });
    }

    /// Whether the first spin of row `r` of sublattice `sub` sits at `x = 1`.
    #[inline]
    fn x0_odd(rw: &Rows, r: usize, sub: usize) -> bool {
        rw.odd[r] ^ (sub == 1)
    }

    /// The splitting integrator: Strang A(dt/2) [B(dt) A(dt)]^(n−1) B(dt) A(dt/2), consecutive A
    /// half-steps fused, i.e. `2n + 1` half-sweeps ("phases"), A on even phases.
    fn evolve_splitting(&self, spins: &mut [[f64; 3]], dt: f64, n_steps: usize) {
        let phases = 2 * n_steps + 1;
        let tau = |p: usize| if p == 0 || p + 1 == phases { 0.5 * dt } else { dt };
        let Some(rw) = &self.rows else {
            // A chain: the neighbour-table kernel over rayon chunks.
            for p in 0..phases {
                self.half_sweep(spins, p % 2, tau(p));
            }
            return;
        };
        match rw.nbr.len() / rw.n {
            2 => self.evolve_rows::<2>(rw, spins, phases, &tau),
            4 => self.evolve_rows::<4>(rw, spins, phases, &tau),
            6 => self.evolve_rows::<6>(rw, spins, phases, &tau),
            k => unreachable!("{k} neighbour rows: row structure exists for 2 to 4 dimensions"),
        }
    }

    /// [`Self::evolve_splitting`] through the row structure, with `K = 2(d − 1)` neighbour rows.
    ///
    /// With more than one thread, one team of the pool's threads runs all phases (one
    /// `rayon::broadcast` per call instead of a fork-join per half-sweep). Team member `b`
    /// owns band `b`: a fixed range of planes (see [`Rows`]), stored with a ghost copy of the
    /// neighbouring bands' edge planes on either side, so a band's spins stay in its core's
    /// cache and the kernel runs over them as over the serial layout. Each phase of a band is
    /// two stages: its two edge planes first, which read the ghosts, after which it posts
    /// them to its mailboxes; then its interior, which reads only its own planes. A band's
    /// edges of phase `p` wait only for its neighbours' edges of phase `p − 1`, which they
    /// posted at the start of that phase, so the members hardly ever wait, and the only data
    /// that crosses between cores per phase are four planes copied in bulk (no neighbour row
    /// is read remotely inside the kernel, and no cache line is written by one core while
    /// the other reads it). A member with nothing of its own ready takes ready stages of
    /// other bands, so a thread that arrives late (busy, descheduled, or running another
    /// broadcast) never blocks the run: any one participating thread completes it. An extra
    /// first and last stage copy the caller's spins in and out. The bands and the mailboxes
    /// sit behind locks that are never contended, so the sharing needs no `unsafe`. Every
    /// update reads only the other sublattice, whose values are final for the phase, so the
    /// result is bit-identical for any thread count and any stage order.
    fn evolve_rows<const K: usize>(
        &self,
        rw: &Rows,
        spins: &mut [[f64; 3]],
        phases: usize,
        tau: &(dyn Fn(usize) -> f64 + Sync),
    ) {
        let (h, j, isa) = (rw.h, self.coupling, self.isa);
        let na = rw.n * h;
        let t = rayon::current_num_threads().min(rw.planes).min(na / TEAM_MIN);
        if t < 2 {
            for p in 0..phases {
                let sub = p % 2;
                let (a, b) = spins.split_at_mut(na);
                let (mine, other) = if sub == 0 { (a, &*b) } else { (b, &*a) };
                for (r, row) in mine.chunks_exact_mut(h).enumerate() {
                    let nb: [&[[f64; 3]]; K] = std::array::from_fn(|k| {
                        let o = rw.nbr[r * K + k] as usize * h;
                        &other[o..o + h]
                    });
                    rotate_row::<K>(isa, row, &other[r * h..(r + 1) * h], nb, Self::x0_odd(rw, r, sub), j, tau(p));
                }
            }
            return;
        }
        let plane = rw.per_plane * h;
        let maps: Vec<Band> = (0..t).map(|b| Band::new::<K>(rw, b * rw.planes / t, (b + 1) * rw.planes / t)).collect();
        // The caller's spins, band by band (its A rows and its B rows), for the first stage
        // (copy in) and the last (copy out).
        let user: Vec<Mutex<CallerItem>> = {
            let (mut sa, mut sb) = spins.split_at_mut(na);
            maps.iter()
                .map(|m| {
                    let (a, ra) = std::mem::take(&mut sa).split_at_mut(m.len * plane);
                    let (b, rb) = std::mem::take(&mut sb).split_at_mut(m.len * plane);
                    (sa, sb) = (ra, rb);
                    Mutex::new((a, b))
                })
                .collect()
        };
        // Per band, both sublattices: ghost plane, the band's planes, ghost plane.
        let bands: Vec<Padded<Mutex<BandSpins>>> = maps
            .iter()
            .map(|m| Padded(Mutex::new([vec![[0.0; 3]; (m.len + 2) * plane], vec![[0.0; 3]; (m.len + 2) * plane]])))
            .collect();
        // Per band and sublattice: its edge planes as posted.
        let mail: Vec<[Mailbox; 2]> =
            (0..t).map(|_| std::array::from_fn(|_| Padded(Mutex::new(vec![[0.0; 3]; 2 * plane])))).collect();
        // Per band: stages completed, and stages claimed (one more than completed while a
        // thread runs it). Each on its own cache line.
        let done: Vec<Counter> = (0..t).map(|_| Padded::default()).collect();
        let claimed: Vec<Counter> = (0..t).map(|_| Padded::default()).collect();
        // Stage 0 copies in; stage 1 + 2p runs the edges of phase p, 2 + 2p its interior; the
        // last copies out.
        let stages = 2 * phases + 2;
        // A stage that panics (a bug) would leave its band's counter behind forever: the others
        // then stop too, and `rayon::broadcast` hands the panic to the caller instead of a hang.
        let aborted = AtomicBool::new(false);
        // The bands below and above band b (the same band in a team of two).
        let neighbours = |b: usize| ((b + t - 1) % t, (b + 1) % t);
        let finished = || aborted.load(Ordering::Relaxed) || done.iter().all(|d| d.0.load(Ordering::Acquire) == stages);
        // Post band b's first and last plane of sublattice `sub` (its spins with ghosts).
        let post = |b: usize, sub: usize, spins: &[[f64; 3]]| {
            let len = maps[b].len;
            let mut mb = lock(&mail[b][sub].0);
            mb[..plane].copy_from_slice(&spins[plane..2 * plane]);
            mb[plane..].copy_from_slice(&spins[len * plane..(len + 1) * plane]);
        };
        let run_stage = |b: usize, s: usize| {
            let m = &maps[b];
            let mut guard = lock(&bands[b].0);
            let spins = &mut *guard;
            if s == 0 || s + 1 == stages {
                let mut u = lock(&user[b]);
                let (a, bb) = &mut *u;
                let inner = plane..(m.len + 1) * plane;
                if s == 0 {
                    spins[0][inner.clone()].copy_from_slice(a);
                    spins[1][inner].copy_from_slice(bb);
                    post(b, 0, &spins[0]);
                    post(b, 1, &spins[1]);
                } else {
                    a.copy_from_slice(&spins[0][inner.clone()]);
                    bb.copy_from_slice(&spins[1][inner]);
                }
                return;
            }
            let p = (s - 1) / 2;
            let sub = p % 2;
            let [sa, sb] = spins;
            let (mine, other) = if sub == 0 { (sa, sb) } else { (sb, sa) };
            if s % 2 == 1 {
                // Edges: the ghosts of the other sublattice from the neighbours' posts of the
                // previous phase, then the first and last plane, then post them.
                let len = other.len();
                // The lower neighbour's last plane and the upper one's first (one lock if they
                // are the same band, as in a team of two).
                let (lo, hi) = neighbours(b);
                let ml = lock(&mail[lo][1 - sub].0);
                other[..plane].copy_from_slice(&ml[plane..]);
                if lo == hi {
                    other[len - plane..].copy_from_slice(&ml[..plane]);
                } else {
                    drop(ml);
                    other[len - plane..].copy_from_slice(&lock(&mail[hi][1 - sub].0)[..plane]);
                }
                let last = if m.len > 1 { Some(m.len) } else { None };
                for lp in std::iter::once(1).chain(last) {
                    self.band_plane::<K>(rw, m, mine, other, lp, sub, tau(p));
                }
                post(b, sub, mine);
            } else {
                for lp in 2..m.len {
                    self.band_plane::<K>(rw, m, mine, other, lp, sub, tau(p));
                }
            }
        };
        // Claim the next stage of band `b` if it is ready: an edge stage of phase p needs the
        // neighbours' posts of phase p − 1 (for p = 0: of the copy-in). The other stages need
        // only the band's own previous stage.
        let try_claim = |b: usize| -> Option<usize> {
            let s = done[b].0.load(Ordering::Acquire);
            if s >= stages || claimed[b].0.load(Ordering::Relaxed) != s {
                return None;
            }
            if s % 2 == 1 && s + 1 < stages {
                let need = (s - 1).max(1);
                let (lo, hi) = neighbours(b);
                if done[lo].0.load(Ordering::Acquire) < need || done[hi].0.load(Ordering::Acquire) < need {
                    return None;
                }
            }
            claimed[b].0.compare_exchange(s, s + 1, Ordering::Relaxed, Ordering::Relaxed).ok()
        };
        rayon::broadcast(|ctx| {
            // Threads beyond the team's size own no band; they only help.
            let own = (ctx.index() < t).then_some(ctx.index());
            let run = |b: usize, s: usize| {
                let _abort_on_panic = AbortOnPanic(&aborted);
                run_stage(b, s);
                // The band's lock is released; its writes happen before anyone sees s + 1.
                done[b].0.store(s + 1, Ordering::Release);
            };
            let mut idle = 0u32;
            loop {
                if let Some((b, s)) = own.and_then(|b| try_claim(b).map(|s| (b, s))) {
                    run(b, s);
                    idle = 0;
                    continue;
                }
                if finished() {
                    break;
                }
                // Nothing of its own is ready: help with another band's ready stage. This is
                // also what lets a member that joins late, or never, hold up nobody.
                if idle >= STEAL_AFTER || own.is_none() {
                    let me = own.unwrap_or(0);
                    if let Some((b, s)) = (1..=t).map(|d| (me + d) % t).find_map(|b| try_claim(b).map(|s| (b, s))) {
                        run(b, s);
                        idle = 0;
                        continue;
                    }
                }
                idle += 1;
                if idle < 2048 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        });
    }

    /// Rotate the spins of local plane `lp` of a band (sublattice `sub`, stored in `mine`)
    /// about their fields from `other`, row by row.
    #[allow(clippy::too_many_arguments)]
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
                Self::x0_odd(rw, g, sub),
                self.coupling,
                tau,
            );
        }
    }

    /// One implicit-midpoint step; returns the number of fixed-point iterations.
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

    /// Advance `n_steps` steps with the given integrator (internal order).
    pub fn evolve(&self, spins: &mut [[f64; 3]], integrator: Integrator, n_steps: usize) -> Result<()> {
        if n_steps == 0 {
            return Ok(());
        }
        match integrator {
            Integrator::Splitting { dt } => {
                if self.n_a.is_none() {
                    return Err(Error::invalid(
                        "integrator",
                        "splitting",
                        "sublattice splitting needs a bipartite lattice (even extents); use implicit midpoint",
                    ));
                }
                self.evolve_splitting(spins, dt, n_steps);
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
        if self.n_a.is_some() {
            Integrator::Splitting { dt }
        } else {
            Integrator::ImplicitMidpoint { dt, tol: 1e-13 * self.spin.max(1.0) }
        }
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
    /// Sensible defaults for a model: `dt = 0.1/ω_max`, frames every ~π/(1.2 ω_max) (Nyquist above
    /// the band top), `frames` frames, where `ω_max` bounds the spin-wave band (4d|J|S).
    pub fn for_model(dynamics: &SpinDynamics, temperature: f64, seed: u64, frames: usize) -> Self {
        let wmax = 2.0 * dynamics.coordination() as f64 * dynamics.coupling().abs() * dynamics.spin();
        let dt = 0.1 / wmax;
        let stride = ((std::f64::consts::PI / (1.2 * wmax)) / dt).ceil() as usize;
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

/// The fingerprint of a run (model and parameters) that a checkpoint must match.
pub fn fingerprint(model: &Heisenberg, params: &CorrelationParams) -> String {
    format!("{}", serde_json::json!({ "model": model, "params": params }))
}

/// Sample thermal states, evolve them and accumulate S(k, ω). `observer(done, total)` is called
/// after every frame (for progress bars).
pub fn thermal_structure_factor(
    model: &Heisenberg,
    params: &CorrelationParams,
    observer: &mut dyn FnMut(usize, usize),
) -> Result<CorrelationRun> {
    thermal_structure_factor_resumable(model, params, None, observer, &mut |_| Ok(()))
}

/// [`thermal_structure_factor`] that starts from `resume` (if given) and hands a checkpoint to
/// `checkpoint` after every completed sample; an error from `checkpoint` stops the run.
pub fn thermal_structure_factor_resumable(
    model: &Heisenberg,
    params: &CorrelationParams,
    resume: Option<CorrelationCheckpoint>,
    observer: &mut dyn FnMut(usize, usize),
    checkpoint: &mut dyn FnMut(&CorrelationCheckpoint) -> Result<()>,
) -> Result<CorrelationRun> {
    require_positive("temperature", params.temperature, "the dynamics starts from a thermal state at T > 0")?;
    if params.samples == 0 || params.frames < 4 || params.stride == 0 {
        return Err(Error::invalid("sampling", format!("{params:?}"), "need samples >= 1, frames >= 4, stride >= 1"));
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
    for sample in start..params.samples {
        let mut spins = dynm.to_internal(&model.classical_ground_state());
        let mc = Metropolis {
            temperature: params.temperature,
            sweeps: params.sweeps,
            seed: params.seed ^ (sample as u64) << 32,
        };
        let rep = thermalize(&dynm, &mut spins, &mc)?;
        acc += rep.acceptance;
        if model.order() == Order::Antiferro {
            remove_net_spin(&mut spins, dynm.spin());
        }
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
            let site = dynm.to_sites(&spins);
            let mut frame = vec![0.0; 3 * n];
            for (r, s) in site.iter().enumerate() {
                frame[r] = s[0];
                frame[n + r] = s[1];
                frame[2 * n + r] = s[2];
            }
            frames.push(frame);
            observer(sample * params.frames + f + 1, total);
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
        let m = Heisenberg::antiferro(Lattice::parse("8x8").unwrap(), 0.5, 1.0).unwrap();
        let d = SpinDynamics::new(&m).unwrap();
        let mut p = CorrelationParams::for_model(&d, 0.01, 3, 16);
        p.samples = 3;
        p.sweeps = 10;
        let full = thermal_structure_factor(&m, &p, &mut |_, _| {}).unwrap();
        // Interrupt after the first sample: the checkpoint callback fails like a killed process.
        let mut saved = None;
        let r = thermal_structure_factor_resumable(&m, &p, None, &mut |_, _| {}, &mut |cp| {
            saved = Some(cp.clone());
            Err(Error::numerical("test", "interrupted", ""))
        });
        assert!(r.is_err());
        let cp = saved.unwrap();
        assert_eq!(cp.completed, 1);
        // A checkpoint survives a JSON round trip (how the CLI stores it).
        let cp: CorrelationCheckpoint = serde_json::from_str(&serde_json::to_string(&cp).unwrap()).unwrap();
        let resumed =
            thermal_structure_factor_resumable(&m, &p, Some(cp.clone()), &mut |_, _| {}, &mut |_| Ok(())).unwrap();
        for k in 0..64 {
            for j in 0..16 {
                assert_eq!(full.sf.intensity(0, k, j).to_bits(), resumed.sf.intensity(0, k, j).to_bits());
            }
        }
        assert_eq!(full.energy_drift.to_bits(), resumed.energy_drift.to_bits());
        // A checkpoint of another run is refused.
        let mut q = p.clone();
        q.seed = 4;
        assert!(thermal_structure_factor_resumable(&m, &q, Some(cp), &mut |_, _| {}, &mut |_| Ok(())).is_err());
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
            let mut reference = s0.clone();
            d.half_sweep(&mut reference, 0, 0.5 * dt);
            for s in 0..steps {
                d.half_sweep(&mut reference, 1, dt);
                d.half_sweep(&mut reference, 0, if s + 1 == steps { 0.5 * dt } else { dt });
            }
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
        assert!((d.energy(&d.to_internal(&st)) - e_model).abs() < 1e-12);
    }
}

/// A dispersion point read from a peak of S(k, ω).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Peak {
    /// Momentum index on the lattice grid.
    pub k_index: usize,
    /// |k| of the first-Brillouin-zone representative.
    pub k_abs: f64,
    /// Peak frequency.
    pub omega: f64,
}

/// Peak frequencies of S(k, ω) at the given momentum indices (channel 0), read from the spectrum
/// summed over k and −k (equal by inversion symmetry; twice the statistics). Momenta whose peak
/// lies below `min_bins` frequency bins (unresolved) are skipped.
pub fn peaks(sf: &StructureFactor, k_indices: &[usize], min_bins: f64) -> Vec<Peak> {
    let lat = sf.lattice().clone();
    k_indices
        .iter()
        .filter_map(|&k| {
            let c = lat.coords(k);
            let neg: Vec<isize> = c[..lat.dim()].iter().map(|&x| -(x as isize)).collect();
            let mk = lat.site(&neg);
            let mut spec = sf.spectrum(0, k);
            if mk != k {
                for (a, b) in spec.iter_mut().zip(sf.spectrum(0, mk)) {
                    a.1 += b.1;
                }
            }
            let w = crate::dynamics::correlation::peak_of(&spec, 0.0, sf.domega())?;
            (w >= min_bins * sf.domega()).then(|| Peak {
                k_index: k,
                k_abs: lat.momentum_of_index(k).norm_bz(),
                omega: w,
            })
        })
        .collect()
}

/// Grid momenta with `0 < |k| <= k_max` (first-zone representatives), for low-k fits.
pub fn small_momenta(lattice: &Lattice, k_max: f64) -> Vec<usize> {
    (0..lattice.n_sites())
        .filter(|&i| {
            let k = lattice.momentum_of_index(i).norm_bz();
            k > 0.0 && k <= k_max + 1e-12
        })
        .collect()
}
