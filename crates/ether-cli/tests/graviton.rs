//! `ether graviton`: bad input exits 2 with a clear message and writes nothing; `--json` has
//! the documented keys; the quantum verdict follows the numbers.

mod common;
use common::*;

#[test]
fn unknown_model_lists_the_valid_ones() {
    refuses(&["graviton", "--model", "newton"], &["newton", "xu", "einstein", "l-type", "cotton"]);
}

#[test]
fn lattice_must_be_three_dimensional() {
    refuses(&["graviton", "--model", "xu", "--lattice", "16x16"], &["16x16", "cubic"]);
    refuses(&["graviton", "--model", "xu", "--lattice", "8x8x8x8"], &["three extents"]);
}

#[test]
fn zone_centre_says_helicity_is_undefined_and_reports_the_degenerate_modes() {
    refuses(
        &["graviton", "--model", "l-type", "--lattice", "4x4x4", "--k", "0,0,0"],
        &["zone centre", "helicity is undefined", "degenerate", "0.000, 0.000, 0.000, 0.000, 0.000, 0.000"],
    );
    // k = (2π, 0, 0) is the same point: K = 2 sin(k/2) = 0
    refuses(&["graviton", "--model", "xu", "--lattice", "4x4x4", "--k", "2pi,0,0"], &["zone centre"]);
    refuses(&["graviton", "--model", "xu", "--lattice", "4x4x4", "--k", "pi/0,0,0"], &["--k", "pi/0"]);
}

#[test]
fn couplings_and_n_must_make_sense() {
    refuses(&["graviton", "--model", "einstein", "--U", "0"], &["U", "> 0"]);
    refuses(&["graviton", "--model", "cotton", "--J", "-1"], &["J", "> 0"]);
    refuses(&["graviton", "--model", "xu", "--J", "nan"], &["J"]);
    refuses(&["graviton", "--model", "xu", "--n", "1"], &["--n", "n ≥ 2"]);
    refuses(&["graviton", "--model", "xu", "--n", "-3"], &["--n"]);
}

#[test]
fn huge_lattices_are_refused_with_the_estimate() {
    // issue 17: it used to run silently for minutes
    refuses(
        &["graviton", "--model", "cotton", "--lattice", "1000x1000x1000"],
        &["would take about", "smaller lattice"],
    );
}

#[test]
fn json_has_the_documented_keys() {
    let v = json(&["-q", "graviton", "--model", "l-type", "--lattice", "4x4x4", "--k", "0,0,pi/4", "--json"]);
    assert_eq!(v["gapless_helicities"], serde_json::json!([-2, 2]));
    // graviton.md B.5: l-type (M3) ω_{±2} = |K|³, exponent 3; zero modes helicity 0, 0, ±1
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
    // issue 18: a fluctuation entry per helicity state with these keys
    let f = v["fluctuations"].as_array().unwrap();
    let labels: Vec<&str> = f.iter().map(|e| e["helicity"].as_str().unwrap()).collect();
    assert_eq!(labels, ["+2", "-2", "+1", "-1", "0L", "0T"]);
    for e in f {
        for key in ["helicity", "angle_rms", "conjugate_rms", "compact_period", "verdict"] {
            assert!(e.get(key).is_some(), "{key} missing: {e}");
        }
    }
}

#[test]
fn the_quantum_words_follow_the_numbers() {
    // cotton's ±2 has δL ≈ 1.46 per rotor: ≤ n/10 at n = 16 (stays gapless), > n/10 at n = 8
    let v16 = json(&["-q", "graviton", "--model", "cotton", "--lattice", "6x6x6", "--n", "16", "--json"]);
    let v8 = json(&["-q", "graviton", "--model", "cotton", "--lattice", "6x6x6", "--n", "8", "--json"]);
    let (w16, w8) = (v16["verdict"].as_str().unwrap(), v8["verdict"].as_str().unwrap());
    assert!(w16.contains("helicity ±2 stays gapless"), "{w16}");
    assert!(!w8.contains("helicity ±2 stays gapless") && w8.contains("cannot decide"), "{w8}");
    // cotton's 0T: a free compact angle with κ = U at k → 0: gapped; the l-type 0T: undecided
    assert!(w16.contains("0T gapped in the quantum theory"), "{w16}");
    let lt = json(&["-q", "graviton", "--model", "l-type", "--lattice", "4x4x4", "--json"]);
    assert!(lt["verdict"].as_str().unwrap().contains("cannot decide"), "{}", lt["verdict"]);
    assert!(!lt["verdict"].as_str().unwrap().contains("gapped in the quantum theory"), "{}", lt["verdict"]);
}

#[test]
fn out_dir_holds_plots_and_data() {
    let d = scratch("graviton-out");
    let out = d.join("run");
    let o = out.to_string_lossy().to_string();
    let r = ether(&["-q", "graviton", "--model", "xu", "--lattice", "4x4x4", "--out", &o]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    for f in [
        "dispersion.png",
        "helicity_weights.png",
        "figures/dispersion.json",
        "result.json",
        "manifest.json",
        "path_omega.npy",
        "path_distance.npy",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json")).unwrap()).unwrap();
    // graviton.md B.5: the Xu-type model keeps a gapless helicity 0 (0T)
    assert_eq!(v["gapless_helicities"], serde_json::json!([-2, 0, 2]));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn dynamics_reports_the_real_space_checks() {
    let v = json(&["-q", "graviton", "--model", "cotton", "--lattice", "4x4x4", "--method", "dynamics", "--json"]);
    let d = &v["dynamics"];
    // cotton (M4): ω_{±2} = |K|³ at k_z = π/2, |K| = √2 (graviton.md B.5); the measured period of
    // the real-space TT wave against 2π/ω of that closed form, to 1e-4 (leapfrog shift ~1e-5)
    let w = 2f64.sqrt().powi(3);
    assert!((d["tt_wave"]["omega_modes"].as_f64().unwrap() - w).abs() < 1e-12);
    let period = d["tt_wave"]["period_measured"].as_f64().unwrap();
    assert!((period * w / (2.0 * std::f64::consts::PI) - 1.0).abs() < 1e-4, "{period}");
    assert_eq!(d["gauge"]["pure_gauge_max_force"].as_f64().unwrap(), 0.0);
}
