//! Hot kernels of the graviton code: one leapfrog step on a 16³ torus (real-space stencils) and
//! the helicity-block modes at one momentum. Run: `cargo bench -p ether --bench graviton`.

use ether::dynamics::graviton::{random_state, TensorDynamics};
use ether::model::graviton::{GravitonKind, GravitonModel};
use ether::modes::graviton::GravitonModes;
use ether::Lattice;

fn main() {
    divan::main();
}

fn model(kind: GravitonKind) -> GravitonModel {
    GravitonModel::new(kind, Lattice::parse("16x16x16").unwrap(), 1.0, 1.0).unwrap()
}

#[divan::bench(args = [GravitonKind::Xu, GravitonKind::LType, GravitonKind::Cotton])]
fn leapfrog_step_16cubed(bencher: divan::Bencher, kind: GravitonKind) {
    let d = TensorDynamics::new(&model(kind)).unwrap();
    let mut s = random_state(d.n_sites(), 1);
    bencher.bench_local(|| d.step(&mut s, 1e-3));
}

#[divan::bench(args = [GravitonKind::Xu, GravitonKind::Einstein, GravitonKind::LType, GravitonKind::Cotton])]
fn modes_at_one_k(bencher: divan::Bencher, kind: GravitonKind) {
    let s = GravitonModes::new(&model(kind)).unwrap();
    bencher.bench_local(|| s.at(divan::black_box([0.3, -0.7, 1.1])).unwrap());
}
