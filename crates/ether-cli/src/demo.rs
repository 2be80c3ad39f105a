//! `ether demo`: the talk, reproduced. Each chapter computes its claim on small defaults,
//! writes its run directories under the demo directory and returns verdicts; the demo then
//! writes `report.html` (self-contained) and `summary.json` and prints the verdict table.
//!
//! While it runs, finished parts live in `DIR.checkpoint/` (each part's run directory and its
//! verdict rows): SIGINT/SIGTERM stops the demo at the running part's next safe point, and
//! `ether demo --resume --out DIR` reruns only the parts that had not finished. The report is
//! the same as an uninterrupted run's (every part is a deterministic function of the seed).

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
    /// Replace DIR (and the state of an interrupted demo in DIR.checkpoint/) if it exists.
    #[arg(long)]
    force: bool,
    /// Continue an interrupted demo: the parts finished before the interruption (kept in
    /// DIR.checkpoint/) are not run again.
    #[arg(long)]
    resume: bool,
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
    /// Directory (the demo's checkpoint) where the chapter writes its run directories; a part
    /// whose run directory and rows are already there is not run again.
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
        let done = ctx.dir.join(rows_file(&d.dir));
        if ctx.dir.join(&d.dir).join("manifest.json").is_file() && done.is_file() {
            let kept: Vec<Chapter> = serde_json::from_slice(&std::fs::read(&done)?)
                .with_context(|| format!("reading {} (remove it to rerun that part)", done.display()))?;
            if !ctx.quiet {
                eprintln!("  {}: finished before the interruption, kept", d.dir);
            }
            rows.extend(kept);
            continue;
        }
        // a part interrupted before it committed left nothing inside the checkpoint but, at
        // most, its own staging directory, which RunDir::create cleans up
        let _ = std::fs::remove_dir_all(ctx.dir.join(&d.dir));
        let first_row = rows.len();
        let t0 = Instant::now();
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
        let share = t0.elapsed().as_secs_f64() / (rows.len() - first_row) as f64;
        for r in &mut rows[first_row..] {
            r.seconds = share;
        }
        ether::record::write_atomic(&done, &serde_json::to_vec_pretty(&rows[first_row..])?)?;
    }
    Ok(rows)
}

/// The file beside a finished part's run directory holding its verdict rows.
fn rows_file(part: &str) -> String {
    format!(".{part}.rows.json")
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

/// Check `--out`, `--force` and `--resume` before any chapter runs; the checkpoint directory of
/// the finished parts and the parameters it belongs to.
fn prepare(args: &Args) -> Result<(std::path::PathBuf, serde_json::Value)> {
    let ck = crate::run::checkpoint_dir(&args.out);
    if args.force {
        for d in [&args.out, &ck] {
            if d.exists() {
                std::fs::remove_dir_all(d)
                    .with_context(|| format!("removing the old demo directory {}", d.display()))?;
            }
        }
    }
    if args.out.exists() {
        return usage(format!(
            "--out {}: it already exists; pass --force to replace it or choose another directory",
            args.out.display()
        ));
    }
    match (ck.exists(), args.resume) {
        (true, false) => {
            return usage(format!(
                "{} holds the finished parts of an interrupted demo: continue it with --resume, or pass --force to start over",
                ck.display()
            ))
        }
        (false, true) => {
            return usage(format!("--resume: no interrupted demo in {}; run without --resume to start", ck.display()))
        }
        _ => {}
    }
    // the parameters the checkpoint belongs to: a resume with another seed or chapter list would
    // mix two reports
    let params = serde_json::json!({ "seed": args.seed, "chapters": args.chapters });
    let stamp = ck.join(".demo.json");
    if args.resume {
        let kept: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&stamp).unwrap_or_default()).unwrap_or(serde_json::Value::Null);
        if kept != params {
            return usage(format!(
                "--resume: {} was started with {kept}, not {params}; give the same --seed and --chapters, or --force to start over",
                ck.display()
            ));
        }
    } else {
        std::fs::create_dir_all(&ck).with_context(|| format!("creating {}", ck.display()))?;
        ether::record::write_atomic(&stamp, &serde_json::to_vec(&params)?)?;
    }
    Ok((ck, params))
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
    let (ck, params) = prepare(&args)?;
    let ctx = DemoContext { dir: ck.clone(), seed: args.seed, quiet: g.quiet };
    let t0 = Instant::now();
    let mut results: Vec<Chapter> = Vec::new();
    let list: Vec<_> =
        chapters().into_iter().filter(|c| args.chapters.is_empty() || args.chapters.contains(&c.0)).collect();
    for (i, (num, title, f)) in list.iter().enumerate() {
        if !g.quiet {
            eprintln!("[{}/{}] chapter {num}: {title}", i + 1, list.len());
        }
        let ch = match f(&ctx) {
            Ok(ch) => ch,
            Err(e) => {
                if !g.quiet {
                    eprintln!(
                        "the finished parts are kept in {}; continue with: ether demo --resume --out {}",
                        ck.display(),
                        args.out.display()
                    );
                }
                return Err(e.context(format!("demo chapter {num} ({title})")));
            }
        };
        results.extend(ch);
    }
    // every part finished: move the run directories into the demo's own (staged) directory
    let mut rd = RunDir::create(&args.out)?;
    for e in std::fs::read_dir(&ck)?.flatten() {
        let name = e.file_name();
        if e.path().is_dir() && !name.to_string_lossy().starts_with('.') {
            std::fs::rename(e.path(), rd.staged(&name.to_string_lossy()))
                .with_context(|| format!("moving {} into the demo directory", e.path().display()))?;
        }
    }
    let ctx = DemoContext { dir: rd.staged(""), ..ctx };
    let total = t0.elapsed().as_secs_f64();
    let summary = report::summary(&results);
    let html = report::html(&results, &ctx.dir, args.seed, total)?;
    ether::record::write_atomic(&rd.staged("report.html"), html.as_bytes())?;
    rd.register("report.html", "the talk, reproduced: self-contained report");
    rd.json("summary.json", "one entry per chapter: claim, measured figure, verdict", &summary)?;
    let dir = rd.commit("demo", params, Some(args.seed))?;
    std::fs::remove_dir_all(&ck).with_context(|| format!("removing the finished demo's state {}", ck.display()))?;
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
