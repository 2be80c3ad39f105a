//! Statistics of string ends: are the charges of a rotor model bosons or fermions?
//! (X.-G. Wen's talk; rotor note `shared/physics/rotor-photon-fermion.md`, sections 1.4 and 3;
//! topological-order note, sections C.1 and C.5, for the 2D anchors.)
//!
//! The ends of strings are the charges `Q_v ≠ 0`. They move with hop operators
//! `h_l^± = L_l^± (−1)^{Σ_{m∈T(l)} L_m}`, and their exchange statistics is read off the
//! Levin-Wen identity (section 3.1) at a vertex s with three distinct neighbours j, k, l:
//!
//! `t_sl t_js t_sk = e^{iΘ} t_sk t_js t_sl`,   `e^{iΘ} = +1` bosons, `−1` fermions.
//!
//! - [`shift`]: signed shifts `c S^n (−1)^{s·L}`, the closed algebra of hops and plaquettes.
//! - The cubic complex (periodic torus or open box, legs numbered `(+x,+y,+z,−x,−y,−z)`) is a
//!   view of the lattice, [`crate::lattice::CubicComplex`]; the twisted rotor model with its
//!   twist sets T(l) is data, [`crate::model::TwistedRotorModel`].
//! - [`twist`]: hops and twisted plaquettes as signed shifts ([`HopAlgebra`]).
//! - [`algebra`]: the exchange sign at every vertex and leg triple, and the consistency checks.
//! - [`states`]: the same identity on explicit state vectors (truncated spin-S rotors, and free
//!   fermions / hard-core bosons on 4 sites, through one function).
//! - [`spectrum`]: two charges hopping in the flux-free sector of the Z₂ version, against the exact
//!   spectra of two free fermions and two hard-core bosons.
//! - [`photon`]: the twist leaves the zero-charge sector (the photon) untouched.
//! - [`anyons`]: toric code and double semion: exchange and braiding phases.
//! - GF(2) linear algebra is [`crate::topo::gf2`], shared with the entanglement entropies.

pub mod algebra;
pub mod anyons;
pub mod photon;
pub mod shift;
pub mod spectrum;
pub mod states;
pub mod twist;

pub use algebra::{consistency_checks, exchange_census, Check, ExchangeCensus};
pub use shift::SignedShift;
pub use twist::{hop_algebra, HopAlgebra};
