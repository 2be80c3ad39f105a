//! `ether ed` end to end: JSON contract, reference numbers, and bad input (exit 2, nothing
//! written).

use std::path::PathBuf;
use std::process::Command;

fn ether(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ether")).args(args).output().expect("run ether")
}

fn json(args: &[&str]) -> serde_json::Value {
    let o = ether(args);
    assert!(o.status.success(), "ether {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("ether-ed-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// Bad input: exit code 2, a message containing `needle`, and no run directory.
fn refuses(args: &[&str], needle: &str) {
    let dir = tmp(&format!("bad{}", args.len()));
    let mut a: Vec<&str> = args.to_vec();
    let d = dir.to_string_lossy().to_string();
    a.extend(["--out", &d]);
    let o = ether(&a);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "ether {args:?}: expected exit 2, stderr: {err}");
    assert!(err.contains(needle), "ether {args:?}: stderr should mention '{needle}': {err}");
    assert!(!dir.exists(), "no run directory after bad input");
}

#[test]
fn json_contract_and_chain_energies() {
    // spin-waves.md A.4: N = 12, E0 = −5.387390917445 (sector sz=0,k=0,...), the lowest S = 1
    // level −5.031543403742 lies at k = π (index 6) with spinflip −1 in sz = 0.
    let v = json(&[
        "ed",
        "--model",
        "heisenberg",
        "--lattice",
        "12",
        "--sector",
        "sz=0,k=0,parity=1,spinflip=1",
        "--nev",
        "2",
        "--json",
    ]);
    for key in ["energies", "sector", "dimension", "converged", "gap"] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    let e0 = v["energies"][0].as_f64().unwrap();
    assert!((e0 + 5.387390917445).abs() < 1e-9, "{e0}");
    assert_eq!(v["converged"], true);
    let v = json(&["ed", "--lattice", "12", "--nev", "2", "--json"]);
    let e = v["energies"].as_array().unwrap();
    assert!((e[0].as_f64().unwrap() + 5.387390917445).abs() < 1e-9);
    assert!((e[1].as_f64().unwrap() + 5.031543403742).abs() < 1e-9);
    assert!((v["gap"].as_f64().unwrap() - 0.355847513703).abs() < 1e-9);
}

#[test]
fn full_spectrum_from_all_sectors() {
    // Every level of the N = 8 chain, found sector by sector: 256 levels with
    // Σ E = Tr H = 0 and Σ E² = Tr H² = N_bonds · 2^N · 3/16 = 384 (Tr (S_i·S_j)² = 3/16 · 2^N, and
    // different bonds are trace-orthogonal). Independent of the diagonalization: 1e-9.
    let v = json(&["ed", "--lattice", "8", "--nev", "256", "--json"]);
    let e: Vec<f64> = v["energies"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    assert_eq!(e.len(), 256);
    assert!(e.iter().sum::<f64>().abs() < 1e-9);
    assert!((e.iter().map(|x| x * x).sum::<f64>() - 384.0).abs() < 1e-9);
    assert!(e.windows(2).all(|w| w[0] <= w[1]), "ascending");
}

#[test]
fn observables_and_run_directory() {
    let dir = tmp("obs");
    let d = dir.to_string_lossy().to_string();
    let v = json(&[
        "ed",
        "--lattice",
        "12",
        "--sector",
        "sz=0,k=0,parity=1,spinflip=1",
        "--observables",
        "correlations,structure-factor,entanglement,dynamic",
        "--json",
        "--out",
        &d,
    ]);
    let o = &v["observables"];
    // C(0) = 1/4 exactly; S(q) summed over the zone is N C(0).
    assert!((o["correlations_zz"][0].as_f64().unwrap() - 0.25).abs() < 1e-12);
    let s: f64 = o["structure_factor"]["s"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).sum();
    assert!((s - 3.0).abs() < 1e-10, "Σ_q S(q) = N/4 = 3: {s}");
    // S(q, ω) weights are the static structure factor at the same q.
    let dsf = o["dynamic_structure_factor"].as_array().unwrap();
    let sq = o["structure_factor"]["s"].as_array().unwrap();
    for (m, x) in dsf.iter().enumerate() {
        assert!((x["weight"].as_f64().unwrap() - sq[m].as_f64().unwrap()).abs() < 1e-10, "q index {m}");
    }
    assert!(o["entanglement_entropy"]["entropy"].as_f64().unwrap() > 0.5);
    assert!(dir.join("s_q_omega.png").exists() && dir.join("result.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gauge_models() {
    // Rotor note 6.3: 2x2x2 quantum link model at the RK point, E0 = 0 exactly.
    let v = json(&["ed", "--model", "quantum-link", "--lattice", "2x2x2", "--lambda", "1", "--nev", "2", "--json"]);
    assert_eq!(v["dimension"], 864);
    assert!(v["energies"][0].as_f64().unwrap().abs() < 1e-10);
    assert!((v["gap"].as_f64().unwrap() - 0.96962362).abs() < 1e-7);
    // Rotor note 6.2: 2x2, L_max = 3, g/J = 0.1: dim 231, E0/site = −0.00501419.
    let v = json(&["ed", "--model", "rotor", "--lattice", "2x2", "--lmax", "3", "--g", "0.1", "--J", "1", "--json"]);
    assert_eq!(v["dimension"], 231);
    assert!((v["energies"][0].as_f64().unwrap() / 4.0 + 0.00501419).abs() < 1e-8);
    // Toric code at h = 0: E0 = −N_v − N_p in every winding sector (fourfold).
    let v = json(&["ed", "--model", "toric-code", "--lattice", "3x3", "--nev", "4", "--json"]);
    for e in v["energies"].as_array().unwrap() {
        assert!((e.as_f64().unwrap() + 18.0).abs() < 1e-10);
    }
}

#[test]
fn bad_input_exits_2_with_the_numbers() {
    refuses(&["ed", "--lattice", "12", "--sector", "k=12"], "out of range");
    refuses(&["ed", "--lattice", "12", "--sector", "sz=0,colour=1"], "known keys");
    refuses(&["ed", "--lattice", "12", "--sector", "sz=0,k=3,parity=1"], "parity");
    refuses(&["ed", "--lattice", "4", "--sector", "sz=2", "--nev", "2"], "only 1 states");
    refuses(
        &["ed", "--model", "heisenberg", "--coupling", "-1", "--lattice", "9", "--sector", "spinflip=1"],
        "odd number of sites",
    );
    refuses(&["ed", "--lattice", "60", "--sector", "sz=0"], "needs about");
    refuses(&["ed", "--model", "rotor", "--lattice", "2x2"], "truncation");
    refuses(
        &["ed", "--model", "transverse-ising", "--field", "0.5", "--lattice", "8", "--sector", "sz=0"],
        "does not conserve",
    );
    refuses(&["ed", "--lattice", "7"], "bipartite");
}

/// The rotor model in a sector with static charges: a string of flux costs energy (at least the
/// 2U of the two charges and tension along the string, minus fluctuations), so its E0 lies above
/// the charge-free sector's; and charges are refused where they are not supported.
#[test]
fn rotor_sector_with_static_charges() {
    let run = |sector: Option<&str>| {
        let mut a = vec![
            "-q",
            "ed",
            "--model",
            "rotor",
            "--lattice",
            "3x3",
            "--lmax",
            "1",
            "--g",
            "0.5",
            "--J",
            "1",
            "--U",
            "2",
            "--json",
        ];
        if let Some(s) = sector {
            a.extend(["--sector", s]);
        }
        let o = Command::new(env!("CARGO_BIN_EXE_ether")).args(&a).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["energies"][0].as_f64().unwrap()
    };
    let neutral = run(None);
    let charged = run(Some("charges=0:4"));
    assert!(charged > neutral + 2.0 * 2.0, "{charged} vs {neutral}");
    let o = Command::new(env!("CARGO_BIN_EXE_ether"))
        .args(["ed", "--model", "toric-code", "--lattice", "3x3", "--sector", "charges=0:1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
