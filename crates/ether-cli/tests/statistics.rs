//! `ether statistics`: bad input exits 2 and writes nothing; `--json` has the promised keys.

use std::path::PathBuf;
use std::process::Command;

fn ether() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ether"))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-cli-statistics-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn bad(args: &[&str], tag: &str, must_say: &[&str]) {
    let dir = scratch(tag);
    let out_dir = dir.join("run");
    let o = ether().arg("statistics").args(args).arg("--out").arg(&out_dir).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(!out_dir.exists(), "{args:?}: a run directory was left behind");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "{args:?}: staging files left behind");
    for s in must_say {
        assert!(err.contains(s), "{args:?}: stderr lacks '{s}': {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_model_lists_the_valid_ones() {
    bad(&["--model", "graphene"], "model", &["rotor", "rotor-fermionic", "toric-code", "double-semion"]);
}

#[test]
fn lattice_too_small_is_refused() {
    bad(&["--model", "rotor-fermionic", "--lattice", "2x2x2"], "small", &["distinct neighbours", "3x3x3"]);
    bad(&["--model", "rotor", "--lattice", "4x4"], "dim", &["three extents"]);
    bad(&["--model", "toric-code", "--lattice", "2x2"], "tc", &["extents >= 3"]);
}

#[test]
fn saturating_truncation_is_refused() {
    bad(&["--model", "rotor-fermionic", "--method", "states", "--spin", "1"], "spin", &["S >= 2"]);
}

#[test]
fn oversized_cluster_and_misplaced_options_are_refused() {
    bad(&["--model", "rotor", "--method", "spectrum", "--cluster", "4x4x4"], "cluster", &["3x2x2"]);
    bad(
        &["--model", "rotor", "--method", "spectrum", "--cluster", "1x1x5"],
        "chain",
        &["cannot tell the statistics apart"],
    );
    bad(&["--model", "double-semion", "--lattice", "4x4"], "ds", &["drop --lattice"]);
    bad(&["--model", "toric-code", "--method", "spectrum"], "tcm", &["rotor models"]);
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let o = ether().arg("-q").arg("statistics").args(args).arg("--json").output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn json_keys_rotor_models() {
    for (model, sign) in [("rotor", 1), ("rotor-fermionic", -1)] {
        for method in ["algebra", "states", "spectrum"] {
            let v = json_of(&["--model", model, "--method", method]);
            assert_eq!(v["exchange_sign"], sign, "{model} {method}");
            assert_eq!(v["triples_checked"], 540, "27 vertices x 20 triples on 3x3x3");
            let cons = v["consistency"].as_object().unwrap();
            for name in [
                "hops_commute_with_plaquettes",
                "plaquettes_commute",
                "cube_products_trivial",
                "layer_products_trivial",
                "photon_spectrum_unchanged",
            ] {
                assert_eq!(cons[name]["pass"], true, "{model} {method} {name}");
            }
            assert!(cons.values().all(|c| c["pass"] == true));
            assert!(v["table"].as_array().unwrap().iter().all(|r| r["pass"] == true));
        }
    }
}

#[test]
fn json_keys_anyon_models() {
    let v = json_of(&["--model", "toric-code"]);
    let ps = v["particles"].as_array().unwrap();
    let phase = |n: &str| ps.iter().find(|p| p["name"] == n).unwrap()["exchange_phase"].clone();
    assert_eq!(phase("e"), serde_json::json!([1.0, 0.0]));
    assert_eq!(phase("m"), serde_json::json!([1.0, 0.0]));
    assert_eq!(phase("e×m"), serde_json::json!([-1.0, 0.0]));
    assert!(v["consistency"].is_object() && v["triples_checked"].as_u64().unwrap() > 0);
    let v = json_of(&["--model", "double-semion"]);
    let ps = v["particles"].as_array().unwrap();
    let s = ps.iter().find(|p| p["name"] == "s").unwrap()["exchange_phase"].clone();
    assert_eq!(s, serde_json::json!([0.0, 1.0]));
}

#[test]
fn out_dir_has_result_table_and_picture() {
    let dir = scratch("out");
    let run = dir.join("run");
    let o = ether()
        .args(["-q", "statistics", "--model", "rotor-fermionic", "--method", "spectrum", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "result.json",
        "manifest.json",
        "table.json",
        "exchange_paths.png",
        "exchange_paths.svg",
        "figures/exchange_paths.json",
        "two_charge_spectrum.png",
    ] {
        assert!(run.join(f).exists(), "missing {f}");
    }
    let fig: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("figures/exchange_paths.json")).unwrap()).unwrap();
    assert_eq!(fig["equal_aspect"], true);
    let kinds: Vec<String> =
        fig["layers"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap().to_string()).collect();
    for k in ["segments", "arrows", "points"] {
        assert!(kinds.iter().any(|x| x == k), "no {k} layer");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
