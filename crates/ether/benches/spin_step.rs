//! Landau-Lifshitz step (sublattice splitting): spin updates per second on 128x128 and 64x64x64,
//! with 1 and 2 rayon threads. `cargo bench --bench spin_step`; figures in docs/performance.md.

use divan::counter::ItemsCount;
use divan::Bencher;
use ether::dynamics::spin::{Integrator, SpinDynamics};
use ether::lattice::Lattice;
use ether::model::Heisenberg;

fn main() {
    divan::main();
}

const STEPS: usize = 10;

#[divan::bench(args = ["128x128/1", "128x128/2", "64x64x64/1", "64x64x64/2"], sample_count = 10)]
fn splitting_step(bencher: Bencher, case: &str) {
    let (lat, threads) = case.split_once('/').unwrap();
    let threads: usize = threads.parse().unwrap();
    let model = Heisenberg::ferro(Lattice::parse(lat).unwrap(), 1.0, 1.0).unwrap();
    let d = SpinDynamics::new(&model).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut s: Vec<[f64; 3]> = (0..model.lattice.n_sites())
        .map(|i| {
            let t = (i as f64 * 0.37).sin();
            [t * 0.3, (1.0 - t * t).sqrt() * 0.3, 0.9539392014169456]
        })
        .collect();
    bencher.counter(ItemsCount::new(model.lattice.n_sites() * STEPS)).bench_local(|| {
        pool.install(|| d.evolve(&mut s, Integrator::Splitting { dt: 0.01 }, STEPS).unwrap());
    });
}

#[divan::bench(sample_count = 20)]
fn lswt_million_momenta(bencher: Bencher) {
    use ether::lattice::Momentum;
    use ether::modes::lswt::SpinWaveTheory;
    let model = Heisenberg::antiferro(Lattice::parse("16x16x16").unwrap(), 0.5, 1.0).unwrap();
    let swt = SpinWaveTheory::new(&model).unwrap();
    let ks: Vec<Momentum> = (0..1_000_000).map(|i| Momentum::new(&[(i as f64) * 1e-6, 0.3, 1.1])).collect();
    bencher.counter(ItemsCount::new(ks.len())).bench_local(|| {
        let mut acc = 0.0;
        for k in &ks {
            acc += swt.frequency(k).unwrap();
        }
        divan::black_box(acc)
    });
}
