//! A branch-free sine (and cosine) for slices, written so that the compiler vectorizes it (the
//! rotor dynamics evaluates one sine per plaquette and step, and its energy one cosine per
//! plaquette; `f64::sin` is a library call per value).
//!
//! Method: Cody-Waite reduction `x = nπ + r`, `|r| ≤ π/2`, with π split into two parts
//! (the first with 27 significant bits, so `n·PI_A` and `x − n·PI_A` are exact for
//! `|n| < 2²⁶`; the second is the rest rounded, whose product with `n ≤ 2²⁵` is good to
//! 1e-17), then `sin x = (−1)ⁿ sin r` with `sin r = r + r³ P(r²)`, `P` of degree 7.
//! `n = round(x/π)` comes from the "magic number" addition `x/π + 1.5·2⁵²` (round to nearest
//! by the FPU, no `round` call, and the last mantissa bit of the sum is the parity of `n`).
//!
//! Accuracy: the coefficients of `P` are a Chebyshev fit (mpmath `chebyfit`, 8 terms) of
//! `(sin √t − √t)/t^{3/2}` on `[0, (π/2)²]`, with approximation error `1.3e-18` in `sin r`;
//! the rounding of the reduction and of the polynomial evaluation adds a few units in the last place of
//! a number of size ≤ 1, so the absolute error is below `1e-15` for `|x| ≤` [`FAST_LIMIT`]
//! (tested against `f64::sin`; the worst error on the test set is 2.2e-16). Larger or
//! infinite arguments go to `f64::sin`.
//!
//! Only IEEE additions and multiplications (no fused multiply-add), so the result is the same
//! bit pattern whatever the vector width the compiler picks.

/// Arguments with `|x|` up to this use the fast path (`|n| < 2²⁵`, so `n·PI_A` is exact).
pub(crate) const FAST_LIMIT: f64 = 67_108_864.0; // 2^26

/// π = PI_A + PI_B: PI_A has 27 significant bits (trailing zeros checked in the tests), PI_B
/// is the rest rounded to a double (residual 3.3e-26, times |n| ≤ 2²⁵: 1.1e-18).
const PI_A: f64 = 3.141592651605606;
const PI_B: f64 = 1.984187159361081e-09;
const INV_PI: f64 = std::f64::consts::FRAC_1_PI;
/// 1.5·2⁵²: adding it rounds a number of size < 2⁵¹ to an integer held in the low mantissa bits.
const MAGIC: f64 = 6_755_399_441_055_744.0;

/// Coefficients of P(t), highest degree first: sin r ≈ r + r³ P(r²).
const P: [f64; 8] = [
    2.7314447669863993424e-15,
    -7.6439702967985720524e-13,
    1.6058977312464087621e-10,
    -2.5052107616996182891e-8,
    2.7557319219163233416e-6,
    -0.00019841269841254973769,
    0.0083333333333333158688,
    -0.16666666666666666633,
];

/// `sin r` for `|r| ≲ π/2`: `r + r³ P(r²)`.
#[inline(always)]
fn sin_poly(r: f64) -> f64 {
    let r2 = r * r;
    // Estrin's scheme (shorter dependency chains than Horner's, same accuracy here).
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let a = P[6] * r2 + P[7];
    let b = P[4] * r2 + P[5];
    let c = P[2] * r2 + P[3];
    let d = P[0] * r2 + P[1];
    let p = (b * r4 + a) + (d * r4 + c) * r8;
    r + r * r2 * p
}

/// The fast sine of one value in the fast range (no range check).
#[inline(always)]
fn sin_reduced(x: f64) -> f64 {
    let t = x * INV_PI + MAGIC;
    let n = t - MAGIC;
    let r = (x - n * PI_A) - n * PI_B;
    let s = sin_poly(r);
    // (−1)ⁿ: the parity of n is the last mantissa bit of t (MAGIC is even).
    f64::from_bits(s.to_bits() ^ ((t.to_bits() & 1) << 63))
}

/// π/2 in two parts: halves of PI_A and PI_B (exact). `k·HALF_PI_A` is exact for odd
/// `|k| < 2²⁶`, which covers `|x| ≤ FAST_LIMIT`.
const HALF_PI_A: f64 = PI_A * 0.5;
const HALF_PI_B: f64 = PI_B * 0.5;

/// The fast cosine of one value in the fast range: `x = (n + ½)π + r` with
/// `n = round(x/π − ½)`, and `cos x = −(−1)ⁿ sin r`.
#[inline(always)]
fn cos_reduced(x: f64) -> f64 {
    let t = (x * INV_PI - 0.5) + MAGIC;
    let k = 2.0 * (t - MAGIC) + 1.0; // 2n + 1, exact
    let r = (x - k * HALF_PI_A) - k * HALF_PI_B;
    let s = sin_poly(r);
    f64::from_bits(s.to_bits() ^ (((t.to_bits() & 1) ^ 1) << 63))
}

/// `out[i] = fast(x[i])`, with `slow` (the library function) for `|x| > FAST_LIMIT`.
#[inline(always)]
fn map_into(x: &[f64], out: &mut [f64], fast: impl Fn(f64) -> f64, slow: impl Fn(f64) -> f64) {
    assert_eq!(x.len(), out.len(), "sine: slices of different lengths");
    // `over` flags arguments beyond the fast range (an OR, so the loop stays branch-free and
    // vectorized). NaN is not flagged: the fast path already returns NaN for it.
    let mut over = 0u64;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = fast(v);
        over |= u64::from(v.abs() > FAST_LIMIT);
    }
    // Rare: large or infinite arguments get the library function.
    if over != 0 {
        for (o, &v) in out.iter_mut().zip(x) {
            if v.abs() > FAST_LIMIT {
                *o = slow(v);
            }
        }
    }
}

/// `out[i] = sin(x[i])` with an absolute error below 1e-15 (see the module doc).
#[inline(always)]
pub(crate) fn sin_into(x: &[f64], out: &mut [f64]) {
    map_into(x, out, sin_reduced, f64::sin);
}

/// `out[i] = cos(x[i])` with an absolute error below 1e-15 (same method, shifted by π/2).
#[inline(always)]
pub(crate) fn cos_into(x: &[f64], out: &mut [f64]) {
    map_into(x, out, cos_reduced, f64::cos);
}

/// The fast sine of one value (tests and scalar callers).
#[cfg(test)]
pub(crate) fn sin(x: f64) -> f64 {
    if x.abs() <= FAST_LIMIT {
        sin_reduced(x)
    } else {
        x.sin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    /// Tolerance 1e-15 absolute: the reduction and the polynomial evaluation each round a few times on
    /// numbers of size ≤ π/2, i.e. a few × 1.1e-16; the polynomial itself is good to 1.3e-18.
    const TOL: f64 = 1e-15;

    #[test]
    fn split_of_pi_is_exact_in_its_first_part() {
        // 27 significant bits: the low 52 − 26 = 26 mantissa bits vanish.
        let low = (1u64 << 26) - 1;
        assert_eq!(PI_A.to_bits() & low, 0);
        assert!((PI_A + PI_B - std::f64::consts::PI).abs() <= 4.5e-16);
        assert_eq!(MAGIC, 1.5 * 2f64.powi(52));
    }

    #[test]
    fn fast_sine_and_cosine_match_the_library_functions() {
        // Oracle: f64::sin (correctly reduced for every argument). Random arguments on several
        // scales up to the fast limit, and the edges of the reduction: multiples of π/2 and
        // their neighbours, half-integer multiples of π where round-to-nearest-even decides n.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(17);
        let mut xs: Vec<f64> = Vec::new();
        for scale in [1e-300, 1e-8, 1e-3, 0.5, 1.0, 2.0, 4.0, 10.0, 100.0, 1e4, 1e6, 1e7, FAST_LIMIT] {
            xs.extend((0..20_000).map(|_| rng.random_range(-scale..scale)));
        }
        for k in -2000i32..=2000 {
            let c = f64::from(k) * std::f64::consts::FRAC_PI_2;
            let mut y = c;
            for _ in 0..3 {
                y = y.next_up();
            }
            let mut z = c;
            for _ in 0..3 {
                z = z.next_down();
            }
            xs.extend([c, y, z, c.next_up(), c.next_down()]);
        }
        for k in [1e3, 1e5, 3.3e7, 6.7e7] {
            xs.extend([k * std::f64::consts::PI, -k * std::f64::consts::PI]);
        }
        xs.extend([0.0, -0.0, f64::MIN_POSITIVE, FAST_LIMIT, -FAST_LIMIT]);
        // The largest |fast − library| over the arguments, and where it occurs.
        let worst = |out: &[f64], lib: fn(f64) -> f64| {
            xs.iter().zip(out).map(|(&x, &v)| ((v - lib(x)).abs(), x)).fold((0.0f64, 0.0f64), |w, e| {
                if e.0 > w.0 {
                    e
                } else {
                    w
                }
            })
        };
        let mut out = vec![0.0; xs.len()];
        sin_into(&xs, &mut out);
        for (&x, &s) in xs.iter().zip(&out) {
            assert_eq!(s, sin(x));
        }
        let w = worst(&out, f64::sin);
        assert!(w.0 < TOL, "sine: worst error {:e} at x = {}", w.0, w.1);
        // The cosine on the same arguments (they include the multiples of π/2 where cos
        // changes sign and the reduction picks its n).
        cos_into(&xs, &mut out);
        let w = worst(&out, f64::cos);
        assert!(w.0 < TOL, "cosine: worst error {:e} at x = {}", w.0, w.1);
        // Tiny arguments keep their relative accuracy (sin x = x to rounding).
        assert_eq!(sin(1e-300), 1e-300);
    }

    #[test]
    fn large_and_non_finite_arguments_fall_back_to_the_library_functions() {
        let xs = [1e9, -3e12, 1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 2.0];
        let mut out = vec![0.0; xs.len()];
        let mut outc = vec![0.0; xs.len()];
        sin_into(&xs, &mut out);
        cos_into(&xs, &mut outc);
        for (i, ((&x, &s), &c)) in xs.iter().zip(&out).zip(&outc).enumerate() {
            if x.is_finite() {
                assert!((s - x.sin()).abs() < TOL, "x = {x}: {s} vs {}", x.sin());
                assert!((c - x.cos()).abs() < TOL, "x = {x}: {c} vs {}", x.cos());
            } else {
                assert!(s.is_nan() && c.is_nan(), "index {i}");
            }
        }
    }
}
