//! The `ether spinwave` command end to end: the JSON contract, the run directory, `ether plot`,
//! and bad input (exit code 2, one line that says what to do, nothing left behind).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ether(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ether")).args(args).output().expect("run ether")
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ether-cli-sw-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn entries(d: &Path) -> usize {
    std::fs::read_dir(d).unwrap().count()
}

#[test]
fn json_has_the_promised_keys_and_physics() {
    let o = ether(&["spinwave", "--model", "ferro", "--lattice", "64", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("exactly one JSON document on stdout");
    for key in ["model", "method", "lattice", "exponent", "coefficient", "dispersion", "verdict"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["model"], "ferro");
    assert_eq!(v["lattice"], "64");
    // spin-waves note A.2: ω ≈ J_F S k² at small k (fit window up to |k| = 0.6 bends it by < 1 %).
    let p = v["exponent"].as_f64().unwrap();
    assert!((p - 2.0).abs() < 0.02, "{p}");
    let c = v["coefficient"].as_f64().unwrap();
    assert!((c - 0.5).abs() < 0.02, "{c}");
    let d = &v["dispersion"];
    assert_eq!(d["k"].as_array().unwrap().len(), d["omega"].as_array().unwrap().len());
}

#[test]
fn dynamics_run_directory_is_complete_and_replottable() {
    let d = scratch("run");
    let out = d.join("afm");
    let o = ether(&[
        "-q",
        "spinwave",
        "--model",
        "antiferro",
        "--lattice",
        "16x16",
        "--method",
        "dynamics",
        "--frames",
        "512",
        "--samples",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = v["exponent"].as_f64().unwrap();
    assert!((p - 1.0).abs() < 0.1, "antiferromagnet exponent {p}");
    for f in ["manifest.json", "result.json", "skw.npy", "skw.png", "skw.svg", "dispersion.png", "figures/skw.json"] {
        assert!(out.join(f).exists(), "missing {f}");
    }
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["command"], "spinwave");
    assert_eq!(m["seed"], 1);
    assert!(m["wall_time_seconds"].as_f64().unwrap() > 0.0);
    assert!(["portable", "avx2", "avx512"].contains(&m["vector_isa"].as_str().unwrap()), "{}", m["vector_isa"]);
    // .npy magic and shape header
    let npy = std::fs::read(out.join("skw.npy")).unwrap();
    assert_eq!(&npy[..6], b"\x93NUMPY");
    // redraw from saved data alone
    std::fs::remove_file(out.join("skw.png")).unwrap();
    let o = ether(&["-q", "plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("skw.png").exists());
    std::fs::remove_dir_all(&d).unwrap();
}

/// A short dynamics run (32x32 antiferromagnet, one sample, 64 frames) for the determinism tests.
const SMALL_DYNAMICS: &[&str] = &[
    "spinwave",
    "--model",
    "antiferro",
    "--lattice",
    "32x32",
    "--method",
    "dynamics",
    "--frames",
    "64",
    "--samples",
    "1",
    "--seed",
    "5",
    "--json",
];

#[test]
fn same_seed_same_json_for_one_and_two_threads() {
    let run = |threads: &str| {
        let o = ether(&[&["--threads", threads], SMALL_DYNAMICS].concat());
        assert!(o.status.success());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (v["exponent"].clone(), v["dispersion"].clone())
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn bad_input_exits_2_with_advice_and_leaves_nothing() {
    let d = scratch("bad");
    let out = d.join("run");
    let o = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["spinwave", "--model", "ferro", "--bogus"], "unexpected argument"),
        (vec!["spinwave", "--model", "magnet"], "invalid value"),
        (vec!["spinwave", "--model", "ferro", "--lattice", "0", "--out", o], "at least 2"),
        (vec!["spinwave", "--model", "ferro", "--lattice", "1", "--out", o], "at least 2"),
        (vec!["spinwave", "--model", "ferro", "--lattice", "8y8", "--out", o], "separated by 'x'"),
        (vec!["spinwave", "--model", "ferro", "--spin", "0", "--out", o], "positive"),
        (vec!["spinwave", "--model", "ferro", "--spin", "-1", "--out", o], "positive"),
        (vec!["spinwave", "--model", "antiferro", "--lattice", "7", "--out", o], "bipartite"),
        (vec!["spinwave", "--model", "antiferro", "--lattice", "8x5", "--out", o], "even"),
        (vec!["spinwave", "--model", "ferro", "--coupling", "NaN", "--out", o], "|J| > 0"),
        (vec!["spinwave", "--model", "ferro", "--coupling", "-1", "--out", o], "sign of J comes from --model"),
        (vec!["spinwave", "--model", "ferro", "--method", "dynamics", "--temperature", "-1", "--out", o], "T > 0"),
        (vec!["spinwave", "--model", "ferro", "--out", "/proc/ether-cannot/run"], "writable"),
    ];
    for (args, needle) in cases {
        let r = ether(&args);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: '{err}' lacks '{needle}'");
        assert!(r.stdout.is_empty());
        assert_eq!(entries(&d), 0, "{args:?} left files behind");
    }
    // Config files: unknown keys and wrong types are rejected with the offending key named.
    let cfg = d.join("bad.toml");
    std::fs::write(&cfg, "model = \"ferro\"\nlatice = \"8x8\"\n").unwrap();
    let r = ether(&["spinwave", "--config", cfg.to_str().unwrap(), "--out", o]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("latice") && err.lines().count() == 1, "{err}");
    std::fs::write(&cfg, "model = \"ferro\"\nspin = \"half\"\n").unwrap();
    let r = ether(&["spinwave", "--config", cfg.to_str().unwrap(), "--out", o]);
    assert_eq!(r.status.code(), Some(2));
    std::fs::remove_file(&cfg).unwrap();
    assert_eq!(entries(&d), 0);
    let r = ether(&["spinwave", "--lattice", "8"]);
    assert_eq!(r.status.code(), Some(2), "missing --model");

    // An existing non-empty --out is refused, and left untouched.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep"), b"x").unwrap();
    let r = ether(&["spinwave", "--model", "ferro", "--out", o]);
    assert_eq!(r.status.code(), Some(2));
    assert!(out.join("keep").exists() && entries(&out) == 1);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn config_file_sets_parameters() {
    let d = scratch("cfg");
    let cfg = d.join("afm.toml");
    std::fs::write(&cfg, "model = \"antiferro\"\nlattice = \"8x8x8\"\nspin = 1.0\n").unwrap();
    let o = ether(&["spinwave", "--config", cfg.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["model"], "antiferro");
    assert_eq!(v["lattice"], "8x8x8");
    assert_eq!(v["spin"], 1.0);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn resume_without_a_checkpoint_is_a_clear_error() {
    let d = scratch("resume");
    let out = d.join("run");
    let r =
        ether(&["spinwave", "--model", "ferro", "--method", "dynamics", "--resume", "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("no checkpoint"), "{err}");
    assert_eq!(entries(&d), 0);
    // --resume needs --out
    assert_eq!(ether(&["spinwave", "--model", "ferro", "--resume"]).status.code(), Some(2));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn help_teaches() {
    let o = ether(&["spinwave", "--help"]);
    let h = String::from_utf8_lossy(&o.stdout);
    for needle in ["ferro", "antiferro", "32x32", "lswt", "dynamics", "Examples"] {
        assert!(h.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn a_typo_in_ether_isa_is_an_error_and_a_valid_cap_gives_the_same_numbers() {
    let run = |isa: &str| {
        Command::new(env!("CARGO_BIN_EXE_ether"))
            .env("ETHER_ISA", isa)
            .args(SMALL_DYNAMICS)
            .output()
            .expect("run ether")
    };
    let bad = run("avx9000");
    assert_eq!(bad.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(msg.trim().lines().count(), 1, "{msg}");
    assert!(msg.contains("portable, avx2 or avx512"), "{msg}");
    // The instruction set changes speed, not numbers (crate::simd): the same JSON.
    let (a, b) = (run("portable"), run("avx512"));
    assert!(a.status.success() && b.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, b.stdout);
}
