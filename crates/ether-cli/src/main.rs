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
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
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

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
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
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("error: --threads 0: give at least 1 thread");
            return ExitCode::from(2);
        }
        if let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(n).build_global() {
            eprintln!("error: cannot start {n} threads: {e}");
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
