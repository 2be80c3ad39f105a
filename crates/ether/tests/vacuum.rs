//! Is the vacuum a string-net liquid? The physics claims of `ether phases` checked end to end
//! (through `Phases::run`, the same path as the CLI) against independently derived numbers:
//! Coulomb's law and the string tension from V(R), the renormalized fine-structure constant at
//! weak coupling, the photon's dispersion (gapless vs gapped), and the rotor model's photon in the
//! deep Coulomb phase against the Gaussian theory of the rotor note §2.3-2.4.
//!
//! References: `docs/physics/lattice-gauge-observables.md`; rotor note (labels resolved in
//! `docs/physics/README.md`) §2.3-2.5, 4.2, 4.4, 7.3. The Monte Carlo runs take minutes on one
//! core, so those tests are `#[ignore]`d (run by `.ci/run`'s `--ignored` pass) and each says its
//! cost; the check of the Gaussian reference itself is fast and runs by default.

use ether::experiment::{Experiment, Quiet};
use ether::experiments::phases::{Params, Phases, PhasesRecord, PointRecord, Starts};

fn run(p: &Params) -> PhasesRecord {
    Phases::run(p, &mut Quiet).unwrap()
}

fn point(r: &PhasesRecord, beta: f64) -> &PointRecord {
    r.measurements.iter().find(|m| m.beta == Some(beta)).unwrap()
}

/// One-loop (tadpole) renormalization of the Wilson coupling in d = 4: expanding
/// `β cos Θ = β(1 − Θ²/2 + Θ⁴/24 − …)` and contracting the quartic term once (Wick:
/// `Θ⁴ → 6⟨Θ²⟩Θ²`, with the equipartition value `⟨Θ_P²⟩ = 2/(dβ)` of every plaquette, rotor note
/// §4.2) leaves the Gaussian action with `β_R = β(1 − ⟨Θ²⟩/2) = β − 1/d`. So the charge is
/// renormalized by `κ = e_R²/e² = β/β_R = β/(β − 1/4)` + O(β⁻²), and α = κ/(4πβ) → 1/(4πβ).
fn kappa_one_loop(beta: f64) -> f64 {
    beta / (beta - 0.25)
}

/// Coulomb's law, the string tension and the photon (rotor note §4.4 items 3, 5; issue 13
/// "Validation"):
/// on 8⁴ (cold starts at β = 1.5 and 2.0, hot at 0.8), the fit V(R) = c + σR + κV₀(R), R ≤ 4
/// (V₀ the free photon's potential on the same lattice) gives σ compatible with zero (within
/// 3 jackknife errors) in the Coulomb phase and σ > 3 errors with the Creutz ratio χ(2,2) > 0.2
/// when confined. The charge renormalization κ = α/α₀ (α₀ = 1/(4πβ)) equals the one-loop
/// β/(β − 1/4) within 3 errors plus the unknown O(β⁻²) term, bounded here by 0.25/β² (the
/// seed-5 run measures (κ − κ₁)β² = 0.16 at both β: a β⁻² term of that size), and κ − 1
/// shrinks from β = 1.5 to 2.0. The photon: in the Coulomb phase ω(k_min)/|K_min| = 1 within 3
/// errors + 0.1 and the gap m² compatible with 0 (3 errors + 0.02); when confined ω(k_min) ≥ 2|K|
/// or unresolved. Cost: 3 chains of 200 + 1200 sweeps on 8⁴ with loops up to 4×4 and the photon correlators
/// (measured: 75 s of CPU for the first 2100 sweeps).
#[test]
#[ignore = "about 3 minutes of one core in release; run with --ignored"]
fn coulomb_phase_has_coulombs_law_and_a_gapless_photon_confined_phase_neither() {
    let coulomb = run(&Params {
        lattice: "8x8x8x8".into(),
        beta: vec![1.5, 2.0],
        start: Starts::Cold,
        therm: 200,
        sweeps: 1200,
        measure: "plaquette,monopoles,potential,photon".into(),
        loop_max: 4,
        seed: 5,
        ..Params::default()
    });
    let confined = run(&Params {
        lattice: "8x8x8x8".into(),
        beta: vec![0.8],
        start: Starts::Hot,
        therm: 200,
        sweeps: 1200,
        measure: "plaquette,monopoles,potential,photon".into(),
        loop_max: 4,
        seed: 6,
        ..Params::default()
    });
    let mut excess = vec![];
    for beta in [1.5, 2.0] {
        let m = point(&coulomb, beta);
        let p = m.potential.as_ref().unwrap();
        let (s, ds) = (p.sigma.unwrap(), p.sigma_error.unwrap());
        let (k, dk) = (p.coulomb_ratio.unwrap(), p.coulomb_ratio_error.unwrap());
        let want = kappa_one_loop(beta);
        eprintln!(
            "β = {beta}: σ = {s:.5} ± {ds:.5}, κ = {k:.4} ± {dk:.4} (one loop {want:.4}), α = {:.5}, V = {:?}",
            p.alpha.unwrap(),
            p.v
        );
        assert_eq!(m.phase, "coulomb", "{:?}", m.phase_evidence);
        assert!(s.abs() <= 3.0 * ds, "β = {beta}: σ = {s} ± {ds} is not compatible with 0");
        assert!((k - want).abs() <= 3.0 * dk + 0.25 / (beta * beta), "β = {beta}: κ = {k} ± {dk} vs {want}");
        assert!((p.alpha.unwrap() - k / (4.0 * std::f64::consts::PI * beta)).abs() < 1e-12);
        excess.push(k - 1.0);
        // the photon: hypercubic symmetry fixes c = 1, so ω(k_min) = |K_min| (2 sin(π/8)) up to
        // the statistical error and the interaction's O(|K|²) dispersion corrections (0.1)
        let ph = m.photon.as_ref().unwrap();
        let ratio = ph.omega[0] / ph.k_lattice[0];
        let dr = ph.omega_error[0] / ph.k_lattice[0];
        eprintln!("β = {beta}: ω(k_min)/|K| = {ratio:.4} ± {dr:.4}, gap² = {:?}", ph.gap_squared);
        assert!((ratio - 1.0).abs() <= 3.0 * dr + 0.1, "β = {beta}: ω/|K| = {ratio} ± {dr}");
        if let Some(m2) = ph.gap_squared {
            assert!(m2.value.abs() <= 3.0 * m2.error + 0.02, "β = {beta}: m² = {m2:?}");
        }
    }
    assert!(excess[1] < excess[0], "κ − 1 does not shrink towards weak coupling: {excess:?}");
    let m = point(&confined, 0.8);
    let p = m.potential.as_ref().unwrap();
    let (s, ds) = (p.sigma.unwrap(), p.sigma_error.unwrap());
    let chi = m.wilson_loops.as_ref().unwrap().creutz[0][0];
    eprintln!("β = 0.8: σ = {s:.4} ± {ds:.4}, χ(2,2) = {:.4} ± {:.4}, V = {:?}", chi.value, chi.error, p.v);
    assert!(s > 3.0 * ds, "β = 0.8: no string tension: σ = {s} ± {ds}");
    assert!(chi.value > 0.2 && chi.value > 3.0 * chi.error, "β = 0.8: χ(2,2) = {chi:?}");
    // no photon: the flux correlator is gapped (ω(k_min) ≥ 2|K|) or decays before it is resolved
    let ph = m.photon.as_ref().unwrap();
    let ratio = ph.omega[0] / ph.k_lattice[0];
    eprintln!("β = 0.8: ω(k_min)/|K| = {ratio:.4} ± {:.4}", ph.omega_error[0] / ph.k_lattice[0]);
    assert!(ratio.is_nan() || ratio >= 2.0, "β = 0.8: ω/|K| = {ratio}");
    assert_eq!(m.phase, "confined", "{:?}", m.phase_evidence);
}

/// The Gaussian (harmonic) theory of the rotor model on the *same* Trotterized lattice: an
/// independent computation (mode sums, no Monte Carlo) of what the chain must approach at
/// g/J ≫ 1. Each transverse mode k ≠ 0 of the spatial L^d torus (d − 1 polarizations; the k = 0
/// holonomies are free rotors whose lowest excitation, a unit electric flux around the torus,
/// costs J·L = 4J: below 1e-3 J per site at T = 0.5 J, and none at the T → 0 of the check) is the
/// discrete-time oscillator of the lattice action `Σ_t (x_{t+1} − x_t)²/(4τJ) + τg|K|² x_t²`:
/// its transfer matrix has slice energy ε with `2 sinh(ε/2) = τω`, ω = 2√(gJ)|K|, and
/// `Z = 1/(2 sinh(N_t ε/2))` exactly (the Gaussian determinant with the kinetic normalization
/// (4πτJ)^{−1/2}), so `E = −∂ ln Z/∂(N_t τ) = (ω/2) coth(N_t ε/2)/cosh(ε/2)`; and
/// `⟨x²⟩ = (1/N_t) Σ_j 1/(2M_j)`, `M_j = (2 − 2cos(2πj/N_t))/(4τJ) + τg|K|²` (Matsubara sum).
/// Returns (E/site of the harmonic part, ⟨Φ²⟩ per plaquette).
fn gaussian_rotor(space: &[usize], g: f64, j: f64, tau: f64, nt: usize) -> (f64, f64) {
    use std::f64::consts::PI;
    let d = space.len();
    let n: usize = space.iter().product();
    let pol = (d - 1) as f64;
    let planes = (d * (d - 1) / 2) as f64;
    let (mut e, mut phi2) = (0.0, 0.0);
    for idx in 0..n {
        let mut rest = idx;
        let mut k2 = 0.0;
        for &l in space {
            let m = rest % l;
            rest /= l;
            k2 += 4.0 * (PI * m as f64 / l as f64).sin().powi(2);
        }
        if k2 == 0.0 {
            continue;
        }
        let w = 2.0 * (g * j).sqrt() * k2.sqrt();
        let eps = 2.0 * (0.5 * tau * w).asinh();
        e += pol * 0.5 * w / ((0.5 * nt as f64 * eps).tanh() * (0.5 * eps).cosh());
        let x2: f64 = (0..nt)
            .map(|m| {
                let mj = (2.0 - 2.0 * (2.0 * PI * m as f64 / nt as f64).cos()) / (4.0 * tau * j) + tau * g * k2;
                1.0 / (2.0 * mj)
            })
            .sum::<f64>()
            / nt as f64;
        phi2 += pol * k2 * x2;
    }
    let n = n as f64;
    (-planes * 2.0 * g + e / n, phi2 / (planes * n))
}

/// The Gaussian reference itself, checked against the rotor note's numbers before it is used:
/// at τ → 0 and T → 0 on a large torus ⟨Φ²⟩ → 0.795867 √(J/g) (note §2.3, BZ average of |K|/3)
/// and the zero-point energy → 4.77520 √(gJ) per site; on the 2D 2×2 torus the harmonic energy
/// is −8g + (4 + 2√2)√(gJ) over its 4 sites (note §2.3, done by hand there).
#[test]
fn gaussian_rotor_reference_matches_the_note() {
    // 12³: the lattice sum of |K| is within 3e-5 (⟨Φ²⟩) and 2e-4 (zero point) of the BZ average
    // (a direct sum gives 0.795840 and 4.775041); τ = 1e-3 leaves a Trotter error (τω)²/8 < 1e-5
    // and N_t τ = 20 a thermal one below e^{−20}. Tolerances 1e-4 and 1e-3.
    let (e, p) = gaussian_rotor(&[12, 12, 12], 1.0, 1.0, 1e-3, 20_000);
    assert!((p - 0.795867).abs() < 1e-4, "⟨Φ²⟩ = {p}");
    assert!((e + 6.0 - 4.77520).abs() < 1e-3, "zero point {}", e + 6.0);
    let (e2, _) = gaussian_rotor(&[2, 2], 4.0, 1.0, 1e-4, 100_000);
    let want = (-8.0 * 4.0 + (4.0 + 2.0 * 2f64.sqrt()) * 2.0) / 4.0;
    assert!((e2 - want).abs() < 1e-6, "2x2: {e2} vs {want}");
}

/// The deep Coulomb phase of the rotor model approaches the Gaussian theory (rotor note §2.3,
/// 2.4; issue 13 "At g/J >> 1"): on 4³ × 40 at g/J = 16, τ√(gJ) = 0.2 (T = 0.5 J, far below the
/// lowest photon, 11.3 J):
/// - the energy per site is the harmonic energy of the same Trotterized lattice (mode sums
///   above) plus the first-order anharmonic term. In the path integral that term is
///   `⟨ΔS⟩ = −(β_s/24) Σ ⟨Φ⁴⟩ = −τg N_t N_p ⟨Φ²⟩²/4` (Wick), and the energy estimator
///   differentiates it at fixed N_t: `ΔE/N = −(3g/4) ∂(τ⟨Φ²⟩²)/∂τ`, which is the note's
///   `−(3g/4)⟨Φ²⟩²` as τ → 0 but only about 60 % of it here, where the fastest modes have
///   τω ≈ 1.4 (without the τ-derivative the test fails by 0.15 J). Tolerance: 3 standard errors
///   plus (3g/4)⟨Φ²⟩³ for the next order (0.07 J);
/// - the speed of light is 2√(gJ) renormalized by the one-loop tadpole of the cosine,
///   `g_R = g(1 − ⟨Φ²⟩/2)` (Wick: `−gΦ⁴/12 → −g⟨Φ²⟩Φ²/2`), i.e. `c = 2√(g_R J)`; tolerance 3
///   jackknife errors plus the two-loop size c₀(⟨Φ²⟩/2)². (At k_min = π/2 the correlator decays
///   by e^{−0.57} per slice, so c is known to about 7 %: this checks the photon's presence and
///   its classical speed, not yet the 5 % renormalization);
/// - the photon is not gapped (ω(k_min) < 2 c₀|K_min|);
/// - the equal-time ⟨|E_T(k_min)|²⟩ matches the Gaussian value with g_R and excludes the bare g
///   (measured 2.589 ± 0.012, one loop 2.607, bare 2.722).
///
/// Cost: one chain of 300 + 2000 sweeps on 4x4x4x40 (a minute or two on one core).
#[test]
#[ignore = "a minute or two in release on one core; run with --ignored"]
fn deep_coulomb_rotor_photon_and_energy_approach_the_gaussian_theory() {
    let (g, j): (f64, f64) = (16.0, 1.0);
    let tau = 0.2 / (g * j).sqrt();
    let nt = 40;
    let r = run(&Params {
        lattice: "4x4x4".into(),
        rotor: true,
        g,
        j,
        time_step: tau,
        time_slices: nt,
        start: Starts::Cold,
        therm: 300,
        sweeps: 2000,
        measure: "plaquette,photon,energy".into(),
        photon_momenta: 1,
        seed: 21,
        ..Params::default()
    });
    let m = &r.measurements[0];
    let (e_harm, phi2) = gaussian_rotor(&[4, 4, 4], g, j, tau, nt);
    let ph = m.photon.as_ref().unwrap();
    let c0 = 2.0 * (g * j).sqrt();
    let c_want = 2.0 * (g * (1.0 - phi2 / 2.0) * j).sqrt();
    let e = m.energy_per_site.unwrap();
    // ∂(τ⟨Φ²⟩²)/∂τ at fixed N_t by a centred difference (step 1e-4 τ: error ~1e-8 relative)
    let f = |t: f64| t * gaussian_rotor(&[4, 4, 4], g, j, t, nt).1.powi(2);
    let h = 1e-4 * tau;
    let e_want = e_harm - 0.75 * g * (f(tau + h) - f(tau - h)) / (2.0 * h);
    eprintln!(
        "g/J = {g}: c = {:.4} ± {:.4} (classical {c0}, one loop {c_want:.4}); E/site = {:.4} ± {:.4} (Gaussian {e_harm:.4} + anharmonic = {e_want:.4}); ⟨Φ²⟩ = {phi2:.4}; phase {} {:?}",
        ph.speed_of_light, ph.speed_of_light_error, e.value, e.error, m.phase, m.phase_evidence
    );
    assert!(
        (ph.speed_of_light - c_want).abs() <= 3.0 * ph.speed_of_light_error + c0 * (phi2 / 2.0).powi(2),
        "c = {} ± {} vs {c_want}",
        ph.speed_of_light,
        ph.speed_of_light_error
    );
    assert!(
        (e.value - e_want).abs() <= 3.0 * e.error + 0.75 * g * phi2.powi(3),
        "E/site = {} ± {} vs {e_want}",
        e.value,
        e.error
    );
    assert!(ph.omega[0] < 2.0 * c0 * ph.k_lattice[0], "gapped: ω = {} at |K| = {}", ph.omega[0], ph.k_lattice[0]);
    // the equal-time transverse electric field at k_min resolves the renormalization of g: the
    // discrete-time oscillator (mass 1/(2J), ω = 2√(g_R J)|K|) has per component
    // ⟨|E_T(k)|²⟩ = τω² coth(N_t ε/2) / (4J sinh ε) (the primitive estimator; ⟨p²⟩ of the chain
    // above); the bare g gives 2.72, g_R 2.61. Tolerance 3 errors + (⟨Φ²⟩/2)² relative (two loop).
    let et = &m.energy.as_ref().unwrap().electric_correlator[0];
    let e_t = |gg: f64| {
        let w = 2.0 * (gg * j).sqrt() * et.k_lattice;
        let eps = 2.0 * (0.5 * tau * w).asinh();
        tau * w * w / ((0.5 * nt as f64 * eps).tanh() * 4.0 * j * eps.sinh())
    };
    let (want, bare) = (e_t(g * (1.0 - phi2 / 2.0)), e_t(g));
    let tol = 3.0 * et.transverse.error + want * (phi2 / 2.0).powi(2);
    eprintln!("⟨|E_T|²⟩ = {} ± {} (one loop {want:.4}, bare {bare:.4})", et.transverse.value, et.transverse.error);
    assert!((et.transverse.value - want).abs() <= tol, "⟨|E_T|²⟩ = {:?} vs {want}", et.transverse);
    assert!((et.transverse.value - bare).abs() > tol, "the renormalization of g is not resolved");
}
