//! Real-space evolution of the linearized symmetric-tensor rotor models (graviton.md, B.6 step 7).
//!
//! The state is the rotor angles `θ = h` and momenta `L` (component-major, `x[c * n_sites + r]`,
//! components `xx, yy, zz, xy, yz, zx` on vertices and faces, see [`crate::model::graviton`]).
//! With `π = M⁻¹ L` (`M = diag(1,1,1,2,2,2)`, B.2) Hamilton's equations are
//!
//! `dθ/dt = M⁻¹ K M⁻¹ L`,  `dL/dt = −V θ`,
//!
//! where `K = Σ c A†M B` and `V = Σ c A†M B` are the model's quadratic forms applied as real-space
//! stencils (the same difference polynomials that give the momentum-space matrices). The
//! integrator is the symplectic kick-drift-kick leapfrog. Every stencil coefficient is a dyadic
//! rational (±1, ±½, ±¼, ±2), so for an integer gauge parameter `f` the force on the pure-gauge
//! configuration `θ = G f` is computed in exact integer arithmetic: it is exactly zero, not
//! merely small.

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::model::graviton::{gauge_map, GravitonModel, QuadTerm, Stencil, FROBENIUS};
use crate::modes::graviton::{GravitonModes, Sector};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Serialize;

#[derive(Clone, Debug)]
struct CompiledTerm {
    coef: f64,
    right: Vec<Stencil>,
    left_adjoint: Vec<Stencil>,
    metric: Vec<f64>,
}

impl CompiledTerm {
    fn new(t: &QuadTerm, lat: &Lattice) -> Result<Self> {
        let right = t.right.iter().map(|op| Stencil::new(op, lat)).collect::<Result<Vec<_>>>()?;
        // A = F_n ∘ … ∘ F_1, so A† = F_1† ∘ … ∘ F_n†: apply F_n† first.
        let left_adjoint =
            t.left.iter().rev().map(|op| Stencil::new(&op.adjoint(), lat)).collect::<Result<Vec<_>>>()?;
        let out_l = t.left.last().map(|o| o.output.clone());
        let out_r = t.right.last().map(|o| o.output.clone());
        if out_l != out_r || out_l.is_none() {
            return Err(Error::Invariant(format!("term {}: left and right chains end in different spaces", t.name)));
        }
        let metric = out_l.map(|s| s.metric).unwrap_or_default();
        Ok(CompiledTerm { coef: t.coef, right, left_adjoint, metric })
    }

    /// `out += c A†M(B x)`.
    fn add_to(&self, x: &[f64], n: usize, out: &mut [f64]) {
        let mut cur = x.to_vec();
        for s in &self.right {
            let mut next = vec![0.0; s.output_len()];
            s.apply(&cur, &mut next);
            cur = next;
        }
        for (c, m) in self.metric.iter().enumerate() {
            if *m != 1.0 {
                cur[c * n..(c + 1) * n].iter_mut().for_each(|v| *v *= m);
            }
        }
        for s in &self.left_adjoint {
            let mut next = vec![0.0; s.output_len()];
            s.apply(&cur, &mut next);
            cur = next;
        }
        for (o, v) in out.iter_mut().zip(&cur) {
            *o += self.coef * v;
        }
    }
}

/// The phase-space point: angles and momenta of all `6 L³` rotors.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorState {
    /// Angles θ = h (component-major).
    pub theta: Vec<f64>,
    /// Momenta L (component-major; `L = M π`).
    pub l: Vec<f64>,
}

/// The real-space linear dynamics of one model.
#[derive(Clone, Debug)]
pub struct TensorDynamics {
    /// The model.
    pub model: GravitonModel,
    kinetic: Vec<CompiledTerm>,
    potential: Vec<CompiledTerm>,
    gauge: Stencil,
    n: usize,
}

impl TensorDynamics {
    /// Compile the model's terms for its lattice.
    pub fn new(model: &GravitonModel) -> Result<Self> {
        let lat = &model.lattice;
        Ok(TensorDynamics {
            model: model.clone(),
            kinetic: model.kinetic().iter().map(|t| CompiledTerm::new(t, lat)).collect::<Result<_>>()?,
            potential: model.potential().iter().map(|t| CompiledTerm::new(t, lat)).collect::<Result<_>>()?,
            gauge: Stencil::new(&gauge_map(), lat)?,
            n: lat.n_sites(),
        })
    }

    /// Number of sites.
    pub fn n_sites(&self) -> usize {
        self.n
    }

    /// `V θ` (minus the force on L).
    pub fn potential_gradient(&self, theta: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; 6 * self.n];
        for t in &self.potential {
            t.add_to(theta, self.n, &mut out);
        }
        out
    }

    /// The force `dL/dt = −V θ`.
    pub fn force(&self, theta: &[f64]) -> Vec<f64> {
        let mut f = self.potential_gradient(theta);
        f.iter_mut().for_each(|x| *x = -*x);
        f
    }

    /// `dθ/dt = M⁻¹ K M⁻¹ L`.
    pub fn velocity(&self, l: &[f64]) -> Vec<f64> {
        let n = self.n;
        let mut pi = l.to_vec();
        for c in 0..6 {
            pi[c * n..(c + 1) * n].iter_mut().for_each(|v| *v /= FROBENIUS[c]);
        }
        let mut out = vec![0.0; 6 * n];
        for t in &self.kinetic {
            t.add_to(&pi, n, &mut out);
        }
        for c in 0..6 {
            out[c * n..(c + 1) * n].iter_mut().for_each(|v| *v /= FROBENIUS[c]);
        }
        out
    }

    /// The energy `½ π·Kπ + ½ θ·Vθ` (plain sums; `π·Kπ = L·M⁻¹KM⁻¹L`).
    pub fn energy(&self, s: &TensorState) -> f64 {
        let v = self.potential_gradient(&s.theta);
        let w = self.velocity(&s.l);
        0.5 * s.theta.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>()
            + 0.5 * s.l.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()
    }

    /// One kick-drift-kick leapfrog step of length `dt`.
    pub fn step(&self, s: &mut TensorState, dt: f64) {
        let f = self.force(&s.theta);
        s.l.iter_mut().zip(&f).for_each(|(l, f)| *l += 0.5 * dt * f);
        let v = self.velocity(&s.l);
        s.theta.iter_mut().zip(&v).for_each(|(t, v)| *t += dt * v);
        let f = self.force(&s.theta);
        s.l.iter_mut().zip(&f).for_each(|(l, f)| *l += 0.5 * dt * f);
    }

    /// The pure-gauge configuration `θ = G f` for a gauge parameter on links (`f[a * n + r]`).
    pub fn pure_gauge(&self, f: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; 6 * self.n];
        self.gauge.apply(f, &mut out);
        out
    }

    /// The Gauss charges (B.3, integer for integer L) of a state.
    pub fn gauss_charges(&self, s: &TensorState) -> Vec<f64> {
        self.model.gauss_charges(&s.l)
    }
}

/// A transverse-traceless plane wave `h_xy = A cos(k_z z)`, `k_z = 2π m / L_z`, at rest (L = 0):
/// pure helicity ±2 (B.6 step 7).
pub fn tt_wave(lat: &Lattice, m: usize, amplitude: f64) -> TensorState {
    let n = lat.n_sites();
    let kz = 2.0 * std::f64::consts::PI * m as f64 / lat.extents()[2] as f64;
    let mut theta = vec![0.0; 6 * n];
    for r in 0..n {
        // the xy face of site r sits at z = r_z (its offset has no z part)
        theta[3 * n + r] = amplitude * (kz * lat.coords(r)[2] as f64).cos();
    }
    TensorState { theta, l: vec![0.0; 6 * n] }
}

impl crate::dynamics::Dynamics for TensorDynamics {
    type State = TensorState;
    type Integrator = crate::dynamics::Leapfrog;
    /// `steps` kick-drift-kick steps of `integrator.dt` ([`TensorDynamics::step`]).
    fn evolve(&mut self, state: &mut TensorState, integrator: crate::dynamics::Leapfrog, steps: usize) -> Result<()> {
        let dt = integrator.dt;
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::invalid("time step dt", dt.to_string(), "the leapfrog step must be a positive time"));
        }
        if state.theta.len() != 6 * self.n || state.l.len() != 6 * self.n {
            return Err(Error::invalid(
                "state",
                format!("{} angles, {} momenta", state.theta.len(), state.l.len()),
                format!("six components per site: give {} of each", 6 * self.n),
            ));
        }
        for _ in 0..steps {
            self.step(state, dt);
        }
        if state.theta.iter().chain(&state.l).any(|x| !x.is_finite()) {
            return Err(Error::numerical(
                "tensor dynamics",
                format!("the state is not finite after {steps} steps of dt = {dt}"),
                "use a smaller time step",
            ));
        }
        Ok(())
    }
    fn energy(&self, state: &TensorState) -> f64 {
        TensorDynamics::energy(self, state)
    }
}

/// The times at which a sampled signal `a_j = a(j dt)` crosses zero (linear interpolation).
pub fn zero_crossings(a: &[f64], dt: f64) -> Vec<f64> {
    let mut t = Vec::new();
    for j in 0..a.len().saturating_sub(1) {
        let (x, y) = (a[j], a[j + 1]);
        if (x > 0.0 && y <= 0.0) || (x < 0.0 && y >= 0.0) {
            t.push((j as f64 + x / (x - y)) * dt);
        }
    }
    t
}

/// Result of the real-space period check.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodCheck {
    /// Wave number k_z of the TT wave.
    pub k_z: f64,
    /// ω_{±2}(K) from the momentum-space helicity blocks.
    pub omega_modes: f64,
    /// 2π / ω_{±2}.
    pub period_predicted: f64,
    /// Period measured from the zero crossings of the evolved wave's amplitude.
    pub period_measured: f64,
    /// |measured − predicted| / predicted.
    pub relative_error: f64,
    /// The period the leapfrog itself should give, `2π/ω̃` with `sin(ω̃ dt/2) = ω dt/2`
    /// (exact for a single harmonic mode of the kick-drift-kick scheme).
    pub period_leapfrog: f64,
    /// |measured − leapfrog period| / leapfrog period: what is left once the integrator's known
    /// shift is removed (interpolation of the zero crossings, rounding).
    pub relative_error_leapfrog: f64,
    /// Time step used.
    pub dt: f64,
    /// Steps taken.
    pub steps: usize,
    /// Largest |h| outside the xy component at the end (a TT wave must stay in its sector).
    pub leakage: f64,
    /// The amplitude ⟨h_xy, cos(k_z z)⟩ / ⟨cos, cos⟩ at every step.
    #[serde(skip)]
    pub amplitude: Vec<f64>,
}

/// Evolve a TT wave of wave number `2π m / L_z` for `periods` predicted periods with
/// `steps_per_period` leapfrog steps each, and compare its period with `2π/ω_{±2}` from the modes.
/// The leapfrog shifts the frequency by a relative `(ω dt)²/24`, 1e-5 for 400 steps per period.
pub fn tt_period(dynamics: &TensorDynamics, m: usize, steps_per_period: usize, periods: f64) -> Result<PeriodCheck> {
    let lat = &dynamics.model.lattice;
    let lz = lat.extents()[2];
    if m == 0 || 2 * m > lz {
        return Err(Error::invalid("TT wave number", m.to_string(), format!("use 1 ≤ m ≤ L_z/2 = {}", lz / 2)));
    }
    let kz = 2.0 * std::f64::consts::PI * m as f64 / lz as f64;
    let solver = GravitonModes::new(&dynamics.model)?;
    let modes = solver.at([0.0, 0.0, kz])?;
    let omega = *modes
        .sector(Sector::Plus2)
        .omega
        .first()
        .ok_or_else(|| Error::Invariant("helicity +2 does not propagate; no TT period to measure".into()))?;
    let period = 2.0 * std::f64::consts::PI / omega;
    // stability of the leapfrog for the fastest mode of the lattice: ω_max dt < 2
    let pi = std::f64::consts::PI;
    let mut wmax: f64 = omega;
    for k in [[pi, pi, pi], [pi, pi, 0.0], [pi, 0.0, 0.0]] {
        for s in &solver.at(k)?.sectors {
            for &w in &s.omega {
                wmax = wmax.max(w);
            }
        }
    }
    let mut spp = steps_per_period.max(16);
    while wmax * period / spp as f64 > 1.0 {
        spp *= 2;
    }
    let dt = period / spp as f64;
    let steps = (periods * spp as f64).ceil() as usize;
    let n = lat.n_sites();
    let mut s = tt_wave(lat, m, 1.0);
    let proj: Vec<f64> = s.theta[3 * n..4 * n].to_vec();
    let norm: f64 = proj.iter().map(|x| x * x).sum();
    let amp = |s: &TensorState| s.theta[3 * n..4 * n].iter().zip(&proj).map(|(a, b)| a * b).sum::<f64>() / norm;
    let mut a = Vec::with_capacity(steps + 1);
    a.push(amp(&s));
    for _ in 0..steps {
        dynamics.step(&mut s, dt);
        a.push(amp(&s));
    }
    let z = zero_crossings(&a, dt);
    if z.len() < 3 {
        return Err(Error::numerical(
            "period measurement",
            format!("{} zero crossings", z.len()),
            "evolve for more periods",
        ));
    }
    let measured = 2.0 * (z[z.len() - 1] - z[0]) / (z.len() - 1) as f64;
    let leakage = (0..6)
        .filter(|&c| c != 3)
        .flat_map(|c| s.theta[c * n..(c + 1) * n].iter().copied())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    let period_leapfrog = 2.0 * std::f64::consts::PI * dt / (2.0 * (omega * dt / 2.0).asin());
    Ok(PeriodCheck {
        period_leapfrog,
        relative_error_leapfrog: (measured - period_leapfrog).abs() / period_leapfrog,
        k_z: kz,
        omega_modes: omega,
        period_predicted: period,
        period_measured: measured,
        relative_error: (measured - period).abs() / period,
        dt,
        steps,
        leakage,
        amplitude: a,
    })
}

/// A seeded random integer gauge parameter on every link, entries in `-5..=5`.
pub fn random_integer_gauge(n_sites: usize, seed: u64) -> Vec<f64> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..3 * n_sites).map(|_| rng.random_range(-5i32..=5) as f64).collect()
}

/// A seeded random phase-space point with entries uniform in [−1, 1).
pub fn random_state(n_sites: usize, seed: u64) -> TensorState {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let theta = (0..6 * n_sites).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
    let l = (0..6 * n_sites).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
    TensorState { theta, l }
}

/// Results of the real-space gauge checks.
#[derive(Clone, Debug, Serialize)]
pub struct GaugeCheck {
    /// Largest |force| on a pure-gauge configuration θ = G f with integer f (must be exactly 0).
    pub pure_gauge_max_force: f64,
    /// Largest |G f| entry of that configuration (it is not trivially zero).
    pub pure_gauge_max_theta: f64,
    /// Largest change of any Gauss charge over the run, for a random initial state.
    pub gauss_max_drift: f64,
    /// Largest |Gauss charge| of the initial random state (the scale of the drift).
    pub gauss_scale: f64,
    /// Steps taken for the Gauss check.
    pub steps: usize,
}

/// The force on a pure-gauge configuration, and the conservation of the Gauss charges under
/// `steps` leapfrog steps of length `dt` from a random state.
pub fn gauge_checks(dynamics: &TensorDynamics, seed: u64, steps: usize, dt: f64) -> GaugeCheck {
    let n = dynamics.n_sites();
    let f = random_integer_gauge(n, seed);
    let theta = dynamics.pure_gauge(&f);
    let force = dynamics.force(&theta);
    let mut s = random_state(n, seed.wrapping_add(1));
    let q0 = dynamics.gauss_charges(&s);
    for _ in 0..steps {
        dynamics.step(&mut s, dt);
    }
    let q1 = dynamics.gauss_charges(&s);
    GaugeCheck {
        pure_gauge_max_force: force.iter().fold(0.0f64, |m, x| m.max(x.abs())),
        pure_gauge_max_theta: theta.iter().fold(0.0f64, |m, x| m.max(x.abs())),
        gauss_max_drift: q0.iter().zip(&q1).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())),
        gauss_scale: q0.iter().fold(0.0f64, |m, x| m.max(x.abs())),
        steps,
    }
}
