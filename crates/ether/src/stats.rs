//! Error analysis of Monte Carlo time series.
//!
//! Successive Markov-chain measurements are correlated, so the naive standard error
//! `sqrt(var / N)` is too small by the factor `sqrt(2 τ_int)`, where
//! `τ_int = 1/2 + Σ_{t ≥ 1} ρ(t)` is the integrated autocorrelation time of the observable and
//! `ρ(t) = Γ(t)/Γ(0)` its normalized autocorrelation function. Two tools:
//!
//! - [`estimate`]: the mean of a primary observable with its error from the summed
//!   autocorrelation function, truncated at the window `W` chosen automatically by U. Wolff's
//!   criterion ("Monte Carlo errors with less errors", Comput. Phys. Commun. 156, 143 (2004),
//!   eqs. 50-52; the Madras-Sokal windowing idea, J. Stat. Phys. 50, 109 (1988), with the window
//!   fixed by balancing the truncation bias `~exp(−W/τ)` against the statistical error
//!   `~sqrt(W/N)`), the bias correction of Wolff's eq. 49, and the error of `τ_int` itself
//!   (Madras-Sokal, `δτ ≈ 2 τ sqrt((W − τ + 1/2)/N)`, as in Wolff's code).
//! - [`Jackknife`]: the binned jackknife for derived (nonlinear) quantities such as the specific
//!   heat, Creutz ratios, effective masses and fit parameters. Bins are long compared with the
//!   largest `τ_int` of the series involved ([`Jackknife::bin_size_for`]), so the bins are nearly
//!   independent; the error of `f` is `sqrt((n−1)/n Σ_j (f_j − f̄)²)` over the `n`
//!   leave-one-bin-out estimates `f_j`.
//!
//! The derivations and the tests' closed forms (the AR(1) process, whose `τ_int` is
//! `(1+φ)/(2(1−φ))`) are in `docs/physics/lattice-gauge-observables.md`, section "Errors".

use serde::{Deserialize, Serialize};

/// Wolff's `S` (his eq. 51): the window is where `exp(−W/τ_W)` has fallen to the relative
/// statistical error `sqrt(τ_W / (W N))`, with `τ_W = S τ_int`-ish. He finds results insensitive
/// to `S` in 1-2 and recommends 1.5.
pub const WOLFF_S: f64 = 1.5;

/// A series is long enough for a trustworthy error when it spans at least this many
/// integrated autocorrelation times (Wolff: `N ≫ 100 τ_int`; below ~50 the window and the
/// error are themselves uncertain by tens of percent).
pub const MIN_TAUS: f64 = 50.0;

/// The mean of a primary observable and its error from the integrated autocorrelation time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean, `sqrt(2 τ_int Γ(0) / N)` (bias-corrected Γ).
    pub error: f64,
    /// Integrated autocorrelation time in units of the spacing of the series (measurements).
    pub tau_int: f64,
    /// Statistical error of `tau_int` (Madras-Sokal).
    pub tau_int_error: f64,
    /// Summation window W chosen by Wolff's criterion.
    pub window: usize,
    /// Number of samples N.
    pub samples: usize,
    /// The error if the samples were independent, `sqrt(Γ(0) / N)`.
    pub naive_error: f64,
    /// A window was found below N/2 and N ≥ [`MIN_TAUS`] τ_int: the error can be trusted.
    pub reliable: bool,
}

impl Estimate {
    /// An estimate with no data (every number NaN, not reliable).
    pub fn empty() -> Self {
        Estimate {
            mean: f64::NAN,
            error: f64::NAN,
            tau_int: f64::NAN,
            tau_int_error: f64::NAN,
            window: 0,
            samples: 0,
            naive_error: f64::NAN,
            reliable: false,
        }
    }
}

/// Autocovariance at lag `t`, `Γ(t) = 1/(N−t) Σ_i (x_i − x̄)(x_{i+t} − x̄)` (Wolff eq. 31).
pub fn autocovariance(x: &[f64], mean: f64, t: usize) -> f64 {
    let n = x.len();
    if t >= n {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..n - t {
        s += (x[i] - mean) * (x[i + t] - mean);
    }
    s / (n - t) as f64
}

/// The normalized autocorrelation function `ρ(t)`, `t = 0..=max_lag` (for plots and checks).
pub fn autocorrelation(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return vec![];
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let g0 = autocovariance(x, mean, 0);
    (0..=max_lag.min(n.saturating_sub(1)))
        .map(|t| {
            if g0 > 0.0 {
                autocovariance(x, mean, t) / g0
            } else if t == 0 {
                1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Mean, error and integrated autocorrelation time of a primary observable (Wolff's automatic
/// window with `S = 1.5`).
pub fn estimate(x: &[f64]) -> Estimate {
    estimate_with(x, WOLFF_S)
}

/// [`estimate`] with a chosen Wolff parameter `s` (> 0).
pub fn estimate_with(x: &[f64], s: f64) -> Estimate {
    let n = x.len();
    if n == 0 {
        return Estimate::empty();
    }
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    if n == 1 {
        return Estimate { mean, samples: 1, ..Estimate::empty() };
    }
    let g0 = autocovariance(x, mean, 0);
    if g0 <= 0.0 || !g0.is_finite() {
        // a constant series: no fluctuation, nothing to correlate
        return Estimate {
            mean,
            error: if g0 == 0.0 { 0.0 } else { f64::NAN },
            tau_int: 0.5,
            tau_int_error: 0.0,
            window: 0,
            samples: n,
            naive_error: if g0 == 0.0 { 0.0 } else { f64::NAN },
            reliable: g0 == 0.0,
        };
    }
    // Grow the window until g(W) = exp(-W/τ_W) - τ_W / sqrt(W N) turns negative (Wolff eq. 52).
    let w_max = n / 2;
    let mut gamma = vec![g0];
    let mut window = None;
    let mut sum_rho = 0.0; // Σ_{t=1}^{W} ρ(t)
    for w in 1..=w_max {
        let g = autocovariance(x, mean, w);
        gamma.push(g);
        sum_rho += g / g0;
        let tau = 0.5 + sum_rho;
        let tau_w = if tau <= 0.5 { f64::MIN_POSITIVE } else { s / ((2.0 * tau + 1.0) / (2.0 * tau - 1.0)).ln() };
        let gw = (-(w as f64) / tau_w).exp() - tau_w / ((w as f64) * nf).sqrt();
        if gw < 0.0 {
            window = Some(w);
            break;
        }
    }
    let found = window.is_some();
    let w = window.unwrap_or(w_max.max(1)).min(gamma.len() - 1);
    // Bias correction (Wolff eq. 49): the sample mean makes every Γ(t) low by about C(W)/N.
    let c_w: f64 = gamma[0] + 2.0 * gamma[1..=w].iter().sum::<f64>();
    let shift = c_w / nf;
    let g0c = gamma[0] + shift;
    let c_wc = c_w + (2 * w + 1) as f64 * shift;
    let tau_int = (c_wc / (2.0 * g0c)).max(0.5);
    let error = (c_wc.max(0.0) / nf).sqrt();
    let tau_int_error = 2.0 * tau_int * (((w as f64) - tau_int + 0.5).max(0.0) / nf).sqrt();
    Estimate {
        mean,
        error,
        tau_int,
        tau_int_error,
        window: w,
        samples: n,
        naive_error: (g0 / nf).sqrt(),
        reliable: found && nf >= MIN_TAUS * tau_int,
    }
}

/// Binned jackknife: the series are cut into `bins` consecutive bins of `bin` samples (a
/// remainder at the start is dropped, so the most thermalized samples are kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jackknife {
    /// Samples per bin.
    pub bin: usize,
    /// Number of bins (at least 2).
    pub bins: usize,
}

/// A derived quantity with its jackknife error.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Derived {
    /// `f` of the full-sample means.
    pub value: f64,
    /// Jackknife standard error.
    pub error: f64,
}

/// Fewest bins for a jackknife error (its own relative uncertainty is about `1/sqrt(2 bins)`).
pub const MIN_BINS: usize = 20;

/// Bins this many integrated autocorrelation times long are nearly independent (the binned
/// variance of an exponentially correlated series is low by a relative `~τ/bin`).
pub const BIN_TAUS: f64 = 10.0;

impl Jackknife {
    /// Bins of `bin` samples over a series of `n` (None if fewer than 2 bins fit).
    pub fn new(n: usize, bin: usize) -> Option<Self> {
        let bin = bin.max(1);
        let bins = n / bin;
        (bins >= 2).then_some(Jackknife { bin, bins })
    }

    /// The bin size for `n` samples whose largest integrated autocorrelation time is `tau`:
    /// `ceil(BIN_TAUS τ)`, but small enough to leave [`MIN_BINS`] bins (then the error is
    /// somewhat low; the caller reports `N / τ` so that a reader can tell).
    pub fn bin_size_for(n: usize, tau: f64) -> usize {
        let want = if tau.is_finite() { (BIN_TAUS * tau).ceil().max(1.0) as usize } else { 1 };
        want.min((n / MIN_BINS).max(1))
    }

    /// Bins sized for the largest τ_int among `taus` over `n` samples.
    pub fn for_taus(n: usize, taus: &[f64]) -> Option<Self> {
        let tau = taus.iter().copied().filter(|t| t.is_finite()).fold(0.5, f64::max);
        Jackknife::new(n, Jackknife::bin_size_for(n, tau))
    }

    /// Samples that enter (the last `bins * bin`).
    pub fn used(&self) -> usize {
        self.bins * self.bin
    }

    /// Full-sample mean and the `bins` leave-one-bin-out means of `x` (length ≥ `used()`).
    pub fn means(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let start = x.len() - self.used();
        let x = &x[start..];
        let sums: Vec<f64> = x.chunks(self.bin).map(|c| c.iter().sum::<f64>()).collect();
        let total: f64 = sums.iter().sum();
        let n = self.used() as f64;
        let m = (n - self.bin as f64).max(1.0);
        (total / n, sums.iter().map(|s| (total - s) / m).collect())
    }

    /// Jackknife of a function of the means of several series (all of the same length):
    /// `f(means)` returns a vector of derived quantities; each gets a value and an error.
    pub fn derive<F>(&self, series: &[&[f64]], f: F) -> Vec<Derived>
    where
        F: Fn(&[f64]) -> Vec<f64>,
    {
        let (full, jack) = self.resample(series);
        let value = f(&full);
        let samples: Vec<Vec<f64>> = jack.iter().map(|m| f(m)).collect();
        value
            .iter()
            .enumerate()
            .map(|(k, &v)| Derived {
                value: v,
                error: jackknife_error(
                    &samples.iter().map(|s| s.get(k).copied().unwrap_or(f64::NAN)).collect::<Vec<_>>(),
                ),
            })
            .collect()
    }

    /// The full-sample means of the series and, per left-out bin, the vector of means.
    pub fn resample(&self, series: &[&[f64]]) -> (Vec<f64>, Vec<Vec<f64>>) {
        let mut full = Vec::with_capacity(series.len());
        let mut jack = vec![Vec::with_capacity(series.len()); self.bins];
        for s in series {
            let (m, j) = self.means(s);
            full.push(m);
            for (b, v) in j.into_iter().enumerate() {
                jack[b].push(v);
            }
        }
        (full, jack)
    }
}

/// The jackknife standard error of leave-one-out estimates `f_j`: `sqrt((n−1)/n Σ (f_j − f̄)²)`.
/// NaN if any estimate is not finite (a derived quantity undefined on some bin is not known).
pub fn jackknife_error(f: &[f64]) -> f64 {
    let n = f.len();
    if n < 2 || f.iter().any(|x| !x.is_finite()) {
        return f64::NAN;
    }
    let mean = f.iter().sum::<f64>() / n as f64;
    let ss: f64 = f.iter().map(|x| (x - mean).powi(2)).sum();
    ((n as f64 - 1.0) / n as f64 * ss).sqrt()
}

/// Weighted least squares of `y ≈ Σ_j p_j φ_j(x)` with errors `dy` (a design matrix of basis
/// values `phi[i][j]`): the parameters, or None when the normal equations are singular.
/// Small problems only (a handful of parameters); solved by Gaussian elimination with pivoting.
pub fn linear_least_squares(phi: &[Vec<f64>], y: &[f64], dy: &[f64]) -> Option<Vec<f64>> {
    let m = phi.first()?.len();
    if m == 0 || phi.len() < m || y.len() != phi.len() || dy.len() != phi.len() {
        return None;
    }
    let mut a = vec![vec![0.0; m + 1]; m];
    for (i, row) in phi.iter().enumerate() {
        let w = 1.0 / (dy[i] * dy[i]);
        if !w.is_finite() || !y[i].is_finite() {
            return None;
        }
        for j in 0..m {
            for k in 0..m {
                a[j][k] += w * row[j] * row[k];
            }
            a[j][m] += w * row[j] * y[i];
        }
    }
    solve_augmented(a)
}

/// Solve an augmented `m x (m+1)` system by Gaussian elimination with partial pivoting.
pub fn solve_augmented(mut a: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let m = a.len();
    let scale = a.iter().flat_map(|r| r[..m].iter()).fold(0.0f64, |s, x| s.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    for c in 0..m {
        let p = (c..m).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(c, p);
        for r in 0..m {
            if r != c {
                let f = a[r][c] / a[c][c];
                for k in c..=m {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
    }
    Some((0..m).map(|i| a[i][m] / a[i][i]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::stream;
    use rand_distr::{Distribution, StandardNormal};

    /// A stationary AR(1) series x_t = φ x_{t−1} + sqrt(1 − φ²) ε_t with unit variance:
    /// ρ(t) = φ^t, so τ_int = (1 + φ) / (2 (1 − φ)) exactly.
    fn ar1(phi: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = stream(seed, &[0xA1]);
        let mut x: f64 = StandardNormal.sample(&mut rng);
        let k = (1.0 - phi * phi).sqrt();
        (0..n)
            .map(|_| {
                let e: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + k * e;
                x
            })
            .collect()
    }

    fn tau_ar1(phi: f64) -> f64 {
        (1.0 + phi) / (2.0 * (1.0 - phi))
    }

    /// Exact variance of the mean of N samples of the unit-variance AR(1) process:
    /// (1/N)[(1+φ)/(1−φ) − 2φ(1−φ^N)/(N(1−φ)²)] (sum of (1 − t/N) φ^t in closed form).
    fn var_mean_ar1(phi: f64, n: usize) -> f64 {
        let nf = n as f64;
        ((1.0 + phi) / (1.0 - phi) - 2.0 * phi * (1.0 - phi.powi(n as i32)) / (nf * (1.0 - phi).powi(2))) / nf
    }

    #[test]
    fn ar1_tau_int_and_error_match_the_closed_form() {
        // One long series: the estimate must agree with the exact τ_int within 4 of its own
        // (Madras-Sokal) errors, and that error must be the size Madras-Sokal predicts for the
        // window used (≈ 2 τ sqrt(W/N), within a factor 2 either way).
        for (phi, seed) in [(0.5, 1u64), (0.8, 2), (0.95, 3)] {
            let n = 200_000;
            let x = ar1(phi, n, seed);
            let e = estimate(&x);
            let tau = tau_ar1(phi);
            assert!(
                (e.tau_int - tau).abs() < 4.0 * e.tau_int_error,
                "φ = {phi}: τ = {} ± {} vs {tau}",
                e.tau_int,
                e.tau_int_error
            );
            let ms = 2.0 * tau * ((e.window as f64) / n as f64).sqrt();
            assert!(e.tau_int_error > 0.5 * ms && e.tau_int_error < 2.0 * ms);
            // the error of the mean against the exact standard deviation of the mean: the
            // estimate's own relative uncertainty is δτ/(2τ) (below 2 % here), allow 4 of them
            let exact = var_mean_ar1(phi, n).sqrt();
            let rel = e.tau_int_error / (2.0 * e.tau_int);
            assert!((e.error / exact - 1.0).abs() < 4.0 * rel + 1e-3, "φ = {phi}: {} vs {exact}", e.error);
            assert!(e.reliable);
            // the window sits a few τ out (Wolff: W ≈ S τ ln(N/τ)/2-ish), never at N/2
            assert!(e.window as f64 > tau && e.window < n / 100, "W = {}", e.window);
        }
    }

    #[test]
    fn ar1_error_bars_cover_the_true_mean_at_the_gaussian_rate() {
        // 400 independent AR(1) series (φ = 0.9, τ_int = 9.5, N = 4000 ≈ 420 τ): the true mean 0
        // lies within one estimated error bar in 68.3 % of them if the errors are right. The
        // binomial spread of the fraction is 2.3 %; allow 4 of those. The average τ_int must
        // match the exact 9.5 within 5 % (the windowed estimator's bias at N/τ ≈ 400 is ~1 %, its
        // scatter per series ~8 %, so ~0.4 % for the mean of 400).
        let (phi, n, reps) = (0.9, 4000, 400);
        let mut inside = 0;
        let mut tau_sum = 0.0;
        for r in 0..reps {
            let e = estimate(&ar1(phi, n, 100 + r as u64));
            if e.mean.abs() < e.error {
                inside += 1;
            }
            tau_sum += e.tau_int;
        }
        let frac = inside as f64 / reps as f64;
        assert!((frac - 0.6827).abs() < 4.0 * 0.0233, "coverage {frac}");
        let tau_mean = tau_sum / reps as f64;
        assert!((tau_mean / tau_ar1(phi) - 1.0).abs() < 0.05, "mean τ_int {tau_mean}");
    }

    #[test]
    fn independent_samples_have_tau_one_half_and_the_naive_error() {
        let mut rng = stream(7, &[1]);
        let x: Vec<f64> = (0..50_000).map(|_| StandardNormal.sample(&mut rng)).collect();
        let e = estimate(&x);
        assert!((e.tau_int - 0.5).abs() < 4.0 * e.tau_int_error.max(0.005), "τ = {} ± {}", e.tau_int, e.tau_int_error);
        assert!(e.window <= 10, "W = {}", e.window);
        // σ/√N = 1/√50000 = 4.47e-3; the estimate carries δτ/(2τ) of relative uncertainty
        assert!((e.error / (1.0 / 50_000f64.sqrt()) - 1.0).abs() < 0.05);
        assert!((e.naive_error / (1.0 / 50_000f64.sqrt()) - 1.0).abs() < 0.02);
    }

    #[test]
    fn degenerate_series_give_no_nan_where_the_answer_is_known() {
        let c = estimate(&[2.0; 100]);
        assert_eq!((c.mean, c.error, c.tau_int), (2.0, 0.0, 0.5));
        let one = estimate(&[1.0]);
        assert_eq!(one.mean, 1.0);
        assert!(one.error.is_nan() && !one.reliable);
        assert!(estimate(&[]).mean.is_nan());
        // a series far too short for its correlation is flagged
        let x = ar1(0.99, 300, 5);
        assert!(!estimate(&x).reliable);
    }

    #[test]
    fn jackknife_of_the_mean_is_the_standard_error_exactly() {
        // With one sample per bin the jackknife error of the mean equals s/√n identically
        // (algebra: f_j − f̄ = −(x_j − x̄)/(n−1)).
        let mut rng = stream(11, &[2]);
        let x: Vec<f64> = (0..257).map(|_| StandardNormal.sample(&mut rng)).collect();
        let jk = Jackknife::new(x.len(), 1).unwrap();
        let d = jk.derive(&[&x], |m| vec![m[0]]);
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let s2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((d[0].value - mean).abs() < 1e-14);
        assert!((d[0].error - (s2 / n).sqrt()).abs() < 1e-14);
    }

    #[test]
    fn jackknife_error_of_a_variance_matches_the_gaussian_formula() {
        // The sample variance of N independent unit Gaussians has standard deviation
        // sqrt(2/(N−1)) (chi-square). With 50 bins the jackknife error carries a relative
        // uncertainty of 1/sqrt(2·49) = 10 %; allow 3.5 of those.
        let mut rng = stream(13, &[3]);
        let n = 20_000;
        let x: Vec<f64> = (0..n).map(|_| StandardNormal.sample(&mut rng)).collect();
        let x2: Vec<f64> = x.iter().map(|v| v * v).collect();
        let jk = Jackknife::new(n, n / 50).unwrap();
        let d = jk.derive(&[&x, &x2], |m| vec![m[1] - m[0] * m[0]]);
        let want = (2.0 / (n as f64 - 1.0)).sqrt();
        assert!((d[0].value - 1.0).abs() < 4.0 * want);
        assert!((d[0].error / want - 1.0).abs() < 0.35, "{} vs {want}", d[0].error);
    }

    #[test]
    fn binned_jackknife_of_an_ar1_mean_matches_the_exact_error() {
        // Bins of 10 τ_int: the binned error must be within 15 % of the exact value (bins of
        // 10 τ bias the variance low by ~τ/bin = 10 %, i.e. the error by ~5 %; 100 bins leave
        // a 7 % statistical uncertainty of the error).
        let (phi, n) = (0.9, 100_000);
        let x = ar1(phi, n, 17);
        let jk = Jackknife::for_taus(n, &[tau_ar1(phi)]).unwrap();
        assert!((95..=96).contains(&jk.bin), "bin {}", jk.bin); // ceil(10 × 9.5) up to rounding
        let d = jk.derive(&[&x], |m| vec![m[0]]);
        let exact = var_mean_ar1(phi, jk.used()).sqrt();
        assert!((d[0].error / exact - 1.0).abs() < 0.15, "{} vs {exact}", d[0].error);
    }

    #[test]
    fn bin_sizes_respect_the_minimum_number_of_bins() {
        assert_eq!(Jackknife::bin_size_for(10_000, 3.2), 32);
        assert_eq!(Jackknife::bin_size_for(200, 30.0), 10);
        assert_eq!(Jackknife::bin_size_for(10, 3.0), 1);
        assert!(Jackknife::new(3, 2).is_none());
        assert!(jackknife_error(&[1.0, f64::NAN, 2.0]).is_nan());
    }

    #[test]
    fn least_squares_recovers_an_exact_line_and_refuses_a_singular_design() {
        let phi: Vec<Vec<f64>> = (0..5).map(|i| vec![1.0, i as f64]).collect();
        let y: Vec<f64> = (0..5).map(|i| 2.0 - 0.5 * i as f64).collect();
        let p = linear_least_squares(&phi, &y, &[1.0; 5]).unwrap();
        assert!((p[0] - 2.0).abs() < 1e-12 && (p[1] + 0.5).abs() < 1e-12);
        let same: Vec<Vec<f64>> = (0..5).map(|_| vec![1.0, 1.0]).collect();
        assert!(linear_least_squares(&same, &y, &[1.0; 5]).is_none());
    }
}
