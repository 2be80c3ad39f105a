//! `ether statistics`: statistics of string ends (issue 5). Not built yet: the command says so and exits 1.

use crate::common::Global;
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;

/// Arguments (to be defined by issue 5).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _g: &Global) -> Result<()> {
    anyhow::bail!("'ether statistics' (statistics of string ends) is not implemented yet (issue 5)")
}

/// This command's demo chapter: none yet.
pub fn demo(_ctx: &DemoContext) -> Result<Vec<Chapter>> {
    Ok(Vec::new())
}
