//! `ether plot DIR`: redraw every figure of a run directory from its saved data, without
//! recomputing anything. Runs of commands with a chapter module in `ether-plot` are drawn from
//! their record and arrays (`result.json`, `*.npy`), so edits to those files show; other runs
//! are redrawn from `figures/*.json`.

use crate::common::{save_figure_files, usage, Global};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Redraw the plots of a run directory (or of every run under a demo directory).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A run directory written with --out (or a demo directory).
    dir: PathBuf,
}

/// Redraw one run directory; returns the number of figures drawn.
fn redraw(d: &Path, g: &Global) -> Result<usize> {
    let command = std::fs::read(d.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|m| m.get("command").and_then(|c| c.as_str()).map(String::from));
    if let (Some(cmd), true) = (&command, d.join("result.json").exists()) {
        let data = ether_plot::RunData::load(d)?;
        if let Some(figs) = ether_plot::chapters::figures(cmd, &data) {
            let figs = figs?;
            for f in &figs {
                save_figure_files(d, &f.name, &f.figure)?;
                if !g.quiet {
                    eprintln!("drew {} from the saved data", d.join(&f.name).with_extension("png").display());
                }
            }
            return Ok(figs.len());
        }
    }
    let figdir = d.join("figures");
    let mut n = 0;
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
    Ok(n)
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    if !args.dir.is_dir() {
        return usage(format!("{}: not a directory; give a run directory written with --out", args.dir.display()));
    }
    let mut n = 0;
    let mut stack = vec![args.dir.clone()];
    while let Some(d) = stack.pop() {
        n += redraw(&d, g)?;
        for e in std::fs::read_dir(&d)?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() && p.file_name().is_some_and(|n| n != "figures") {
                stack.push(p);
            }
        }
    }
    if n == 0 {
        return usage(format!(
            "{}: no figures found (no result.json of a known command, no figures/*.json); is this a run directory written with --out?",
            args.dir.display()
        ));
    }
    Ok(())
}
