//! `ether photon`: bad input exits 2 and writes nothing; `--json` has the documented keys.

use std::path::PathBuf;
use std::process::Command;

fn ether() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ether"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-photon-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Run with `--out DIR` and expect exit code 2, a message on stderr and no run directory.
fn bad(name: &str, args: &[&str], needle: &str) {
    let out = tmp(name);
    let o = ether().arg("photon").args(args).arg("--out").arg(&out).arg("-q").output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    assert!(err.contains(needle), "{name}: stderr lacks '{needle}': {err}");
    assert!(!out.exists(), "{name}: {} was left behind", out.display());
    // no staging directory either
    let parent = out.parent().unwrap();
    let stem = out.file_name().unwrap().to_string_lossy().to_string();
    let left: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(&stem))
        .collect();
    assert!(left.is_empty(), "{name}: staging left: {left:?}");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    bad("g0", &["--lattice", "4x4x4", "--g", "0"], "--g");
    bad("gneg", &["--lattice", "4x4x4", "--g", "-1"], "no photon");
    bad("j0", &["--lattice", "4x4x4", "--J", "0"], "--J");
    bad("uneg", &["--lattice", "4x4x4", "--U", "-1"], "--U");
    bad("2d", &["--lattice", "8x8"], "cubic");
    bad("k2", &["--lattice", "4x4x4", "--k", "0.1,0.2"], "3-dimensional");
    bad("kbad", &["--lattice", "4x4x4", "--k", "a,b,c"], "--k");
    bad("koff", &["--lattice", "4x4x4", "--method", "dynamics", "--k", "0.1,0,0"], "lattice momenta");
    bad("temp", &["--lattice", "4x4x4", "--temperature", "-1"], "--temperature");
    bad("temp0", &["--lattice", "4x4x4", "--method", "dynamics", "--temperature", "0"], "T > 0");
    // dt·ω_max = 3 > 2: leapfrog unstable; the energy runs away and the run stops with advice.
    bad(
        "dt",
        &["--lattice", "4x4x4", "--method", "dynamics", "--dt", "1.37", "--steps", "2000", "--temperature", "0.05"],
        "dt <",
    );
}

fn json_run(args: &[&str]) -> serde_json::Value {
    let o = ether().arg("photon").args(args).args(["--json", "-q"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("stdout is one JSON document")
}

#[test]
fn modes_json_has_the_documented_keys() {
    let v = json_run(&["--lattice", "6x6x6", "--k", "pi/2,0,0"]);
    for key in ["gapless_branches", "zero_modes", "exponent", "speed_of_light", "modes", "verdict", "contrast"] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["gapless_branches"], 2);
    assert_eq!(v["zero_modes"], 1);
    let modes = v["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 3);
    let hel: Vec<i64> = modes.iter().map(|m| m["helicity"].as_i64().unwrap()).collect();
    assert_eq!(hel, vec![0, 1, -1]);
    // ω_T at k = (π/2,0,0): 2√(gJ)·2 sin(π/4) = 2√0.1·√2 (note eq. 2.3), rounding tolerance.
    let want = 2.0 * 0.1f64.sqrt() * 2f64.sqrt();
    assert!((modes[1]["omega"].as_f64().unwrap() - want).abs() < 1e-12);
    assert!(modes[0]["polarization"].as_array().unwrap().len() == 3);
}

#[test]
fn dynamics_json_has_the_documented_keys_and_a_run_directory() {
    let out = tmp("dyn");
    let o = ether()
        .args(["photon", "--lattice", "6x6x6", "--method", "dynamics", "--steps", "400", "--charges", "pair"])
        .arg("--out")
        .arg(&out)
        .args(["--json", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "gapless_branches",
        "zero_modes",
        "exponent",
        "speed_of_light",
        "gauss_law_violation",
        "energy_drift",
        "maxwell_residual",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["gauss_law_violation"].as_f64().unwrap() < 1e-12);
    // Two transverse polarizations from the thermal weight (note §4.4 item 5): 2 within 4 s.d.
    let pol = v["polarizations_measured"].as_f64().unwrap();
    let sd = v["polarizations_uncertainty"].as_f64().unwrap();
    assert!((pol - 2.0).abs() < 4.0 * sd, "{pol} ± {sd}");
    for f in ["result.json", "manifest.json", "skw.png", "gauss_law.png", "energy_drift.png", "field_lines.png"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let _ = std::fs::remove_dir_all(&out);
}
