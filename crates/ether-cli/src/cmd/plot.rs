//! `ether plot DIR`: redraw every figure of a run directory from its saved data
//! (`figures/*.json`), without recomputing anything.

use crate::common::{usage, Global};
use anyhow::Result;
use std::path::PathBuf;

/// Redraw the plots of a run directory (or of every run under a demo directory).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run directory written with --out (or a demo directory).
    dir: PathBuf,
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    if !args.dir.is_dir() {
        return usage(format!("{}: not a directory; give a run directory written with --out", args.dir.display()));
    }
    let mut n = 0;
    let mut stack = vec![args.dir.clone()];
    while let Some(d) = stack.pop() {
        let figdir = d.join("figures");
        if figdir.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(&figdir)?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
            entries.sort();
            for p in entries.into_iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
                let fig = ether_plot::load(&p)?;
                let stem = d.join(p.file_stem().unwrap_or_default());
                ether_plot::render(&fig, &stem)?;
                if !g.quiet {
                    eprintln!("drew {}.png and .svg", stem.display());
                }
                n += 1;
            }
        }
        for e in std::fs::read_dir(&d)?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "figures") {
                stack.push(p);
            }
        }
    }
    if n == 0 {
        return usage(format!(
            "{}: no figures/*.json found; is this a run directory written with --out?",
            args.dir.display()
        ));
    }
    Ok(())
}
