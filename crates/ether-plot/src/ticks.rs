//! Numbers on axes and colour bars: where the ticks go and how they are written.
//!
//! Every label of one axis is written with the same number of decimals, the fewest that show
//! each tick exactly (0.25 needs two, 0.5 one), so a column of labels reads like a table; very
//! large or very small magnitudes switch to scientific notation; a value that rounds to zero is
//! written `0`, never `-0` or `-0.0`.

use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;

/// Ticks for `lo..hi`: at most `max` round numbers (steps of 1, 2 or 5 times a power of ten),
/// the same ones the chart's mesh draws.
pub fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max == 0 {
        return Vec::new();
    }
    RangedCoordf64::from(lo..hi).key_points(max)
}

/// The fewest decimals (up to 12) at which every value of `v`, scaled by `1 / scale`, is written
/// exactly to within a millionth of `unit` (the tick spacing in the same scaled units).
fn decimals_for(v: &[f64], unit: f64) -> usize {
    let tol = (unit.abs() * 1e-6).max(1e-12);
    (0..=12)
        .find(|&d| {
            let p = 10f64.powi(d as i32);
            v.iter().all(|x| ((x * p).round() / p - x).abs() <= tol)
        })
        .unwrap_or(12)
}

/// Drop the sign of a label that reads as zero ("-0", "-0.00", "-0e0").
fn unsign_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// The smallest positive spacing between consecutive values, or the largest magnitude when there
/// is only one value.
fn spacing(ticks: &[f64]) -> f64 {
    let mut s = f64::INFINITY;
    for w in ticks.windows(2) {
        let d = (w[1] - w[0]).abs();
        if d > 0.0 && d < s {
            s = d;
        }
    }
    if s.is_finite() {
        s
    } else {
        ticks.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1.0)
    }
}

/// Labels for tick values (ascending, usually evenly spaced), all written alike.
pub fn tick_labels(ticks: &[f64]) -> Vec<String> {
    plain_tick_labels(ticks).into_iter().map(|s| typeset(&s)).collect()
}

/// A plain label (`-1.5`, `2e-5`) as it is drawn: `−1.5`, `2×10⁻⁵`.
fn typeset(s: &str) -> String {
    let (m, e) = match s.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().ok()),
        None => (s, None),
    };
    let m = m.replacen('-', "−", 1);
    match e {
        Some(e) => format!("{m}×{}", power_of_ten(e)),
        None => m,
    }
}

/// Labels as plain ASCII numbers (`-1.5`, `2e-5`), all written alike.
fn plain_tick_labels(ticks: &[f64]) -> Vec<String> {
    let finite: Vec<f64> = ticks.iter().copied().filter(|x| x.is_finite()).collect();
    if finite.is_empty() {
        return ticks.iter().map(|_| String::new()).collect();
    }
    let step = spacing(&finite);
    let big = finite.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    // Values that are zero up to rounding noise (1e-17 from accumulated steps) are zero.
    let clean = |x: f64| if x.abs() < step * 1e-9 { 0.0 } else { x };
    let scientific = !(1e-3..1e5).contains(&big);
    ticks
        .iter()
        .map(|&x| {
            if !x.is_finite() {
                return String::new();
            }
            let x = clean(x);
            if !scientific {
                let d = decimals_for(&finite.iter().map(|&v| clean(v)).collect::<Vec<_>>(), step);
                return unsign_zero(format!("{x:.d$}"));
            }
            if x == 0.0 {
                return "0".into();
            }
            // each label with its own exponent, and as many mantissa digits as the spacing needs
            let e = x.abs().log10().floor() as i32;
            let scale = 10f64.powi(e);
            let m = x / scale;
            let d = decimals_for(&[m], step / scale);
            let m = format!("{m:.d$}");
            // rounding may carry the mantissa to 10 (9.99 -> "10.0"): renormalise
            if m.trim_start_matches('-').starts_with("10") {
                let m2 = x / (scale * 10.0);
                let d = decimals_for(&[m2], step / (scale * 10.0));
                return unsign_zero(format!("{m2:.d$}e{}", e + 1));
            }
            unsign_zero(format!("{m}e{e}"))
        })
        .collect()
}

/// A power of ten written with a superscript exponent: `10⁻³`, `10⁰`, `10²`.
pub fn power_of_ten(e: i32) -> String {
    const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::from("10");
    if e < 0 {
        s.push('⁻');
    }
    for c in e.unsigned_abs().to_string().chars() {
        s.push(SUP[c.to_digit(10).unwrap_or(0) as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tick_labels(t: &[f64]) -> Vec<String> {
        plain_tick_labels(t)
    }

    #[test]
    fn labels_are_typeset_with_a_minus_sign_and_powers_of_ten() {
        assert_eq!(super::tick_labels(&[-0.5, 0.0, 0.5]), ["−0.5", "0.0", "0.5"]);
        assert_eq!(super::tick_labels(&[-2e-5, 0.0, 2e-5]), ["−2×10⁻⁵", "0", "2×10⁻⁵"]);
        assert_eq!(super::tick_labels(&[0.0, 5e5, 1e6]), ["0", "5×10⁵", "1×10⁶"]);
    }

    #[test]
    fn labels_share_their_decimals_and_never_read_minus_zero() {
        assert_eq!(tick_labels(&[-1.0, -0.5, 0.0, 0.5, 1.0]), ["-1.0", "-0.5", "0.0", "0.5", "1.0"]);
        assert_eq!(tick_labels(&[0.0, 0.25, 0.5, 0.75]), ["0.00", "0.25", "0.50", "0.75"]);
        assert_eq!(tick_labels(&[0.0, 2.0, 4.0]), ["0", "2", "4"]);
        // rounding noise around zero, as accumulated tick positions produce it
        assert_eq!(tick_labels(&[-0.2, -2.7e-17, 0.2]), ["-0.2", "0.0", "0.2"]);
        assert_eq!(tick_labels(&[-0.0, 1.0]), ["0", "1"]);
        for (lo, hi) in [(-1.3, 0.9), (-0.31, 0.29), (-7e-4, 3e-4), (-2.5e6, 1e6)] {
            for l in tick_labels(&nice_ticks(lo, hi, 8)) {
                let zero = l.parse::<f64>().map(|v| v == 0.0).unwrap_or(false);
                assert!(!(zero && l.starts_with('-')), "{l} in {lo}..{hi}");
            }
        }
    }

    #[test]
    fn extreme_magnitudes_are_scientific() {
        assert_eq!(tick_labels(&[0.0, 2e-5, 4e-5, 1.2e-4]), ["0", "2e-5", "4e-5", "1.2e-4"]);
        assert_eq!(tick_labels(&[0.0, 5e5, 1e6]), ["0", "5e5", "1e6"]);
        // each label shows the digits its value has
        assert_eq!(tick_labels(&[9.99e-5, 1e-4]), ["9.99e-5", "1e-4"]);
    }

    #[test]
    fn nice_ticks_are_round_and_inside() {
        let t = nice_ticks(0.03, 2.97, 8);
        assert!(t.len() >= 3 && t.len() <= 8, "{t:?}");
        assert!(t.iter().all(|&x| (0.03..=2.97).contains(&x)));
        let l = tick_labels(&t);
        assert!(l.iter().all(|s| s.len() <= 4), "{l:?}");
        assert!(nice_ticks(1.0, 1.0, 8).is_empty() && nice_ticks(f64::NAN, 1.0, 8).is_empty());
    }

    #[test]
    fn powers_of_ten() {
        assert_eq!(power_of_ten(-3), "10⁻³");
        assert_eq!(power_of_ten(0), "10⁰");
        assert_eq!(power_of_ten(12), "10¹²");
    }
}
