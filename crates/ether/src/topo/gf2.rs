//! Linear algebra over GF(2), one engine for everything in [`crate::topo`]: ranks of stabilizer
//! generators restricted to a region (entanglement), membership of a parity set in the span of
//! the stars (statistics), solving `A x = b` (a Z₂ gauge field with prescribed fluxes) and null
//! spaces (the sectors of the toric code in a field).
//!
//! A [`BitMatrix`] stores each row only over the window of 64-bit words it occupies.
//! [`BitMatrix::rank`] and [`BitMatrix::echelon`] eliminate with a heap ordered by each row's
//! lowest set column: the row with the smallest leading column becomes a pivot and is XORed into
//! every other row with the same leading column. For local generators in lattice order each XOR
//! touches a few words and the fill-in stays in a band, so the rank of the 32 768 checks of a
//! 128x128 toric code is a matter of milliseconds while the matrix never exists densely. The
//! pivots, kept in order of their leading column, form an echelon basis of the row space
//! ([`Echelon`]): reduction against it decides membership, back substitution solves systems and
//! gives a null-space basis. [`BitMatrix::rank_dense_oracle`] is the slow, obviously correct
//! oracle the tests compare with.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A binary matrix whose rows are stored over the window of words they occupy.
#[derive(Clone, Debug, Default)]
pub struct BitMatrix {
    cols: usize,
    rows: Vec<Row>,
}

/// One row: the words `lo .. lo + bits.len()` of a bit vector (zero outside).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// Index of the first stored word.
    lo: usize,
    /// The stored words.
    bits: Vec<u64>,
}

impl Row {
    /// A row with the given columns set (a column listed twice cancels).
    pub fn from_columns(cols: &[usize]) -> Row {
        if cols.is_empty() {
            return Row::default();
        }
        let lo = cols.iter().min().copied().unwrap_or(0) / 64;
        let hi = cols.iter().max().copied().unwrap_or(0) / 64 + 1;
        let mut bits = vec![0u64; hi - lo];
        for &c in cols {
            bits[c / 64 - lo] ^= 1u64 << (c % 64);
        }
        Row { lo, bits }
    }

    /// Whether column `c` is set.
    pub fn get(&self, c: usize) -> bool {
        let w = c / 64;
        w >= self.lo && w < self.end() && (self.bits[w - self.lo] >> (c % 64)) & 1 == 1
    }

    /// The set columns, ascending.
    pub fn columns(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for (k, &w) in self.bits.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                out.push((self.lo + k) * 64 + w.trailing_zeros() as usize);
                w &= w - 1;
            }
        }
        out
    }

    /// True if no column is set.
    pub fn is_zero(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// Lowest set column at or after word `from`, if any.
    fn lead(&self, from: usize) -> Option<usize> {
        let start = from.max(self.lo) - self.lo;
        for (k, &w) in self.bits.iter().enumerate().skip(start) {
            if w != 0 {
                return Some((self.lo + k) * 64 + w.trailing_zeros() as usize);
            }
        }
        None
    }

    fn end(&self) -> usize {
        self.lo + self.bits.len()
    }

    /// `self ^= pivot` over the pivot's words from `from` on (both are zero below `from`).
    /// Both rows have their lowest set bit at or after word `from`, and `self` has one in word
    /// `from` itself (it shares the pivot's leading column), so its window starts there or earlier.
    fn xor_from(&mut self, pivot: &Row, from: usize) {
        debug_assert!(self.lo <= from);
        let end = pivot.end();
        if end > self.end() {
            self.bits.resize(end - self.lo, 0);
        }
        for w in from.max(pivot.lo)..end {
            self.bits[w - self.lo] ^= pivot.bits[w - pivot.lo];
        }
    }
}

/// The heap elimination shared by [`BitMatrix::rank`] and [`BitMatrix::echelon`]: every pivot
/// row is handed to `on_pivot` with its leading column, in increasing order of it.
fn eliminate(mut rows: Vec<Row>, mut on_pivot: impl FnMut(usize, Row)) -> usize {
    let mut heap: BinaryHeap<Reverse<(usize, usize)>> = BinaryHeap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = r.lead(0) {
            heap.push(Reverse((c, i)));
        }
    }
    let mut rank = 0;
    let mut same: Vec<usize> = Vec::new();
    while let Some(Reverse((c, p))) = heap.pop() {
        rank += 1;
        same.clear();
        while let Some(&Reverse((c2, j))) = heap.peek() {
            if c2 != c {
                break;
            }
            heap.pop();
            same.push(j);
        }
        let pivot = std::mem::take(&mut rows[p]);
        let w0 = c / 64;
        for &j in &same {
            rows[j].xor_from(&pivot, w0);
            if let Some(c3) = rows[j].lead(w0) {
                debug_assert!(c3 > c);
                heap.push(Reverse((c3, j)));
            }
        }
        on_pivot(c, pivot);
    }
    rank
}

impl BitMatrix {
    /// An empty matrix with `cols` columns.
    pub fn new(cols: usize) -> Self {
        BitMatrix { cols, rows: Vec::new() }
    }

    /// Append a row given by the columns of its set bits (a column listed twice cancels).
    pub fn push_columns(&mut self, cols: &[usize]) {
        debug_assert!(cols.iter().all(|&c| c < self.cols));
        self.rows.push(Row::from_columns(cols));
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.cols
    }

    /// Rank over GF(2), by elimination in order of leading column (consumes the matrix).
    pub fn rank(self) -> usize {
        eliminate(self.rows, |_, _| {})
    }

    /// An echelon basis of the row space (consumes the matrix).
    pub fn echelon(self) -> Echelon {
        let mut pivots = Vec::new();
        eliminate(self.rows, |c, r| pivots.push((c, r)));
        Echelon { cols: self.cols, pivots }
    }

    /// Rank by plain dense Gaussian elimination on `Vec<bool>` rows: the slow, obviously
    /// correct oracle for [`BitMatrix::rank`].
    pub fn rank_dense_oracle(&self) -> usize {
        let mut m: Vec<Vec<bool>> = self.rows.iter().map(|r| (0..self.cols).map(|c| r.get(c)).collect()).collect();
        let mut rank = 0;
        for c in 0..self.cols {
            let Some(p) = (rank..m.len()).find(|&i| m[i][c]) else { continue };
            m.swap(rank, p);
            for i in 0..m.len() {
                if i != rank && m[i][c] {
                    let pivot = m[rank].clone();
                    for (a, b) in m[i].iter_mut().zip(pivot) {
                        *a ^= b;
                    }
                }
            }
            rank += 1;
        }
        rank
    }
}

/// An echelon basis of a row space: rows with distinct leading columns, ascending.
#[derive(Clone, Debug)]
pub struct Echelon {
    cols: usize,
    pivots: Vec<(usize, Row)>,
}

impl Echelon {
    /// The rank (number of pivots).
    pub fn rank(&self) -> usize {
        self.pivots.len()
    }

    /// The leading columns of the pivots, ascending.
    pub fn leads(&self) -> Vec<usize> {
        self.pivots.iter().map(|p| p.0).collect()
    }

    /// The remainder of a row after reduction against the basis (zero iff it is in the span).
    pub fn reduce(&self, cols: &[usize]) -> Row {
        let mut v = Row::from_columns(cols);
        for (c, p) in &self.pivots {
            if v.get(*c) {
                v.xor_from(p, c / 64);
            }
        }
        v
    }

    /// Whether the row with these columns set lies in the row space.
    pub fn contains(&self, cols: &[usize]) -> bool {
        self.reduce(cols).is_zero()
    }

    /// Back substitution over the first `n_vars` columns: the values of the pivot variables
    /// given the free ones in `x` and a right-hand side bit per pivot (`rhs(row)`).
    fn back_substitute(&self, n_vars: usize, x: &mut [bool], rhs: impl Fn(&Row) -> bool) {
        for (c, row) in self.pivots.iter().rev() {
            let mut v = rhs(row);
            for j in row.columns() {
                if j > *c && j < n_vars {
                    v ^= x[j];
                }
            }
            x[*c] = v;
        }
    }

    /// A basis of the null space `{x : row · x = 0 for every row}` over all columns: one vector
    /// per free (non-leading) column, with that column 1 and the other free columns 0.
    pub fn nullspace(&self) -> Vec<Vec<bool>> {
        let n = self.cols;
        let mut is_lead = vec![false; n];
        for (c, _) in &self.pivots {
            is_lead[*c] = true;
        }
        (0..n)
            .filter(|&f| !is_lead[f])
            .map(|f| {
                let mut x = vec![false; n];
                x[f] = true;
                self.back_substitute(n, &mut x, |_| false);
                x
            })
            .collect()
    }
}

/// Solve `Σ_{j ∈ eq_i} x_j = y_i (mod 2)` for `x ∈ GF(2)^{n_vars}`; `None` if inconsistent.
/// The solution returned has every free variable 0 (it is the unique such solution).
pub fn solve(n_vars: usize, equations: &[Vec<usize>], rhs: &[bool]) -> Option<Vec<bool>> {
    let mut m = BitMatrix::new(n_vars + 1);
    for (e, &y) in equations.iter().zip(rhs) {
        let mut cols = e.clone();
        if y {
            cols.push(n_vars);
        }
        m.push_columns(&cols);
    }
    let ech = m.echelon();
    if ech.pivots.iter().any(|(c, _)| *c == n_vars) {
        return None;
    }
    let mut x = vec![false; n_vars];
    ech.back_substitute(n_vars, &mut x, |row| row.get(n_vars));
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn random_matrix(rng: &mut Xoshiro256PlusPlus, trial: usize) -> BitMatrix {
        let cols = rng.random_range(1..300);
        let nrows = rng.random_range(0..120);
        let mut m = BitMatrix::new(cols);
        for _ in 0..nrows {
            let k = rng.random_range(0..6);
            let centre = rng.random_range(0..cols);
            let width = if trial % 3 == 0 { cols } else { 20.min(cols) };
            let c: Vec<usize> = (0..k).map(|_| (centre + rng.random_range(0..width)) % cols).collect();
            m.push_columns(&c);
        }
        if nrows > 3 {
            let r0 = m.rows[0].clone();
            m.rows.push(r0);
        }
        m
    }

    #[test]
    fn windowed_heap_rank_matches_dense_oracle_on_random_sparse_matrices() {
        // Oracle: plain Gauss-Jordan on bool rows. Random banded and random wide rows,
        // including repeated and zero rows, so every branch of the heap elimination runs.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for trial in 0..60 {
            let m = random_matrix(&mut rng, trial);
            let want = m.rank_dense_oracle();
            assert_eq!(m.clone().echelon().rank(), want, "trial {trial}");
            assert_eq!(m.rank(), want, "trial {trial}");
        }
    }

    /// Membership, null spaces and solutions against brute force over every vector of a
    /// small space (the oracle enumerates all 2^n candidates).
    #[test]
    fn echelon_membership_nullspace_and_solve_match_brute_force() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for trial in 0..40 {
            let n = rng.random_range(1..11);
            let nrows = rng.random_range(0..9);
            let rows: Vec<Vec<usize>> =
                (0..nrows).map(|_| (0..rng.random_range(0..4)).map(|_| rng.random_range(0..n)).collect()).collect();
            let mut m = BitMatrix::new(n);
            for r in &rows {
                m.push_columns(r);
            }
            let ech = m.echelon();
            let as_mask = |cols: &[usize]| cols.iter().fold(0u32, |a, &c| a ^ (1 << c));
            let row_masks: Vec<u32> = rows.iter().map(|r| as_mask(r)).collect();
            // The span, by brute force over subsets of rows.
            let mut span = std::collections::HashSet::new();
            for s in 0u32..(1 << nrows) {
                span.insert((0..nrows).filter(|&i| s >> i & 1 == 1).fold(0u32, |a, i| a ^ row_masks[i]));
            }
            assert_eq!(1usize << ech.rank(), span.len(), "trial {trial}");
            for v in 0u32..(1 << n) {
                let cols: Vec<usize> = (0..n).filter(|&c| v >> c & 1 == 1).collect();
                assert_eq!(ech.contains(&cols), span.contains(&v), "trial {trial} v {v:b}");
            }
            // Null space: every basis vector is orthogonal to every row, and the basis spans
            // all 2^(n - rank) solutions of the homogeneous system.
            let ns = ech.nullspace();
            assert_eq!(ns.len(), n - ech.rank());
            let ns_masks: Vec<u32> =
                ns.iter().map(|x| (0..n).filter(|&c| x[c]).fold(0u32, |a, c| a ^ (1 << c))).collect();
            let homogeneous = (0u32..(1 << n)).filter(|&x| row_masks.iter().all(|&r| (r & x).count_ones() % 2 == 0));
            let mut nspan = std::collections::HashSet::new();
            for s in 0u32..(1 << ns.len()) {
                nspan.insert((0..ns.len()).filter(|&i| s >> i & 1 == 1).fold(0u32, |a, i| a ^ ns_masks[i]));
            }
            assert_eq!(homogeneous.collect::<std::collections::HashSet<_>>(), nspan, "trial {trial}");
            // A right-hand side: solvable iff brute force finds a solution; the solution solves it.
            let rhs: Vec<bool> = (0..nrows).map(|_| rng.random::<bool>()).collect();
            let brute = (0u32..(1 << n))
                .any(|x| row_masks.iter().zip(&rhs).all(|(&r, &y)| ((r & x).count_ones() % 2 == 1) == y));
            match solve(n, &rows, &rhs) {
                Some(x) => {
                    let xm = (0..n).filter(|&c| x[c]).fold(0u32, |a, c| a ^ (1 << c));
                    assert!(row_masks.iter().zip(&rhs).all(|(&r, &y)| ((r & xm).count_ones() % 2 == 1) == y));
                    assert!(brute);
                }
                None => assert!(!brute, "trial {trial}: a solution exists"),
            }
        }
    }
}
