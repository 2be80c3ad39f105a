//! `ether statistics`: bad input exits 2 and writes nothing; `--json` has the promised keys.

mod common;
use common::*;

#[test]
fn unknown_model_lists_the_valid_ones() {
    let o = ether(&["statistics", "--model", "graphene"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for s in ["rotor", "rotor-fermionic", "toric-code", "double-semion"] {
        assert!(err.contains(s), "stderr lacks '{s}': {err}");
    }
}

#[test]
fn lattice_too_small_is_refused() {
    refuses(&["statistics", "--model", "rotor-fermionic", "--lattice", "2x2x2"], &["distinct neighbours", "3x3x3"]);
    refuses(&["statistics", "--model", "rotor", "--lattice", "4x4"], &["three extents"]);
    refuses(&["statistics", "--model", "toric-code", "--lattice", "2x2"], &["extents >= 3"]);
}

#[test]
fn saturating_truncation_is_refused() {
    refuses(&["statistics", "--model", "rotor-fermionic", "--method", "states", "--spin", "1"], &["S >= 2"]);
    refuses(&["statistics", "--model", "rotor-fermionic", "--method", "states", "--spin", "-3"], &["2 <= S"]);
}

#[test]
fn oversized_cluster_and_misplaced_options_are_refused() {
    refuses(&["statistics", "--model", "rotor", "--method", "spectrum", "--cluster", "4x4x4"], &["3x2x2"]);
    refuses(
        &["statistics", "--model", "rotor", "--method", "spectrum", "--cluster", "1x1x5"],
        &["cannot tell the statistics apart"],
    );
    refuses(&["statistics", "--model", "double-semion", "--lattice", "4x4"], &["drop --lattice"]);
    refuses(&["statistics", "--model", "toric-code", "--method", "spectrum"], &["rotor models"]);
    refuses(&["statistics", "--model", "rotor", "--lattice", "24x24x24"], &["extents up to 20"]);
    // fuzz finding: 100000x100000 had run for days without an estimate
    refuses(&["statistics", "--model", "toric-code", "--lattice", "100000x100000"], &["extents up to 256"]);
}

fn stats_json(args: &[&str]) -> serde_json::Value {
    let mut a = vec!["-q", "statistics"];
    a.extend_from_slice(args);
    a.push("--json");
    json(&a)
}

#[test]
fn json_keys_rotor_models() {
    for (model, sign) in [("rotor", 1), ("rotor-fermionic", -1)] {
        for method in ["algebra", "states", "spectrum"] {
            let v = stats_json(&["--model", model, "--method", method]);
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
            // The claims are the verdicts: each computed from a number and a stated rule.
            let claims = v["claims"].as_array().unwrap();
            assert!(claims.len() >= 3 && claims.iter().all(|c| c["pass"] == true), "{model} {method}");
            assert_eq!(claims[0]["value"], f64::from(sign));
        }
    }
}

#[test]
fn json_keys_anyon_models() {
    let v = stats_json(&["--model", "toric-code"]);
    let ps = v["particles"].as_array().unwrap();
    let phase = |n: &str| ps.iter().find(|p| p["name"] == n).unwrap()["exchange_phase"].clone();
    assert_eq!(phase("e"), serde_json::json!([1.0, 0.0]));
    assert_eq!(phase("m"), serde_json::json!([1.0, 0.0]));
    assert_eq!(phase("e×m"), serde_json::json!([-1.0, 0.0]));
    assert!(v["consistency"].is_object() && v["triples_checked"].as_u64().unwrap() > 0);
    let v = stats_json(&["--model", "double-semion"]);
    let ps = v["particles"].as_array().unwrap();
    let s = ps.iter().find(|p| p["name"] == "s").unwrap()["exchange_phase"].clone();
    assert_eq!(s, serde_json::json!([0.0, 1.0]));
    assert!(v["claims"].as_array().unwrap().iter().all(|c| c["pass"] == true));
}

#[test]
fn out_dir_has_result_arrays_and_pictures() {
    let dir = scratch("statistics-out");
    let run = dir.join("run");
    let o = command()
        .args(["-q", "statistics", "--model", "rotor-fermionic", "--method", "spectrum", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "result.json",
        "manifest.json",
        "two_charge_levels.npy",
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
    // `ether plot DIR` redraws from the saved data alone.
    std::fs::remove_file(run.join("two_charge_spectrum.png")).unwrap();
    let o = ether(&["-q", "plot", run.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(run.join("two_charge_spectrum.png").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
