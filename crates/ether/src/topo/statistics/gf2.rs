//! Linear algebra over GF(2) on bit vectors: spans (is a parity set a product of stars?) and
//! solving `A x = y` (a Z₂ gauge field with prescribed fluxes).

/// A bit vector of fixed length.
pub type Bits = Vec<u64>;

/// An all-zero bit vector of `n` bits.
pub fn zeros(n: usize) -> Bits {
    vec![0; n.div_ceil(64).max(1)]
}

/// A bit vector with the given bits set (repeats cancel).
pub fn from_indices(n: usize, idx: &[usize]) -> Bits {
    let mut b = zeros(n);
    for &i in idx {
        b[i / 64] ^= 1 << (i % 64);
    }
    b
}

fn get(b: &Bits, i: usize) -> bool {
    (b[i / 64] >> (i % 64)) & 1 == 1
}

fn xor_into(a: &mut Bits, b: &Bits) {
    for (x, y) in a.iter_mut().zip(b) {
        *x ^= *y;
    }
}

fn first_one(b: &Bits) -> Option<usize> {
    b.iter().enumerate().find(|(_, w)| **w != 0).map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
}

/// A reduced basis of a subspace, remembering which input rows each basis row combines.
#[derive(Clone, Debug)]
pub struct Span {
    n_rows: usize,
    basis: Vec<(usize, Bits, Bits)>,
}

impl Span {
    /// The span of `rows` (each a bit vector of the same length).
    pub fn new(rows: &[Bits]) -> Self {
        let n_rows = rows.len();
        let mut s = Span { n_rows, basis: Vec::new() };
        for (i, r) in rows.iter().enumerate() {
            let mut v = r.clone();
            let mut combo = from_indices(n_rows, &[i]);
            for (p, b, c) in &s.basis {
                if get(&v, *p) {
                    xor_into(&mut v, b);
                    xor_into(&mut combo, c);
                }
            }
            if let Some(p) = first_one(&v) {
                // keep the basis fully reduced at pivot p
                for (_, b, c) in s.basis.iter_mut() {
                    if get(b, p) {
                        xor_into(b, &v);
                        xor_into(c, &combo);
                    }
                }
                s.basis.push((p, v, combo));
            }
        }
        s
    }

    /// Rank of the span.
    pub fn rank(&self) -> usize {
        self.basis.len()
    }

    /// If `v` is in the span, the input rows whose sum is `v`; otherwise `None`.
    pub fn solve(&self, v: &Bits) -> Option<Vec<usize>> {
        let mut r = v.clone();
        let mut combo = zeros(self.n_rows);
        for (p, b, c) in &self.basis {
            if get(&r, *p) {
                xor_into(&mut r, b);
                xor_into(&mut combo, c);
            }
        }
        if first_one(&r).is_some() {
            return None;
        }
        Some((0..self.n_rows).filter(|&i| get(&combo, i)).collect())
    }
}

/// Solve `Σ_{j ∈ eq_i} x_j = y_i (mod 2)` for `x ∈ GF(2)^{n_vars}`; `None` if inconsistent.
pub fn solve_system(n_vars: usize, equations: &[Vec<usize>], rhs: &[bool]) -> Option<Vec<bool>> {
    // Gaussian elimination on augmented rows (variable bits, then the right-hand side bit).
    let mut rows: Vec<Bits> = equations
        .iter()
        .zip(rhs)
        .map(|(e, &y)| {
            let mut r = from_indices(n_vars + 1, e);
            if y {
                r[n_vars / 64] ^= 1 << (n_vars % 64);
            }
            r
        })
        .collect();
    let mut pivots: Vec<(usize, usize)> = Vec::new();
    let mut row = 0;
    for col in 0..n_vars {
        let Some(k) = (row..rows.len()).find(|&k| get(&rows[k], col)) else { continue };
        rows.swap(row, k);
        let pr = rows[row].clone();
        for (k, r) in rows.iter_mut().enumerate() {
            if k != row && get(r, col) {
                xor_into(r, &pr);
            }
        }
        pivots.push((row, col));
        row += 1;
    }
    // inconsistent: a zero row with rhs 1
    for r in &rows[row..] {
        if get(r, n_vars) {
            return None;
        }
    }
    let mut x = vec![false; n_vars];
    for (r, c) in pivots {
        x[c] = get(&rows[r], n_vars);
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_and_solve() {
        let rows = vec![from_indices(5, &[0, 1]), from_indices(5, &[1, 2]), from_indices(5, &[0, 2])];
        let s = Span::new(&rows);
        assert_eq!(s.rank(), 2);
        let c = s.solve(&from_indices(5, &[0, 2])).unwrap();
        let mut acc = zeros(5);
        for i in c {
            xor_into(&mut acc, &rows[i]);
        }
        assert_eq!(acc, from_indices(5, &[0, 2]));
        assert!(s.solve(&from_indices(5, &[3])).is_none());
        let x = solve_system(3, &[vec![0, 1], vec![1, 2]], &[true, false]).unwrap();
        assert!(x[0] ^ x[1] && !(x[1] ^ x[2]));
        assert!(solve_system(2, &[vec![0, 1], vec![0, 1]], &[true, false]).is_none());
    }
}
