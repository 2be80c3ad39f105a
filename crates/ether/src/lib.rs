//! # ether: what emerges from a lattice of qubits and rotors
//!
//! Space is a lattice of qubits or rotors; "empty space" is its ground state; particles are
//! its low-energy excitations (X.-G. Wen, "The emergence of photons, electrons, and gravitons
//! from quantum qbit systems", 2008). ether writes such models down as data and answers
//! "what emerges?" by computation:
//!
//! 1. Heisenberg ferro- and antiferromagnets: spin waves, `ω ~ k²` and `ω ~ k`
//!    ([`model::heisenberg`], [`modes::lswt`], [`dynamics::spin`]).
//! 2. The rotor model on the cubic lattice: a string-net liquid whose waves obey Maxwell's
//!    equations ([`model::rotor`], [`modes::photon`], [`dynamics::rotor`]), and its phases,
//!    Coulomb or confined, from Monte Carlo of its path integral ([`mc::engine`]).
//! 3. The twisted rotor model, whose string ends are fermions ([`model::twisted_rotor`],
//!    [`topo::statistics`]).
//! 4. A symmetric-tensor rotor model whose only gapless modes are helicity ±2 gravitons
//!    ([`model::graviton`], [`modes::graviton`], [`dynamics::graviton`]).
//! 5. Long-range entanglement: topological entanglement entropy ([`topo::entanglement`]).
//!
//! Exact diagonalization ([`ed`]) is the quantum oracle for all of them.
//!
//! Every model, defined once in [`model`] and taken by reference by the algorithms:
//! [`model::Heisenberg`] (XXZ, J2, field), [`model::SpinModel`] (any spin Hamiltonian as a list
//! of [`model::SpinTerm`]s, also read from model files), [`model::TransverseIsing`],
//! [`model::RotorModel`], [`model::TwistedRotorModel`], [`model::QuantumLinkModel`],
//! [`model::ToricCode`] (with a field), [`model::graviton::GravitonModel`] (the symmetric-tensor
//! rotor models); [`model::check`] runs the same checks (Hermiticity, symmetries, Gauss law, a
//! matrix by hand) over every one.
//!
//! Every algorithm, by kind:
//! - normal modes and spin waves: [`modes::normal_modes`], [`modes::lswt`],
//!   [`modes::photon`], [`modes::graviton`] (helicities and the Gaussian fluctuation criterion),
//!   [`modes::fit_power_law`];
//! - classical dynamics and S(k, ω): [`dynamics::spin`], [`dynamics::rotor`],
//!   [`dynamics::graviton`], [`dynamics::StructureFactor`]; reading S(k, ω): [`spectra`];
//! - exact diagonalization: [`ed::basis`] (symmetry sectors), [`ed::operator`],
//!   [`ed::lanczos`], [`ed::dense`], [`ed::solve`], [`ed::search`] (the lowest levels over all
//!   sectors), [`ed::gauge`] (gauge models in their Gauss-law sector), [`ed::observables`];
//! - Monte Carlo: [`mc::chain`] (one sampler interface), [`mc::spins`], [`mc::rotor`], the gauge
//!   engine [`mc::engine`] with [`mc::action`], [`mc::update`], [`mc::domain`] (and
//!   `mc::mpi` behind the `mpi` feature), measurements [`mc::measure`], errors [`stats`];
//! - topology: [`topo::statistics`] (exchange statistics of string ends, anyons),
//!   [`topo::entanglement`] (topological entanglement entropy), [`topo::gf2`];
//! - the chapters as experiments: [`experiments::spinwave`], [`experiments::ed`],
//!   [`experiments::photon`], [`experiments::phases`], [`experiments::statistics`],
//!   [`experiments::graviton`], [`experiments::entanglement`].
//!
//! The modules, in reading order:
//! - [`lattice`]: hypercubic lattices in 1-4 D (each axis periodic or open), cells,
//!   grad/div/curl, momenta.
//! - [`model`]: the Hamiltonians as data; they never call algorithms.
//! - [`modes`]: linearized modes (normal modes of quadratic forms, spin-wave theory, helicity,
//!   the low-k power-law fit behind every "ω ~ k^p" verdict).
//! - [`dynamics`]: classical time evolution and S(k, ω).
//! - [`spectra`]: reading S(k, ω): peaks (one [`spectra::Peak`], finders chosen by name),
//!   integrals and sum rules, `(k, ω)` slices.
//! - [`ed`]: exact diagonalization: bases, symmetry sectors, matrix-free Lanczos.
//! - [`mc`]: Monte Carlo sampling (deterministic parallel random streams, classical thermal
//!   states, the rotor model's path integral as 4D compact U(1)).
//! - [`topo`]: string operators, statistics of string ends, entanglement.
//! - [`record`]: self-describing results, manifests, atomic JSON / `.npy` writers.
//! - [`experiment`]: what every experiment shares: the [`experiment::Observer`] a run reports
//!   to, the [`experiment::Claim`] every verdict is made of, records with axes and units,
//!   checkpoints; [`experiments`]: one experiment per chapter, the API the CLI, the demo and
//!   Python call.
//! - [`par`]: thread teams for the hot stencil sweeps (bands of planes with ghost planes).
//! - [`linalg`]: the dense linear-algebra facade; [`error`]: typed errors; [`simd`]: the
//!   run-time choice of vector instructions for the hot kernels.
//!
//! Conventions (ħ = 1; spin operators or Pauli matrices, per model; the two Fourier signs and
//! why) are fixed in `docs/conventions.md`; the physics each module relies on is in
//! `docs/physics/` (its README maps every "note N" label cited in the code to a section).

pub mod dynamics;
pub mod ed;
pub mod error;
pub mod experiment;
pub mod experiments;
pub mod lattice;
pub mod linalg;
pub mod mc;
pub mod model;
pub mod modes;
pub mod par;
pub mod record;
pub mod simd;
pub mod spectra;
pub mod stats;
pub mod topo;

pub use error::{Error, Result};
pub use lattice::{Lattice, Momentum, MomentumPath};
