//! Classical time evolution and dynamic structure factors.
//!
//! One shape for every kind of classical dynamics: a system is built from a model
//! (`SpinDynamics::new(&model)`, `RotorDynamics::new(&model, &state, dt)`,
//! `TensorDynamics::new(&model)`), then asked to [`Dynamics::evolve`] a state by a number of
//! steps of an integrator, a value naming the scheme and its time step (for spins
//! `spin::Integrator::Splitting { dt }` or `ImplicitMidpoint { dt, tol }`; for the rotor model
//! and the tensor gauge theory [`Leapfrog`] `{ dt }`). Swapping the
//! integrator changes nothing else; every integrator of a system conserves its
//! [`Dynamics::energy`] (to the scheme's order), which is what its tests check.

pub mod correlation;
pub mod graviton;
pub mod rotor;
pub(crate) mod sine;
pub mod spin;

pub use correlation::{Projector, StructureFactor, Trace};

use crate::error::Result;

/// An integration scheme with its time step.
pub trait TimeStep: Copy + std::fmt::Debug {
    /// The time step (in units of ħ / energy).
    fn dt(&self) -> f64;
    /// The scheme's name for people and records (e.g. `"implicit midpoint"`).
    fn name(&self) -> &'static str;
}

/// The kick-drift-kick leapfrog (Störmer-Verlet) scheme with step `dt`: the integrator of the
/// rotor model ([`rotor::RotorDynamics`]) and of the tensor gauge theory
/// ([`graviton::TensorDynamics`]), whose Hamiltonians are separable (kinetic in the momenta,
/// potential in the angles), so it is symplectic and second order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Leapfrog {
    /// The time step (ħ / energy).
    pub dt: f64,
}

impl TimeStep for Leapfrog {
    fn dt(&self) -> f64 {
        self.dt
    }
    fn name(&self) -> &'static str {
        "leapfrog (Störmer-Verlet)"
    }
}

/// A classical system that a swappable integrator advances in time: the one verb of `dynamics`.
///
/// `State` is the phase-space point in the lattice's own indexing (spins in site order, rotor
/// angles and momenta by link); whatever layout an implementation uses inside stays inside.
/// `evolve` takes `&mut self` so that an implementation may keep scratch buffers or cached
/// forces between calls; the result must not depend on them (nor on the thread count).
pub trait Dynamics {
    /// The phase-space point.
    type State: ?Sized;
    /// The integration schemes this system accepts.
    type Integrator: TimeStep;
    /// Advance `state` by `steps` steps of `integrator`.
    fn evolve(&mut self, state: &mut Self::State, integrator: Self::Integrator, steps: usize) -> Result<()>;
    /// The energy of `state` (conserved by every integrator, to its order).
    fn energy(&self, state: &Self::State) -> f64;
}
