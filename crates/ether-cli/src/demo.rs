//! `ether demo`: the talk, reproduced. Each chapter computes its claim on small defaults,
//! writes its run directories under the demo directory and returns verdicts; the demo then
//! writes `report.html` (self-contained) and `summary.json` and prints the verdict table.

use crate::common::{usage, Global};
use crate::report::{self, Chapter};
use anyhow::{Context, Result};
use ether::record::RunDir;
use std::path::PathBuf;
use std::time::Instant;

/// Run every chapter of the talk on small defaults and write a report.
///
/// Chapters: 1 spin waves (ferro vs antiferro, LSWT and dynamics; the quantum chain by ED),
/// 2 light from qubits (rotor model photons), 3 Coulomb or confined (path-integral Monte Carlo),
/// 4 electrons from strings (statistics),
/// 5 gravitons from qubits, 6 long-range entanglement.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for report.html, summary.json and every chapter's run directory.
    #[arg(long, value_name = "DIR", default_value = "ether-demo")]
    out: PathBuf,
    /// Replace DIR if it already exists.
    #[arg(long)]
    force: bool,
    /// Seed for every stochastic step (the same seed gives the same report).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run only these chapters (comma-separated numbers, e.g. 1,2).
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    chapters: Vec<u32>,
    /// Print summary.json on stdout instead of the table.
    #[arg(long)]
    json: bool,
}

/// What a chapter gets to work with.
#[derive(Debug)]
pub struct DemoContext {
    /// Directory (staging) where the chapter writes its run directories.
    pub dir: PathBuf,
    /// Seed.
    pub seed: u64,
    /// Quiet.
    pub quiet: bool,
}

type ChapterFn = fn(&DemoContext) -> Result<Vec<Chapter>>;

/// The demo part of an experiment: each of its demo runs is run with its small defaults and
/// written as a run directory inside the demo directory (record, arrays, figures, manifest), and
/// each claim of its record becomes one verdict row. The chapter's figures are those the run
/// drew; its paragraphs are the record's narrative.
pub fn part<E: ether::experiment::Experiment>(ctx: &DemoContext) -> Result<Vec<Chapter>> {
    use ether::experiment::Record;
    let mut rows = Vec::new();
    for d in E::demo(ctx.seed) {
        let mut obs = crate::run::CliObserver::new(ctx.quiet, None);
        let rec = E::run(&d.params, &mut obs)?;
        obs.finish();
        let mut rd = RunDir::create(&ctx.dir.join(&d.dir))?;
        crate::run::write_run(&mut rd, E::COMMAND, &rec)?;
        let params = serde_json::to_value(&d.params)?;
        let seed = params.get("seed").and_then(serde_json::Value::as_u64);
        let dir = rd.commit(E::COMMAND, params, seed)?;
        let mut figures: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .filter_map(|p| p.file_name().map(|n| PathBuf::from(&d.dir).join(n)))
            .collect();
        figures.sort();
        let claims = rec.claims();
        if claims.is_empty() {
            anyhow::bail!("internal: the demo run {} of `ether {}` has no claims", d.dir, E::COMMAND);
        }
        for (i, c) in claims.into_iter().enumerate() {
            let first = i == 0;
            rows.push(Chapter {
                number: d.chapter,
                title: d.title.clone(),
                claim: c.claim,
                measured: c.measured,
                pass: c.pass,
                text: if first { rec.narrative() } else { Vec::new() },
                figures: if first { std::mem::take(&mut figures) } else { Vec::new() },
                seconds: 0.0,
            });
        }
    }
    Ok(rows)
}

/// The chapters in talk order.
fn chapters() -> Vec<(u32, &'static str, ChapterFn)> {
    vec![
        (1, "Spin waves: ferromagnet vs antiferromagnet", part::<ether::experiments::spinwave::Spinwave>),
        (1, "Spin waves, the quantum view (exact diagonalization)", part::<ether::experiments::ed::Ed>),
        (2, "Light from qubits", part::<ether::experiments::photon::Photon>),
        (3, "Is the vacuum a string-net liquid?", part::<ether::experiments::phases::Phases>),
        (4, "Electrons from strings", part::<ether::experiments::statistics::Statistics>),
        (5, "Gravitons from qubits", part::<ether::experiments::graviton::Graviton>),
        (6, "Long-range entanglement", part::<ether::experiments::entanglement::Entanglement>),
    ]
}

pub fn run(args: Args, g: &Global) -> Result<()> {
    let mut all: Vec<u32> = chapters().iter().map(|c| c.0).collect();
    all.dedup();
    for c in &args.chapters {
        if !all.contains(c) {
            let list: Vec<String> = all.iter().map(u32::to_string).collect();
            return usage(format!("--chapters {c}: no such chapter; choose from {}", list.join(", ")));
        }
    }
    if args.out.exists() {
        if args.force {
            std::fs::remove_dir_all(&args.out)
                .with_context(|| format!("removing the old demo directory {}", args.out.display()))?;
        } else {
            return usage(format!(
                "--out {}: it already exists; pass --force to replace it or choose another directory",
                args.out.display()
            ));
        }
    }
    let mut rd = RunDir::create(&args.out)?;
    let ctx = DemoContext { dir: rd.staged(""), seed: args.seed, quiet: g.quiet };
    let t0 = Instant::now();
    let mut results: Vec<Chapter> = Vec::new();
    let list: Vec<_> =
        chapters().into_iter().filter(|c| args.chapters.is_empty() || args.chapters.contains(&c.0)).collect();
    for (i, (num, title, f)) in list.iter().enumerate() {
        if !g.quiet {
            eprintln!("[{}/{}] chapter {num}: {title}", i + 1, list.len());
        }
        let t = Instant::now();
        let mut ch = f(&ctx).with_context(|| format!("demo chapter {num} ({title})"))?;
        let secs = t.elapsed().as_secs_f64();
        let share = secs / ch.len().max(1) as f64;
        for c in &mut ch {
            c.seconds = share;
        }
        results.extend(ch);
    }
    let total = t0.elapsed().as_secs_f64();
    let summary = report::summary(&results);
    let html = report::html(&results, &ctx.dir, args.seed, total)?;
    ether::record::write_atomic(&rd.staged("report.html"), html.as_bytes())?;
    rd.register("report.html", "the talk, reproduced: self-contained report");
    rd.json("summary.json", "one entry per chapter: claim, measured figure, verdict", &summary)?;
    let params = serde_json::json!({ "seed": args.seed, "chapters": args.chapters });
    let dir = rd.commit("demo", params, Some(args.seed))?;
    if args.json {
        crate::common::print_stdout(&serde_json::to_string_pretty(&summary)?)?;
    } else {
        crate::common::print_stdout(&report::table(&results))?;
        crate::common::print_stdout(&format!("report: {}  ({:.1} s)", dir.join("report.html").display(), total))?;
    }
    let failed = results.iter().filter(|c| !c.pass).count();
    if failed > 0 {
        anyhow::bail!("{failed} of {} verdicts failed; see {}", results.len(), dir.join("report.html").display());
    }
    Ok(())
}
