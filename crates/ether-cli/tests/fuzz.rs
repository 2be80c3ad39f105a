//! The command line under generated input: every command, every flag it lists in `--help`.
//!
//! Each case starts from a small command line known to run in well under a second (the table
//! [`BASES`]) and applies a few mutations: a flag's value replaced by an edge value (0, -1, 1e309,
//! NaN, a huge lattice, an empty string, random text, a list), a flag dropped or left without its
//! value, unknown flags, stray tokens, `--threads`, `--out` into odd places, broken `--config`
//! files, `--set`, `--resume`. It runs the real binary in a scratch directory under a memory
//! ceiling (`prlimit --as`, so an allocation that was not estimated first aborts instead of
//! swapping) with `ETHER_MEMORY_LIMIT` set, and a time limit after which it is sent SIGINT.
//!
//! Every case must: exit 0 or 2 (130 only after our SIGINT), never panic or abort; on exit 2
//! print exactly one line on stderr that starts with `error: ` and nothing on stdout; on exit 0
//! with `--json` print exactly one JSON document; leave no staging directory or temporary file;
//! leave nothing at all after bad input; keep a checkpoint only when interrupted, and a complete
//! run directory (with its manifest) after success.
//!
//! A failing case is shrunk (proptest's value trees) to a minimal one and reported as a one-line
//! shell reproducer. Failures already reported to their owners are listed in [`KNOWN`] with the
//! reproducer that shows them; `known_failures_still_fail` keeps that list honest.
//!
//! The default run tries `ETHER_FUZZ_CASES` cases (3000) on `ETHER_FUZZ_WORKERS` workers (2);
//! `bench/fuzz_cli.sh` runs 10^5 and prints the timing and every distinct failure.

mod common;
use common::*;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Small command lines, known to finish quickly, that the mutations start from.
const BASES: &[&[&str]] = &[
    &["spinwave", "--model", "ferro", "--lattice", "8"],
    &["spinwave", "--model", "antiferro", "--lattice", "8x8"],
    &[
        "spinwave",
        "--model",
        "antiferro",
        "--lattice",
        "16x16",
        "--method",
        "dynamics",
        "--frames",
        "64",
        "--samples",
        "1",
    ],
    &["photon", "--lattice", "4x4x4"],
    &["photon", "--lattice", "4x4x4", "--method", "dynamics", "--steps", "80"],
    &["phases", "--lattice", "2x2x2x2", "--beta", "1", "--therm", "5", "--sweeps", "20"],
    &["ed", "--model", "heisenberg", "--lattice", "8"],
    &["ed", "--model", "transverse-ising", "--lattice", "6"],
    &["ed", "--model", "toric-code", "--lattice", "2x2"],
    &["ed", "--model", "quantum-link", "--lattice", "2x2x2"],
    &["statistics", "--model", "toric-code"],
    &["statistics", "--model", "rotor"],
    &["graviton", "--model", "cotton", "--lattice", "4x4x4"],
    &["entanglement", "--model", "toric-code", "--lattice", "8x8"],
    &["entanglement", "--model", "ferromagnet", "--lattice", "4x4"],
    &["plot", "RUN"],
];

/// Failures found by this test and reported to the owners of the commands (see the project's
/// coordination log): (reproducer, text its failure report contains, owner). A fuzz failure
/// whose report contains the text, for the same command, is counted as known, not as new.
const KNOWN: &[(&[&str], &str, &str)] = &[
    // empty: the eight failures listed here on 2026-12-03 12:24 (SIGINT ending ed, entanglement and
    // phases at once; ed's Hermiticity check on rounding; two-line refusals of ed --out and photon --dt;
    // spinwave's failed fit discarding the run; the phases history without a size estimate) were
    // rechecked at 14:20 against main 0025daa and no longer fail
];

/// Edge values for numbers and words.
const EDGES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-0",
    "0.5",
    "-2.5",
    "1e-300",
    "1e300",
    "1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "99999999999",
    "0x10",
    "1_000",
    "",
    " ",
    "1,2",
    ",",
    "pi",
    "pi/0",
    "½",
    "1e",
    "--",
    "-",
    "=",
    "x",
];

/// Lattice extents and separators.
const EXTENTS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "8", "16", "1000", "100000", "-4", "", "a", "2.5"];
const SEPS: &[&str] = &["x", "x", "x", "X", ",", "×", " x ", "xx"];
/// Factors applied to a flag's default value.
const SCALES: &[f64] = &[0.0, -1.0, 2.0, 1000.0, 1e6, 1e-6, 0.5, 1e12];
const THREADS: &[&str] = &["1", "2", "3", "0", "-1", "2000", "1e3", ""];

/// A flag of a command, as its `--help` lists it.
#[derive(Clone, Debug)]
struct Flag {
    name: String,
    takes_value: bool,
    possible: Vec<String>,
    default: Option<String>,
}

/// Flags handled by their own mutations (or not worth fuzzing).
const SPECIAL: &[&str] = &["help", "version", "threads", "quiet", "verbose", "out", "config", "set", "resume"];

/// The flags of `ether CMD` from its `--help` text.
fn flags_of(cmd: &str) -> Vec<Flag> {
    let o = ether(&[cmd, "--help"]);
    assert!(o.status.success(), "ether {cmd} --help failed");
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let mut out: Vec<(Flag, String)> = Vec::new();
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        let flag_part = t.strip_prefix(|c: char| c == '-').and_then(|r| {
            // "-q, --quiet" or "--lattice <LATTICE>"
            if let Some(r) = r.strip_prefix('-') {
                Some(r)
            } else {
                r.split_once(", --").map(|(_, r)| r)
            }
        });
        match flag_part {
            Some(r) if indent <= 6 => {
                let name: String = r.chars().take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_').collect();
                let rest = &r[name.len()..];
                let takes_value = rest.trim_start_matches(['=', ' ']).starts_with('<');
                out.push((Flag { name, takes_value, possible: Vec::new(), default: None }, line.to_string()));
            }
            _ => {
                if let Some((_, body)) = out.last_mut() {
                    body.push('\n');
                    body.push_str(line);
                }
            }
        }
    }
    out.into_iter()
        .map(|(mut f, body)| {
            let joined = body.split_whitespace().collect::<Vec<_>>().join(" ");
            if let Some(i) = joined.find("[default: ") {
                let rest = &joined[i + 10..];
                f.default = rest.find(']').map(|j| rest[..j].to_string());
            }
            if let Some(i) = joined.find("[possible values: ") {
                let rest = &joined[i + 18..];
                if let Some(j) = rest.find(']') {
                    f.possible = rest[..j].split(", ").map(str::to_string).collect();
                }
            }
            let mut in_list = false;
            for l in body.lines() {
                let l = l.trim();
                if l.starts_with("Possible values:") {
                    in_list = true;
                } else if in_list {
                    match l.strip_prefix("- ") {
                        Some(v) => f.possible.push(v.split(':').next().unwrap_or(v).trim().to_string()),
                        // a value's description may wrap onto further lines; the list ends
                        // at the next bracketed note ("[default: ...]")
                        None if l.starts_with('[') => in_list = false,
                        None => {}
                    }
                }
            }
            f
        })
        .collect()
}

/// A value for a flag, resolved against the flag when the case is written out.
#[derive(Clone, Debug)]
enum Val {
    Default,
    Possible(Index),
    Edge(Index),
    Scaled(Index),
    Lattice(Vec<Index>, Index),
    List(Vec<Index>),
    Text(String),
}

/// One change to a base command line.
#[derive(Clone, Debug)]
enum Mut {
    /// Give a value flag a (new) value.
    Set(Index, Val),
    /// Remove one flag of the base.
    Drop(Index),
    /// A value flag with its value missing, at the end.
    Bare(Index),
    /// A switch (flag without value).
    Switch(Index),
    /// An unknown flag.
    Unknown(String),
    /// A stray word.
    Token(String),
    /// `--threads N` before the command.
    Threads(Index),
    /// `-q` or `-v` before the command.
    Quiet(bool),
    /// `--out` somewhere.
    Out(Index),
    /// `--config FILE` of some kind, with one parameter.
    Config(Index, Index, Val),
    /// `--set KEY=VALUE`.
    SetKv(Index, Val),
    /// `--resume` of some kind.
    Resume(Index),
}

fn val() -> impl Strategy<Value = Val> {
    prop_oneof![
        2 => Just(Val::Default),
        3 => any::<Index>().prop_map(Val::Possible),
        5 => any::<Index>().prop_map(Val::Edge),
        3 => any::<Index>().prop_map(Val::Scaled),
        3 => (prop::collection::vec(any::<Index>(), 0..5), any::<Index>()).prop_map(|(e, s)| Val::Lattice(e, s)),
        2 => prop::collection::vec(any::<Index>(), 0..4).prop_map(Val::List),
        2 => "\\PC{0,10}".prop_map(Val::Text),
    ]
}

fn mutation() -> impl Strategy<Value = Mut> {
    prop_oneof![
        12 => (any::<Index>(), val()).prop_map(|(i, v)| Mut::Set(i, v)),
        2 => any::<Index>().prop_map(Mut::Drop),
        1 => any::<Index>().prop_map(Mut::Bare),
        2 => any::<Index>().prop_map(Mut::Switch),
        1 => "--[a-z]{1,8}".prop_map(Mut::Unknown),
        1 => "[a-z0-9=,-]{1,6}".prop_map(Mut::Token),
        2 => any::<Index>().prop_map(Mut::Threads),
        1 => any::<bool>().prop_map(Mut::Quiet),
        3 => any::<Index>().prop_map(Mut::Out),
        2 => (any::<Index>(), any::<Index>(), val()).prop_map(|(k, i, v)| Mut::Config(k, i, v)),
        2 => (any::<Index>(), val()).prop_map(|(i, v)| Mut::SetKv(i, v)),
        1 => any::<Index>().prop_map(Mut::Resume),
    ]
}

/// A generated case: a base and its mutations.
#[derive(Clone, Debug)]
struct Case {
    base: Index,
    muts: Vec<Mut>,
}

fn case() -> impl Strategy<Value = Case> {
    (any::<Index>(), prop::collection::vec(mutation(), 0..5)).prop_map(|(base, muts)| Case { base, muts })
}

/// What the test knows about the commands.
struct World {
    flags: BTreeMap<String, Vec<Flag>>,
    /// A finished run directory for `ether plot` (copied into each case that uses it).
    plot_source: PathBuf,
}

/// A case written out: the arguments, files to create first, and what the checks need to know.
#[derive(Clone, Debug, Default)]
struct Invocation {
    args: Vec<String>,
    /// Files (relative path, contents) and directories (contents `None`) made before the run.
    inputs: Vec<(String, Option<Vec<u8>>)>,
    /// Copy of a run directory needed by `ether plot`.
    plot_dir: bool,
    /// The `--out` directory, if any.
    out: Option<String>,
    json: bool,
}

fn render(v: &Val, f: &Flag) -> String {
    let pick = |i: &Index, list: &[&str]| list[i.index(list.len())].to_string();
    match v {
        Val::Default => f.default.clone().unwrap_or_else(|| "1".into()),
        Val::Possible(i) if !f.possible.is_empty() => f.possible[i.index(f.possible.len())].clone(),
        Val::Possible(i) | Val::Edge(i) => pick(i, EDGES),
        Val::Scaled(i) => {
            let d = f.default.as_deref().unwrap_or("1");
            match d.parse::<f64>() {
                Ok(x) => {
                    let y = x * SCALES[i.index(SCALES.len())];
                    if d.contains('.') || d.contains('e') || y.fract() != 0.0 || y.abs() > 1e18 {
                        format!("{y}")
                    } else {
                        format!("{}", y as i64)
                    }
                }
                Err(_) => pick(i, EDGES),
            }
        }
        Val::Lattice(e, s) => e.iter().map(|i| pick(i, EXTENTS)).collect::<Vec<_>>().join(&pick(s, SEPS)),
        Val::List(items) => items.iter().map(|i| pick(i, EDGES)).collect::<Vec<_>>().join(","),
        Val::Text(t) => t.clone(),
    }
}

/// Write a case out as arguments and input files.
fn invocation(c: &Case, w: &World) -> Invocation {
    let base = BASES[c.base.index(BASES.len())];
    let cmd = base[0];
    let flags = &w.flags[cmd];
    let value_flags: Vec<&Flag> =
        flags.iter().filter(|f| f.takes_value && !SPECIAL.contains(&f.name.as_str())).collect();
    let switches: Vec<&Flag> = flags.iter().filter(|f| !f.takes_value && !SPECIAL.contains(&f.name.as_str())).collect();
    // the base as (flag, value) pairs and positionals
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut positionals: Vec<String> = Vec::new();
    let mut i = 1;
    while i < base.len() {
        if let Some(name) = base[i].strip_prefix("--") {
            pairs.push((name.to_string(), base.get(i + 1).map(|s| s.to_string())));
            i += 2;
        } else {
            positionals.push(base[i].to_string());
            i += 1;
        }
    }
    let mut inv = Invocation::default();
    let mut pre: Vec<String> = Vec::new();
    let mut post: Vec<String> = Vec::new();
    for m in &c.muts {
        match m {
            Mut::Set(i, v) if !value_flags.is_empty() => {
                let f = value_flags[i.index(value_flags.len())];
                let value = render(v, f);
                match pairs.iter_mut().find(|p| p.0 == f.name) {
                    Some(p) => p.1 = Some(value),
                    None => pairs.push((f.name.clone(), Some(value))),
                }
            }
            Mut::Drop(i) if !pairs.is_empty() => {
                pairs.remove(i.index(pairs.len()));
            }
            Mut::Bare(i) if !value_flags.is_empty() => {
                post.push(format!("--{}", value_flags[i.index(value_flags.len())].name))
            }
            Mut::Switch(i) if !switches.is_empty() => {
                let s = format!("--{}", switches[i.index(switches.len())].name);
                if !post.contains(&s) {
                    post.push(s);
                }
            }
            Mut::Unknown(s) => post.push(s.clone()),
            Mut::Token(s) => post.push(s.clone()),
            Mut::Threads(i) => pre.extend(["--threads".to_string(), THREADS[i.index(THREADS.len())].to_string()]),
            Mut::Quiet(q) => pre.push(if *q { "-q".into() } else { "-v".into() }),
            Mut::Out(i) => {
                type Inputs<'a> = Vec<(&'a str, Option<&'a [u8]>)>;
                let (out, inputs): (&str, Inputs) = match i.index(7) {
                    0 => ("run", vec![]),
                    1 => ("run", vec![("run", Some(b"a file, not a directory"))]),
                    2 => ("run", vec![("run", None), ("run/keep", Some(b"x"))]),
                    3 => ("/proc/ether-cannot-write/run", vec![]),
                    4 => ("", vec![]),
                    5 => ("deep/a/b/run", vec![]),
                    _ => ("run", vec![("run", None)]),
                };
                pairs.retain(|p| p.0 != "out");
                pairs.push(("out".into(), Some(out.into())));
                inv.out = Some(out.to_string());
                for (p, b) in inputs {
                    inv.inputs.push((p.to_string(), b.map(|b| b.to_vec())));
                }
            }
            Mut::Config(k, i, v) => {
                let key_flag = (!value_flags.is_empty()).then(|| value_flags[i.index(value_flags.len())]);
                let (file, body): (&str, Option<Vec<u8>>) = match k.index(6) {
                    0 => ("missing.toml", None),
                    1 | 2 => {
                        let (key, value) = match key_flag {
                            Some(f) => (f.name.replace('-', "_"), render(v, f)),
                            None => ("seed".into(), "1".into()),
                        };
                        let value = if value.parse::<f64>().is_ok() { value } else { format!("{value:?}") };
                        ("params.toml", Some(format!("{key} = {value}\n").into_bytes()))
                    }
                    3 => ("params.toml", Some(b"lattice = [[[\n\x00\xff".to_vec())),
                    4 => ("manifest.json", Some(br#"{"command": "graviton", "parameters": {}}"#.to_vec())),
                    _ => ("cfgdir", Some(Vec::new())),
                };
                if file == "cfgdir" {
                    inv.inputs.push(("cfgdir".into(), None));
                } else if let Some(b) = body {
                    inv.inputs.push((file.into(), Some(b)));
                }
                pairs.retain(|p| p.0 != "config");
                pairs.push(("config".into(), Some(file.into())));
            }
            Mut::SetKv(i, v) if !value_flags.is_empty() => {
                let f = value_flags[i.index(value_flags.len())];
                post.extend(["--set".to_string(), format!("{}={}", f.name.replace('-', "_"), render(v, f))]);
            }
            Mut::Resume(i) => match i.index(4) {
                0 => post.push("--resume".into()),
                1 => post.extend(["--resume".into(), "run".into()]),
                2 => {
                    post.push("--resume".into());
                    pairs.retain(|p| p.0 != "out");
                    pairs.push(("out".into(), Some("run".into())));
                    inv.out = Some("run".into());
                    inv.inputs.push(("run.checkpoint".into(), None));
                    inv.inputs.push(("run.checkpoint/params".into(), Some(b"garbage".to_vec())));
                }
                _ => post.extend(["--resume".into(), "nowhere".into()]),
            },
            _ => {}
        }
    }
    let mut args = pre;
    args.push(cmd.to_string());
    for (name, value) in pairs {
        args.push(format!("--{name}"));
        if let Some(v) = value {
            args.push(v);
        }
    }
    for p in positionals {
        if p == "RUN" {
            inv.plot_dir = true;
        }
        args.push(p);
    }
    args.extend(post);
    inv.json = args.iter().any(|a| a == "--json");
    inv.args = args;
    inv
}

/// How long a case may run before it is sent SIGINT, and how long it then has to stop.
#[derive(Clone, Copy, Debug)]
struct Limits {
    run: Duration,
    stop: Duration,
}

/// Address-space ceiling of each case (allocations beyond it abort), and the memory budget the
/// commands' own estimates are held to.
const AS_LIMIT: u64 = 3 << 30;
const MEMORY_LIMIT: u64 = 256 << 20;

/// The one-line shell reproducer of an invocation.
fn reproducer(inv: &Invocation) -> String {
    let q = |s: &str| {
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=,:".contains(c)) {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut setup = String::new();
    for (p, b) in &inv.inputs {
        match b {
            None => setup.push_str(&format!("mkdir -p {} && ", q(p))),
            Some(b) => setup.push_str(&format!("printf %s {} > {} && ", q(&String::from_utf8_lossy(b)), q(p))),
        }
    }
    if inv.plot_dir {
        setup.push_str("ether spinwave --model ferro --lattice 8 --out RUN && ");
    }
    format!(
        "{setup}ETHER_MEMORY_LIMIT={MEMORY_LIMIT} prlimit --as={AS_LIMIT} ether {}",
        inv.args.iter().map(|a| q(a)).collect::<Vec<_>>().join(" ")
    )
}

/// What a case did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    signal: Option<i32>,
    interrupted: bool,
    seconds: f64,
    stdout: Vec<u8>,
    stderr: String,
}

fn exit_signal(s: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    s.signal()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// Run an invocation in a fresh `dir` (its scratch space; `io` holds its output streams).
fn execute(inv: &Invocation, w: &World, dir: &Path, io: &Path, lim: Limits) -> Outcome {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::create_dir_all(io).unwrap();
    // later inputs win over earlier ones at the same path (a file where a directory was, ...)
    fn make_dir(p: &Path) {
        if p.is_file() {
            std::fs::remove_file(p).unwrap();
        }
        if !p.is_dir() {
            if let Some(parent) = p.parent() {
                make_dir(parent);
            }
            std::fs::create_dir(p).unwrap();
        }
    }
    for (p, b) in &inv.inputs {
        let path = dir.join(p);
        match b {
            None => make_dir(&path),
            Some(b) => {
                if let Some(parent) = path.parent() {
                    make_dir(parent);
                }
                if path.is_dir() {
                    std::fs::remove_dir_all(&path).unwrap();
                }
                std::fs::write(&path, b).unwrap();
            }
        }
    }
    if inv.plot_dir {
        copy_dir(&w.plot_source, &dir.join("RUN"));
    }
    let (out_path, err_path) = (io.join("stdout"), io.join("stderr"));
    let mut c = Command::new("prlimit");
    c.arg(format!("--as={AS_LIMIT}"))
        .arg(env!("CARGO_BIN_EXE_ether"))
        .args(&inv.args)
        .current_dir(dir)
        .env("ETHER_MEMORY_LIMIT", MEMORY_LIMIT.to_string())
        .env("RUST_BACKTRACE", "0")
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("RUST_LOG")
        .env_remove("ETHER_ISA")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let t0 = Instant::now();
    let mut child = c.spawn().expect("spawn prlimit (util-linux)");
    let mut interrupted = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        let el = t0.elapsed();
        if !interrupted && el > lim.run {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            interrupted = true;
        }
        if interrupted && el > lim.run + lim.stop {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(if el < Duration::from_millis(50) { 1 } else { 10 }));
    };
    Outcome {
        code: status.code(),
        signal: exit_signal(&status),
        interrupted,
        seconds: t0.elapsed().as_secs_f64(),
        stdout: std::fs::read(&out_path).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).to_string(),
    }
}

/// Every path under `dir`, relative, directories included.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>, depth: usize) {
        if depth > 6 {
            return;
        }
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                out.push(p.strip_prefix(base).unwrap_or(&p).to_string_lossy().to_string());
                if p.is_dir() && !p.is_symlink() {
                    walk(base, &p, out, depth + 1);
                }
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v, 0);
    v.sort();
    v
}

/// The checks of one case: `Err(what went wrong)`.
fn judge(inv: &Invocation, o: &Outcome, dir: &Path) -> Result<(), String> {
    let tail: String =
        o.stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" | ");
    // `-h` and `-V` also ask for help or the version inside a cluster of short flags (`-qh`,
    // `-ha`): clap prints the help and exits 0, so such a case writes no JSON and no run.
    let short_cluster_asks = |a: &str| {
        a.len() > 1
            && a.starts_with('-')
            && !a.starts_with("--")
            && a[1..].chars().all(|c| c.is_ascii_alphabetic() || c == '-')
            && a[1..].contains(['h', 'V'])
    };
    let help_or_version =
        inv.args.iter().any(|a| ["--help", "-h", "--version", "-V"].contains(&a.as_str()) || short_cluster_asks(a));
    if let Some(s) = o.signal {
        return Err(match (s, o.interrupted) {
            (9, true) => "did not stop within the grace time after SIGINT".to_string(),
            (2, true) => "killed by SIGINT instead of stopping at a safe point (exit 130)".to_string(),
            (6, _) => format!("aborted (signal 6): {tail}"),
            (s, _) => format!("killed by signal {s}: {tail}"),
        });
    }
    let code = o.code.unwrap_or(-1);
    match code {
        0 | 2 => {}
        130 if o.interrupted => {}
        101 => return Err(format!("panicked (exit 101): {tail}")),
        c => return Err(format!("exit {c}: {tail}")),
    }
    if code == 2 {
        let lines: Vec<&str> = o.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.len() != 1 || !lines[0].starts_with("error: ") {
            return Err(format!("bad input gave {} lines on stderr, not one 'error: ' line: {tail}", lines.len()));
        }
        if !o.stdout.is_empty() {
            return Err(format!("bad input printed on stdout: {tail}"));
        }
    }
    if code == 0 && inv.json && !help_or_version && serde_json::from_slice::<serde_json::Value>(&o.stdout).is_err() {
        return Err(format!("--json did not print exactly one JSON document ({} bytes)", o.stdout.len()));
    }
    // files: compare with what was there before the run
    let before: Vec<String> = {
        let mut v: Vec<String> = inv.inputs.iter().map(|(p, _)| p.clone()).collect();
        for (p, _) in &inv.inputs {
            let mut q = Path::new(p).parent();
            while let Some(x) = q.filter(|x| !x.as_os_str().is_empty()) {
                v.push(x.to_string_lossy().to_string());
                q = x.parent();
            }
        }
        if inv.plot_dir {
            v.extend(tree(&dir.join("RUN")).into_iter().map(|p| format!("RUN/{p}")));
            v.push("RUN".into());
        }
        v
    };
    let after = tree(dir);
    let new: Vec<&String> = after.iter().filter(|p| !before.contains(p)).collect();
    if let Some(p) = new.iter().find(|p| {
        let name = Path::new(p.as_str()).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        name.starts_with('.') && (name.contains(".partial") || name.contains(".tmp"))
    }) {
        return Err(format!("left a staging or temporary file behind: {p}"));
    }
    let out = inv.out.as_deref().filter(|o| !o.is_empty() && !o.starts_with('/'));
    let checkpoint = out.map(|o| format!("{o}.checkpoint"));
    if code == 2 {
        if let Some(p) = new.first() {
            return Err(format!("bad input left {p} behind"));
        }
    }
    if code == 130 {
        // an interrupted run keeps its checkpoint (and the parents of --out it made), nothing else
        let parents: Vec<String> = out
            .map(|o| Path::new(o).ancestors().skip(1).map(|a| a.to_string_lossy().to_string()).collect())
            .unwrap_or_default();
        let allowed =
            |p: &str| checkpoint.as_deref().is_some_and(|c| p.starts_with(c)) || parents.iter().any(|a| a == p);
        if let Some(p) = new.iter().find(|p| !allowed(p)) {
            return Err(format!("an interrupted run left {p} (only its checkpoint may stay)"));
        }
    }
    if code == 0 && !help_or_version {
        if let Some(o) = out {
            if !dir.join(o).join("manifest.json").exists() && inv.args.iter().any(|a| a == "--out") {
                return Err(format!("exit 0 but {o}/manifest.json is missing"));
            }
        }
        if let Some(c) = &checkpoint {
            if dir.join(c).exists() && !inv.inputs.iter().any(|(p, _)| p == c) {
                return Err(format!("a finished run kept its checkpoint {c}"));
            }
        }
    }
    Ok(())
}

/// A failure, minimal after shrinking.
#[derive(Clone, Debug)]
struct Failure {
    command: String,
    what: String,
    reproducer: String,
}

/// A failure's class: the command and the report with numbers and quoted words blanked out.
fn signature(command: &str, what: &str) -> String {
    let mut s = String::new();
    let mut quote = false;
    for c in what.chars() {
        if c == '\'' {
            quote = !quote;
            s.push(c);
        } else if quote {
            continue;
        } else if c.is_ascii_digit() {
            if !s.ends_with('#') {
                s.push('#');
            }
        } else {
            s.push(c);
        }
    }
    format!("{command}: {}", s.chars().take(90).collect::<String>())
}

fn is_known(f: &Failure) -> bool {
    KNOWN.iter().any(|(args, needle, _)| args.first() == Some(&f.command.as_str()) && f.what.contains(needle))
}

/// Shrinking stops after this many steps or this much time per failure.
const SHRINK_STEPS: usize = 60;
const SHRINK_TIME: Duration = Duration::from_secs(40);

/// Run `n` cases from `seed` on one worker; returns failures (shrunk) and timings. Each case is
/// appended to `scratch/trace` (arguments, exit, seconds) while it runs.
fn worker(w: &World, seed: u64, n: usize, lim: Limits, scratch: &Path) -> (Vec<Failure>, Vec<f64>, usize) {
    use std::io::Write;
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config { failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let strategy = case();
    let (dir, io) = (scratch.join("case"), scratch.join("io"));
    let mut failures: Vec<Failure> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut times = Vec::with_capacity(n);
    let mut interrupted = 0;
    std::fs::create_dir_all(scratch).unwrap();
    let mut trace = std::fs::File::create(scratch.join("trace")).unwrap();
    for k in 0..n {
        let mut tree_ = strategy.new_tree(&mut runner).expect("generate a case");
        let inv = invocation(&tree_.current(), w);
        let o = execute(&inv, w, &dir, &io, lim);
        let _ = writeln!(trace, "{k}\t{:?}\t{:?}\t{:.3}\t{}", o.code, o.signal, o.seconds, reproducer(&inv));
        times.push(o.seconds);
        interrupted += o.interrupted as usize;
        let Err(what) = judge(&inv, &o, &dir) else { continue };
        let command = BASES[tree_.current().base.index(BASES.len())][0].to_string();
        let sig = signature(&command, &what);
        if seen.contains(&sig) {
            continue;
        }
        // shrink: keep simplifying while the case still fails in the same way (known ones: no need)
        let mut best = Failure { command: command.clone(), what: what.clone(), reproducer: reproducer(&inv) };
        if is_known(&best) {
            seen.push(sig);
            failures.push(best);
            continue;
        }
        let mut steps = 0;
        let t_shrink = Instant::now();
        if tree_.simplify() {
            loop {
                steps += 1;
                let inv2 = invocation(&tree_.current(), w);
                let o2 = execute(&inv2, w, &dir, &io, lim);
                let cmd2 = BASES[tree_.current().base.index(BASES.len())][0].to_string();
                let still = matches!(judge(&inv2, &o2, &dir), Err(ref w2) if signature(&cmd2, w2) == sig);
                if still {
                    best = Failure {
                        command: cmd2,
                        what: judge(&inv2, &o2, &dir).unwrap_err(),
                        reproducer: reproducer(&inv2),
                    };
                }
                let more = if still { tree_.simplify() } else { tree_.complicate() };
                if !more || steps >= SHRINK_STEPS || t_shrink.elapsed() > SHRINK_TIME {
                    break;
                }
            }
        }
        seen.push(sig);
        failures.push(best);
    }
    (failures, times, interrupted)
}

/// Build the world: every command's flags, a run directory for `ether plot`.
fn world(scratch: &Path) -> World {
    let mut flags = BTreeMap::new();
    for b in BASES {
        if !flags.contains_key(b[0]) {
            flags.insert(b[0].to_string(), flags_of(b[0]));
        }
    }
    let plot_source = scratch.join("plot-source");
    let _ = std::fs::remove_dir_all(&plot_source);
    let p = plot_source.to_string_lossy().to_string();
    let o = ether(&["spinwave", "--model", "ferro", "--lattice", "8", "--out", &p, "-q"]);
    assert!(o.status.success(), "making the run directory for `ether plot`: {}", String::from_utf8_lossy(&o.stderr));
    World { flags, plot_source }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fuzz run: `cases` cases over `workers` threads; panics with the reproducers of new failures.
fn fuzz(cases: usize, workers: usize, lim: Limits, seed: u64) {
    assert!(
        Command::new("prlimit").arg("--version").output().is_ok(),
        "prlimit (util-linux) is needed: apt-get install util-linux"
    );
    let root = scratch("fuzz");
    let w = world(&root);
    let t0 = Instant::now();
    let results: Vec<(Vec<Failure>, Vec<f64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|k| {
                let w = &w;
                let dir = root.join(format!("worker{k}"));
                let n = cases / workers + usize::from(k < cases % workers);
                s.spawn(move || worker(w, seed.wrapping_add(k as u64 * 0x9e37_79b9), n, lim, &dir))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("fuzz worker")).collect()
    });
    let wall = t0.elapsed().as_secs_f64();
    let mut times: Vec<f64> = results.iter().flat_map(|r| r.1.iter().copied()).collect();
    times.sort_by(f64::total_cmp);
    let interrupted: usize = results.iter().map(|r| r.2).sum();
    let mut failures: Vec<Failure> = Vec::new();
    for f in results.into_iter().flat_map(|r| r.0) {
        if !failures.iter().any(|g| signature(&g.command, &g.what) == signature(&f.command, &f.what)) {
            failures.push(f);
        }
    }
    let pct = |q: f64| times.get(((times.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(0.0);
    eprintln!(
        "fuzz: {} cases in {wall:.1} s on {workers} workers ({:.0} cases/s); per case median {:.3} s, 99th percentile {:.3} s, max {:.3} s; {interrupted} sent SIGINT after {:.0} s",
        times.len(),
        times.len() as f64 / wall,
        pct(0.5),
        pct(0.99),
        pct(1.0),
        lim.run.as_secs_f64()
    );
    let (known, new): (Vec<&Failure>, Vec<&Failure>) = failures.iter().partition(|f| is_known(f));
    for f in &known {
        eprintln!("known failure ({}): {}\n  {}", f.command, f.what, f.reproducer);
    }
    let _ = std::fs::remove_dir_all(&root);
    if !new.is_empty() {
        let list: Vec<String> = new.iter().map(|f| format!("{}: {}\n  {}", f.command, f.what, f.reproducer)).collect();
        panic!("{} new failure(s) of the command line:\n{}", new.len(), list.join("\n"));
    }
}

#[test]
fn generated_command_lines_exit_0_or_2_and_leave_nothing_behind() {
    // 3000 cases in about a minute on two busy cores: most are refused in milliseconds, a tenth run
    fuzz(
        env_or("ETHER_FUZZ_CASES", 3000),
        env_or("ETHER_FUZZ_WORKERS", 2),
        Limits { run: Duration::from_secs(env_or("ETHER_FUZZ_TIMEOUT", 2) as u64), stop: Duration::from_secs(10) },
        env_or("ETHER_FUZZ_SEED", 17) as u64,
    );
}

#[test]
fn every_base_command_line_runs() {
    // the fuzz starts from these: if one stops working (a flag renamed), the fuzz loses its aim
    let root = scratch("bases");
    let w = world(&root);
    for b in BASES {
        let mut args: Vec<String> = b.iter().map(|s| s.to_string()).collect();
        let plot_dir = args.iter().any(|a| a == "RUN");
        args.push("-q".into());
        let inv = Invocation { args, plot_dir, ..Invocation::default() };
        let o = execute(
            &inv,
            &w,
            &root.join("case"),
            &root.join("io"),
            Limits { run: Duration::from_secs(60), stop: Duration::from_secs(10) },
        );
        assert_eq!(o.code, Some(0), "{}: {}", reproducer(&inv), o.stderr);
        assert!(o.seconds < 10.0, "{} took {:.1} s; the fuzz needs quick bases", reproducer(&inv), o.seconds);
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
#[ignore = "about 20 s: runs every known failure's reproducer; CI runs it with --ignored"]
fn known_failures_still_fail() {
    // an entry that no longer fails was fixed: remove it from KNOWN
    let root = scratch("known");
    let w = world(&root);
    for (args, needle, owner) in KNOWN {
        let inv = Invocation {
            args: args.iter().map(|s| s.to_string()).collect(),
            json: args.contains(&"--json"),
            out: args.iter().position(|a| *a == "--out").and_then(|i| args.get(i + 1)).map(|s| s.to_string()),
            ..Invocation::default()
        };
        let o = execute(
            &inv,
            &w,
            &root.join("case"),
            &root.join("io"),
            Limits { run: Duration::from_secs(2), stop: Duration::from_secs(10) },
        );
        match judge(&inv, &o, &root.join("case")) {
            Err(what) => assert!(what.contains(needle), "{} ({owner}) now fails differently: {what}", reproducer(&inv)),
            Ok(()) => panic!("{} ({owner}) passes now: remove it from KNOWN", reproducer(&inv)),
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_help_of_every_command_lists_its_flags() {
    // the fuzz reads flags from --help: check the reading against flags known to exist
    for (cmd, flag) in [("spinwave", "lattice"), ("ed", "sector"), ("phases", "beta"), ("photon", "method")] {
        let f = flags_of(cmd);
        let x = f.iter().find(|x| x.name == flag).unwrap_or_else(|| panic!("{cmd} --{flag} not found in {f:?}"));
        assert!(x.takes_value);
    }
    let m = flags_of("spinwave").into_iter().find(|f| f.name == "method").unwrap();
    assert_eq!(m.possible, ["lswt", "dynamics"]);
    assert_eq!(m.default.as_deref(), Some("lswt"));
    let m = flags_of("ed").into_iter().find(|f| f.name == "model").unwrap();
    assert!(
        m.possible.contains(&"heisenberg".to_string()) && m.possible.contains(&"quantum-link".to_string()),
        "{m:?}"
    );
    assert!(flags_of("spinwave").iter().any(|f| f.name == "json" && !f.takes_value));
}
