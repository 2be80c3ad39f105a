//! What every end-to-end test of the `ether` binary shares: running it, reading its one JSON
//! document, scratch directories, and the bad-input contract (exit code 2, one line on stderr
//! that mentions the reason, nothing on stdout, nothing left on disk).
#![allow(dead_code)] // each test file uses the part it needs

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Run `ether ARGS` and collect its output.
pub fn ether(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ether")).args(args).output().expect("run the ether binary")
}

/// A `Command` for `ether`, for tests that set the environment or stdin.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ether"))
}

/// Run `ether ARGS --json`-style: it must succeed and print exactly one JSON document on stdout.
pub fn json(args: &[&str]) -> serde_json::Value {
    let o = ether(args);
    assert!(o.status.success(), "ether {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

/// A fresh, empty scratch directory unique to this test process and `tag`.
pub fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-cli-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create a scratch directory");
    d
}

/// The number of entries in a directory (0 if it does not exist).
pub fn entries(d: &Path) -> usize {
    std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0)
}

/// Bad input: `ether ARGS --out SCRATCH/run` exits 2 with one line on stderr containing every
/// needle, prints nothing on stdout, and leaves the scratch directory empty (no run directory, no
/// staging directory, no checkpoint).
pub fn refuses(args: &[&str], needles: &[&str]) {
    let tag: String = args.join("_").chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(60).collect();
    let d = scratch(&format!("bad-{tag}"));
    let out = d.join("run");
    let mut a: Vec<&str> = args.to_vec();
    let o = out.to_string_lossy().to_string();
    a.extend(["--out", &o]);
    let r = ether(&a);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "ether {args:?}: expected exit 2, stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "ether {args:?}: one line on stderr, got: {err}");
    for n in needles {
        assert!(err.contains(n), "ether {args:?}: stderr should mention '{n}': {err}");
    }
    assert!(r.stdout.is_empty(), "ether {args:?}: nothing on stdout after bad input");
    assert_eq!(entries(&d), 0, "ether {args:?}: left files behind in {}", d.display());
    let _ = std::fs::remove_dir_all(&d);
}
