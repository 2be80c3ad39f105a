//! One module per subcommand. Each has `Args` (clap), `run`, and `demo` (its demo chapter).

pub mod ed;
pub mod entanglement;
pub mod graviton;
pub mod phases;
pub mod photon;
pub mod plot;
pub mod spinwave;
pub mod statistics;
