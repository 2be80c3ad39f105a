//! Kitaev–Preskill γ of the 2D toric code on a 128x128 torus (32 768 qubits), end to end:
//! build the model (stars, plaquettes, logicals), the default KP disk (R = 0.3 L = 38.4), and
//! the seven GF(2) ranks. Goal: under 5 s on one core (docs/performance.md).
//!
//! `cargo bench -p ether --bench entanglement`

use ether::topo::entanglement::{models, regions, topological_entropy, ConstructionKind};
use ether::Lattice;

fn main() {
    divan::main();
}

fn kp_gamma(l: usize) -> f64 {
    let lat = Lattice::new(&[l, l]).unwrap();
    let m = models::toric_code_2d(&lat).unwrap();
    let st = m.ground_state().unwrap();
    let kp = regions::default_kitaev_preskill(&m.geometry).unwrap();
    let reg = regions::kitaev_preskill(&m.geometry, &kp).unwrap();
    topological_entropy(&st, ConstructionKind::KitaevPreskill, reg.combination()).unwrap().gamma
}

#[divan::bench(sample_count = 3)]
fn toric_code_kp_gamma_128x128() -> f64 {
    let g = kp_gamma(divan::black_box(128));
    assert!((g - std::f64::consts::LN_2).abs() < 1e-12);
    g
}

#[divan::bench(sample_count = 5)]
fn toric_code_kp_gamma_32x32() -> f64 {
    kp_gamma(divan::black_box(32))
}

/// The ground-state degeneracy of the 128x128 torus (rank of all 32 768 checks, twice).
#[divan::bench(sample_count = 3)]
fn toric_code_gsd_128x128() -> u64 {
    let lat = Lattice::new(&[128, 128]).unwrap();
    models::toric_code_2d(&lat).unwrap().ground_state_degeneracy().unwrap()
}
