//! Deterministic random streams for parallel Monte Carlo.
//!
//! Two kinds, both independent of the thread count:
//! - [`stream`]: work is cut into fixed chunks and every chunk draws from its own
//!   `Xoshiro256PlusPlus` stream, seeded from `(seed, tags...)` through SplitMix64 (the spin and
//!   rotor thermal samplers).
//! - [`Philox`]: a counter-based generator (Philox4x32-10 of Salmon, Moraes, Dror and Shaw,
//!   "Parallel random numbers: as easy as 1, 2, 3", SC11 (2011)). Its output is a pure function
//!   of a key and a 128-bit counter, so the random numbers of a link update are a function of
//!   `(seed, sweep, stage, global link index)` alone: they belong to the link, not to a chunk,
//!   a thread or a process, and a chain's whole random state is its sweep counter. The gauge
//!   engine ([`crate::mc::engine`]) uses it, so that a later split of the lattice over processes
//!   draws the same numbers for every link.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 finalizer: a bijective 64-bit mix.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream for `(seed, tags...)` (e.g. tags = [sweep, sublattice, chunk]).
pub fn stream(seed: u64, tags: &[u64]) -> Xoshiro256PlusPlus {
    let mut h = splitmix64(seed);
    for &t in tags {
        h = splitmix64(h ^ splitmix64(t.wrapping_add(0x632B_E59B_D9B4_E019)));
    }
    Xoshiro256PlusPlus::seed_from_u64(h)
}

/// One Philox4x32-10 block: 10 rounds of the Philox S-box on a 4-word counter with a 2-word key
/// (Salmon et al., SC11; the constants of the reference implementation Random123).
pub fn philox4x32_10(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    const M0: u64 = 0xD251_1F53;
    const M1: u64 = 0xCD9E_8D57;
    const W0: u32 = 0x9E37_79B9;
    const W1: u32 = 0xBB67_AE85;
    let (mut c, mut k) = (ctr, key);
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let p0 = M0 * u64::from(c[0]);
        let p1 = M1 * u64::from(c[2]);
        c = [((p1 >> 32) as u32) ^ c[1] ^ k[0], p1 as u32, ((p0 >> 32) as u32) ^ c[3] ^ k[1], p0 as u32];
    }
    c
}

/// The Philox key of one sweep of a chain: a SplitMix64 hash of `(seed, sweep)`.
#[inline]
pub fn sweep_key(seed: u64, sweep: u64) -> [u32; 2] {
    let h = splitmix64(splitmix64(seed) ^ splitmix64(sweep.wrapping_add(0xD1B5_4A32_D192_ED03)));
    [h as u32, (h >> 32) as u32]
}

/// The random numbers of one update: Philox4x32-10 blocks with the counter
/// `(item low, item high, stage, block)`, `block = 0, 1, 2, ...` as they are used.
///
/// `item` is what the numbers belong to (the global link index in the gauge engine) and `stage`
/// which use within a sweep (the heat-bath pass, an overrelaxation pass, a hot start). Each block
/// gives two uniform doubles with 53 random bits each ([`Philox::pair`]).
#[derive(Clone, Debug)]
pub struct Philox {
    key: [u32; 2],
    item: u64,
    stage: u32,
    block: u32,
}

impl Philox {
    /// The generator of `item` at `stage` under `key` (see [`sweep_key`]).
    #[inline]
    pub fn new(key: [u32; 2], item: u64, stage: u32) -> Self {
        Philox { key, item, stage, block: 0 }
    }

    /// The next block of four 32-bit words.
    #[inline]
    pub fn words(&mut self) -> [u32; 4] {
        let out = philox4x32_10([self.item as u32, (self.item >> 32) as u32, self.stage, self.block], self.key);
        self.block = self.block.wrapping_add(1);
        out
    }

    /// Two uniform doubles in [0, 1) from the next block (53 bits each: the top bits of
    /// `w0·2³² + w1` and of `w2·2³² + w3`), and one more random bit (the lowest bit of `w1`,
    /// which the first double does not use).
    #[inline]
    pub fn pair(&mut self) -> (f64, f64, bool) {
        let w = self.words();
        let a = ((u64::from(w[0]) << 32) | u64::from(w[1])) >> 11;
        let b = ((u64::from(w[2]) << 32) | u64::from(w[3])) >> 11;
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (a as f64 * SCALE, b as f64 * SCALE, w[1] & 1 == 1)
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Known-answer tests of Philox4x32-10: the three `philox4x32 10` lines of Random123's
    /// `kat_vectors` (counter, key, result), the reference implementation's published values.
    #[test]
    fn philox_matches_the_published_known_answers() {
        let kat: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            ([0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
            ([0xffff_ffff; 4], [0xffff_ffff; 2], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
            (
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0],
                [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
            ),
        ];
        for (ctr, key, want) in kat {
            assert_eq!(philox4x32_10(ctr, key), want, "counter {ctr:x?} key {key:x?}");
        }
    }

    /// Uniformity of the doubles and independence of neighbouring items: the mean of u is 1/2
    /// and the correlation of the first u of item i with that of item i + 1 is 0, each within 4
    /// standard errors of 10⁶ draws (1/sqrt(12 n) and 1/sqrt(n)); a chi-square over 64 bins stays
    /// below the 0.1% point of its 63 degrees of freedom (103.4).
    #[test]
    fn philox_doubles_are_uniform_and_items_uncorrelated() {
        let key = sweep_key(7, 3);
        let n = 1_000_000u64;
        let (mut sum, mut cross, mut bins) = (0.0, 0.0, [0u64; 64]);
        let mut prev = Philox::new(key, 0, 0).pair().0;
        for i in 1..=n {
            let (u, v, _) = Philox::new(key, i, 0).pair();
            assert!((0.0..1.0).contains(&u) && (0.0..1.0).contains(&v));
            sum += u;
            cross += (u - 0.5) * (prev - 0.5) * 12.0;
            bins[(u * 64.0) as usize] += 1;
            prev = u;
        }
        let nf = n as f64;
        assert!((sum / nf - 0.5).abs() < 4.0 / (12.0 * nf).sqrt(), "mean {}", sum / nf);
        assert!((cross / nf).abs() < 4.0 / nf.sqrt(), "correlation {}", cross / nf);
        let e = nf / 64.0;
        let chi2: f64 = bins.iter().map(|&b| (b as f64 - e).powi(2) / e).sum();
        assert!(chi2 < 103.4, "chi-square {chi2}");
        // keys of neighbouring sweeps and seeds differ
        assert_ne!(sweep_key(7, 3), sweep_key(7, 4));
        assert_ne!(sweep_key(7, 3), sweep_key(8, 3));
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: f64 = stream(1, &[2, 3]).random();
        let b: f64 = stream(1, &[2, 3]).random();
        let c: f64 = stream(1, &[3, 2]).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
