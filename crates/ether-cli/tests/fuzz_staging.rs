//! Run directories under abuse: a run killed with SIGKILL leaves its hidden staging directory
//! (nothing can run at SIGKILL); the next run into the same place removes it. A second run into
//! the place a live run is writing is refused instead of pulling the live run's files away.

mod common;
use common::*;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A run that takes several seconds and writes a run directory.
fn long_run(out: &Path) -> Child {
    command()
        .args(["-q", "spinwave", "--model", "antiferro", "--lattice", "64x64", "--method", "dynamics"])
        .args(["--frames", "2048", "--samples", "8", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ether")
}

/// The hidden staging directories beside `out`.
fn staging(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(&format!(".{name}.partial")))
        .collect()
}

/// Wait until `child` has made its staging directory (or give up after 20 s).
fn wait_for_staging(child: &mut Child, out: &Path) -> String {
    let t0 = Instant::now();
    loop {
        if let Some(s) = staging(out).into_iter().find(|s| s.ends_with(&child.id().to_string())) {
            return s;
        }
        assert!(child.try_wait().unwrap().is_none(), "the long run ended before it was caught");
        assert!(t0.elapsed() < Duration::from_secs(20), "no staging directory appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn after_sigkill_the_next_run_into_the_same_place_cleans_up() {
    let d = scratch("sigkill");
    let out = d.join("run");
    let mut child = long_run(&out);
    let s = wait_for_staging(&mut child, &out);
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    assert!(d.join(&s).exists(), "SIGKILL leaves the staging directory {s}");
    assert!(!out.exists(), "a killed run never shows a half-written run directory");
    // the killed run kept its checkpoint (its parameters at least): a plain rerun is refused and
    // deletes nothing; --resume finishes it and clears both the checkpoint and the stale staging
    let plain = ether(&["-q", "spinwave", "--model", "ferro", "--lattice", "8", "--out", out.to_str().unwrap()]);
    assert_eq!(plain.status.code(), Some(2), "{}", String::from_utf8_lossy(&plain.stderr));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("--resume"));
    let o = ether(&["-q", "spinwave", "--resume", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("manifest.json").exists());
    assert!(staging(&out).is_empty(), "the stale staging directory is gone: {:?}", staging(&out));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_second_run_into_a_place_being_written_is_refused() {
    let d = scratch("live");
    let out = d.join("run");
    let mut child = long_run(&out);
    let s = wait_for_staging(&mut child, &out);
    let o = ether(&["spinwave", "--model", "ferro", "--lattice", "8", "--out", out.to_str().unwrap()]);
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(still_running, "the long run must outlive the check for it to mean anything");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("another ether run") && err.contains(&child.id().to_string()), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(d.join(&s).exists(), "the live run's staging directory was left alone");
    let _ = std::fs::remove_dir_all(&d);
}
