//! Link updates per second of the gauge engine (isotropic 4D Wilson action, one heat bath + three
//! overrelaxation passes per sweep), for the benchmark script `bench/mc_gauge.sh`.
//! Usage: `mc_sweep_rate LATTICE THREADS SWEEPS [BETA]` (defaults 8x8x8x8, 1, 100, 1.1).
//! Every heat-bath and every overrelaxation update of a link counts as one link update.
//! Prints one JSON line: {"lattice", "threads", "sweeps", "beta", "links", "seconds",
//! "cpu_seconds", "link_updates_per_second", "link_updates_per_cpu_second", "plaquette"}.

use ether::lattice::Lattice;
use ether::mc::action::GaugeAction;
use ether::mc::engine::{GaugeChain, Start, SweepPlan};
use std::time::Instant;

/// CPU time of this process (user + system, all threads) from /proc/self/stat, in seconds.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lattice = args.get(1).map(String::as_str).unwrap_or("8x8x8x8");
    let threads: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let sweeps: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    let beta: f64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1.1);
    let action = GaugeAction::wilson(Lattice::parse(lattice).expect("lattice"), beta).expect("action");
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    pool.install(|| {
        // the sweep of the peer: 1 heat bath + 3 overrelaxation passes, no flux-sector moves
        let plan = SweepPlan { flux: false, ..SweepPlan::default() };
        let mut chain = GaugeChain::new(action, Start::Hot, 1, plan).expect("chain");
        for _ in 0..3 {
            chain.sweep().expect("warm-up");
        }
        let c0 = cpu_seconds();
        let t = Instant::now();
        for _ in 0..sweeps {
            chain.sweep().expect("sweep");
        }
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c0;
        let updates = (chain.link_updates_per_sweep() * sweeps) as f64;
        println!(
            "{{\"lattice\": \"{lattice}\", \"threads\": {threads}, \"sweeps\": {sweeps}, \"beta\": {beta}, \"links\": {}, \"seconds\": {secs:.4}, \"cpu_seconds\": {cpu:.3}, \"link_updates_per_second\": {:.4e}, \"link_updates_per_cpu_second\": {:.4e}, \"plaquette\": {:.6}}}",
            chain.action().lattice().n_links(),
            updates / secs,
            updates / cpu.max(1e-9),
            chain.plaquette().expect("plaquette").all
        );
    });
}
