//! STREAM-style triad a[i] = b[i] + s c[i] over arrays far larger than the caches: the machine's
//! sustainable memory bandwidth, the yardstick for memory-bound kernels. Counts 24 bytes per
//! element (two reads, one write), as STREAM does. Usage: `stream_triad THREADS`.

use rayon::prelude::*;
use std::time::Instant;

fn main() {
    let threads: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let n = 1usize << 25; // 3 arrays of 256 MiB
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    pool.install(|| {
        let chunk = 1 << 16;
        let mut a = vec![0.0f64; n];
        let b: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let c: Vec<f64> = (0..n).map(|i| 0.5 * i as f64).collect();
        let mut best = f64::INFINITY;
        for rep in 0..6 {
            let s = 1.0 + rep as f64;
            let t = Instant::now();
            a.par_chunks_mut(chunk).zip(b.par_chunks(chunk)).zip(c.par_chunks(chunk)).for_each(|((a, b), c)| {
                for i in 0..a.len() {
                    a[i] = b[i] + s * c[i];
                }
            });
            best = best.min(t.elapsed().as_secs_f64());
        }
        assert!(a[7] > 0.0);
        let gbs = 24.0 * n as f64 / best / 1e9;
        println!("{{\"threads\": {threads}, \"triad_gb_per_s\": {gbs:.2}}}");
    });
}
