//! `ether ed`: exact diagonalization (issue 4). Not built yet: the command says so and exits 1.

use crate::common::Global;
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;

/// Arguments (to be defined by issue 4).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _g: &Global) -> Result<()> {
    anyhow::bail!("'ether ed' (exact diagonalization) is not implemented yet (issue 4)")
}

/// This command's demo chapter: none yet.
pub fn demo(_ctx: &DemoContext) -> Result<Vec<Chapter>> {
    Ok(Vec::new())
}
