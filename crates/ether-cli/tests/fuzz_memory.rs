//! Lattices too large for memory are refused with an estimate before anything is allocated.
//!
//! Each command runs under an address-space ceiling (`prlimit --as`, util-linux): an allocation
//! it did not estimate first aborts the process (SIGABRT, "memory allocation of N bytes
//! failed") instead of being refused. Two sizes per command: one far beyond any machine (the
//! estimate must not overflow), and one that would fit this machine but not `ETHER_MEMORY_LIMIT`
//! (the estimate must be honest within the ceiling's slack). A refusal is exit 2 with one line
//! naming the memory needed (a figure with a byte unit), written before the ceiling is hit,
//! within a few seconds, leaving nothing behind.
//!
//! [`NOT_YET`] lists the command lines whose owners have not landed their estimate; each is
//! checked to still fail, so the list shrinks as they land.

mod common;
use common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Far beyond any machine's memory.
/// (Linear spin-wave theory evaluates its closed form along a path of momenta: `spinwave --model
/// ferro --lattice 20000x20000` allocates nothing of the lattice's size and runs in a second, so
/// it is not a case here.)
const HUGE: &[&[&str]] = &[
    &["spinwave", "--model", "antiferro", "--lattice", "4096x4096", "--method", "dynamics"],
    &["photon", "--lattice", "1000x1000x1000"],
    &["photon", "--lattice", "1000x1000x1000", "--method", "dynamics"],
    &["phases", "--lattice", "128x128x128x128"],
    &["ed", "--model", "heisenberg", "--lattice", "48"],
    &["ed", "--model", "transverse-ising", "--lattice", "48"],
    &["graviton", "--model", "cotton", "--lattice", "1000x1000x1000"],
    &["entanglement", "--model", "toric-code", "--lattice", "10000x10000"],
    // a field makes it a general spin model, whose term tables are per site (the 10^5-case fuzz
    // found it aborting on a 512 MB allocation)
    &["spinwave", "--model", "ferro", "--field", "0", "--lattice", "64000000"],
];

/// Between 1 and 8 GiB: fits this machine, not a 256 MiB budget.
const MODERATE: &[&[&str]] = &[
    &["spinwave", "--model", "antiferro", "--lattice", "256x256", "--method", "dynamics"],
    &["photon", "--lattice", "400x400x400", "--method", "dynamics"],
    &["phases", "--lattice", "48x48x48x48"],
    &["ed", "--model", "heisenberg", "--lattice", "34"],
    &["entanglement", "--model", "toric-code", "--lattice", "4000x4000"],
];
// (`graviton --model cotton --lattice 200x200x200` needs little memory: it is a 400 s run with a
// time estimate, not a memory case.)

/// Command lines that do not refuse yet (owner in the comment); reported in the coordination log.
/// The default run skips them; `not_yet_refusing_still_fail` (ignored: about 40 s) checks that
/// each still fails, so that a landed estimate shows up as an entry to delete.
const NOT_YET: &[&[&str]] = &[
    // empty since every command estimates first (checked on 2026-12-03 against main 0025daa: photon and
    // graviton refuse 1000x1000x1000 by their time budget, phases and entanglement by memory)
];

/// The address-space ceiling and the memory budget of the moderate cases.
const CEILING: u64 = 3 << 30;
const BUDGET: u64 = 256 << 20;

/// Run `ether ARGS --out DIR/run` under the ceiling; `Err(why)` unless it refuses as it should.
fn check(args: &[&str], budget: Option<u64>) -> Result<(), String> {
    let tag: String = args.join("_").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(50).collect();
    let d = scratch(&format!("mem-{tag}"));
    let out = d.join("run");
    let mut c = std::process::Command::new("prlimit");
    c.arg(format!("--as={CEILING}")).arg(env!("CARGO_BIN_EXE_ether")).args(args).arg("--out").arg(&out);
    c.env_remove("ETHER_MEMORY_LIMIT").env("RUST_BACKTRACE", "0").stdin(Stdio::null());
    if let Some(b) = budget {
        c.env("ETHER_MEMORY_LIMIT", b.to_string());
    }
    let mut child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| format!("prlimit: {e}"))?;
    let t0 = Instant::now();
    let limit = Duration::from_secs(5);
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&d);
            return Err(format!("still running after {} s without refusing", limit.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().map_err(|e| e.to_string())?;
    let left = entries(&d);
    let _ = std::fs::remove_dir_all(&d);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let first = err.lines().next().unwrap_or("").to_string();
    if o.status.code() != Some(2) {
        use std::os::unix::process::ExitStatusExt;
        let how = match (o.status.code(), o.status.signal()) {
            (Some(c), _) => format!("exit {c}"),
            (None, Some(s)) => format!("killed by signal {s}"),
            _ => "ended".to_string(),
        };
        return Err(format!("{how} (not a refusal): {first}"));
    }
    if err.trim_end().lines().count() != 1 {
        return Err(format!("{} lines on stderr: {first}", err.trim_end().lines().count()));
    }
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", " bytes", " KB", " MB", " GB", " TB", " PB"];
    // a refusal by the time budget (the run would fit in memory but take hours) names its figure too
    let timed = err.contains("would take about") && err.contains("budget");
    if !timed && !units.iter().any(|u| err.contains(u)) {
        return Err(format!("the refusal names no memory or time figure: {first}"));
    }
    if left != 0 {
        return Err(format!("left {left} entries behind"));
    }
    Ok(())
}

/// Check `cases`; those in [`NOT_YET`] only when `not_yet` (and then they must still fail).
fn report(cases: &[(&[&str], Option<u64>)], not_yet: bool) {
    assert!(std::process::Command::new("prlimit").arg("--version").output().is_ok(), "prlimit (util-linux) is needed");
    let mut failed = Vec::new();
    for (args, budget) in cases {
        let known = NOT_YET.contains(args);
        if known != not_yet {
            if known {
                eprintln!("skipped (listed in NOT_YET): ether {}", args.join(" "));
            }
            continue;
        }
        match (check(args, *budget), known) {
            (Ok(()), false) => {}
            (Err(why), true) => eprintln!("not yet (listed in NOT_YET): ether {}: {why}", args.join(" ")),
            (Ok(()), true) => failed.push(format!("ether {}: refuses now: remove it from NOT_YET", args.join(" "))),
            (Err(why), false) => failed.push(format!(
                "{}prlimit --as={CEILING} ether {}: {why}",
                budget.map(|b| format!("ETHER_MEMORY_LIMIT={b} ")).unwrap_or_default(),
                args.join(" ")
            )),
        }
    }
    assert!(failed.is_empty(), "{} command line(s) do not refuse cleanly:\n{}", failed.len(), failed.join("\n"));
}

fn all_cases() -> Vec<(&'static [&'static str], Option<u64>)> {
    HUGE.iter().map(|a| (*a, None)).chain(MODERATE.iter().map(|a| (*a, Some(BUDGET)))).collect()
}

#[test]
fn lattices_beyond_any_machine_are_refused_with_an_estimate() {
    report(&HUGE.iter().map(|a| (*a, None)).collect::<Vec<_>>(), false);
}

#[test]
fn lattices_beyond_the_memory_budget_are_refused_before_allocating() {
    report(&MODERATE.iter().map(|a| (*a, Some(BUDGET))).collect::<Vec<_>>(), false);
}

/// Fits this machine's free memory (or not: then it is refused anyway), never the ceiling.
const BEYOND_THE_CEILING: &[&[&str]] = &[
    &["entanglement", "--model", "toric-code", "--lattice", "4000x4000"],
    &["phases", "--lattice", "72x72x72x72"],
    &["ed", "--model", "heisenberg", "--lattice", "36"],
];

#[test]
fn the_address_space_limit_is_part_of_the_budget() {
    // no ETHER_MEMORY_LIMIT: the ceiling (`prlimit --as`, `ulimit -v`) alone must make them refuse
    report(&BEYOND_THE_CEILING.iter().map(|a| (*a, None)).collect::<Vec<_>>(), false);
}

#[test]
#[ignore = "about 40 s: each entry of NOT_YET runs until it aborts or for 5 s; CI runs it with --ignored"]
fn not_yet_refusing_still_fail() {
    let cases: Vec<_> = all_cases().into_iter().filter(|(a, _)| NOT_YET.contains(a)).collect();
    assert_eq!(cases.len(), NOT_YET.len(), "every NOT_YET entry is one of HUGE or MODERATE");
    report(&cases, true);
}
