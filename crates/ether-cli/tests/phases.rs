//! `ether phases`: the JSON contract, arrays with axes, bad input, and interrupted runs that
//! resume to the same bits.

mod common;
use common::*;
use std::path::Path;
use std::time::{Duration, Instant};

const SMALL: &[&str] =
    &["phases", "--lattice", "4x4x4x4", "--beta", "0.6,1.5", "--start", "hot", "--therm", "10", "--sweeps", "40"];

#[test]
fn json_keeps_the_old_keys_and_adds_errors_with_autocorrelation_times() {
    let mut a = vec!["-q"];
    a.extend_from_slice(SMALL);
    a.push("--json");
    let v = json(&a);
    let m = v["measurements"].as_array().unwrap();
    assert_eq!(m.len(), 2);
    for key in
        ["beta", "start", "plaquette", "plaquette_error", "monopole_density", "monopole_error", "history", "phase"]
    {
        assert!(!m[0][key].is_null(), "measurements[].{key} missing");
    }
    for obs in ["plaquette", "monopole_density", "polyakov_abs"] {
        let t = m[0]["autocorrelation_time"][obs].as_f64().unwrap();
        assert!(t >= 0.5, "τ_int of {obs} = {t}");
    }
    assert_eq!(m[0]["phase"], "confined");
    assert_eq!(m[1]["phase"], "coulomb");
    assert!(!m[1]["phase_evidence"].as_array().unwrap().is_empty());
    let t = v["transition_estimate"].as_f64().unwrap();
    assert!(t > 0.6 && t < 1.5, "{t}");
    assert!(v["verdict"].as_str().unwrap().contains("Coulomb at β = 1.5"));
    assert!(v["error_method"].as_str().unwrap().contains("Wolff"));
}

#[test]
fn a_run_directory_has_every_history_with_its_beta_and_start_axes() {
    let d = scratch("dir");
    let out = d.join("run");
    let o = out.to_string_lossy().to_string();
    let a = [
        "-q",
        "phases",
        "--lattice",
        "4x4x4x4",
        "--beta",
        "0.6,1.5",
        "--start",
        "both",
        "--therm",
        "10",
        "--sweeps",
        "40",
        "--measure",
        "all",
        "--loop-max",
        "2",
        "--out",
        &o,
    ];
    let o = ether(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let man: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let arrays = man["arrays"].as_array().unwrap();
    let hist =
        arrays.iter().find(|x| x["file"] == "plaquette_history.npy").expect("plaquette_history.npy in the manifest");
    assert_eq!(hist["shape"], serde_json::json!([2, 2, 40]));
    assert_eq!(hist["axes"][0]["name"], "beta");
    assert_eq!(hist["axes"][1]["labels"], serde_json::json!(["hot", "cold"]));
    assert_eq!(hist["axes"][2]["name"], "sweep");
    for f in [
        "beta.npy",
        "start.npy",
        "sweep.npy",
        "potential.npy",
        "R.npy",
        "photon_omega.npy",
        "k.npy",
        "wilson_loops.npy",
        "T.npy",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    for f in ["plaquette.png", "monopoles.png", "potential.png", "photon.png", "histories.png", "speed_of_light.png"] {
        assert!(out.join(f).exists(), "figure {f} missing");
    }
    // `ether plot DIR` redraws from the saved data alone
    let o = ether(&["-q", "plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_dir_all(&d).unwrap();
}

/// Refused by the argument parser (clap prints its own multi-line message): exit 2, the needle
/// named, nothing written.
fn refuses_parse(args: &[&str], needle: &str) {
    let d = scratch(&format!("parse-{}", args.len()));
    let out = d.join("run");
    let mut a = args.to_vec();
    let o = out.to_string_lossy().to_string();
    a.extend(["--out", &o]);
    let r = ether(&a);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert_eq!(entries(&d), 0);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_input_is_refused_in_one_line() {
    refuses(&["phases", "--lattice", "6x6x6x5"], &["odd", "even"]);
    refuses(&["phases", "--lattice", "6x6"], &["4 extents"]);
    refuses(&["phases", "--beta", "-1"], &["beta", "> 0"]);
    refuses(&["phases", "--beta", "0"], &["beta"]);
    refuses(&["phases", "--sweeps", "3"], &["too few"]);
    refuses_parse(&["phases", "--start", "warm"], "warm");
    refuses_parse(&["phases", "--therm", "-4"], "-4");
    refuses(
        &["phases", "--lattice", "6x6x6x6", "--measure", "potential", "--loop-max", "4"],
        &["too many Wilson-loop sizes", "R ≤ 3"],
    );
    refuses(&["phases", "--measure", "energy"], &["rotor"]);
    refuses(&["phases", "--lattice", "128x128x128x128"], &["needs about", "GiB", "available"]);
    refuses(&["phases", "--rotor", "--lattice", "4x4x4", "--g", "0"], &["g", "> 0"]);
    refuses(&["phases", "--rotor", "--lattice", "4x4x4", "--J", "-1"], &["J"]);
    refuses(&["phases", "--rotor", "--lattice", "4x4x4", "--time-step", "0.6"], &["τ√(gJ) must stay below 1/2"]);
    refuses(&["phases", "--rotor", "--lattice", "4x4x4", "--time-slices", "7"], &["even"]);
    refuses(&["phases", "--rotor", "--lattice", "4x4x4", "--scan-g", "2:1:0.1"], &["A:B:STEP"]);
    refuses_parse(&["phases", "--rotor", "--beta", "1.0", "--lattice", "4x4x4"], "--beta");
    refuses_parse(&["phases", "--scan-g", "0.5:1:0.1"], "--rotor");
    // found by the 10^5-case fuzz: a β beyond the exact action sums (it had looped forever in
    // the heat bath, then wrapped the sum), its temporal twin from a tiny τ, and a bad process
    // grid (it had printed the run's estimate before its error)
    refuses(&["phases", "--beta", "18446744073709551615"], &["hold β <"]);
    refuses(
        &["phases", "--rotor", "--lattice", "4x4x4", "--time-slices", "8", "--time-step", "1e-16"],
        &["hold β <", "longer time step"],
    );
    refuses(&["phases", "--process-grid", "pi/0"], &["process-grid", "1x1x2x2"]);
    refuses(&["phases", "--process-grid", "1x1x1x2"], &["need MPI"]);
}

fn wait_for(p: &Path, limit: Duration) -> bool {
    let t = Instant::now();
    while t.elapsed() < limit {
        if p.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Every file of a finished run except the manifest (which holds wall times) and the plots.
fn data_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "npy" || x == "json") && !p.ends_with("manifest.json"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    v.sort();
    v
}

const LONG: &[&str] = &[
    "phases",
    "--lattice",
    "4x4x4x4",
    "--beta",
    "0.7,0.9,1.1,1.3",
    "--start",
    "hot",
    "--therm",
    "20",
    "--sweeps",
    "300",
    "--measure",
    "plaquette,monopoles,potential",
    "--loop-max",
    "2",
    "--checkpoint-seconds",
    "0.05",
    "--seed",
    "4",
];

#[test]
fn sigint_keeps_finished_points_and_resume_gives_the_same_bits() {
    let d = scratch("sigint");
    let (a, b) = (d.join("a"), d.join("b"));
    let mut args = LONG.to_vec();
    let bs = b.to_str().unwrap().to_string();
    args.extend(["--out", &bs, "-q"]);
    let o = ether(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // interrupted run: SIGINT once the first point is finished
    let mut args = LONG.to_vec();
    let as_ = a.to_str().unwrap().to_string();
    args.extend(["--out", &as_, "-q"]);
    let mut child = command().args(&args).spawn().unwrap();
    let ck = d.join("a.checkpoint");
    assert!(wait_for(&ck.join("point-0.ckpt"), Duration::from_secs(120)), "no finished point after 120 s");
    std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let st = child.wait().unwrap();
    if st.success() {
        // the run finished before the signal arrived: nothing to resume, but it must equal b
        assert_eq!(data_files(&a), data_files(&b));
        return;
    }
    assert_eq!(st.code(), Some(130), "interrupted runs exit 130");
    assert!(!a.exists(), "no run directory before the run finishes");
    assert!(ck.join("point-0.ckpt").exists(), "the finished point is kept");
    let o = ether(&["-q", "phases", "--resume", &as_]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(data_files(&a), data_files(&b), "resumed run differs from the uninterrupted one");
    assert!(!ck.exists(), "a finished run removes its checkpoints");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn sigkill_loses_at_most_the_work_since_the_last_checkpoint() {
    let d = scratch("sigkill");
    let (a, b) = (d.join("a"), d.join("b"));
    let bs = b.to_str().unwrap().to_string();
    let as_ = a.to_str().unwrap().to_string();
    let mut args = LONG.to_vec();
    args.extend(["--out", &bs, "-q"]);
    assert!(ether(&args).status.success());
    let mut args = LONG.to_vec();
    args.extend(["--out", &as_, "-q"]);
    let mut child = command().args(&args).spawn().unwrap();
    let ck = d.join("a.checkpoint");
    assert!(wait_for(&ck.join("progress-1.ckpt"), Duration::from_secs(120)), "no checkpoint of a point in progress");
    let _ = child.kill();
    let st = child.wait().unwrap();
    if st.success() {
        return;
    }
    let o = ether(&["-q", "phases", "--resume", &as_]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(data_files(&a), data_files(&b));
    // the killed run's staging directory was cleaned up by the resumed one
    let left: Vec<String> =
        std::fs::read_dir(&d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|n| !n.contains("partial")), "staging left behind: {left:?}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_resume_refuses_another_lattice_seed_or_a_damaged_checkpoint() {
    let d = scratch("refuse");
    let a = d.join("a");
    let as_ = a.to_str().unwrap().to_string();
    let mut args = LONG.to_vec();
    args.extend(["--out", &as_, "-q"]);
    let mut child = command().args(&args).spawn().unwrap();
    let ck = d.join("a.checkpoint");
    assert!(wait_for(&ck.join("point-0.ckpt"), Duration::from_secs(120)));
    let _ = child.kill();
    if child.wait().unwrap().success() {
        return;
    }
    // (the run layer stores the resolved parameters again on every resume attempt, so restore
    // the interrupted run's own before each try)
    let params = std::fs::read(ck.join("params.ckpt")).unwrap();
    for (flag, value, needle) in
        [("--lattice", "6x6x6x6", "lattice"), ("--seed", "5", "seed"), ("--action", "villain", "action")]
    {
        std::fs::write(ck.join("params.ckpt"), &params).unwrap();
        let o = ether(&["-q", "phases", "--resume", &as_, flag, value]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains("another run") && err.contains(needle), "{flag}: {err}");
    }
    // a corrupted checkpoint is refused by its checksum, never loaded
    std::fs::write(ck.join("params.ckpt"), &params).unwrap();
    let p = ck.join("point-0.ckpt");
    let mut bytes = std::fs::read(&p).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x10;
    std::fs::write(&p, &bytes).unwrap();
    let o = ether(&["-q", "phases", "--resume", &as_]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("damaged"), "{err}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn rotor_mode_reports_energies_in_units_of_j_and_the_lattice_couplings() {
    let v = json(&[
        "-q",
        "phases",
        "--rotor",
        "--lattice",
        "2x2",
        "--g",
        "2",
        "--J",
        "2",
        "--time-slices",
        "20",
        "--time-step",
        "0.05",
        "--therm",
        "20",
        "--sweeps",
        "100",
        "--measure",
        "plaquette,energy",
        "--start",
        "cold",
        "--json",
    ]);
    let m = &v["measurements"][0];
    assert_eq!(v["mode"], "rotor");
    assert!(m["beta"].is_null());
    assert_eq!(m["g"], 1.0, "g/J");
    assert_eq!(m["time_step"], 0.1, "τJ");
    assert!((m["temperature"].as_f64().unwrap() - 0.5).abs() < 1e-12, "T/J = 1/(N_t τ J)");
    assert!(m["lattice_couplings"].as_str().unwrap().contains("β_s = 2τg"));
    let e = m["energy_per_site"]["value"].as_f64().unwrap();
    assert!(e.is_finite() && m["energy_per_site"]["error"].as_f64().unwrap() > 0.0);
}
