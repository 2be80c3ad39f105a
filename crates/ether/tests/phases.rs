//! Validation of the path-integral Monte Carlo (4D compact U(1), Wilson action): the rotor
//! model's Coulomb and confined phases. References: rotor note section 4 (eqs. 4.1, 4.2, the
//! literature β_c = 1.0111 of Arnold et al., hep-lat/0011058).

use ether::lattice::Lattice;
use ether::mc::gauge::{strong_coupling_plaquette, weak_coupling_plaquette, GaugeSampler, WilsonU1};

fn measure(
    ext: &str,
    beta: f64,
    hot: bool,
    therm: usize,
    sweeps: usize,
    seed: u64,
) -> ether::mc::gauge::GaugeMeasurement {
    let s = GaugeSampler::new(&WilsonU1::new(Lattice::parse(ext).unwrap(), beta).unwrap());
    s.run(hot, therm, sweeps, seed, &mut |_| {}).unwrap()
}

/// Eq. 4.1: at β = 0.3 the plaquette is u + 4u⁵ = 0.148625 (the O(u⁷) remainder is ~1e-6).
/// Tolerance: 4 standard errors of the Monte Carlo mean plus 1e-4 for finite-size effects,
/// which are exponentially small in the confined phase.
#[test]
fn strong_coupling_plaquette_matches_character_expansion() {
    let m = measure("4x4x4x4", 0.3, true, 50, 300, 11);
    let want = strong_coupling_plaquette(0.3);
    assert!(
        (m.plaquette - want).abs() < 4.0 * m.plaquette_error + 1e-4,
        "{} ± {} vs {want}",
        m.plaquette,
        m.plaquette_error
    );
}

/// Eq. 4.2: at β = 6 the plaquette is 1 − (1 − 1/V)/(4β) − 1/(32β²) + O(β⁻³). The unknown β⁻³
/// term (the note: "value not established") is bounded here by 2e-3 (a coefficient below 0.4);
/// the Monte Carlo error adds 4 standard errors. A cold start avoids slow monopole annihilation.
#[test]
fn weak_coupling_plaquette_matches_perturbation_theory() {
    let ext = "4x4x4x4";
    let m = measure(ext, 6.0, false, 50, 300, 12);
    let want = weak_coupling_plaquette(6.0, 256);
    assert!(
        (m.plaquette - want).abs() < 4.0 * m.plaquette_error + 2e-3,
        "{} ± {} vs {want}",
        m.plaquette,
        m.plaquette_error
    );
    // and the Gaussian term alone would be off by 1/(32β²) = 8.7e-4: the test resolves corrections
    assert!(m.plaquette_error < 2e-4);
}

/// Section 4.4: monopoles are dense in the confined phase and dilute in the Coulomb phase.
/// β = 0.8 and 1.3 lie well on either side of β_c = 1.0111 (4.2); on 6⁴ the monopole density
/// differs by more than a factor 10 (measured: about 0.2 vs 0.005), and hot and cold starts agree
/// away from the transition (no hysteresis), within 0.02 in the plaquette.
#[test]
#[ignore = "about 40 s in release on one core; run with --ignored"]
fn monopole_density_drops_across_the_transition() {
    let conf_h = measure("6x6x6x6", 0.8, true, 100, 200, 1);
    let conf_c = measure("6x6x6x6", 0.8, false, 100, 200, 2);
    let coul_h = measure("6x6x6x6", 1.3, true, 100, 200, 3);
    let coul_c = measure("6x6x6x6", 1.3, false, 100, 200, 4);
    assert!(
        conf_h.monopole_density > 10.0 * coul_h.monopole_density,
        "{} vs {}",
        conf_h.monopole_density,
        coul_h.monopole_density
    );
    assert!((conf_h.plaquette - conf_c.plaquette).abs() < 0.02);
    assert!((coul_h.plaquette - coul_c.plaquette).abs() < 0.02);
}

/// The same, small and fast, for the default run: 4⁴ at β = 0.6 and 1.5.
#[test]
fn monopoles_dense_when_confined_dilute_in_coulomb_phase() {
    let conf = measure("4x4x4x4", 0.6, true, 30, 60, 1);
    let coul = measure("4x4x4x4", 1.5, false, 30, 60, 2);
    assert!(
        conf.monopole_density > 10.0 * coul.monopole_density,
        "{} vs {}",
        conf.monopole_density,
        coul.monopole_density
    );
    assert!(conf.plaquette < 0.5 && coul.plaquette > 0.8, "{} {}", conf.plaquette, coul.plaquette);
}
