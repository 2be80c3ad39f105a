//! `ether spinwave` (issue 2): being written.

use crate::common::Global;
use crate::demo::DemoContext;
use crate::report::Chapter;
use anyhow::Result;

/// Arguments.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args, _g: &Global) -> Result<()> {
    anyhow::bail!("not implemented yet")
}

pub fn demo(_ctx: &DemoContext) -> Result<Vec<Chapter>> {
    Ok(Vec::new())
}
