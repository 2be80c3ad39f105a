//! The figures of each chapter, drawn from a saved run ([`RunData`]) alone.
//!
//! Each chapter module has `figures(&RunData) -> Result<Vec<NamedFigure>, PlotError>`; [`figures`]
//! picks it by the command that wrote the run. A command with no module here keeps the figures it
//! saved as `figures/NAME.json`.

pub mod ed;
pub mod entanglement;
pub mod graviton;
pub mod phases;
pub mod photon;
pub mod spinwave;
pub mod statistics;

use crate::run::RunData;
use crate::{Figure, PlotError};

/// A figure with the file stem it is saved under and a one-line description for the manifest.
#[derive(Clone, Debug)]
pub struct NamedFigure {
    /// File stem: `NAME.png`, `NAME.svg`, `figures/NAME.json`.
    pub name: String,
    /// What it shows.
    pub description: String,
    /// The figure.
    pub figure: Figure,
}

impl NamedFigure {
    /// A named figure.
    pub fn new(name: impl Into<String>, description: impl Into<String>, figure: Figure) -> Self {
        NamedFigure { name: name.into(), description: description.into(), figure }
    }
}

/// The figures of a run written by `command`, drawn from its saved data; `None` if the command
/// has no chapter module (its figures are the saved `figures/*.json`).
pub fn figures(command: &str, run: &RunData) -> Option<Result<Vec<NamedFigure>, PlotError>> {
    match command {
        "ed" => Some(ed::figures(run)),
        "spinwave" => Some(spinwave::figures(run)),
        "phases" => Some(phases::figures(run)),
        "photon" => Some(photon::figures(run)),
        "graviton" => Some(graviton::figures(run)),
        "entanglement" => Some(entanglement::figures(run)),
        "statistics" => Some(statistics::figures(run)),
        _ => None,
    }
}
