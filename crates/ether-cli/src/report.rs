//! The demo report: verdict rows, `summary.json`, the terminal table and a self-contained HTML
//! page with the figures embedded.

use anyhow::Result;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One verdict of the demo: a claim of the talk, what was measured, and pass/fail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Chapter {
    /// Chapter number in the talk's order.
    pub number: u32,
    /// Chapter title.
    pub title: String,
    /// The claim, in words.
    pub claim: String,
    /// The measured figure, in words with numbers.
    pub measured: String,
    /// Whether the measurement supports the claim within its stated tolerance.
    pub pass: bool,
    /// Paragraphs of explanation (plain text).
    pub text: Vec<String>,
    /// PNG figures to embed (paths inside the demo directory).
    pub figures: Vec<PathBuf>,
    /// Seconds spent.
    pub seconds: f64,
}

#[derive(Serialize)]
struct Check<'a> {
    claim: &'a str,
    measured: &'a str,
    verdict: &'static str,
}

#[derive(Serialize)]
struct Entry<'a> {
    chapter: u32,
    title: &'a str,
    claim: String,
    measured: String,
    verdict: &'static str,
    seconds: f64,
    checks: Vec<Check<'a>>,
}

fn verdict(pass: bool) -> &'static str {
    if pass {
        "pass"
    } else {
        "fail"
    }
}

/// The summary document: one entry per chapter number (its claims and measured figures joined, the
/// verdict `pass` only if every check passed, the title of its first part), with the individual
/// checks listed inside.
pub fn summary(ch: &[Chapter]) -> serde_json::Value {
    let mut entries: Vec<Entry> = Vec::new();
    for c in ch {
        let check = Check { claim: &c.claim, measured: &c.measured, verdict: verdict(c.pass) };
        match entries.last_mut() {
            Some(e) if e.chapter == c.number => {
                e.claim.push_str("; ");
                e.claim.push_str(&c.claim);
                e.measured.push_str("; ");
                e.measured.push_str(&c.measured);
                if !c.pass {
                    e.verdict = "fail";
                }
                e.seconds += c.seconds;
                e.checks.push(check);
            }
            _ => entries.push(Entry {
                chapter: c.number,
                title: &c.title,
                claim: c.claim.clone(),
                measured: c.measured.clone(),
                verdict: verdict(c.pass),
                seconds: c.seconds,
                checks: vec![check],
            }),
        }
    }
    for e in &mut entries {
        e.seconds = (e.seconds * 100.0).round() / 100.0;
    }
    serde_json::json!({ "ether_version": ether::record::VERSION, "chapters": entries })
}

/// Width of the terminal table's claim column, and of the whole table.
const CLAIM_COLUMN: usize = 44;
const TABLE_WIDTH: usize = 110;

/// The verdict table for the terminal: claims and measured figures wrap at word boundaries
/// inside their columns (nothing is cut off), one row per verdict.
pub fn table(ch: &[Chapter]) -> String {
    let lead = 3 + 1 + 6 + 1;
    let measured_w = TABLE_WIDTH - lead - CLAIM_COLUMN - 1;
    let mut s = String::new();
    s.push_str(&format!("{:<3} {:<6} {:<w$} {}\n", "ch", "result", "claim", "measured", w = CLAIM_COLUMN));
    s.push_str(&format!("{}\n", "-".repeat(TABLE_WIDTH)));
    for c in ch {
        let claim = wrap_words(&c.claim, CLAIM_COLUMN);
        let measured = wrap_words(&c.measured, measured_w);
        for i in 0..claim.len().max(measured.len()).max(1) {
            let (num, result) =
                if i == 0 { (c.number.to_string(), if c.pass { "PASS" } else { "FAIL" }) } else { (String::new(), "") };
            let line = format!(
                "{:<3} {:<6} {:<w$} {}",
                num,
                result,
                claim.get(i).map(String::as_str).unwrap_or(""),
                measured.get(i).map(String::as_str).unwrap_or(""),
                w = CLAIM_COLUMN
            );
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }
    s
}

/// Split `s` into lines of at most `width` characters at spaces; a word longer than `width` is
/// split inside (only then).
pub fn wrap_words(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(word.iter());
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line = word.into_iter().collect();
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The self-contained HTML report. Figures are read from `root` and embedded as base64 PNG.
pub fn html(ch: &[Chapter], root: &Path, seed: u64, seconds: f64) -> Result<String> {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>ether: the talk, reproduced</title><style>");
    h.push_str(
        "body{font-family:Georgia,serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}",
    );
    h.push_str("table{border-collapse:collapse;width:100%;font-family:sans-serif;font-size:14px}td,th{border:1px solid #ccc;padding:6px;text-align:left;vertical-align:top}");
    h.push_str(".pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}img{width:49%;border:1px solid #eee;margin:0.3em 0;vertical-align:top}img:only-of-type{width:70%}");
    h.push_str("h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:2em}.meta{color:#666;font-size:13px;font-family:sans-serif}</style></head><body>");
    h.push_str("<h1>The emergence of photons, electrons and gravitons from qubits: the talk, reproduced</h1>");
    h.push_str(&format!(
        "<p class=\"meta\">ether {} (revision {}), seed {seed}, {:.1} s. Every number below was computed by this run; each run directory beside this file holds its data (JSON, .npy), manifest and plots.</p>",
        ether::record::VERSION,
        ether::record::git_revision(),
        seconds
    ));
    h.push_str("<h2>Verdicts</h2><table><tr><th>chapter</th><th>claim</th><th>measured</th><th>verdict</th></tr>");
    for c in ch {
        h.push_str(&format!(
            "<tr><td>{} {}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            c.number,
            esc(&c.title),
            esc(&c.claim),
            esc(&c.measured),
            if c.pass { "pass" } else { "fail" },
            if c.pass { "pass" } else { "fail" }
        ));
    }
    h.push_str("</table>");
    let mut last_title = String::new();
    for c in ch {
        if c.title != last_title {
            h.push_str(&format!("<h2>Chapter {}: {}</h2>", c.number, esc(&c.title)));
            last_title = c.title.clone();
        }
        h.push_str(&format!(
            "<p><b>Claim.</b> {} <br><b>Measured.</b> {} <span class=\"{}\">[{}]</span></p>",
            esc(&c.claim),
            esc(&c.measured),
            if c.pass { "pass" } else { "fail" },
            if c.pass { "pass" } else { "fail" }
        ));
        for t in &c.text {
            h.push_str(&format!("<p>{}</p>", esc(t)));
        }
        for f in &c.figures {
            let p = if f.is_absolute() { f.clone() } else { root.join(f) };
            match std::fs::read(&p) {
                Ok(bytes) => {
                    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                    h.push_str(&format!(
                        "<img alt=\"{}\" src=\"data:image/png;base64,{b64}\">",
                        esc(&f.display().to_string())
                    ));
                }
                Err(e) => h.push_str(&format!(
                    "<p class=\"fail\">figure {} missing: {}</p>",
                    esc(&f.display().to_string()),
                    esc(&e.to_string())
                )),
            }
        }
    }
    h.push_str("</body></html>\n");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_whole_and_in_order() {
        let text = "helicity ±2 stays gapless while helicity 0 and ±1 are removed by the Gauss law";
        for w in [10, 20, 44] {
            let lines = wrap_words(text, w);
            assert!(lines.iter().all(|l| l.chars().count() <= w), "{lines:?}");
            assert_eq!(lines.join(" "), text, "nothing lost or reordered at width {w}");
        }
        // only a word longer than the column is split
        assert_eq!(wrap_words("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
        assert!(wrap_words("", 10).is_empty());
    }

    #[test]
    fn the_table_wraps_long_claims_instead_of_cutting_them() {
        let long = "the antiferromagnet's spin waves disperse linearly, omega ~ k, with the velocity of linear spin-wave theory";
        let ch = vec![
            Chapter {
                number: 1,
                claim: long.into(),
                measured: "p = 0.97 (expected 1 ± 0.05)".into(),
                pass: true,
                ..Default::default()
            },
            Chapter { number: 2, claim: "short".into(), measured: "x".repeat(80), pass: false, ..Default::default() },
        ];
        let t = table(&ch);
        assert!(!t.contains('…'), "{t}");
        assert!(t.lines().all(|l| l.chars().count() <= TABLE_WIDTH), "{t}");
        // every word of the claim is there, in order, in the claim column
        let col: Vec<String> = t
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with("2 "))
            .map(|l| l.chars().skip(11).take(CLAIM_COLUMN).collect::<String>().trim().to_string())
            .collect();
        assert_eq!(col.join(" "), long);
        assert!(t.lines().nth(2).unwrap().starts_with("1   PASS"));
        assert!(t.contains("2   FAIL   short"));
    }
}
