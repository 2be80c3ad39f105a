//! Spin updates per second of the Landau-Lifshitz step (sublattice splitting), for the benchmark
//! script `bench/spin_dynamics.sh`. Usage: `spin_step_rate LATTICE THREADS STEPS`.
//! Prints one JSON line: {"lattice", "isa", "threads", "steps", "spins", "seconds", "updates_per_second"}.

use ether::dynamics::spin::{Integrator, SpinDynamics};
use ether::lattice::Lattice;
use ether::mc::spins::Metropolis;
use ether::model::Heisenberg;
use std::time::Instant;

/// CPU time of this process (user + system, all threads) from /proc/self/stat, in seconds.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // fields 14 and 15 of stat (utime, stime), i.e. indices 11 and 12 after the ')'
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lattice = args.get(1).map(String::as_str).unwrap_or("128x128");
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let steps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let model = Heisenberg::ferro(Lattice::parse(lattice).expect("lattice"), 1.0, 1.0).expect("model");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    pool.install(|| {
        let d = SpinDynamics::new(&model).expect("dynamics");
        let (mut s, _) = d.thermal_state(&Metropolis { temperature: 0.5, sweeps: 5, seed: 1 }).expect("mc");
        d.evolve(&mut s, Integrator::Splitting { dt: 0.01 }, 20).expect("warm-up");
        let c0 = cpu_seconds();
        let t = Instant::now();
        d.evolve(&mut s, Integrator::Splitting { dt: 0.01 }, steps).expect("evolve");
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c0;
        let n = model.lattice.n_sites();
        println!(
            "{{\"lattice\": \"{lattice}\", \"isa\": \"{}\", \"threads\": {threads}, \"steps\": {steps}, \"spins\": {n}, \"seconds\": {secs:.4}, \"cpu_seconds\": {cpu:.3}, \"updates_per_second\": {:.4e}, \"updates_per_cpu_second\": {:.4e}}}",
            d.isa(),
            (n * steps) as f64 / secs,
            (n * steps) as f64 / cpu
        );
    });
}
