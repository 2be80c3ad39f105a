//! Classical dynamics of the full compact rotor model (photon.md eq. 2.1):
//!
//! `θ̇ = ∂H/∂L = 2(J 1 + U DᵀD) L`,  `L̇ = −∂H/∂θ = −2g Cᵀ sin(C θ)`,
//!
//! with `C` the lattice curl (`Φ = Cθ`) and `D` the divergence (`Q = DL`), so
//! `DᵀD L = −grad Q`. The sine of the plaquette flux is kept: this is the nonlinear compact
//! model, not its linearization.
//!
//! Integrator: Störmer-Verlet (kick-drift-kick leapfrog). The Hamiltonian is separable and its
//! kinetic part is quadratic in L, so the scheme is explicit, symplectic and time reversible:
//! the energy error stays bounded and scales as `dt²`. Its linear stability limit is
//! `dt · ω_max < 2` with `ω_max = 4√3 √(gJ)` the top of the photon band (U does not enter:
//! the longitudinal direction does not oscillate). Beyond it the energy runs away; [`evolve`]
//! watches the energy and stops with [`Error::InvalidInput`] (the time step is the user's
//! choice) and advice.
//!
//! Gauss's law: `D Cᵀ = 0` exactly, so every kick leaves `Q = DL` unchanged up to rounding; the
//! charges are recomputed at every step (the drift needs them) and `max_r |Q_r(t) − Q_r(0)|`
//! is tracked.
//!
//! Speed and parallelism: a step is one sweep over memory. The lattice is cut into one slab of
//! z-planes per rayon thread; each thread copies the few old planes it needs from its
//! neighbours' slabs (the halo), then sweeps its slab once, running the five stages (half
//! kick, charges, drift, sin Φ, force and half kick) a few planes apart with small rolling
//! buffers, so θ, L and F are each read and written once per step. The sine is a vectorized
//! polynomial (`dynamics::sine`, within 1e-15 of `f64::sin`). Each output value is a fixed
//! expression of its inputs (halo planes are recomputed with the same expressions), and the
//! energy is summed per z-plane then over planes in order, so results are bitwise identical
//! for any number of threads.
//!
//! Fields for S(k, ω) ([`fields`]): `E = L` on links (component a = link direction) and the
//! magnetic vector `B` on plaquettes, `B_x = Φ_yz`, `B_y = −Φ_xz`, `B_z = Φ_xy` (wrapped to
//! `(−π, π]`), so that `C ≈ ∇×` at small k. Both are attached to the base site of their cell.

use crate::dynamics::correlation::{Projector, StructureFactor};
use crate::dynamics::sine;
use crate::error::{require_positive, Error, Result};
use crate::lattice::{wrap_pi, Lattice};
use crate::linalg::C64;
use crate::model::RotorModel;
use crate::simd::{multiversion, Isa};
use rayon::prelude::*;

pub mod polarization;
pub mod runner;

/// A classical configuration: angles θ and angular momenta L (the electric field E) on links,
/// indexed like [`Lattice::link`].
#[derive(Clone, Debug, PartialEq)]
pub struct RotorState {
    /// Angles θ_l.
    pub theta: Vec<f64>,
    /// Angular momenta L_l = E_l.
    pub l: Vec<f64>,
}

impl RotorState {
    /// The classical vacuum θ = 0, L = 0.
    pub fn vacuum(lattice: &Lattice) -> Self {
        RotorState { theta: vec![0.0; lattice.n_links()], l: vec![0.0; lattice.n_links()] }
    }
}

/// Index arithmetic of the cubic lattice, with cheap periodic neighbours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cubic {
    pub lx: usize,
    pub ly: usize,
    pub lz: usize,
}

impl Cubic {
    pub(crate) fn new(lattice: &Lattice) -> Result<Self> {
        if lattice.dim() != 3 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the rotor dynamics runs on the cubic lattice: give three extents, e.g. 16x16x16",
            ));
        }
        let e = lattice.extents();
        Ok(Cubic { lx: e[0], ly: e[1], lz: e[2] })
    }
    #[inline]
    fn plane(&self) -> usize {
        self.lx * self.ly
    }
    #[inline]
    fn up(x: usize, l: usize) -> usize {
        if x + 1 == l {
            0
        } else {
            x + 1
        }
    }
    #[inline]
    fn dn(x: usize, l: usize) -> usize {
        if x == 0 {
            l - 1
        } else {
            x - 1
        }
    }
}

/// Sum of `f(z)` over z-planes, computed in parallel and added in plane order (deterministic).
fn plane_sum(nz: usize, f: impl Fn(usize) -> f64 + Sync + Send) -> f64 {
    let parts: Vec<f64> = (0..nz).into_par_iter().map(f).collect();
    parts.iter().sum()
}

// Plane kernels. A z-plane of a link field is the slice `[3 (x + lx y) + a]` of length
// `3 lx ly`, of a site field `[x + lx y]`; the kernels know the in-plane periodic neighbours
// and get the neighbouring plane (below or above) as a separate slice. Every output value is
// one fixed expression of its inputs, whoever calls the kernel: this is what makes the fused
// step bitwise independent of how the lattice is cut into slabs.

// Within a row the kernels walk x with zipped iterators over 3-link cells (no index
// arithmetic, no bounds checks, no periodic wrap inside the loop); the one cell whose x
// neighbour wraps around is done separately with the same per-cell function.

/// The rows `y` and `y ± 1` of a plane, as slices of `w` values per site.
#[inline(always)]
fn row(v: &[f64], lx: usize, w: usize, y: usize) -> &[f64] {
    &v[w * lx * y..w * lx * (y + 1)]
}

/// Site charges of one plane, `Q = div L` (the z-links entering from the plane below).
/// The one place where charges are computed (initial charges, every step, the energy).
#[inline(always)]
fn charge_plane(g: &Cubic, l: &[f64], l_below: &[f64], q: &mut [f64]) {
    let lx = g.lx;
    #[inline(always)]
    fn cell(c: &[f64], xm: &[f64], ym: &[f64], b: &[f64]) -> f64 {
        c[0] + c[1] + c[2] - xm[0] - ym[1] - b[2]
    }
    for (y, qy) in q.chunks_exact_mut(lx).enumerate() {
        let (lr, lym, lb) = (row(l, lx, 3, y), row(l, lx, 3, Cubic::dn(y, g.ly)), row(l_below, lx, 3, y));
        qy[0] = cell(&lr[..3], &lr[3 * lx - 3..], &lym[..3], &lb[..3]);
        for ((((o, c), xm), ym), b) in qy[1..]
            .iter_mut()
            .zip(lr[3..].chunks_exact(3))
            .zip(lr.chunks_exact(3))
            .zip(lym[3..].chunks_exact(3))
            .zip(lb[3..].chunks_exact(3))
        {
            *o = cell(c, xm, ym, b);
        }
    }
}

/// The kick `L += h F` on one plane.
#[inline(always)]
fn kick_plane(l: &mut [f64], f: &[f64], h: f64) {
    l.iter_mut().zip(f).for_each(|(l, f)| *l += h * f);
}

/// The drift `θ += 2dt (J L − U grad Q)` on one plane: `tj = 2 J dt`, `tu = 2 U dt`, `q_up` the
/// charges of the plane above.
#[inline(always)]
fn drift_plane(g: &Cubic, th: &mut [f64], l: &[f64], q: &[f64], q_up: &[f64], tj: f64, tu: f64) {
    let lx = g.lx;
    // t, l: the cell's three links; q0, qx, qy, qz: Q at the site and its +x, +y, +z neighbours.
    #[inline(always)]
    fn cell(t: &mut [f64], l: &[f64], q0: f64, [qx, qy, qz]: [f64; 3], tj: f64, tu: f64) {
        t[0] += tj * l[0] - tu * (qx - q0);
        t[1] += tj * l[1] - tu * (qy - q0);
        t[2] += tj * l[2] - tu * (qz - q0);
    }
    for (y, ty) in th.chunks_exact_mut(3 * lx).enumerate() {
        let (lr, qr, qyp, qu) =
            (row(l, lx, 3, y), row(q, lx, 1, y), row(q, lx, 1, Cubic::up(y, g.ly)), row(q_up, lx, 1, y));
        let (ty, tlast) = ty.split_at_mut(3 * lx - 3);
        for (((((t, lc), q0), qx), qy), qz) in
            ty.chunks_exact_mut(3).zip(lr.chunks_exact(3)).zip(qr).zip(&qr[1..]).zip(qyp).zip(qu)
        {
            cell(t, lc, *q0, [*qx, *qy, *qz], tj, tu);
        }
        let x = lx - 1;
        cell(tlast, &lr[3 * x..], qr[x], [qr[0], qyp[x], qu[x]], tj, tu);
    }
}

/// The fluxes `[Φ_xy, Φ_xz, Φ_yz]` of the plaquettes based at each site of row `y` of a plane
/// into `out` (`th_up`: the angles of the plane above).
#[inline(always)]
fn flux_row(g: &Cubic, y: usize, th: &[f64], th_up: &[f64], out: &mut [f64]) {
    let lx = g.lx;
    // c: the cell's links; xp, yp, zp: the links of the cells at +x, +y, +z.
    #[inline(always)]
    fn cell(o: &mut [f64], c: &[f64], xp: &[f64], yp: &[f64], zp: &[f64]) {
        let (t0, t1, t2) = (c[0], c[1], c[2]);
        o[0] = t0 + xp[1] - yp[0] - t1;
        o[1] = t0 + xp[2] - zp[0] - t2;
        o[2] = t1 + yp[2] - zp[1] - t2;
    }
    let (tr, typ, tu) = (row(th, lx, 3, y), row(th, lx, 3, Cubic::up(y, g.ly)), row(th_up, lx, 3, y));
    let (body, last) = out.split_at_mut(3 * lx - 3);
    for ((((o, c), xp), yp), zp) in body
        .chunks_exact_mut(3)
        .zip(tr.chunks_exact(3))
        .zip(tr[3..].chunks_exact(3))
        .zip(typ.chunks_exact(3))
        .zip(tu.chunks_exact(3))
    {
        cell(o, c, xp, yp, zp);
    }
    let x = 3 * lx - 3;
    cell(last, &tr[x..], &tr[..3], &typ[x..], &tu[x..]);
}

/// `sin Φ` of the three plaquettes based at each site of one plane (`th_up`: the angles of the
/// plane above), row by row: the fluxes of a row go to `row_buf`, then one vectorized sine pass.
#[inline(always)]
fn flux_sin_plane(g: &Cubic, th: &[f64], th_up: &[f64], s: &mut [f64], row_buf: &mut [f64]) {
    for (y, sy) in s.chunks_exact_mut(3 * g.lx).enumerate() {
        flux_row(g, y, th, th_up, row_buf);
        sine::sin_into(row_buf, sy);
    }
}

/// The force `F = −2g Cᵀ sin Φ` on one plane (`s_below`: sin Φ of the plane below), with
/// `m2g = −2g`; with `l = Some(L)` also the kick `L += h F`, row by row while F is in cache.
#[inline(always)]
fn force_plane(g: &Cubic, s: &[f64], s_below: &[f64], f: &mut [f64], mut l: Option<&mut [f64]>, m2g: f64, h: f64) {
    let lx = g.lx;
    // c: sin Φ of the cell's plaquettes; xm, ym, zm: those of the cells at −x, −y, −z.
    // Link (s, a) is +1 in (s, a, b) and −1 in (s − b, a, b) for b > a;
    // −1 in (s, b, a) and +1 in (s − b, b, a) for b < a.
    #[inline(always)]
    fn cell(o: &mut [f64], c: &[f64], xm: &[f64], ym: &[f64], zm: &[f64], m2g: f64) {
        o[0] = m2g * ((c[0] - ym[0]) + (c[1] - zm[1]));
        o[1] = m2g * ((c[2] - zm[2]) + (xm[0] - c[0]));
        o[2] = m2g * ((xm[1] - c[1]) + (ym[2] - c[2]));
    }
    for (y, fy) in f.chunks_exact_mut(3 * lx).enumerate() {
        let (sr, sym, sb) = (row(s, lx, 3, y), row(s, lx, 3, Cubic::dn(y, g.ly)), row(s_below, lx, 3, y));
        let (first, body) = fy.split_at_mut(3);
        cell(first, &sr[..3], &sr[3 * lx - 3..], &sym[..3], &sb[..3], m2g);
        for ((((o, c), xm), ym), zm) in body
            .chunks_exact_mut(3)
            .zip(sr[3..].chunks_exact(3))
            .zip(sr.chunks_exact(3))
            .zip(sym[3..].chunks_exact(3))
            .zip(sb[3..].chunks_exact(3))
        {
            cell(o, c, xm, ym, zm, m2g);
        }
        if let Some(l) = l.as_deref_mut() {
            kick_plane(&mut l[3 * lx * y..3 * lx * (y + 1)], fy, h);
        }
    }
}

/// The constants of one step.
#[derive(Clone, Copy, Debug)]
struct StepCoefficients {
    /// Half step `dt/2` (the kicks).
    h: f64,
    /// `2 J dt`.
    tj: f64,
    /// `2 U dt`.
    tu: f64,
    /// `−2g`.
    m2g: f64,
}

/// One thread's share of the fused step: the z-planes `z0..z1`, copies of the old values it
/// needs from outside them (the halo), and its rolling buffers.
///
/// Dependencies of the step on plane z: the new F and L need sin Φ on z−1 and z; sin Φ on z needs
/// the new θ on z and z+1; the new θ on z needs the half-kicked L on z and the charges on z and
/// z+1; the charges on z need the half-kicked L on z−1 and z. So the slab reads old L and F on
/// planes `z0−2 ..= z1+1` and old θ on `z0−1 ..= z1`, and recomputes the intermediate values
/// on the halo planes itself (the same expressions as their owner, so the same bits).
#[derive(Clone, Debug)]
struct Slab {
    z0: usize,
    z1: usize,
    /// Old L on planes z0−2, z0−1, z1, z1+1 (then half-kicked in place).
    halo_l: Vec<f64>,
    /// Old F on the same planes.
    halo_f: Vec<f64>,
    /// Old θ on planes z0−1 and z1 (then drifted in place).
    halo_th: Vec<f64>,
    /// Charges of the last two planes (ring indexed by plane parity).
    q: Vec<f64>,
    /// sin Φ of the last two planes (ring).
    s: Vec<f64>,
    /// The fluxes of one row.
    row: Vec<f64>,
}

impl Slab {
    fn new(g: &Cubic, z0: usize, z1: usize) -> Self {
        let np = g.plane();
        Slab {
            z0,
            z1,
            halo_l: vec![0.0; 4 * 3 * np],
            halo_f: vec![0.0; 4 * 3 * np],
            halo_th: vec![0.0; 2 * 3 * np],
            q: vec![0.0; 2 * np],
            s: vec![0.0; 2 * 3 * np],
            row: vec![0.0; 3 * g.lx],
        }
    }

    /// Copy the old values of the halo planes (before anyone writes the step's results).
    fn fill_halo(&mut self, g: &Cubic, th: &[f64], l: &[f64], f: &[f64]) {
        let p3 = 3 * g.plane();
        let wrap = |a: isize| a.rem_euclid(g.lz as isize) as usize;
        let (z0, z1) = (self.z0 as isize, self.z1 as isize);
        for (j, a) in [z0 - 2, z0 - 1, z1, z1 + 1].into_iter().enumerate() {
            let z = wrap(a);
            self.halo_l[j * p3..(j + 1) * p3].copy_from_slice(&l[z * p3..(z + 1) * p3]);
            self.halo_f[j * p3..(j + 1) * p3].copy_from_slice(&f[z * p3..(z + 1) * p3]);
        }
        for (j, a) in [z0 - 1, z1].into_iter().enumerate() {
            let z = wrap(a);
            self.halo_th[j * p3..(j + 1) * p3].copy_from_slice(&th[z * p3..(z + 1) * p3]);
        }
    }
}

multiversion! {
    /// The whole step on the slab's planes in one sweep up the slab (`th`, `l`, `f`: the
    /// slab's planes of θ, L and F, updated in place; `q0`: all initial charges). Returns
    /// `max |Q − Q0|` over the slab's sites.
    ///
    /// Plane `a` of the window is numbered `u = a − z0 + 2`. At sweep position `k` the stages
    /// run on `u = k` (half kick), `k − 1` (charges), `k − 2` (drift), `k − 3` (sin Φ, then
    /// force and second kick), each reading only planes that earlier stages have finished.
    fn sweep(
        slab: &mut Slab,
        g: &Cubic,
        th: &mut [f64],
        l: &mut [f64],
        f: &mut [f64],
        q0: &[f64],
        c: StepCoefficients,
    ) -> f64 {
        let np = g.plane();
        let p3 = 3 * np;
        let n = slab.z1 - slab.z0;
        let Slab { z0, halo_l, halo_f, halo_th, q, s, row, .. } = slab;
        // Windows of plane slices: u = 0 ..= n+3 for L and F, θ index u − 1 for u = 1 ..= n+2.
        let (l_lo, l_hi) = halo_l.split_at_mut(2 * p3);
        let mut lw: Vec<&mut [f64]> = l_lo.chunks_mut(p3).chain(l.chunks_mut(p3)).chain(l_hi.chunks_mut(p3)).collect();
        let (f_lo, f_hi) = halo_f.split_at_mut(2 * p3);
        let mut fw: Vec<&mut [f64]> = f_lo.chunks_mut(p3).chain(f.chunks_mut(p3)).chain(f_hi.chunks_mut(p3)).collect();
        let (t_lo, t_hi) = halo_th.split_at_mut(p3);
        let mut tw: Vec<&mut [f64]> =
            std::iter::once(t_lo).chain(th.chunks_mut(p3)).chain(std::iter::once(t_hi)).collect();
        let (qa, qb) = q.split_at_mut(np);
        let qr: [&mut [f64]; 2] = [qa, qb];
        let (sa, sb) = s.split_at_mut(p3);
        let sr: [&mut [f64]; 2] = [sa, sb];
        let mut viol = 0.0f64;
        for k in 0..=n + 4 {
            if k <= n + 3 {
                kick_plane(lw[k], fw[k], c.h);
            }
            if k >= 2 {
                let u = k - 1;
                charge_plane(g, lw[u], lw[u - 1], qr[u % 2]);
                if (2..=n + 1).contains(&u) {
                    let z = *z0 + u - 2;
                    let q0z = &q0[z * np..(z + 1) * np];
                    viol = qr[u % 2].iter().zip(q0z).fold(viol, |m, (a, b)| m.max((a - b).abs()));
                }
            }
            if k >= 3 {
                let u = k - 2;
                drift_plane(g, tw[u - 1], lw[u], qr[u % 2], qr[(u + 1) % 2], c.tj, c.tu);
            }
            if k >= 4 {
                let u = k - 3;
                flux_sin_plane(g, tw[u - 1], tw[u], sr[u % 2], row);
                if u >= 2 {
                    force_plane(g, sr[u % 2], sr[(u - 1) % 2], fw[u], Some(lw[u]), c.m2g, c.h);
                }
            }
        }
        viol
    }
}

/// Split `v` (a link field) into the slabs' planes.
fn split_slabs<'a>(mut v: &'a mut [f64], slabs: &[Slab], p3: usize) -> Vec<&'a mut [f64]> {
    let mut parts = Vec::with_capacity(slabs.len());
    for s in slabs {
        let (a, b) = v.split_at_mut((s.z1 - s.z0) * p3);
        parts.push(a);
        v = b;
    }
    parts
}

/// The leapfrog integrator for one model, with its scratch buffers.
#[derive(Debug)]
pub struct RotorDynamics {
    model: RotorModel,
    geom: Cubic,
    dt: f64,
    /// Force `−2g Cᵀ sin(Cθ)` at the current θ.
    force: Vec<f64>,
    q0: Vec<f64>,
    /// One slab per worker thread (rebuilt when the thread count changes).
    slabs: Vec<Slab>,
    max_gauss: f64,
    steps: usize,
    /// The vector instructions the step runs with (the widest the CPU has; every choice gives
    /// the same bits).
    isa: Isa,
}

impl RotorDynamics {
    /// Prepare to integrate `state` with time step `dt` (in units of ħ/energy).
    pub fn new(model: &RotorModel, state: &RotorState, dt: f64) -> Result<Self> {
        let geom = Cubic::new(&model.lattice)?;
        require_positive("time step dt", dt, "the leapfrog step must be a positive time")?;
        let nl = model.lattice.n_links();
        if state.theta.len() != nl || state.l.len() != nl {
            return Err(Error::invalid(
                "state",
                format!("{} angles, {} momenta", state.theta.len(), state.l.len()),
                format!("the lattice {} has {nl} links", model.lattice),
            ));
        }
        if state.theta.iter().chain(&state.l).any(|x| !x.is_finite()) {
            return Err(Error::invalid("state", "non-finite values", "start from a finite configuration"));
        }
        let mut d = RotorDynamics {
            model: model.clone(),
            geom,
            dt,
            force: vec![0.0; nl],
            q0: charges(&geom, &state.l),
            slabs: Vec::new(),
            max_gauss: 0.0,
            steps: 0,
            isa: Isa::detect(),
        };
        d.compute_force(&state.theta);
        Ok(d)
    }

    /// Continue a run: `state` after `steps` steps of a run that started with charges `q0` and
    /// has seen `max_gauss` so far. The force is recomputed from θ with the same expressions the
    /// step uses, so the continuation is bitwise the uninterrupted run.
    pub fn resumed(
        model: &RotorModel,
        state: &RotorState,
        dt: f64,
        q0: Vec<f64>,
        max_gauss: f64,
        steps: usize,
    ) -> Result<Self> {
        let mut d = Self::new(model, state, dt)?;
        if q0.len() != d.q0.len() {
            return Err(Error::invalid(
                "checkpoint",
                format!("{} charges", q0.len()),
                "the checkpoint is not of this lattice",
            ));
        }
        d.q0 = q0;
        d.max_gauss = max_gauss;
        d.steps = steps;
        Ok(d)
    }

    /// The time step.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// The vector instruction set the step runs with.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Run the step with `isa` (capped at what the CPU supports). Results do not depend on it:
    /// this is for comparisons and tests.
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa.supported_cap();
    }

    /// Steps taken.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The charges Q_r at the start.
    pub fn initial_charges(&self) -> &[f64] {
        &self.q0
    }

    /// `max_r |Q_r(t) − Q_r(0)|`, maximized over every step taken so far.
    pub fn gauss_law_violation(&self) -> f64 {
        self.max_gauss
    }

    /// sin Φ, then the force `−2g Cᵀ sin Φ` into `self.force` (plane by plane, unfused: used
    /// once per run).
    fn compute_force(&mut self, th: &[f64]) {
        let g = self.geom;
        let p3 = 3 * g.plane();
        let mut s = vec![0.0; th.len()];
        s.par_chunks_mut(p3).enumerate().for_each(|(z, sz)| {
            let zp = Cubic::up(z, g.lz);
            let mut row = vec![0.0; 3 * g.lx];
            flux_sin_plane(&g, &th[z * p3..(z + 1) * p3], &th[zp * p3..(zp + 1) * p3], sz, &mut row);
        });
        let m2g = -2.0 * self.model.g;
        self.force.par_chunks_mut(p3).enumerate().for_each(|(z, fz)| {
            let zm = Cubic::dn(z, g.lz);
            force_plane(&g, &s[z * p3..(z + 1) * p3], &s[zm * p3..(zm + 1) * p3], fz, None, m2g, 0.0);
        });
    }

    /// One Störmer-Verlet step: `L += dt/2 F(θ)`, `θ += dt 2(J L − U grad Q)`, `L += dt/2 F(θ)`.
    ///
    /// Fused: each worker sweeps its slab of z-planes once, running all stages a few planes
    /// apart (see `Slab::sweep`), so θ, L and F are each read and written once per step.
    pub fn step(&mut self, state: &mut RotorState) {
        let g = self.geom;
        let ns = rayon::current_num_threads().clamp(1, g.lz);
        if self.slabs.len() != ns {
            self.slabs = (0..ns).map(|i| Slab::new(&g, i * g.lz / ns, (i + 1) * g.lz / ns)).collect();
        }
        let (th, l, f) = (&state.theta, &state.l, &self.force);
        self.slabs.par_iter_mut().for_each(|s| s.fill_halo(&g, th, l, f));
        let p3 = 3 * g.plane();
        let c = StepCoefficients {
            h: 0.5 * self.dt,
            tj: 2.0 * self.model.j * self.dt,
            tu: 2.0 * self.model.u * self.dt,
            m2g: -2.0 * self.model.g,
        };
        let th = split_slabs(&mut state.theta, &self.slabs, p3);
        let l = split_slabs(&mut state.l, &self.slabs, p3);
        let f = split_slabs(&mut self.force, &self.slabs, p3);
        let (q0, isa) = (&self.q0, self.isa);
        let viol = self
            .slabs
            .par_iter_mut()
            .zip(th)
            .zip(l)
            .zip(f)
            .map(|(((s, th), l), f)| sweep(isa, s, &g, th, l, f, q0, c))
            .reduce(|| 0.0, f64::max);
        self.max_gauss = self.max_gauss.max(viol);
        self.steps += 1;
    }

    /// The energy `U Σ Q² + J Σ L² − 2g Σ cos Φ` (deterministic parallel sum).
    pub fn energy(&self, state: &RotorState) -> f64 {
        energy(&self.model, state)
    }
}

impl crate::dynamics::Dynamics for RotorDynamics {
    type State = RotorState;
    type Integrator = crate::dynamics::Leapfrog;
    /// `steps` leapfrog steps of `integrator.dt` from `state` (any state of this lattice: the
    /// force is recomputed from its angles with the step's own expressions, so evolving the state
    /// the dynamics was built from gives bitwise what [`RotorDynamics::step`] gives).
    fn evolve(&mut self, state: &mut RotorState, integrator: crate::dynamics::Leapfrog, steps: usize) -> Result<()> {
        require_positive("time step dt", integrator.dt, "the leapfrog step must be a positive time")?;
        let nl = self.model.lattice.n_links();
        if state.theta.len() != nl || state.l.len() != nl {
            return Err(Error::invalid(
                "state",
                format!("{} angles, {} momenta", state.theta.len(), state.l.len()),
                format!("the lattice {} has {nl} links", self.model.lattice),
            ));
        }
        self.dt = integrator.dt;
        self.compute_force(&state.theta);
        for _ in 0..steps {
            self.step(state);
        }
        if state.theta.iter().chain(&state.l).any(|x| !x.is_finite()) {
            return Err(Error::numerical(
                "rotor dynamics",
                format!("the state is not finite after {steps} steps of dt = {}", integrator.dt),
                "use a smaller time step",
            ));
        }
        Ok(())
    }
    fn energy(&self, state: &RotorState) -> f64 {
        RotorDynamics::energy(self, state)
    }
}

/// All site charges `Q = div L`, plane by plane.
fn charges(g: &Cubic, l: &[f64]) -> Vec<f64> {
    let (np, p3) = (g.plane(), 3 * g.plane());
    let mut q = vec![0.0; np * g.lz];
    q.par_chunks_mut(np).enumerate().for_each(|(z, qz)| {
        let zm = Cubic::dn(z, g.lz);
        charge_plane(g, &l[z * p3..(z + 1) * p3], &l[zm * p3..(zm + 1) * p3], qz);
    });
    q
}

/// The classical energy, summed per z-plane in parallel and then in plane order
/// (equal to [`RotorModel::classical_energy`] up to summation order).
pub fn energy(model: &RotorModel, state: &RotorState) -> f64 {
    let g = match Cubic::new(&model.lattice) {
        Ok(g) => g,
        Err(_) => return model.classical_energy(&state.theta, &state.l),
    };
    let (th, l) = (&state.theta, &state.l);
    let p3 = 3 * g.plane();
    let lx = g.lx;
    plane_sum(g.lz, |z| {
        let (zm, zp) = (Cubic::dn(z, g.lz), Cubic::up(z, g.lz));
        let (lz, thz) = (&l[z * p3..(z + 1) * p3], &th[z * p3..(z + 1) * p3]);
        let mut q = vec![0.0; g.plane()];
        charge_plane(&g, lz, &l[zm * p3..(zm + 1) * p3], &mut q);
        let (mut phi, mut cos) = (vec![0.0; 3 * lx], vec![0.0; 3 * lx]);
        let mut e = 0.0;
        for y in 0..g.ly {
            flux_row(&g, y, thz, &th[zp * p3..(zp + 1) * p3], &mut phi);
            sine::cos_into(&phi, &mut cos);
            for ((qr, lc), c) in
                row(&q, lx, 1, y).iter().zip(row(lz, lx, 3, y).chunks_exact(3)).zip(cos.chunks_exact(3))
            {
                e += model.u * qr * qr + model.j * (lc[0].powi(2) + lc[1].powi(2) + lc[2].powi(2))
                    - 2.0 * model.g * (c[0] + c[1] + c[2]);
            }
        }
        e
    })
}

/// The energy of the classical vacuum, `−2g N_plaquettes`.
pub fn vacuum_energy(model: &RotorModel) -> f64 {
    -2.0 * model.g * model.lattice.n_plaquettes() as f64
}

/// Top of the photon band, `ω_max = 4√3 √(gJ)` (photon.md §2.2): sets the time step.
pub fn omega_max(model: &RotorModel) -> f64 {
    4.0 * 3f64.sqrt() * (model.g * model.j).sqrt()
}

/// The fields for S(k, ω), component-major (`[c * N + r]`): `E = L` and the magnetic vector
/// `B = (Φ_yz, −Φ_xz, Φ_xy)` with Φ wrapped to (−π, π].
pub fn fields(lattice: &Lattice, state: &RotorState) -> (Vec<f64>, Vec<f64>) {
    let n = lattice.n_sites();
    let mut e = vec![0.0; 3 * n];
    let mut b = vec![0.0; 3 * n];
    let mut phi = vec![0.0; lattice.n_plaquettes()];
    lattice.curl(&state.theta, &mut phi);
    for r in 0..n {
        for a in 0..3 {
            e[a * n + r] = state.l[3 * r + a];
        }
        b[r] = wrap_pi(phi[3 * r + 2]);
        b[n + r] = -wrap_pi(phi[3 * r + 1]);
        b[2 * n + r] = wrap_pi(phi[3 * r]);
    }
    (e, b)
}

/// Settings of a run of [`evolve`].
#[derive(Clone, Debug)]
pub struct EvolveConfig {
    /// Time step.
    pub dt: f64,
    /// Number of steps.
    pub steps: usize,
    /// Evaluate the energy every this many steps (and stop on a blow-up).
    pub monitor_every: usize,
    /// Stop when `|E(t) − E(0)|` exceeds this fraction of the excitation energy `E(0) − E_vac`.
    pub blowup_fraction: f64,
}

impl EvolveConfig {
    /// `steps` steps of size `dt`, energy checked every 10 steps, blow-up at 50 % drift.
    pub fn new(dt: f64, steps: usize) -> Self {
        EvolveConfig { dt, steps, monitor_every: 10, blowup_fraction: 0.5 }
    }
}

/// The monitors of a run: energy and Gauss's law against time.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Monitor {
    /// Times of the samples.
    pub time: Vec<f64>,
    /// Energy at those times.
    pub energy: Vec<f64>,
    /// `max_r |Q_r(t') − Q_r(0)|` over all steps up to that time.
    pub gauss_law_violation: Vec<f64>,
    /// The vacuum energy `−2g N_p` (for relative drifts).
    pub vacuum_energy: f64,
}

impl Monitor {
    /// `max_t |E(t) − E(0)| / (E(0) − E_vac)`: the drift relative to the excitation energy.
    pub fn relative_energy_drift(&self) -> f64 {
        let e0 = self.energy.first().copied().unwrap_or(0.0);
        // floor: rounding of the vacuum energy itself (a state at rest has no excitation energy)
        let scale = (e0 - self.vacuum_energy).abs().max(1e-12 * self.vacuum_energy.abs()).max(f64::MIN_POSITIVE);
        self.energy.iter().map(|e| (e - e0).abs()).fold(0.0, f64::max) / scale
    }
    /// The final Gauss-law violation.
    pub fn max_gauss_law_violation(&self) -> f64 {
        self.gauss_law_violation.last().copied().unwrap_or(0.0)
    }
}

/// The leapfrog with its monitors: one step at a time, the energy checked every
/// `config.monitor_every` steps (a run-away energy is an error with the stable range).
#[derive(Debug)]
pub(crate) struct Stepper {
    pub(crate) dynamics: RotorDynamics,
    pub(crate) monitor: Monitor,
    pub(crate) e0: f64,
    scale: f64,
    every: usize,
    dt: f64,
    steps: usize,
    blowup: f64,
}

impl Stepper {
    /// Start at `state` (step 0 is recorded in the monitor).
    pub(crate) fn new(model: &RotorModel, state: &RotorState, config: &EvolveConfig) -> Result<Self> {
        let dynamics = RotorDynamics::new(model, state, config.dt)?;
        let mut monitor = Monitor { vacuum_energy: vacuum_energy(model), ..Default::default() };
        let e0 = dynamics.energy(state);
        monitor.time.push(0.0);
        monitor.energy.push(e0);
        monitor.gauss_law_violation.push(0.0);
        Ok(Self::with(dynamics, monitor, e0, model, config))
    }

    /// Continue with a run's dynamics and monitors.
    pub(crate) fn with(
        dynamics: RotorDynamics,
        monitor: Monitor,
        e0: f64,
        model: &RotorModel,
        config: &EvolveConfig,
    ) -> Self {
        let scale = (e0 - monitor.vacuum_energy).abs().max(1e-12 * model.g * model.lattice.n_plaquettes() as f64);
        Stepper {
            dynamics,
            monitor,
            e0,
            scale,
            every: config.monitor_every.max(1),
            dt: config.dt,
            steps: config.steps,
            blowup: config.blowup_fraction,
        }
    }

    /// One step; the monitors at every `every`-th step and at the last one.
    pub(crate) fn step(&mut self, state: &mut RotorState) -> Result<()> {
        self.dynamics.step(state);
        let s = self.dynamics.steps();
        if s % self.every == 0 || s == self.steps {
            let e = self.dynamics.energy(state);
            self.monitor.time.push(s as f64 * self.dt);
            self.monitor.energy.push(e);
            self.monitor.gauss_law_violation.push(self.dynamics.gauss_law_violation());
            if !e.is_finite() || (e - self.e0).abs() > self.blowup * self.scale {
                let wmax = omega_max(&self.dynamics.model);
                return Err(Error::invalid(
                    "time step dt",
                    format!("{}", self.dt),
                    format!(
                        "the energy ran away at t = {:.3} (E changed by {:.3e}, {:.0}% of the excitation energy): \
                         the leapfrog step is unstable. Its linear limit is dt < 2/ω_max = {:.4} (ω_max = 4√3√(gJ) = {:.4}); \
                         use dt ≤ {:.4} (dt·ω_max = 0.25) or smaller",
                        s as f64 * self.dt,
                        e - self.e0,
                        100.0 * (e - self.e0).abs() / self.scale,
                        2.0 / wmax,
                        wmax,
                        0.25 / wmax
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Evolve `state` for `config.steps` leapfrog steps. `observer(step, state)` is called at step 0
/// and after every step (the caller records frames). Returns the monitors; on an energy
/// blow-up returns [`Error::InvalidInput`] for the time step, with the stable range.
pub fn evolve(
    model: &RotorModel,
    state: &mut RotorState,
    config: &EvolveConfig,
    mut observer: impl FnMut(usize, &RotorState) -> Result<()>,
) -> Result<Monitor> {
    let mut st = Stepper::new(model, state, config)?;
    observer(0, state)?;
    for s in 1..=config.steps {
        st.step(state)?;
        observer(s, state)?;
    }
    Ok(st.monitor)
}

/// Splits a vector field at each `(k, ω)` into its transverse part (channel 0) and its
/// longitudinal part (channel 1) with respect to the lattice divergence of the field.
///
/// For the electric field, `Q(k) = Σ_a d_a(k) E_a(k)` defines `d`; the longitudinal intensity
/// is `|d·E|²/|d|²` (the charge density's share) and the transverse one the rest. For the
/// magnetic field `d` comes from the divergence over cubes, so its longitudinal part counts
/// monopoles (zero in the linear regime). At `k = 0` everything is transverse.
#[derive(Clone, Debug)]
pub struct TransverseLongitudinal {
    d: Vec<[C64; 3]>,
}

impl TransverseLongitudinal {
    /// The projector for `E = L` (link field): `d` Bloch-summed from the divergence stencil.
    pub fn electric(lattice: &Lattice) -> Result<Self> {
        // FFT convention A_k = Σ_r e^{+ikr} A_r picks the Bloch component at −k.
        let d = lattice
            .momentum_grid()
            .iter()
            .map(|k| {
                let mk: Vec<f64> = k.components().iter().map(|x| -x).collect();
                crate::modes::photon::Incidence::at(lattice, &mk).map(|i| i.div)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(TransverseLongitudinal { d })
    }

    /// The projector for `B` as returned by [`fields`]: `d` from the lattice's cube boundaries.
    pub fn magnetic(lattice: &Lattice) -> Result<Self> {
        Cubic::new(lattice)?;
        // cube at the origin: (plaquette, sign) → (site, plane) → B component with its sign.
        let faces = lattice.cube_plaquettes(0);
        let comp = |plane: usize| -> (usize, f64) {
            match plane {
                0 => (2, 1.0),  // xy → B_z
                1 => (1, -1.0), // xz → −B_y
                _ => (0, 1.0),  // yz → B_x
            }
        };
        let d = lattice
            .momentum_grid()
            .iter()
            .map(|k| {
                let mut v = [C64::new(0.0, 0.0); 3];
                for (p, s) in faces {
                    let (r, plane) = (p / 3, p % 3);
                    let co = lattice.coords(r);
                    let kd: f64 = (0..3).map(|a| k.components()[a] * co[a] as f64).sum();
                    let (cc, sg) = comp(plane);
                    // Σ_r e^{ikr} B(r + δ) = e^{−ik·δ} B(k)
                    v[cc] += C64::from_polar(1.0, -kd) * (f64::from(s) * sg);
                }
                v
            })
            .collect();
        Ok(TransverseLongitudinal { d })
    }

    /// The divergence vector at momentum index `k`.
    pub fn divergence_vector(&self, k: usize) -> [C64; 3] {
        self.d[k]
    }
}

impl Projector for TransverseLongitudinal {
    fn channels(&self) -> usize {
        2
    }
    fn project(&self, k: usize, c: &[C64], out: &mut [f64]) {
        let d = &self.d[k];
        let total: f64 = c.iter().map(|x| x.norm_sqr()).sum();
        let dn: f64 = d.iter().map(|x| x.norm_sqr()).sum();
        let long = if dn > 1e-24 { (0..3).map(|a| d[a] * c[a]).sum::<C64>().norm_sqr() / dn } else { 0.0 };
        out[0] = (total - long).max(0.0);
        out[1] = long;
    }
}

/// Relative residuals of the linearized discrete Maxwell equations over one step from `a` to
/// `b = step(a)`:
/// `dE/dt = −2g Cᵀ Φ` and `dΦ/dt = 2J C E` (docs/physics/photon.md §5), with the time derivatives
/// as differences over the step and the right-hand sides averaged over its ends.
/// Returns `(‖ΔE/dt − rhs_E‖ / ‖rhs_E‖, ‖ΔΦ/dt − rhs_B‖ / ‖rhs_B‖)`.
pub fn maxwell_residuals(model: &RotorModel, a: &RotorState, b: &RotorState, dt: f64) -> (f64, f64) {
    let lat = &model.lattice;
    let (nl, np) = (lat.n_links(), lat.n_plaquettes());
    let mut pa = vec![0.0; np];
    let mut pb = vec![0.0; np];
    lat.curl(&a.theta, &mut pa);
    lat.curl(&b.theta, &mut pb);
    let pa: Vec<f64> = pa.into_iter().map(wrap_pi).collect();
    let pb: Vec<f64> = pb.into_iter().map(wrap_pi).collect();
    // dE/dt vs −2g Cᵀ (Φa + Φb)/2
    let pm: Vec<f64> = pa.iter().zip(&pb).map(|(x, y)| 0.5 * (x + y)).collect();
    let mut ct = vec![0.0; nl];
    lat.curl_t(&pm, &mut ct);
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..nl {
        let lhs = (b.l[i] - a.l[i]) / dt;
        let rhs = -2.0 * model.g * ct[i];
        num += (lhs - rhs).powi(2);
        den += rhs * rhs;
    }
    let re = (num / den.max(f64::MIN_POSITIVE)).sqrt();
    // dΦ/dt vs 2J C (La + Lb)/2
    let lm: Vec<f64> = a.l.iter().zip(&b.l).map(|(x, y)| 0.5 * (x + y)).collect();
    let mut cl = vec![0.0; np];
    lat.curl(&lm, &mut cl);
    let (mut num, mut den) = (0.0, 0.0);
    for p in 0..np {
        let lhs = wrap_pi(pb[p] - pa[p]) / dt;
        let rhs = 2.0 * model.j * cl[p];
        num += (lhs - rhs).powi(2);
        den += rhs * rhs;
    }
    (re, (num / den.max(f64::MIN_POSITIVE)).sqrt())
}

/// The outcome of [`photon_spectrum`]: monitors, S(k, ω) of E and B split into transverse
/// (channel 0) and longitudinal (channel 1) parts, and the Maxwell residuals.
#[derive(Debug)]
pub struct SpectrumRun {
    /// Energy and Gauss-law monitors.
    pub monitor: Monitor,
    /// S(k, ω) of the electric field `E = L`.
    pub electric: StructureFactor,
    /// S(k, ω) of the magnetic field `B` (see [`fields`]).
    pub magnetic: StructureFactor,
    /// S(k, ω) of `E` by helicity: +1, −1, 0 ([`polarization::HelicityProjector`]).
    pub electric_helicity: StructureFactor,
    /// Largest relative residuals of the linear Maxwell equations over the sampled steps,
    /// `(dE/dt, dB/dt)` (see [`maxwell_residuals`]).
    pub maxwell_residual: (f64, f64),
    /// The state at t = 0.
    pub initial: RotorState,
    /// The state at the end.
    pub last: RotorState,
    /// `E = L` averaged over the recorded frames (link field): the static part, e.g. the
    /// Coulomb field of static charges, with the waves averaged out.
    pub mean_e: Vec<f64>,
}

/// Evolve `state` and accumulate S(k, ω) from frames every `frame_every` steps (the number of
/// frames is `config.steps / frame_every`). Refuses runs whose frames would not fit in memory.
pub fn photon_spectrum(
    model: &RotorModel,
    state: RotorState,
    config: &EvolveConfig,
    frame_every: usize,
) -> Result<SpectrumRun> {
    photon_spectrum_observed(model, state, config, frame_every, |_| Ok(()))
}

/// [`photon_spectrum`] with `on_step(step)` called after every step (progress reporting); an
/// error from it (an interrupt) stops the run and is returned. [`runner::SpectrumRunner`] is the
/// same run as an object that can be saved and resumed.
pub fn photon_spectrum_observed(
    model: &RotorModel,
    state: RotorState,
    config: &EvolveConfig,
    frame_every: usize,
    on_step: impl FnMut(usize) -> Result<()>,
) -> Result<SpectrumRun> {
    let mut r = runner::SpectrumRunner::new(model, state, config, frame_every)?;
    r.advance(config.steps, on_step)?;
    r.finish()
}

pub use crate::spectra::Peak;

/// The peaks of channel `channel` of `sf` at every non-zero grid momentum with `|K|² ≤ max_k2`,
/// located with [`crate::spectra::PeakFinder::Tone`] (linear photons are pure tones).
pub fn peaks(sf: &StructureFactor, channel: usize, max_k2: f64) -> Vec<Peak> {
    use crate::spectra::{momenta, PeakFinder, PeakSearch};
    let ks = momenta(sf.lattice(), |k| {
        let k2 = k.lattice_k2();
        (1e-12..=max_k2).contains(&k2)
    });
    crate::spectra::peaks(sf, &ks, &PeakSearch { channel, search_above: 0.5, ..PeakSearch::new(PeakFinder::Tone) })
}

/// The frequency of the strongest peak of channel `channel` at momentum index `k` (ω > Δω/2),
/// located with [`crate::spectra::PeakFinder::Tone`]. `None` without an interior maximum.
pub fn tone_frequency(sf: &StructureFactor, channel: usize, k: usize) -> Option<f64> {
    let dw = sf.domega();
    crate::spectra::PeakFinder::Tone.locate(&sf.spectrum(channel, k), 0.5 * dw, dw)
}

/// Least-squares speed through the origin, `c = Σ ω|K| / Σ |K|²`.
pub fn fit_speed(peaks: &[Peak]) -> Option<f64> {
    let num: f64 = peaks.iter().map(|p| p.omega * p.lattice_k).sum();
    let den: f64 = peaks.iter().map(|p| p.lattice_k * p.lattice_k).sum();
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random_state(lat: &Lattice, seed: u64, amp: f64) -> RotorState {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let n = lat.n_links();
        RotorState {
            theta: (0..n).map(|_| rng.random_range(-amp..amp)).collect(),
            l: (0..n).map(|_| rng.random_range(-amp..amp)).collect(),
        }
    }

    /// Through the one `Dynamics` trait: the same bits as stepping by hand, and the energy
    /// conserved to the scheme's order (random state of amplitude 0.3, dt = 0.02, 50 steps: the
    /// leapfrog's bounded O(dt²) oscillation, ~1e-4 relative here; tolerance 1e-3).
    #[test]
    fn the_dynamics_trait_evolves_like_the_step() {
        use crate::dynamics::{Dynamics, Leapfrog};
        let lat = Lattice::parse("4x3x5").unwrap();
        let m = RotorModel::new_3d(lat.clone(), 1.0, 2.0, 0.5).unwrap();
        let s0 = random_state(&lat, 9, 0.3);
        let (mut a, mut b) = (s0.clone(), s0.clone());
        let mut by_hand = RotorDynamics::new(&m, &s0, 0.02).unwrap();
        for _ in 0..50 {
            by_hand.step(&mut a);
        }
        let mut d = RotorDynamics::new(&m, &s0, 0.5).unwrap();
        d.evolve(&mut b, Leapfrog { dt: 0.02 }, 50).unwrap();
        assert_eq!(a, b);
        let (e0, e1) = (Dynamics::energy(&d, &s0), Dynamics::energy(&d, &b));
        assert!(((e1 - e0) / e0).abs() < 1e-3, "{e0} -> {e1}");
        assert!(d.evolve(&mut b, Leapfrog { dt: 0.0 }, 1).is_err());
        let mut short = RotorState { theta: vec![0.0; 3], l: vec![0.0; 3] };
        assert!(d.evolve(&mut short, Leapfrog { dt: 0.02 }, 1).is_err());
    }

    #[test]
    fn force_matches_the_lattice_curl_transpose_oracle() {
        // Oracle: −2g Cᵀ sin(Cθ) from Lattice::curl / curl_t (the generic incidence code).
        let lat = Lattice::parse("3x4x5").unwrap();
        let m = RotorModel::new_3d(lat.clone(), 2.0, 1.3, 0.4).unwrap();
        let s = random_state(&lat, 5, 3.0);
        let d = RotorDynamics::new(&m, &s, 0.1).unwrap();
        let mut phi = vec![0.0; lat.n_plaquettes()];
        lat.curl(&s.theta, &mut phi);
        let sp: Vec<f64> = phi.iter().map(|p| p.sin()).collect();
        let mut f = vec![0.0; lat.n_links()];
        lat.curl_t(&sp, &mut f);
        for (a, b) in d.force.iter().zip(&f) {
            assert!((a - (-2.0 * 1.3 * b)).abs() < 1e-12);
        }
        let e_fast = energy(&m, &s);
        let e_ref = m.classical_energy(&s.theta, &s.l);
        assert!((e_fast - e_ref).abs() < 1e-10 * e_ref.abs());
    }

    /// The unfused step written with the generic lattice operators and `f64::sin`:
    /// `L += dt/2 F(θ)`, `Q = div L`, `θ += 2dt (J L − U grad Q)`, `L += dt/2 F(θ)`,
    /// `F = −2g Cᵀ sin(Cθ)`. Returns `max |Q − Q0|`.
    fn oracle_step(m: &RotorModel, s: &mut RotorState, dt: f64, q0: &[f64]) -> f64 {
        let lat = &m.lattice;
        let force = |th: &[f64]| {
            let mut phi = vec![0.0; lat.n_plaquettes()];
            lat.curl(th, &mut phi);
            let sp: Vec<f64> = phi.iter().map(|p| p.sin()).collect();
            let mut f = vec![0.0; lat.n_links()];
            lat.curl_t(&sp, &mut f);
            f.iter().map(|x| -2.0 * m.g * x).collect::<Vec<f64>>()
        };
        let f = force(&s.theta);
        s.l.iter_mut().zip(&f).for_each(|(l, f)| *l += 0.5 * dt * f);
        let mut q = vec![0.0; lat.n_sites()];
        lat.div(&s.l, &mut q);
        let mut gq = vec![0.0; lat.n_links()];
        lat.grad(&q, &mut gq);
        for i in 0..lat.n_links() {
            s.theta[i] += 2.0 * dt * (m.j * s.l[i] - m.u * gq[i]);
        }
        let f = force(&s.theta);
        s.l.iter_mut().zip(&f).for_each(|(l, f)| *l += 0.5 * dt * f);
        q.iter().zip(q0).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn fused_step_matches_the_unfused_oracle_for_any_slab_count() {
        // Oracle: `oracle_step`. The fused step differs from it only by rounding: the fast
        // sine (≤ 1e-15 absolute, sine.rs) and the order of the four terms of Cᵀ. With |F| ≤ 8g
        // and 30 steps of dt = 0.02 these differences stay below ~1e-13; tolerance 1e-11.
        // Extents 3x4x5, 4x3x2 (fewer planes than threads) and 2x2x7 (the shortest rows) with
        // 1, 2 and 3 threads: slabs of 1 to 7 planes, halo planes that wrap around and alias
        // the slab's own planes.
        for ext in ["3x4x5", "4x3x2", "2x2x7"] {
            let lat = Lattice::parse(ext).unwrap();
            let m = RotorModel::new_3d(lat.clone(), 2.0, 1.3, 0.4).unwrap();
            let s0 = random_state(&lat, 21, 3.0);
            let dt = 0.02;
            let mut want = s0.clone();
            let mut q0 = vec![0.0; lat.n_sites()];
            lat.div(&s0.l, &mut q0);
            let mut want_viol = 0.0f64;
            for _ in 0..30 {
                want_viol = want_viol.max(oracle_step(&m, &mut want, dt, &q0));
            }
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let (got, d) = pool.install(|| {
                    let mut s = s0.clone();
                    let mut d = RotorDynamics::new(&m, &s, dt).unwrap();
                    for _ in 0..30 {
                        d.step(&mut s);
                    }
                    (s, d)
                });
                let err = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                let (et, el) = (err(&got.theta, &want.theta), err(&got.l, &want.l));
                assert!(et < 1e-11 && el < 1e-11, "{ext}, {threads} threads: |Δθ| {et:e}, |ΔL| {el:e}");
                // Gauss's law: both violations are rounding (~1e-15), and agree to that.
                assert!((d.gauss_law_violation() - want_viol).abs() < 1e-13, "{ext}: {}", d.gauss_law_violation());
                assert_eq!(d.steps(), 30);
            }
        }
    }

    #[test]
    fn every_instruction_set_gives_the_same_bits() {
        // Oracle: the portable (SSE2) build of the step. The AVX2 and AVX-512 versions do the
        // same IEEE operations in the same order (no fused multiply-add), so they must agree
        // bit for bit, with 1 and 2 slabs and a row length (5) that is not a multiple of any
        // vector width. Versions the test machine lacks are skipped (crate::simd).
        let lat = Lattice::parse("5x4x6").unwrap();
        let m = RotorModel::new_3d(lat.clone(), 2.0, 1.3, 0.4).unwrap();
        let s0 = random_state(&lat, 33, 3.0);
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let run = |isa| {
                pool.install(|| {
                    let mut s = s0.clone();
                    let mut d = RotorDynamics::new(&m, &s, 0.02).unwrap();
                    d.set_isa(isa);
                    assert_eq!(d.isa(), isa);
                    for _ in 0..20 {
                        d.step(&mut s);
                    }
                    (s, d.gauss_law_violation())
                })
            };
            let (want, want_viol) = run(Isa::Portable);
            for isa in Isa::supported() {
                let (got, viol) = run(isa);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got.theta), bits(&want.theta), "{isa}, {threads} threads");
                assert_eq!(bits(&got.l), bits(&want.l), "{isa}, {threads} threads");
                assert_eq!(viol.to_bits(), want_viol.to_bits(), "{isa}");
            }
        }
    }

    #[test]
    fn drift_matches_the_hamiltonian_gradient() {
        // θ̇ = ∂H/∂L by central finite differences of the model's classical energy.
        let lat = Lattice::parse("3x3x3").unwrap();
        let m = RotorModel::new_3d(lat.clone(), 1.7, 1.0, 0.3).unwrap();
        let s = random_state(&lat, 9, 1.0);
        let mut d = RotorDynamics::new(&m, &s, 1e-3).unwrap();
        // One step with F switched off isolates the drift: use zero force by θ = 0-flux state.
        let mut s0 = s.clone();
        s0.theta.iter_mut().for_each(|t| *t = 0.0);
        d.compute_force(&s0.theta);
        let before = s0.clone();
        d.step(&mut s0);
        for l in 0..lat.n_links() {
            let h = 1e-6;
            let mut p = before.l.clone();
            p[l] += h;
            let mut mm = before.l.clone();
            mm[l] -= h;
            let grad = (m.classical_energy(&before.theta, &p) - m.classical_energy(&before.theta, &mm)) / (2.0 * h);
            let rate = (s0.theta[l] - before.theta[l]) / 1e-3;
            // θ = 0 gives zero force (sin 0 = 0), so L is constant and the drift is exactly dt ∂H/∂L.
            assert!((rate - grad).abs() < 1e-6 * (1.0 + grad.abs()), "link {l}: {rate} vs {grad}");
        }
    }

    #[test]
    fn tone_frequency_is_exact_for_a_pure_tone() {
        // A travelling plane wave cos(k r − w t) is one tone at (k, +w) (correlation module test).
        // Oracle: the frequency put in. The ratio estimate assumes the continuous sinc line shape;
        // the discrete Dirichlet kernel differs by O((π/T)²) ≈ 2e-3 relative at T = 64 frames,
        // which moves the estimate by ~1e-5 of a bin (the parabolic fit is off by a few percent
        // of a bin). Tolerance 1e-4 of a bin.
        let l = Lattice::parse("8").unwrap();
        let (nt, dt, kn, w) = (64usize, 0.3, 1usize, 0.777);
        let k = 2.0 * std::f64::consts::PI * kn as f64 / 8.0;
        let frames: Vec<Vec<f64>> =
            (0..nt).map(|t| (0..8).map(|r| (k * r as f64 - w * t as f64 * dt).cos()).collect()).collect();
        let mut sf = StructureFactor::new(&l, 1, nt, dt, 1).unwrap();
        sf.add_trajectory(&frames, &crate::dynamics::correlation::Trace).unwrap();
        let got = tone_frequency(&sf, 0, kn).unwrap();
        assert!((got - w).abs() < 1e-4 * sf.domega(), "{got} vs {w} (bin {})", sf.domega());
    }
}
