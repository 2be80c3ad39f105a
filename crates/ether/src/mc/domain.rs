//! The "domain" layer of the gauge engine: which block of the lattice a process owns, how its
//! links are stored, how the halo copies of its neighbours' boundary links are refreshed, and how
//! sums over the lattice are reduced.
//!
//! ## Storage (the layout every update kernel sees)
//!
//! A process owns a block of `l_0 × … × l_{D−1}` sites starting at global coordinates `o`. It
//! stores the block with a halo of one site on every side, `P_a = l_a + 2` sites per axis (axis 0
//! rounded up to an even length), in lexicographic order with axis 0 fastest: padded coordinates
//! `c_a ∈ 0..P_a` (owned: `1..=l_a`), padded index `x = Σ_a c_a s_a`. The links of direction μ are
//! split by the *global* parity of their site into two arrays, and a site's position in its
//! parity's array is `x >> 1`: the two sites `2k` and `2k + 1` of a row are neighbours along axis
//! 0, so exactly one of them is even, and the map is a bijection onto `0..Π P_a / 2`. The
//! neighbour `x ± s_a` of any site is at `(x ± s_a) >> 1` in the other parity's array: no
//! neighbour tables, no periodic wrap in the kernels.
//!
//! The checkerboard update changes the links of one (direction, parity) class at a time; they share
//! no plaquette, so a class is updated in place, in parallel. Afterwards [`Domain::exchange`]
//! refreshes the halo copies of that class. With one process ([`SingleProcess`]) the halo is the
//! periodic image of the block's own opposite face; a split over processes (MPI) sends the
//! boundary faces to the neighbouring ranks instead. Nothing else in the engine changes.
//!
//! ## Sums
//!
//! Sums over the lattice are accumulated as integers ([`ExactSum`]: fixed point with 64
//! fractional bits in an `i128`), so they are associative: any split over threads or processes,
//! in any order, gives the same bits.

use crate::error::{Error, Result};
use crate::lattice::{Lattice, MAX_DIM};
use num_complex::Complex64;
use std::fmt::Debug;

/// The owned block of one process and its padded storage geometry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    global: Lattice,
    dim: usize,
    origin: [usize; MAX_DIM],
    owned: [usize; MAX_DIM],
    padded: [usize; MAX_DIM],
    stride: [usize; MAX_DIM],
    n_padded: usize,
}

impl Block {
    /// The whole lattice as one block (one process).
    pub fn whole(global: &Lattice) -> Result<Self> {
        Self::new(global, &vec![0; global.dim()], global.extents())
    }

    /// The block of `owned` sites per axis starting at global coordinates `origin`. The global
    /// extents must be even (global parity is then well defined across the periodic boundary).
    pub fn new(global: &Lattice, origin: &[usize], owned: &[usize]) -> Result<Self> {
        let d = global.dim();
        if origin.len() != d || owned.len() != d {
            return Err(Error::invalid(
                "block",
                format!("{origin:?} + {owned:?}"),
                "give one origin and extent per axis",
            ));
        }
        let mut b = Block {
            global: global.clone(),
            dim: d,
            origin: [0; MAX_DIM],
            owned: [1; MAX_DIM],
            padded: [1; MAX_DIM],
            stride: [0; MAX_DIM],
            n_padded: 1,
        };
        for a in 0..d {
            let (o, l, big) = (origin[a], owned[a], global.extents()[a]);
            if l == 0 || o + l > big || big % 2 == 1 {
                return Err(Error::invalid(
                    "block",
                    format!("axis {a}: origin {o}, {l} sites of {big}"),
                    "a block lies inside the lattice, owns at least one site per axis, and the lattice extents are even",
                ));
            }
            b.origin[a] = o;
            b.owned[a] = l;
            b.padded[a] = if a == 0 { (l + 2).div_ceil(2) * 2 } else { l + 2 };
        }
        let mut n: usize = 1;
        for a in 0..d {
            b.stride[a] = n;
            n = n
                .checked_mul(b.padded[a])
                .ok_or_else(|| Error::invalid("lattice", global.to_string(), "the lattice is too large to index"))?;
        }
        b.n_padded = n;
        Ok(b)
    }

    /// Padded sites of a block of `owned` extents (for memory estimates before allocating).
    pub fn padded_sites(owned: &[usize]) -> u128 {
        owned
            .iter()
            .enumerate()
            .map(|(a, &l)| if a == 0 { (l as u128 + 2).div_ceil(2) * 2 } else { l as u128 + 2 })
            .product()
    }

    /// The global lattice.
    pub fn global(&self) -> &Lattice {
        &self.global
    }
    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Global coordinates of the first owned site.
    pub fn origin(&self) -> &[usize] {
        &self.origin[..self.dim]
    }
    /// Owned sites per axis.
    pub fn owned(&self) -> &[usize] {
        &self.owned[..self.dim]
    }
    /// Stored (padded) sites per axis.
    pub fn padded(&self) -> &[usize] {
        &self.padded[..self.dim]
    }
    /// Strides of the padded index.
    pub fn strides(&self) -> &[usize] {
        &self.stride[..self.dim]
    }
    /// Number of stored sites.
    pub fn n_padded(&self) -> usize {
        self.n_padded
    }
    /// Entries of one parity array: `n_padded / 2`.
    pub fn half(&self) -> usize {
        self.n_padded / 2
    }
    /// Number of owned sites.
    pub fn n_owned(&self) -> usize {
        self.owned().iter().product()
    }
    /// Number of padded rows (lines along axis 0).
    pub fn n_rows(&self) -> usize {
        self.n_padded / self.padded[0]
    }
    /// Padded coordinates of padded index `x`.
    pub fn coords(&self, x: usize) -> [usize; MAX_DIM] {
        let mut c = [0; MAX_DIM];
        let mut r = x;
        for a in 0..self.dim {
            c[a] = r % self.padded[a];
            r /= self.padded[a];
        }
        c
    }
    /// Padded index of padded coordinates.
    pub fn index(&self, c: &[usize]) -> usize {
        (0..self.dim).map(|a| c[a] * self.stride[a]).sum()
    }
    /// Global coordinate along axis `a` of padded coordinate `c` (periodic).
    #[inline]
    pub fn global_coord(&self, a: usize, c: usize) -> usize {
        let big = self.global.extents()[a];
        (self.origin[a] + big + c - 1) % big
    }
    /// The global site index of padded coordinates `c`.
    pub fn global_site(&self, c: &[usize]) -> usize {
        let s = self.global.strides();
        (0..self.dim).map(|a| self.global_coord(a, c[a]) * s[a]).sum()
    }
    /// Global parity (0 even, 1 odd) of padded coordinates `c`.
    pub fn parity(&self, c: &[usize]) -> usize {
        (0..self.dim).map(|a| self.global_coord(a, c[a])).sum::<usize>() % 2
    }
    /// True if padded coordinate `c` of axis `a` is owned.
    #[inline]
    pub fn is_owned_coord(&self, a: usize, c: usize) -> bool {
        c >= 1 && c <= self.owned[a]
    }
    /// True if every coordinate of padded row `row` (axes 1..D) is owned.
    pub fn row_is_owned(&self, row: usize) -> bool {
        let mut r = row;
        for a in 1..self.dim {
            if !self.is_owned_coord(a, r % self.padded[a]) {
                return false;
            }
            r /= self.padded[a];
        }
        true
    }
    /// The (padded index, parity) of the owned site with global index `site`, if owned.
    pub fn locate(&self, site: usize) -> Option<(usize, usize)> {
        let g = self.global.coords(site);
        let mut c = [0; MAX_DIM];
        for a in 0..self.dim {
            let big = self.global.extents()[a];
            let rel = (g[a] + big - self.origin[a]) % big;
            if rel >= self.owned[a] {
                return None;
            }
            c[a] = rel + 1;
        }
        Some((self.index(&c), self.parity(&c)))
    }
}

/// How the engine talks to the rest of the lattice: the owned block, halo refreshes and sums.
///
/// Implementations: [`SingleProcess`] (the whole lattice in one process; the halo is the block's
/// own periodic image). A split over processes implements the same three calls with messages.
pub trait Domain: Send + Sync + Debug {
    /// The owned block.
    fn block(&self) -> &Block;
    /// Refresh the halo entries of one parity array of one link direction from the owned links
    /// they copy (after the owned links of that class changed).
    fn exchange(&self, parity: usize, links: &mut [Complex64]) -> Result<()>;
    /// Sum partial sums over all processes (exact: the order does not matter).
    fn sum(&self, local: ExactSum) -> Result<ExactSum>;
    /// Number of processes sharing the lattice.
    fn processes(&self) -> usize {
        1
    }
}

/// The whole lattice in one process.
#[derive(Clone, Debug)]
pub struct SingleProcess {
    block: Block,
    /// Per parity: (halo entry, owned entry it copies), for every halo site that a plaquette of
    /// an owned link can touch (at most two coordinates outside the block).
    copies: [Vec<(u32, u32)>; 2],
}

impl SingleProcess {
    /// The one-process domain of `lattice`.
    pub fn new(lattice: &Lattice) -> Result<Self> {
        let block = Block::whole(lattice)?;
        if block.n_padded() > u32::MAX as usize {
            return Err(Error::invalid("lattice", lattice.to_string(), "at most 2^32 stored sites per process"));
        }
        let mut copies = [Vec::new(), Vec::new()];
        let d = block.dim();
        for x in 0..block.n_padded() {
            let c = block.coords(x);
            let outside = (0..d).filter(|&a| !block.is_owned_coord(a, c[a])).count();
            // never touched: fully owned sites, sites two or more away on some axis (the axis-0
            // padding), and corners with three or more outside coordinates
            if outside == 0 || outside > 2 || (0..d).any(|a| c[a] > block.owned()[a] + 1) {
                continue;
            }
            let mut src = [0; MAX_DIM];
            for a in 0..d {
                let l = block.owned()[a];
                src[a] = if c[a] == 0 {
                    l
                } else if c[a] == l + 1 {
                    1
                } else {
                    c[a]
                };
            }
            let p = block.parity(&c);
            debug_assert_eq!(p, block.parity(&src));
            copies[p].push(((x >> 1) as u32, (block.index(&src) >> 1) as u32));
        }
        Ok(SingleProcess { block, copies })
    }

    /// Bytes of the halo tables for a lattice (for estimates before allocating).
    pub fn table_bytes(lattice: &Lattice) -> u64 {
        let owned: u128 = lattice.extents().iter().map(|&e| e as u128).product();
        let halo = Block::padded_sites(lattice.extents()).saturating_sub(owned);
        crate::mc::saturating_u64(halo.saturating_mul(8))
    }
}

impl Domain for SingleProcess {
    fn block(&self) -> &Block {
        &self.block
    }
    fn exchange(&self, parity: usize, links: &mut [Complex64]) -> Result<()> {
        for &(dst, src) in &self.copies[parity] {
            links[dst as usize] = links[src as usize];
        }
        Ok(())
    }
    fn sum(&self, local: ExactSum) -> Result<ExactSum> {
        Ok(local)
    }
}

/// An exact, order-independent sum of doubles: each term is rounded to a multiple of 2⁻⁶⁴ and
/// added as an integer (`i128`), so `a + b + c` and `c + a + b` (or any split of the terms over
/// threads and processes) give the same bits. Terms must satisfy `|x| < 2⁶²` and the total
/// `|Σ x| < 2⁶³`; the rounding error per term is at most 2⁻⁶⁵ (5e-20), far below the rounding of
/// an ordinary double sum of many terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExactSum(i128);

const FIXED: f64 = 18_446_744_073_709_551_616.0; // 2^64

impl ExactSum {
    /// Add one term.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.0 += (x * FIXED).round() as i128;
    }
    /// Add another partial sum.
    pub fn merge(&mut self, other: ExactSum) {
        self.0 += other.0;
    }
    /// The sum as a double (correctly rounded from the fixed-point total).
    pub fn value(&self) -> f64 {
        self.0 as f64 / FIXED
    }
    /// The fixed-point total, for checkpoints and messages.
    pub fn raw(&self) -> i128 {
        self.0
    }
    /// From a fixed-point total.
    pub fn from_raw(raw: i128) -> Self {
        ExactSum(raw)
    }
}

impl std::iter::Sum<f64> for ExactSum {
    fn sum<I: Iterator<Item = f64>>(iter: I) -> Self {
        let mut s = ExactSum::default();
        for x in iter {
            s.add(x);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_arrays_are_a_bijection_and_neighbours_flip_parity() {
        for ext in ["4x4", "6x2x4", "4x4x4x2"] {
            let lat = Lattice::parse(ext).unwrap();
            let b = Block::whole(&lat).unwrap();
            let mut seen = vec![[false; 2]; b.half()];
            for x in 0..b.n_padded() {
                let c = b.coords(x);
                assert_eq!(b.index(&c), x);
                let p = b.parity(&c);
                assert!(!seen[x >> 1][p], "{ext}: {x}");
                seen[x >> 1][p] = true;
                for a in 0..b.dim() {
                    if c[a] + 1 < b.padded()[a] {
                        let mut n = c;
                        n[a] += 1;
                        assert_eq!(b.parity(&n), 1 - p);
                        assert_eq!(b.index(&n), x + b.strides()[a]);
                    }
                }
            }
            assert!(seen.iter().all(|s| s[0] && s[1]));
            // every owned site is located back from its global index
            for site in 0..lat.n_sites() {
                let (x, p) = b.locate(site).unwrap();
                assert_eq!(b.global_site(&b.coords(x)), site);
                assert_eq!(p, usize::from(lat.parity(site) == -1));
            }
        }
    }

    /// A sub-block with an odd owned extent along axis 0 (a block one site thick, as a split over
    /// processes can make) still gets an even padded row and a consistent parity bijection.
    #[test]
    fn thin_blocks_keep_the_bijection() {
        let lat = Lattice::parse("4x4x4").unwrap();
        let b = Block::new(&lat, &[3, 0, 2], &[1, 4, 1]).unwrap();
        assert_eq!(b.padded(), &[4, 6, 3]);
        let mut seen = vec![[false; 2]; b.half()];
        for x in 0..b.n_padded() {
            let p = b.parity(&b.coords(x));
            assert!(!seen[x >> 1][p]);
            seen[x >> 1][p] = true;
        }
        assert!(Block::new(&lat, &[3, 0, 0], &[2, 4, 4]).is_err());
    }

    /// The one-process halo holds the periodic image of every owned link a kernel can read.
    #[test]
    fn single_process_halo_is_the_periodic_image() {
        let lat = Lattice::parse("4x6x4").unwrap();
        let d = SingleProcess::new(&lat).unwrap();
        let b = d.block().clone();
        for p in 0..2 {
            let mut links = vec![Complex64::new(f64::NAN, 0.0); b.half()];
            for x in 0..b.n_padded() {
                let c = b.coords(x);
                if b.parity(&c) == p && (0..3).all(|a| b.is_owned_coord(a, c[a])) {
                    links[x >> 1] = Complex64::new(b.global_site(&c) as f64, 0.0);
                }
            }
            d.exchange(p, &mut links).unwrap();
            for x in 0..b.n_padded() {
                let c = b.coords(x);
                let outside = (0..3).filter(|&a| !b.is_owned_coord(a, c[a])).count();
                if b.parity(&c) == p && outside <= 2 && (0..3).all(|a| c[a] <= b.owned()[a] + 1) {
                    assert_eq!(links[x >> 1].re, b.global_site(&c) as f64, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn exact_sums_do_not_depend_on_the_order() {
        let xs: Vec<f64> = (0..10_000).map(|i| ((i as f64) * 0.7311).sin() * 10f64.powi(i % 7 - 3)).collect();
        let a: ExactSum = xs.iter().copied().sum();
        let b: ExactSum = xs.iter().rev().copied().sum();
        let mut c: ExactSum = xs[..3333].iter().copied().sum();
        c.merge(xs[3333..].iter().copied().sum());
        assert_eq!(a, b);
        assert_eq!(a, c);
        // and agree with a compensated double sum to the rounding of the terms
        let mut naive = 0.0f64;
        let mut comp = 0.0f64;
        for &x in &xs {
            let y = x - comp;
            let t = naive + y;
            comp = (t - naive) - y;
            naive = t;
        }
        let scale: f64 = xs.iter().map(|x| x.abs()).sum();
        assert!((a.value() - naive).abs() < 1e-14 * scale, "{} vs {naive}", a.value());
        assert_eq!(ExactSum::from_raw(a.raw()), a);
    }
}
