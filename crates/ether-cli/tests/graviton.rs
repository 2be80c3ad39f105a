//! `ether graviton`: bad input exits 2 with a clear message and writes nothing; `--json` has
//! the documented keys.

use std::path::PathBuf;
use std::process::Command;

fn ether() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ether"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-graviton-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Run with `--out`, expect exit code 2, no run directory, and every `needles` in stderr.
fn rejects(args: &[&str], needles: &[&str]) {
    let out_dir = tmp(&args.join("_").replace(['/', ','], "-"));
    let o = ether().arg("graviton").args(args).arg("--out").arg(&out_dir).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "args {args:?}: stderr {err}");
    for n in needles {
        assert!(err.contains(n), "args {args:?}: '{n}' not in stderr: {err}");
    }
    assert!(!out_dir.exists(), "a run directory was left behind for {args:?}");
}

#[test]
fn unknown_model_lists_the_valid_ones() {
    rejects(&["--model", "newton"], &["newton", "xu", "einstein", "l-type", "cotton"]);
}

#[test]
fn lattice_must_be_three_dimensional() {
    rejects(&["--model", "xu", "--lattice", "16x16"], &["16x16", "cubic"]);
    rejects(&["--model", "xu", "--lattice", "8x8x8x8"], &["three extents"]);
}

#[test]
fn zone_centre_says_helicity_is_undefined_and_reports_the_degenerate_modes() {
    rejects(
        &["--model", "l-type", "--lattice", "4x4x4", "--k", "0,0,0"],
        &["zone centre", "helicity is undefined", "degenerate", "0.000, 0.000, 0.000, 0.000, 0.000, 0.000"],
    );
    // k = (2π, 0, 0) is the same point: K = 2 sin(k/2) = 0
    rejects(&["--model", "xu", "--lattice", "4x4x4", "--k", "2pi,0,0"], &["zone centre"]);
}

#[test]
fn couplings_must_be_positive() {
    rejects(&["--model", "einstein", "--U", "0"], &["U", "> 0"]);
    rejects(&["--model", "cotton", "--J", "-1"], &["J", "> 0"]);
    rejects(&["--model", "xu", "--J", "nan"], &["J"]);
}

#[test]
fn json_has_the_documented_keys() {
    let o = ether()
        .args(["-q", "graviton", "--model", "l-type", "--lattice", "4x4x4", "--k", "0,0,pi/4", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["gapless_helicities"], serde_json::json!([-2, 2]));
    // graviton note B.5: l-type (M3) ω_{±2} = |K|³, exponent 3; zero modes helicity 0, 0, ±1
    for m in ["-2", "2"] {
        assert!((v["exponents"][m].as_f64().unwrap() - 3.0).abs() < 1e-3);
    }
    assert_eq!(v["zero_modes"], serde_json::json!({"-2": 0, "-1": 1, "0": 2, "1": 1, "2": 0}));
    let modes = v["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 6);
    let kz = 2.0 * (std::f64::consts::PI / 8.0).sin();
    let grav: Vec<f64> = modes
        .iter()
        .filter(|m| m["helicity"].as_i64().unwrap().abs() == 2)
        .map(|m| m["omega"].as_f64().unwrap())
        .collect();
    assert_eq!(grav.len(), 2);
    for w in grav {
        assert!((w - kz.powi(3)).abs() < 1e-12);
    }
    assert!(v["verdict"].as_str().unwrap().starts_with("only helicity ±2 is gapless"));
}

#[test]
fn out_dir_holds_plots_and_data() {
    let d = tmp("out");
    let o = ether().args(["-q", "graviton", "--model", "xu", "--lattice", "4x4x4", "--out"]).arg(&d).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "dispersion.png",
        "helicity_weights.png",
        "figures/dispersion.json",
        "result.json",
        "manifest.json",
        "path_omega.npy",
    ] {
        assert!(d.join(f).exists(), "{f} missing");
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("result.json")).unwrap()).unwrap();
    // graviton note B.5: the Xu-type model keeps a gapless helicity 0 (0T)
    assert_eq!(v["gapless_helicities"], serde_json::json!([-2, 0, 2]));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn dynamics_reports_the_real_space_checks() {
    let o = ether()
        .args(["-q", "graviton", "--model", "cotton", "--lattice", "4x4x4", "--method", "dynamics", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["dynamics"];
    // graviton note B.6 step 7 / B.7: period of a TT wave = 2π/ω to 1e-4; pure gauge: zero force
    assert!(d["tt_wave"]["relative_error"].as_f64().unwrap() < 1e-4);
    assert_eq!(d["gauge"]["pure_gauge_max_force"].as_f64().unwrap(), 0.0);
    // cotton (M4): ω_{±2} = |K|³ at k_z = π/2, |K| = √2
    assert!((d["tt_wave"]["omega_modes"].as_f64().unwrap() - 2f64.sqrt().powi(3)).abs() < 1e-12);
}
