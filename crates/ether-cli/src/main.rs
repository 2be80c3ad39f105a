//! `ether`: build qubit and rotor lattice models and show what particles emerge from them.

mod cmd;
mod common;
mod demo;
mod report;
mod run;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// ether: what emerges from a lattice of qubits and rotors?
///
/// Space is a lattice of qubits or rotors, empty space is its ground state, and particles are
/// its low-energy excitations (X.-G. Wen, 2008). Each command builds one of the talk's models,
/// computes its excitations and says in words what emerged. Start with `ether demo`.
#[derive(Debug, Parser)]
#[command(name = "ether", version, propagate_version = true, max_term_width = 100)]
struct Cli {
    /// Worker threads (default: all cores; at most 4 per core). Results do not depend on it.
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true)]
    threads: Option<i64>,
    /// Hide progress bars and summaries on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// More log output (repeat for more); RUST_LOG also works.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Spin waves of Heisenberg ferro- and antiferromagnets (w ~ k^2 vs w ~ k).
    Spinwave(cmd::spinwave::Args),
    /// Emergent photons of the rotor model on the cubic lattice (Maxwell waves).
    Photon(cmd::photon::Args),
    /// Coulomb or confined: Monte Carlo of the rotor model's path integral (4D compact U(1)).
    Phases(cmd::phases::Args),
    /// Exact diagonalization of spin and gauge models, with symmetry sectors.
    Ed(cmd::ed::Args),
    /// Statistics of string ends: bosons or fermions, and anyons in 2D.
    Statistics(cmd::statistics::Args),
    /// Emergent gravitons of symmetric-tensor rotor models (helicity +-2).
    Graviton(cmd::graviton::Args),
    /// Topological entanglement entropy of string-net and product states.
    Entanglement(cmd::entanglement::Args),
    /// The talk, reproduced: every chapter on small defaults, with a report.
    Demo(demo::Args),
    /// Redraw the plots of a run directory from its saved data.
    Plot(cmd::plot::Args),
}

/// The command line with every value-taking flag accepting negative numbers as values, so that
/// `--seed -4` reaches the flag's own check ("must not be negative") instead of clap's
/// "unexpected argument '-4'".
fn command() -> clap::Command {
    fn negatives(c: clap::Command) -> clap::Command {
        let c = c.mut_args(|a| if a.get_action().takes_values() { a.allow_negative_numbers(true) } else { a });
        let names: Vec<String> = c.get_subcommands().map(|s| s.get_name().to_string()).collect();
        names.into_iter().fold(c, |c, n| c.mut_subcommand(n, negatives))
    }
    negatives(Cli::command().version(version_line()))
}

/// `0.1.0 (git revision 0123456789ab)`: the version `--version` prints, with the revision the
/// run manifests record (one source: `ether::record::git_revision`).
fn version_line() -> &'static str {
    static LINE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    LINE.get_or_init(|| format!("{} (git revision {})", ether::record::VERSION, ether::record::git_revision()))
}

/// Print a command-line parsing error as one line that says what to do, and exit 2 (help and
/// version requests print as clap writes them and exit 0).
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let code = e.exit_code();
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
        _ => {}
    }
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let args: Vec<String> = std::env::args().collect();
    let sub = args.iter().skip(1).find(|a| !a.starts_with('-')).cloned();
    let help = match &sub {
        Some(s) if Cli::command().find_subcommand(s).is_some() => format!("ether {s} --help"),
        _ => "ether --help".to_string(),
    };
    let msg = match (e.kind(), ctx(ContextKind::InvalidArg), ctx(ContextKind::InvalidValue)) {
        // a value that starts with '-' but is no number, e.g. --lattice -4x4 or --k -pi/2,0,0 (clap
        // reads `-4x4` as the short flags -4, -x, -4 and names the first)
        (ErrorKind::UnknownArgument, Some(a), _) if looks_like_negative_value(&a) => {
            let i = args.iter().position(|x| *x == a).or_else(|| args.iter().position(|x| x.starts_with(&a)));
            let token = i.map(|i| args[i].clone()).unwrap_or(a);
            match i.and_then(|i| args.get(i.wrapping_sub(1))).filter(|p| p.starts_with("--") && !p.contains('=')) {
                Some(flag) => format!(
                    "{flag} {token}: a value that starts with '-' is read as a flag; if you meant it as the value of {flag}, write {flag}={token}"
                ),
                None => format!("unexpected argument '{token}': a value that starts with '-' is read as a flag; see {help}"),
            }
        }
        // a negative number given to a flag that counts or seeds
        (ErrorKind::ValueValidation, Some(a), Some(v))
            if v.starts_with('-') && v[1..].parse::<f64>().is_ok() && e.to_string().contains("invalid digit") =>
        {
            let flag = a.split_whitespace().next().unwrap_or(&a).to_string();
            format!("{flag} {v}: must not be negative; give a whole number ≥ 0 (see {help})")
        }
        _ => {
            // clap's own words on one line, without its usage block and help pointer
            let text = e.to_string();
            let parts: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information"))
                .map(|l| l.trim_start_matches("error: "))
                .collect();
            let mut m = String::new();
            for p in parts {
                if !m.is_empty() {
                    m.push_str(if p.starts_with('[') { " " } else { "; " });
                }
                m.push_str(p);
            }
            format!("{m} (see {help})")
        }
    };
    eprintln!("error: {msg}");
    ExitCode::from(2)
}

/// `-4x4`, `-pi/2,0,0`, `-.5`: a value the user meant, not a flag.
fn looks_like_negative_value(a: &str) -> bool {
    let rest = a.strip_prefix('-').unwrap_or("");
    rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') || rest.starts_with("pi")
}

/// `n` and the noun, plural unless `n` is 1: "1 core", "2 cores".
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The largest `--threads` worth starting: a few per core (beyond that they only add overhead).
fn max_threads(cores: usize) -> usize {
    4 * cores.max(1)
}

/// Check `--threads N` (or `RAYON_NUM_THREADS`) against the machine: one line that says what is
/// sensible when it is not. `what` names the setting as the user wrote it.
fn check_threads(n: i64, what: &str) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let max = max_threads(cores);
    if n < 1 {
        return Err(format!("{what}: give at least 1 thread, or leave it out to use all {}", count(cores, "core")));
    }
    if n as u64 > max as u64 {
        return Err(format!(
            "{what}: this machine has {}; give at most {max} (more than 4 threads per core only add overhead), or leave it out to use all {cores}",
            count(cores, "core")
        ));
    }
    Ok(n as usize)
}

fn main() -> ExitCode {
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return parse_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return parse_error(e),
    };
    if let Some((name, sub)) = matches.subcommand() {
        if let Some(cmd) = Cli::command().find_subcommand(name) {
            run::record_explicit_flags(cmd, sub);
        }
    }
    let filter = match cli.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let threads = match (cli.threads, std::env::var("RAYON_NUM_THREADS").ok()) {
        (Some(n), _) => Some(check_threads(n, &format!("--threads {n}"))),
        (None, Some(v)) if !v.trim().is_empty() => Some(match v.trim().parse::<i64>() {
            Ok(n) => check_threads(n, &format!("RAYON_NUM_THREADS={}", v.trim())),
            Err(_) => Err(format!("RAYON_NUM_THREADS={v}: not a number; give a whole number of threads or unset it")),
        }),
        _ => None,
    };
    if let Some(t) = threads {
        let n = match t {
            Ok(n) => n,
            Err(msg) => {
                eprintln!("error: {msg}");
                return ExitCode::from(2);
            }
        };
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            eprintln!("error: cannot start {}: {e}", count(n, "thread"));
            return ExitCode::from(1);
        }
    }
    if let Some(v) = std::env::var_os("ETHER_ISA") {
        let v = v.to_string_lossy();
        if let Err(e) = v.parse::<ether::simd::Isa>() {
            eprintln!("error: ETHER_ISA={v}: {e} (or unset it: the widest the CPU has is used)");
            return ExitCode::from(2);
        }
    }
    let g = common::Global { quiet: cli.quiet };
    let result = match cli.command {
        Command::Spinwave(a) => cmd::spinwave::run(a, &g),
        Command::Photon(a) => cmd::photon::run(a, &g),
        Command::Phases(a) => cmd::phases::run(a, &g),
        Command::Ed(a) => cmd::ed::run(a, &g),
        Command::Statistics(a) => cmd::statistics::run(a, &g),
        Command::Graviton(a) => cmd::graviton::run(a, &g),
        Command::Entanglement(a) => cmd::entanglement::run(a, &g),
        Command::Demo(a) => demo::run(a, &g),
        Command::Plot(a) => cmd::plot::run(a, &g),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = common::exit_code(&e);
            // One line: the chain of causes joined.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("error: {}", msg.join(": "));
            ExitCode::from(code)
        }
    }
}
