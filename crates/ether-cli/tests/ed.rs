//! `ether ed` end to end: JSON contract, reference numbers, model files, interruption and
//! resume, and bad input (exit 2, one line, nothing written).

mod common;
use common::*;

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
    for key in ["energies", "sector", "dimension", "converged", "gap", "levels", "sectors"] {
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
    assert_eq!(v["sector"], "all");
    assert!(v["search"]["sectors"].as_u64().unwrap() > 10);
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
    let d = scratch("obs");
    let out = d.join("run");
    let o = out.to_string_lossy().to_string();
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
        &o,
    ]);
    let obs = &v["observables"];
    // C(0) = 1/4 exactly; S(q) summed over the zone is N C(0).
    assert!((obs["correlations_zz"][0].as_f64().unwrap() - 0.25).abs() < 1e-12);
    let s: f64 = obs["structure_factor"]["s"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).sum();
    assert!((s - 3.0).abs() < 1e-10, "Σ_q S(q) = N/4 = 3: {s}");
    // S(q, ω) weights are the static structure factor at the same q.
    let dsf = obs["dynamic_structure_factor"].as_array().unwrap();
    let sq = obs["structure_factor"]["s"].as_array().unwrap();
    for (m, x) in dsf.iter().enumerate() {
        assert!((x["weight"].as_f64().unwrap() - sq[m].as_f64().unwrap()).abs() < 1e-10, "q index {m}");
    }
    assert!(obs["entanglement_entropy"]["entropy"].as_f64().unwrap() > 0.5);
    for f in [
        "s_q_omega.png",
        "result.json",
        "s_q_omega.npy",
        "s_q_omega_q.npy",
        "omega.npy",
        "energies.npy",
        "correlations_zz.npy",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // The manifest names S(q, ω)'s axes in the order (q, ω), as every S(k, ω) of ether.
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let a = m["arrays"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["file"] == "s_q_omega.npy")
        .expect("s_q_omega in the manifest");
    assert_eq!(a["shape"][0], dsf.len());
    assert_eq!(a["axes"][1]["file"], "omega.npy");
    let _ = std::fs::remove_dir_all(&d);
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
fn frustrated_and_odd_clusters_are_allowed() {
    // Issue 17: ED needs no Néel state. The odd chain of 7 and the frustrated 3x3 torus run; both
    // have a total spin ½ ground state, so their two lowest levels (S^z = ±½, partners under the
    // spin flip) are degenerate.
    let v = json(&["ed", "--model", "heisenberg", "--lattice", "7", "--nev", "2", "--json"]);
    let e = v["energies"].as_array().unwrap();
    assert!((e[0].as_f64().unwrap() - e[1].as_f64().unwrap()).abs() < 1e-9, "S^z = ±½ partners");
    let v = json(&["ed", "--lattice", "3x3", "--nev", "2", "--json"]);
    let e = v["energies"].as_array().unwrap();
    assert!((e[0].as_f64().unwrap() - e[1].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn xxz_and_j1_j2_from_flags_and_model_files_agree_bit_for_bit() {
    // Issue 19: the same Hamiltonian from flags and from a model file gives the same energies,
    // bit for bit; the J1-J2 4x4 ground state is the published −0.528620 per site.
    let d = scratch("modelfile");
    let f = d.join("j1j2.toml");
    let mut text = String::new();
    for (ops, c) in [("zz", "1.0"), ("+-", "0.5"), ("-+", "0.5")] {
        text.push_str(&format!("[[term]]\nops = \"{ops}\"\ncoupling = {c}\noffsets = [[0, 1], [1, 0]]\n"));
    }
    for ops in ["xx", "yy", "zz"] {
        text.push_str(&format!("[[term]]\nops = \"{ops}\"\ncoupling = 0.5\noffsets = [[1, 1], [1, -1]]\n"));
    }
    std::fs::write(&f, text).unwrap();
    let fs = f.to_string_lossy().to_string();
    let sector = "sz=0,k=0:0,rotation=1,mirror=1,spinflip=1";
    let a = json(&["ed", "--lattice", "4x4", "--J2", "0.5", "--sector", sector, "--nev", "2", "--json"]);
    let b = json(&["ed", "--lattice", "4x4", "--model-file", &fs, "--sector", sector, "--nev", "2", "--json"]);
    assert_eq!(a["energies"], b["energies"], "bit for bit");
    let e0 = a["energies"][0].as_f64().unwrap() / 16.0;
    assert!((e0 + 0.528620).abs() < 5e-7, "E0/N = {e0}");
    // The XXZ chain in a field from flags: runs, labels its sectors with S^z (no spin flip).
    let v = json(&["ed", "--lattice", "12", "--delta", "0.5", "--field", "0.2", "--nev", "3", "--json"]);
    assert!(v["levels"].as_array().unwrap().iter().all(|l| !l["sector"].as_str().unwrap().contains("spinflip")));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_interrupted_search_resumes_to_the_same_levels() {
    // Issue 17: SIGINT mid-run keeps every finished sector (exit 130, a checkpoint), --resume
    // finishes with the same levels, bit for bit, as an uninterrupted run; SIGKILL mid-run, then
    // --resume, continues from the last finished sector.
    let d = scratch("interrupt");
    let whole = json(&["-q", "ed", "--lattice", "20", "--nev", "3", "--json"]);
    for signal in ["INT", "KILL"] {
        let out = d.join(format!("run-{signal}"));
        let o = out.to_string_lossy().to_string();
        let mut child = command().args(["-q", "ed", "--lattice", "20", "--nev", "3", "--out", &o]).spawn().unwrap();
        // Wait until a few sectors are kept, then signal.
        let ck = d.join(format!("run-{signal}.checkpoint"));
        let t0 = std::time::Instant::now();
        while entries(&ck) < 4 && t0.elapsed().as_secs() < 60 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let kill =
            std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        if signal == "INT" {
            assert_eq!(status.code(), Some(130), "SIGINT: exit 130 after keeping the state");
        }
        assert!(!out.exists(), "an interrupted run has no run directory");
        assert!(entries(&ck) >= 2, "the checkpoint keeps the finished sectors");
        let v = json(&["-q", "ed", "--resume", &o, "--json"]);
        assert_eq!(v["levels"], whole["levels"], "{signal}: the resumed run gives the same levels");
        assert!(v["search"]["restored"].as_u64().unwrap() >= 1, "{signal}: sectors restored");
        assert!(out.join("result.json").exists() && !ck.exists());
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    refuses(&["ed", "--lattice", "12", "--sector", "k=12"], &["out of range"]);
    refuses(&["ed", "--lattice", "12", "--sector", "sz=0,colour=1"], &["known keys"]);
    refuses(&["ed", "--lattice", "12", "--sector", "sz=0,k=3,parity=1"], &["parity"]);
    refuses(&["ed", "--lattice", "4", "--sector", "sz=2", "--nev", "2"], &["only 1 states"]);
    refuses(
        &["ed", "--model", "heisenberg", "--coupling", "-1", "--lattice", "9", "--sector", "spinflip=1"],
        &["odd number of sites"],
    );
    refuses(&["ed", "--lattice", "60", "--sector", "sz=0"], &["needs about"]);
    refuses(&["ed", "--model", "rotor", "--lattice", "2x2"], &["truncation"]);
    refuses(
        &["ed", "--model", "transverse-ising", "--field", "0.5", "--lattice", "8", "--sector", "sz=0"],
        &["term 2", "S^z"],
    );
    // Issue 17: empty and repeated sectors, negative numbers with their reason.
    refuses(&["ed", "--lattice", "8", "--sector", ""], &["empty sector"]);
    refuses(&["ed", "--lattice", "8", "--sector", "sz=0,sz=1"], &["twice"]);
    refuses(&["ed", "--lattice", "-4"], &["positive"]);
    refuses(&["ed", "--lattice", "8", "--tol", "-1"], &["positive tolerance"]);
    // A negative count is refused by the flag parser with the reason (clap adds its usage hint
    // on further lines; the one-line form of clap errors is main.rs's).
    let o = ether(&["ed", "--lattice", "8", "--nev", "-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("whole number"), "{}", String::from_utf8_lossy(&o.stderr));
    // Issue 19: --delta and --J2 for a model without such a term, NaN couplings.
    refuses(&["ed", "--model", "transverse-ising", "--lattice", "8", "--delta", "0.5"], &["delta", "no such term"]);
    refuses(&["ed", "--model", "toric-code", "--lattice", "3x3", "--J2", "0.5"], &["J2", "no such term"]);
    refuses(&["ed", "--lattice", "8", "--delta", "NaN"], &["finite"]);
    // Lattices beyond the basis are refused before the model's tables are built (the 10^5-case
    // fuzz found a 24 GB allocation abort and a capacity-overflow panic here).
    refuses(&["ed", "--lattice", "1000x100000x5"], &["at most 62 sites"]);
    refuses(&["ed", "--lattice", "18446744073709551615", "--finite-size", "1"], &["at most 62 sites"]);
}

#[test]
fn bad_model_files_exit_2_naming_the_term() {
    let d = scratch("badfiles");
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().to_string()
    };
    let nn = "[[term]]\nops = \"zz\"\ncoupling = 1.0\noffset = [1]\n";
    let unknown_op = write("op.toml", &format!("{nn}[[term]]\nops = \"zq\"\ncoupling = 1.0\noffset = [1]\n"));
    refuses(&["ed", "--lattice", "8", "--model-file", &unknown_op], &["term 2", "unknown operator 'q'"]);
    let outside = write("bond.toml", &format!("{nn}[[term]]\nops = \"zz\"\ncoupling = 1.0\nbonds = [[0, 8]]\n"));
    refuses(&["ed", "--lattice", "8", "--model-file", &outside], &["term 2", "site 8"]);
    let breaks = write("break.toml", &format!("{nn}[[term]]\nops = \"zz\"\ncoupling = 0.5\nbonds = [[0, 1]]\n"));
    refuses(&["ed", "--lattice", "8", "--model-file", &breaks, "--sector", "sz=0,k=0"], &["term 2", "translation"]);
    let nan = write("nan.toml", "[[term]]\nops = \"zz\"\ncoupling = nan\noffset = [1]\n");
    refuses(&["ed", "--lattice", "8", "--model-file", &nan], &["term 1", "finite"]);
    let key = write("key.toml", "[[term]]\nops = \"zz\"\ncoupling = 1.0\noffset = [1]\ncolour = 2\n");
    refuses(&["ed", "--lattice", "8", "--model-file", &key], &["colour"]);
    refuses(&["ed", "--lattice", "8", "--model-file", &outside, "--delta", "0.5"], &["delta"]);
    let _ = std::fs::remove_dir_all(&d);
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
        json(&a)["energies"][0].as_f64().unwrap()
    };
    let neutral = run(None);
    let charged = run(Some("charges=0:4"));
    assert!(charged > neutral + 2.0 * 2.0, "{charged} vs {neutral}");
    refuses(&["ed", "--model", "toric-code", "--lattice", "3x3", "--sector", "charges=0:1"], &["rotor model"]);
}
