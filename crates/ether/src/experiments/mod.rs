//! The talk's chapters as experiments: one module per chapter, each with a `Params` struct
//! (serde, unknown keys rejected, `validate()`), a `run(&Params, &mut dyn Observer)` that returns
//! a typed record whose arrays carry their axes and units, and the chapter's claims computed
//! here, in the library. The CLI, the demo and the Python package call these and nothing else.
//!
//! The shared vocabulary (observer, claim, record, checkpoints) is [`crate::experiment`].

pub mod ed;
pub mod entanglement;
pub mod graviton;
pub mod phases;
pub mod photon;
pub mod spinwave;
pub mod statistics;
