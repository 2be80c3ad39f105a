//! `ether demo` end to end: the talk, reproduced, on small defaults. Every verdict must pass,
//! the report must embed its figures, and summary.json must have one entry per chapter.

use std::process::Command;

#[test]
fn demo_runs_end_to_end_and_every_verdict_passes() {
    let d = std::env::temp_dir().join(format!("ether-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let o = Command::new(env!("CARGO_BIN_EXE_ether"))
        .args(["-q", "demo", "--out", d.to_str().unwrap()])
        .output()
        .expect("run ether demo");
    assert!(
        o.status.success(),
        "demo failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("PASS") && !table.contains("FAIL"), "{table}");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("summary.json")).unwrap()).unwrap();
    let chapters = s["chapters"].as_array().unwrap();
    let numbers: Vec<u64> = chapters.iter().map(|c| c["chapter"].as_u64().unwrap()).collect();
    let mut dedup = numbers.clone();
    dedup.dedup();
    assert_eq!(numbers, dedup, "one entry per chapter");
    assert!(numbers.contains(&1));
    for c in chapters {
        assert_eq!(c["verdict"], "pass", "{c}");
        for key in ["claim", "measured", "title"] {
            assert!(c[key].as_str().is_some_and(|x| !x.is_empty()), "{key} missing in {c}");
        }
    }
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("data:image/png;base64,"), "figures must be embedded");
    assert!(!html.contains("missing"), "a figure is missing from the report");
    std::fs::remove_dir_all(&d).unwrap();
}
