//! The flags every command shares and the parser's own errors: `--version` names the source
//! revision, `--threads` is held to what the machine can use, negative numbers get the real
//! reason, and every parse error is one line that says what to do (exit 2).

mod common;
use common::*;

#[test]
fn version_names_the_git_revision_of_the_build() {
    let o = ether(&["--version"]);
    assert!(o.status.success());
    let v = String::from_utf8_lossy(&o.stdout).trim().to_string();
    // the reference comes from git itself, not from the binary
    let git = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    assert_eq!(v, format!("ether {} (git revision {git})", env!("CARGO_PKG_VERSION")));
    // every subcommand says the same
    let o = ether(&["ed", "--version"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(&git));
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

#[test]
fn threads_beyond_a_few_per_core_are_refused_with_the_sensible_range() {
    let too_many = (4 * cores() + 1).to_string();
    let max = format!("at most {}", 4 * cores());
    refuses(&["--threads", &too_many, "spinwave", "--model", "ferro"], &["--threads", &max, "cores"]);
    refuses(&["--threads", "2000", "spinwave", "--model", "ferro"], &[&max]);
    refuses(&["--threads", "0", "spinwave", "--model", "ferro"], &["at least 1"]);
    refuses(&["--threads", "-4", "spinwave", "--model", "ferro"], &["at least 1"]);
    refuses(&["spinwave", "--model", "ferro", "--threads", "1e3"], &["--threads", "1e3"]);
    // the largest sensible count runs
    let o =
        ether(&["--threads", &(4 * cores()).to_string(), "spinwave", "--model", "ferro", "--lattice", "8", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // the environment variable rayon reads is held to the same rule
    let o = command()
        .args(["spinwave", "--model", "ferro", "--lattice", "8"])
        .env("RAYON_NUM_THREADS", "2000")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("RAYON_NUM_THREADS=2000") && err.contains(&max), "{err}");
}

#[test]
fn negative_numbers_get_the_real_reason() {
    // an unsigned flag: the flag's own rule, not "unexpected argument '-4'"
    refuses(&["spinwave", "--model", "ferro", "--seed", "-4"], &["--seed -4", "must not be negative"]);
    refuses(&["phases", "--therm", "-5"], &["--therm -5", "must not be negative"]);
    // a value that starts with '-' but is no number: how to pass it
    refuses(&["phases", "--lattice", "-4x4"], &["--lattice -4x4", "--lattice=-4x4"]);
    // commands whose --lattice takes hyphen values answer with the lattice rule directly
    refuses(&["spinwave", "--model", "ferro", "--lattice", "-4x4"], &["lattice", "-4x4"]);
    // passed that way, the command's own check answers
    let o = ether(&["spinwave", "--model", "ferro", "--lattice=-4x4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("unexpected argument"));
}

#[test]
fn parse_errors_are_one_line_with_the_way_out() {
    refuses(&["spinwave", "--model", "ferro", "--bogus"], &["unexpected argument '--bogus'", "ether spinwave --help"]);
    refuses(&["spinwave", "--modle", "ferro"], &["'--modle'", "similar argument exists: '--model'"]);
    refuses(&["spinwave", "--model", "magnet"], &["'magnet'", "possible values: ferro, antiferro"]);
    refuses(&["spinwave", "--model", "ferro", "--seed"], &["--seed", "a value is required"]);
    refuses(&["bogus"], &["unrecognized subcommand 'bogus'", "ether --help"]);
    // help is not an error
    let o = ether(&["spinwave", "--help"]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("--lattice"));
}
