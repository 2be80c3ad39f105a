//! Speed of the rotor-model dynamics step (issue 3) against the machine's memory bandwidth.
//!
//! `cargo bench -p ether --bench rotor_step`. Reports link updates per second of one
//! Störmer-Verlet step on 64³ (786,432 links) with 1 and 2 threads, and a STREAM-style triad
//! `a = b + s c` on arrays far larger than the caches, with 1 and 2 threads, for the bandwidth
//! bound. docs/performance.md ("Photon (rotor) dynamics step") explains the bound. The step's GB/s is
//! the data the fused step must move (see the counter below) per second: its ratio to the
//! triad's GB/s is the fraction of the bandwidth bound reached.

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use ether::dynamics::rotor::{RotorDynamics, RotorState};
use ether::lattice::Lattice;
use ether::model::RotorModel;
use rayon::prelude::*;

fn main() {
    divan::main();
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

#[divan::bench(args = [1, 2], sample_count = 10, sample_size = 1)]
fn step_64_cubed(bencher: Bencher, threads: usize) {
    let lat = Lattice::parse("64x64x64").unwrap();
    let m = RotorModel::new_3d(lat.clone(), 10.0, 1.0, 0.1).unwrap();
    let n = lat.n_links();
    // A smooth non-trivial state (no random numbers needed for timing).
    let mut s = RotorState {
        theta: (0..n).map(|i| 0.3 * ((i as f64) * 0.618).sin()).collect(),
        l: (0..n).map(|i| 0.2 * ((i as f64) * 0.377).cos()).collect(),
    };
    let p = pool(threads);
    let mut d = p.install(|| RotorDynamics::new(&m, &s, 0.1).unwrap());
    // Bytes the fused step moves (STREAM's accounting, no write-allocate): θ, L and F read and
    // written once (48 B per link), the initial charges read (8 B per site), and each of the
    // `threads` slabs copies 10 halo planes of link values (4 of L, 4 of F, 2 of θ).
    let plane_links = 3 * 64 * 64;
    let bytes = 48 * n + 8 * lat.n_sites() + threads * 10 * plane_links * 8;
    bencher.counter(ItemsCount::new(n)).counter(BytesCount::new(bytes)).bench_local(|| p.install(|| d.step(&mut s)));
}

const TRIAD_N: usize = 1 << 23; // 8 Mi doubles = 64 MiB per array

#[divan::bench(args = [1, 2], sample_count = 10, sample_size = 1)]
fn stream_triad(bencher: Bencher, threads: usize) {
    let b = vec![1.0f64; TRIAD_N];
    let c = vec![2.0f64; TRIAD_N];
    let mut a = vec![0.0f64; TRIAD_N];
    let p = pool(threads);
    // STREAM counts 3 arrays × 8 bytes per element (read b, c; write a).
    bencher.counter(BytesCount::new(3 * 8 * TRIAD_N)).bench_local(|| {
        p.install(|| {
            a.par_chunks_mut(1 << 16).zip(b.par_chunks(1 << 16)).zip(c.par_chunks(1 << 16)).for_each(|((a, b), c)| {
                for i in 0..a.len() {
                    a[i] = b[i] + 3.0 * c[i];
                }
            })
        });
        divan::black_box(&a);
    });
}
