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
