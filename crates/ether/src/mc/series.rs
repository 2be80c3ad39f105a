//! Analytic reference values the gauge Monte Carlo is validated against.
//!
//! Everything here is derived independently of the sampler (see `docs/physics/lattice-gauge-mc.md`):
//! - the strong-coupling (character) expansion of the 4D Wilson plaquette, `u + 4u⁵`;
//! - the weak-coupling expansion in d dimensions, `1 − (1 − 1/V)/(dβ) − 1/(2d²β²)`;
//! - the Gaussian (monopole-free) Villain plaquette, `exp[−(1 − 1/V)/(dβ_V)]`;
//! - the exact plaquette of 2D compact U(1) on a torus of V plaquettes, Wilson or Villain, from
//!   the character expansion `Z = Σ_n c_n^V` (every plaquette of a closed 2D surface carries the
//!   same character index once the links are integrated out).

/// The modified Bessel function `I_n(x)` of integer order `n ≥ 0`, from its power series
/// `Σ_k (x/2)^{2k+n} / (k! (k+n)!)` (all terms positive, so no cancellation; used for `x ≤ 100`).
pub fn bessel_i(n: u32, x: f64) -> f64 {
    let h = 0.5 * x;
    // leading term (x/2)^n / n!, built up without overflow for moderate n
    let mut t = 1.0;
    for k in 1..=n {
        t *= h / f64::from(k);
    }
    let q = h * h;
    let mut sum = 0.0;
    for k in 0..2000u32 {
        sum += t;
        t *= q / (f64::from(k + 1) * f64::from(k + 1 + n));
        if t < 1e-18 * sum {
            break;
        }
    }
    sum
}

/// `I₁(x)/I₀(x)`: the plaquette of one free Wilson plaquette, and the mean cosine of a von Mises
/// angle of concentration `x`.
pub fn bessel_ratio(x: f64) -> f64 {
    bessel_i(1, x) / bessel_i(0, x)
}

/// Strong-coupling series of the 4D Wilson plaquette (rotor note eq. 4.1): `u + 4u⁵`,
/// `u = I₁(β)/I₀(β)`; the remainder is `O(u⁷)`.
pub fn strong_coupling_plaquette(beta: f64) -> f64 {
    let u = bessel_ratio(beta);
    u + 4.0 * u.powi(5)
}

/// Weak-coupling expansion of the 4D Wilson plaquette (rotor note eq. 4.2, with the finite-volume
/// zero-mode factor): `1 − (1 − 1/V)/(4β) − 1/(32β²)`; the remainder is `O(β⁻³)`.
pub fn weak_coupling_plaquette(beta: f64, volume: usize) -> f64 {
    weak_coupling_plaquette_d(beta, 4, volume)
}

/// The same in d dimensions: `1 − (1 − 1/V)/(dβ) − 1/(2d²β²)`.
pub fn weak_coupling_plaquette_d(beta: f64, dim: usize, volume: usize) -> f64 {
    let d = dim as f64;
    1.0 - (1.0 - 1.0 / volume as f64) / (d * beta) - 1.0 / (2.0 * d * d * beta * beta)
}

/// Only the Gaussian (leading) term of the weak-coupling expansion: `1 − (1 − 1/V)/(dβ)`.
pub fn gaussian_plaquette_d(beta: f64, dim: usize, volume: usize) -> f64 {
    1.0 - (1.0 - 1.0 / volume as f64) / (dim as f64 * beta)
}

/// The monopole-free (Gaussian) Villain plaquette in d dimensions on V sites:
/// `⟨cos Θ_P⟩ = exp[−(1 − 1/V)/(dβ_V)]` (rotor note 4.2 for d = 4). Monopoles correct it by terms
/// exponentially small in β_V.
pub fn villain_weak_coupling_plaquette(beta_v: f64, dim: usize, volume: usize) -> f64 {
    (-(1.0 - 1.0 / volume as f64) / (dim as f64 * beta_v)).exp()
}

/// Exact mean plaquette of 2D compact U(1) on a periodic lattice of `plaquettes` plaquettes, from
/// the normalized characters `c_n` of the plaquette weight (`c_0 = 1`, `c_{−n} = c_n`):
/// `⟨cos Θ⟩ = Σ_n c_n^{V−1} (c_{n−1} + c_{n+1})/2 / Σ_n c_n^V`.
fn plaquette_2d_from_characters(c: &dyn Fn(u32) -> f64, plaquettes: usize) -> f64 {
    let v = plaquettes as i32;
    let cn = |n: i64| c(n.unsigned_abs() as u32);
    let (mut num, mut den) = (0.0, 0.0);
    for n in -60i64..=60 {
        let x = cn(n);
        if x == 0.0 {
            continue;
        }
        den += x.powi(v);
        num += x.powi(v - 1) * 0.5 * (cn(n - 1) + cn(n + 1));
    }
    num / den
}

/// Exact mean plaquette of the 2D Wilson action `β Σ (1 − cos Θ)` on a torus of V plaquettes
/// (characters `I_n(β)/I₀(β)`).
pub fn wilson_plaquette_2d(beta: f64, plaquettes: usize) -> f64 {
    let i0 = bessel_i(0, beta);
    plaquette_2d_from_characters(&|n| bessel_i(n, beta) / i0, plaquettes)
}

/// Exact mean plaquette of the 2D Villain action on a torus of V plaquettes (characters
/// `exp(−n²/(2β_V))`, the Fourier coefficients of `Σ_m exp(−β_V(Θ − 2πm)²/2)`).
pub fn villain_plaquette_2d(beta_v: f64, plaquettes: usize) -> f64 {
    plaquette_2d_from_characters(&|n| (-(f64::from(n) * f64::from(n)) / (2.0 * beta_v)).exp(), plaquettes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_values_match_tables() {
        // Abramowitz & Stegun table 9.8: I0(1) = 1.266065878, I1(1) = 0.565159104, I2(2) = 0.688948448
        assert!((bessel_i(0, 1.0) - 1.266065878).abs() < 1e-9);
        assert!((bessel_i(1, 1.0) - 0.565159104).abs() < 1e-9);
        assert!((bessel_i(2, 2.0) - 0.688948448).abs() < 1e-9);
        // I0(10) = 2815.716628 (A&S table 9.8: e^{-10} I0(10) = 0.1278333372)
        assert!((bessel_i(0, 10.0) * (-10f64).exp() - 0.1278333372).abs() < 1e-10);
        // The rotor note's Villain matching value: I1/I0 at β = 1.0111331 is 0.45032.
        assert!((bessel_ratio(1.0111331) - 0.45032).abs() < 1e-5);
        // Small-x series: x/2 - x³/16
        assert!((bessel_ratio(1e-3) - (5e-4 - 1e-9 / 16.0)).abs() < 1e-15);
    }

    #[test]
    fn strong_coupling_series_matches_the_note() {
        // Rotor note 4.2: 0.049939 (β = 0.1), 0.148625 (0.3), 0.245854 (0.5).
        for (b, v) in [(0.1, 0.049939), (0.3, 0.148625), (0.5, 0.245854)] {
            assert!((strong_coupling_plaquette(b) - v).abs() < 2e-6, "{b}: {}", strong_coupling_plaquette(b));
        }
    }

    /// The 2D torus formulas tend to their infinite-volume limits (one free plaquette: I1/I0 and
    /// exp(−1/2β)) and, at large β, to the d = 2 weak-coupling expansions derived separately.
    #[test]
    fn two_dimensional_exact_results_have_the_right_limits() {
        for b in [0.5, 1.0, 2.0] {
            assert!((wilson_plaquette_2d(b, 4096) - bessel_ratio(b)).abs() < 1e-12);
            assert!((villain_plaquette_2d(b, 4096) - (-1.0 / (2.0 * b)).exp()).abs() < 1e-12);
        }
        // Finite volume: at β = 8 on 16 plaquettes the flux sectors of the torus cost
        // exp(−2π²β/V) = 5e-5, so the Gaussian zero-mode factor (1 − 1/V) shows: the Villain value
        // is the Gaussian one up to that (7.4e-6 here), the Wilson one up to O(β⁻³) as well.
        let (b, v) = (8.0, 16);
        let w = wilson_plaquette_2d(b, v);
        assert!((w - weak_coupling_plaquette_d(b, 2, v)).abs() < 2e-4, "{w}");
        let vil = villain_plaquette_2d(b, v);
        assert!((vil - villain_weak_coupling_plaquette(b, 2, v)).abs() < 2e-5, "{vil}");
    }
}
