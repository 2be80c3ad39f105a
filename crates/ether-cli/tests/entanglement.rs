//! `ether entanglement`: the JSON contract and bad input (exit 2, nothing written).

use std::path::PathBuf;
use std::process::Command;

const LN2: f64 = std::f64::consts::LN_2;

fn ether(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ether")).args(args).output().expect("run ether")
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["-q", "entanglement"];
    a.extend_from_slice(args);
    a.push("--json");
    let o = ether(&a);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-entanglement-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn toric_code_json_keys_and_values() {
    let v = json(&["--model", "toric-code", "--lattice", "12x12"]);
    for k in ["gamma", "construction", "entropies", "ground_state_degeneracy", "s_topo", "combination"] {
        assert!(v.get(k).is_some(), "missing key {k}");
    }
    assert!((v["gamma"].as_f64().unwrap() - LN2).abs() < 1e-12);
    assert_eq!(v["construction"], "kitaev-preskill");
    assert_eq!(v["ground_state_degeneracy"], 4);
    let e = v["entropies"].as_object().unwrap();
    assert_eq!(e.len(), 7);
    assert!(e.contains_key("ABC"));
    let lw = json(&["--model", "toric-code", "--lattice", "12x12", "--construction", "levin-wen"]);
    assert_eq!(lw["construction"], "levin-wen");
    assert!((lw["gamma"].as_f64().unwrap() - LN2).abs() < 1e-12);
    assert!((lw["s_topo"].as_f64().unwrap() + 2.0 * LN2).abs() < 1e-12, "LW combination is -2 gamma");
}

#[test]
fn other_models_json() {
    let fm = json(&["--model", "ferromagnet", "--lattice", "10x10"]);
    assert_eq!(fm["gamma"].as_f64().unwrap(), 0.0);
    assert_eq!(fm["ground_state_degeneracy"], 2);
    let t3 = json(&["--model", "toric-code-3d", "--lattice", "4x4x4"]);
    assert!((t3["gamma"].as_f64().unwrap() - LN2).abs() < 1e-12);
    assert_eq!(t3["ground_state_degeneracy"], 8);
    let ds = json(&["--model", "double-semion", "--lattice", "1"]);
    assert!((ds["gamma"].as_f64().unwrap() - LN2).abs() < 1e-10);
    assert!(ds["ground_state_degeneracy"].is_null());
    let f = json(&["--model", "toric-code-field", "--lattice", "4x4", "--field", "0"]);
    assert!((f["gamma"].as_f64().unwrap() - LN2).abs() < 1e-9);
    assert!(f["finite_size_caveat"].is_string());
    assert!(f["scan"].as_array().unwrap().len() >= 13);
}

#[test]
fn writes_a_run_directory_with_the_region_picture() {
    let d = tmp("out");
    let o = ether(&["-q", "entanglement", "--lattice", "8x8", "--out", d.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["result.json", "manifest.json", "regions.png", "regions.svg", "regions.json", "figures/regions.json"] {
        assert!(d.join(f).exists(), "{f} missing");
    }
    let _ = std::fs::remove_dir_all(&d);
}

fn bad(args: &[&str], needle: &str) {
    let d = tmp("bad");
    let mut a = vec!["entanglement"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--out", d.to_str().unwrap()]);
    let o = ether(&a);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: '{needle}' not in: {err}");
    assert!(!d.exists(), "{args:?} left a run directory");
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    // Regions that do not fit: the smallest KP disk (R = 1.5) needs a 4x4 torus.
    bad(&["--model", "toric-code", "--lattice", "3x3"], "at least 4");
    bad(&["--model", "toric-code-3d", "--lattice", "3x3x3"], "at least 4");
    // A construction that needs a larger lattice: Levin-Wen needs 6x6.
    bad(&["--model", "toric-code", "--lattice", "5x5", "--construction", "levin-wen"], "at least 6");
    bad(&["--model", "double-semion", "--lattice", "1", "--construction", "levin-wen"], "inradius at least");
    bad(&["--model", "toric-code-3d", "--lattice", "6x6x6", "--construction", "levin-wen"], "2D construction");
    // Non-stabilizer models beyond exact methods: with the estimate.
    bad(&["--model", "toric-code-field", "--lattice", "6x6"], "2^35 states");
    bad(&["--model", "double-semion", "--lattice", "3"], "2^37");
    // Flags that do not apply, malformed values.
    bad(&["--model", "toric-code", "--field", "0.2"], "--field only applies");
    bad(&["--model", "toric-code-field", "--field", "-1"], ">= 0");
    bad(&["--model", "toric-code", "--lattice", "16x16x16"], "2D lattice");
    bad(&["--model", "double-semion", "--lattice", "4x4"], "hexagon rings");
}
