use ether::topo::statistics::*;
use ether::Lattice;

#[test]
fn scratch() {
    for lat in ["3x3x3", "4x4x4", "2x2x2"] {
        for tw in [Twist::Untwisted, Twist::Twisted] {
            let alg = HopAlgebra::new(CubicComplex::periodic(&Lattice::parse(lat).unwrap()).unwrap(), tw);
            let c = exchange_census(&alg).unwrap();
            println!("{lat} {tw:?}: +{} -{} amb {} mism {} triples {}", c.plus, c.minus, c.ambiguous, c.formula_mismatches, c.triples_checked);
            for ch in consistency_checks(&alg) {
                println!("   {} {} / {}  {}", ch.name, ch.failures, ch.cases, ch.pass);
            }
        }
    }
}

#[test]
fn scratch_states() {
    use ether::topo::statistics::states::*;
    for p in [Particles::Fermions, Particles::HardCoreBosons] {
        println!("{p:?} {:?}", four_site_exchange(p, &[0, 1, 2, 3]).unwrap());
    }
    for lat in ["3x3x3", "4x4x4"] {
        for tw in [Twist::Untwisted, Twist::Twisted] {
            let alg = HopAlgebra::new(CubicComplex::periodic(&Lattice::parse(lat).unwrap()).unwrap(), tw);
            let t = std::time::Instant::now();
            let c = states_census(&alg, 2, 7).unwrap();
            println!("{lat} {tw:?}: +{} -{} err {} {} need {} {:?}", c.plus, c.minus, c.max_overlap_error, c.max_norm_mismatch, c.required_spin, t.elapsed());
            println!("{:?}", states_census(&alg, 1, 7).unwrap_err().to_string());
        }
    }
}

#[test]
fn scratch_spectrum() {
    use ether::topo::statistics::spectrum::*;
    for ext in [[2, 2, 2], [3, 2, 2], [3,3,1], [2,2,1]] {
        for tw in [Twist::Untwisted, Twist::Twisted] {
            let t = std::time::Instant::now();
            let c = two_charge_spectrum(ext, tw).unwrap();
            println!("{ext:?} {tw:?} dim {} sup {} dF {:.3e} dB {:.3e} jw {:.3e} eps {:?} {:?}", c.dim, c.states_per_sector_vector, c.deviation_from_fermions, c.deviation_from_bosons, c.fermion_cross_check, c.plaquette_loop_signs, t.elapsed());
        }
    }
}

#[test]
fn scratch_photon() {
    use ether::topo::statistics::photon::*;
    for (ext, n) in [([3, 2, 2], 2), ([2, 2, 2], 4), ([2,2,2],2)] {
        let t = std::time::Instant::now();
        let c = compare_zero_charge(ext, n, 1.0, 1.5).unwrap();
        println!("{ext:?} Z{n} dim {} flipped {}/{} dE {:.2e} W {} modes {:.2e} {:?} {:?}", c.dim, c.flipped_matrix_elements, c.matrix_elements, c.max_spectrum_difference, c.w_violations, c.max_mode_difference, c.low_twisted, t.elapsed());
    }
}

#[test]
fn scratch_anyons() {
    use ether::topo::statistics::anyons::*;
    println!("{}", serde_json::to_string_pretty(&toric_code(&Lattice::parse("4x4").unwrap()).unwrap()).unwrap());
    println!("{}", serde_json::to_string_pretty(&double_semion()).unwrap());
}
