//! `ether phases`: JSON contract and bad input.

use std::process::Command;

fn ether(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ether")).args(args).output().expect("run ether")
}

#[test]
fn json_reports_both_phases_on_a_small_lattice() {
    let o = ether(&[
        "-q",
        "phases",
        "--lattice",
        "4x4x4x4",
        "--beta",
        "0.6,1.5",
        "--start",
        "hot",
        "--therm",
        "20",
        "--sweeps",
        "40",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let m = v["measurements"].as_array().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0]["phase"], "confined");
    assert_eq!(m[1]["phase"], "coulomb");
    let t = v["transition_estimate"].as_f64().unwrap();
    assert!(t > 0.6 && t < 1.5, "{t}");
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["phases", "--lattice", "6x6x6"],
        vec!["phases", "--lattice", "6x6x6x5"],
        vec!["phases", "--beta", "-1"],
        vec!["phases", "--beta", "0"],
        vec!["phases", "--sweeps", "3"],
        vec!["phases", "--start", "warm"],
    ] {
        let o = ether(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}
