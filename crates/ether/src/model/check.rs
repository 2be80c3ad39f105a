//! The check every model in `model/` passes, whatever algorithm uses it later.
//!
//! A model states its Hamiltonian on a small instance as data, an [`OpSum`] (a sum of products of
//! local operators, the form physicists write: `−J Σ Z_i Z_j − h Σ X_i`), together with the
//! symmetries it declares and its Gauss-law (local conservation) generators ([`Checked`]).
//! [`check`] builds the dense matrices and measures
//!
//! - Hermiticity, `max |H − H†|`;
//! - every declared symmetry and every Gauss-law generator, `max |[H, S]|` (and that the operator
//!   is not a multiple of the identity, which would make the check vacuous);
//!
//! and the harness test (`crates/ether/tests/models.rs`) compares the smallest instance of each
//! model with a matrix written there by hand. Registering a model is one line in that test.
//!
//! Basis convention of the dense matrices: site `i` of an `OpSum` with local dimensions `d_i`
//! has stride `Π_{j<i} d_j` (site 0 fastest); for a qubit, local state 0 is σ^z = +1.

use crate::error::{Error, Result};
use crate::linalg::C64;

/// A local operator: a `d × d` matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalOp {
    /// Local dimension.
    pub d: usize,
    /// Entries, row-major.
    pub m: Vec<C64>,
}

fn c(x: f64) -> C64 {
    C64::new(x, 0.0)
}

impl LocalOp {
    /// A real `d × d` matrix from its rows.
    pub fn real(rows: &[&[f64]]) -> Self {
        let d = rows.len();
        LocalOp { d, m: rows.iter().flat_map(|r| r.iter().map(|&x| c(x))).collect() }
    }
    /// The identity on dimension `d`.
    pub fn identity(d: usize) -> Self {
        LocalOp { d, m: (0..d * d).map(|i| c(if i / d == i % d { 1.0 } else { 0.0 })).collect() }
    }
    /// σ^x.
    pub fn x() -> Self {
        Self::real(&[&[0.0, 1.0], &[1.0, 0.0]])
    }
    /// σ^y.
    pub fn y() -> Self {
        LocalOp { d: 2, m: vec![c(0.0), C64::new(0.0, -1.0), C64::new(0.0, 1.0), c(0.0)] }
    }
    /// σ^z (local state 0 has σ^z = +1).
    pub fn z() -> Self {
        Self::real(&[&[1.0, 0.0], &[0.0, -1.0]])
    }
    /// S^+ of a spin ½ (raises state 1, S^z = −½, to state 0, S^z = +½).
    pub fn s_plus() -> Self {
        Self::real(&[&[0.0, 1.0], &[0.0, 0.0]])
    }
    /// S^− of a spin ½.
    pub fn s_minus() -> Self {
        Self::real(&[&[0.0, 0.0], &[1.0, 0.0]])
    }
    /// S^z of a spin ½.
    pub fn s_z() -> Self {
        Self::real(&[&[0.5, 0.0], &[0.0, -0.5]])
    }
    /// The spin-S matrices `[S^x, S^y, S^z]` on dimension `2S + 1`, local state `k` having
    /// `S^z = S − k` (so for S = ½ they are the Pauli matrices over 2, state 0 up).
    pub fn spin(s: f64) -> [LocalOp; 3] {
        let d = (2.0 * s).round() as usize + 1;
        let mut sx = vec![c(0.0); d * d];
        let mut sy = vec![c(0.0); d * d];
        let mut sz = vec![c(0.0); d * d];
        for k in 0..d {
            let m = s - k as f64;
            sz[k * d + k] = c(m);
            if k > 0 {
                // S^+ |m> = sqrt(S(S+1) − m(m+1)) |m+1>, and |m+1> is state k − 1.
                let a = (s * (s + 1.0) - m * (m + 1.0)).sqrt();
                sx[(k - 1) * d + k] = c(0.5 * a);
                sx[k * d + k - 1] = c(0.5 * a);
                sy[(k - 1) * d + k] = C64::new(0.0, -0.5 * a);
                sy[k * d + k - 1] = C64::new(0.0, 0.5 * a);
            }
        }
        [LocalOp { d, m: sx }, LocalOp { d, m: sy }, LocalOp { d, m: sz }]
    }
    /// The product `self · other` (apply `other` first).
    pub fn mul(&self, other: &LocalOp) -> LocalOp {
        let d = self.d;
        let mut m = vec![c(0.0); d * d];
        for i in 0..d {
            for k in 0..d {
                let a = self.m[i * d + k];
                if a != c(0.0) {
                    for j in 0..d {
                        m[i * d + j] += a * other.m[k * d + j];
                    }
                }
            }
        }
        LocalOp { d, m }
    }
}

/// One term: a coefficient times a product of local operators on distinct sites.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// Coefficient.
    pub coefficient: C64,
    /// `(site, operator)`, at most one factor per site.
    pub factors: Vec<(usize, LocalOp)>,
}

impl Term {
    /// A real coefficient times factors (factors on one site are multiplied in the given order,
    /// leftmost applied last).
    pub fn new(coefficient: f64, factors: Vec<(usize, LocalOp)>) -> Self {
        Term { coefficient: c(coefficient), factors: Vec::new() }.times_factors(factors)
    }

    fn times_factors(mut self, factors: Vec<(usize, LocalOp)>) -> Self {
        for (s, op) in factors {
            match self.factors.iter_mut().find(|f| f.0 == s) {
                Some(f) => f.1 = f.1.mul(&op),
                None => self.factors.push((s, op)),
            }
        }
        self
    }

    /// The operator product `self · other`.
    pub fn mul(&self, other: &Term) -> Term {
        let t = Term { coefficient: self.coefficient * other.coefficient, factors: self.factors.clone() };
        t.times_factors(other.factors.clone())
    }

    /// The adjoint.
    pub fn adjoint(&self) -> Term {
        let factors = self
            .factors
            .iter()
            .map(|(s, op)| {
                let d = op.d;
                (*s, LocalOp { d, m: (0..d * d).map(|i| op.m[(i % d) * d + i / d].conj()).collect() })
            })
            .collect();
        Term { coefficient: self.coefficient.conj(), factors }
    }
}

/// A sum of terms on sites of given local dimensions: a Hamiltonian (or a declared operator) as
/// data.
#[derive(Clone, Debug, PartialEq)]
pub struct OpSum {
    /// Local dimension of each site.
    pub local_dims: Vec<usize>,
    /// The terms.
    pub terms: Vec<Term>,
}

/// Largest dense dimension the harness builds (4096 complex entries squared: 256 MiB).
pub const MAX_DENSE_DIM: usize = 4096;

impl OpSum {
    /// An empty sum on `n` qubits.
    pub fn qubits(n: usize) -> Self {
        OpSum { local_dims: vec![2; n], terms: Vec::new() }
    }

    /// An empty sum on `n` sites of dimension `d` each.
    pub fn sites(n: usize, d: usize) -> Self {
        OpSum { local_dims: vec![d; n], terms: Vec::new() }
    }

    /// Add a term.
    pub fn add(&mut self, t: Term) {
        self.terms.push(t);
    }

    /// The dense matrix (row-major), site 0 fastest.
    pub fn to_dense(&self) -> Result<Vec<C64>> {
        let dim: usize = self.local_dims.iter().product();
        if dim > MAX_DENSE_DIM {
            return Err(Error::invalid(
                "check instance",
                format!("Hilbert space of dimension {dim}"),
                format!("the model check builds dense matrices up to {MAX_DENSE_DIM}; register a smaller instance"),
            ));
        }
        let mut strides = Vec::with_capacity(self.local_dims.len());
        let mut s = 1;
        for &d in &self.local_dims {
            strides.push(s);
            s *= d;
        }
        let mut h = vec![c(0.0); dim * dim];
        for t in &self.terms {
            for (site, op) in &t.factors {
                if *site >= self.local_dims.len() || op.d != self.local_dims[*site] {
                    return Err(Error::Invariant(format!(
                        "a term acts on site {site} with a {}x{} operator",
                        op.d, op.d
                    )));
                }
            }
            // Column by column: the image of basis state b under the product of factors.
            for b in 0..dim {
                let mut states: Vec<(usize, C64)> = vec![(b, t.coefficient)];
                for (site, op) in &t.factors {
                    let (st, d) = (strides[*site], op.d);
                    let mut next = Vec::with_capacity(states.len() * d);
                    for (idx, amp) in states {
                        let local = (idx / st) % d;
                        for row in 0..d {
                            let e = op.m[row * d + local];
                            if e != c(0.0) {
                                next.push((idx - local * st + row * st, amp * e));
                            }
                        }
                    }
                    states = next;
                }
                for (row, amp) in states {
                    h[row * dim + b] += amp;
                }
            }
        }
        Ok(h)
    }
}

/// A declared operator: its name and the operator.
#[derive(Clone, Debug)]
pub struct Declared {
    /// What it is, e.g. "Z loop along x" or "Gauss law at vertex 3".
    pub name: String,
    /// The operator.
    pub op: OpSum,
}

/// What a model gives the check harness: its Hamiltonian on this (small) instance, as data.
pub trait Checked {
    /// A short description of the instance ("toric code on 2x2, J_e = 1, ...").
    fn label(&self) -> String;
    /// The Hamiltonian.
    fn hamiltonian(&self) -> Result<OpSum>;
    /// Operators the model declares to commute with the Hamiltonian (global symmetries, logical
    /// operators).
    fn symmetries(&self) -> Result<Vec<Declared>> {
        Ok(Vec::new())
    }
    /// Local conservation laws (Gauss's law) of gauge models.
    fn gauss_law(&self) -> Result<Vec<Declared>> {
        Ok(Vec::new())
    }
}

/// The outcome of [`check`].
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// The instance.
    pub label: String,
    /// Hilbert-space dimension.
    pub dim: usize,
    /// The Hamiltonian's dense matrix.
    pub hamiltonian: Vec<C64>,
    /// `max |H − H†|`.
    pub hermiticity: f64,
    /// `max |H|` (the scale the other numbers compare with).
    pub scale: f64,
    /// `(name, max |[H, S]|, S is not a multiple of 1)` per declared symmetry.
    pub symmetries: Vec<(String, f64, bool)>,
    /// The same for every Gauss-law generator.
    pub gauss_law: Vec<(String, f64, bool)>,
}

impl CheckReport {
    /// The failures at relative tolerance `tol` (as one line each); empty if the model passes.
    pub fn failures(&self, tol: f64) -> Vec<String> {
        let t = tol * self.scale.max(1.0);
        let mut out = Vec::new();
        if self.hermiticity.is_nan() || self.hermiticity > t {
            out.push(format!("{}: not Hermitian, max |H - H^dag| = {:.3e}", self.label, self.hermiticity));
        }
        if self.scale == 0.0 {
            out.push(format!("{}: the Hamiltonian is zero", self.label));
        }
        for (kind, list) in [("symmetry", &self.symmetries), ("Gauss law", &self.gauss_law)] {
            for (name, comm, nontrivial) in list {
                if comm.is_nan() || *comm > t {
                    out.push(format!(
                        "{}: {kind} {name} does not commute with H, max |[H, S]| = {comm:.3e}",
                        self.label
                    ));
                }
                if !nontrivial {
                    out.push(format!("{}: {kind} {name} is a multiple of the identity (a vacuous check)", self.label));
                }
            }
        }
        out
    }
}

fn matmul(n: usize, a: &[C64], b: &[C64]) -> Vec<C64> {
    let mut out = vec![c(0.0); n * n];
    for i in 0..n {
        for k in 0..n {
            let x = a[i * n + k];
            if x != c(0.0) {
                for j in 0..n {
                    out[i * n + j] += x * b[k * n + j];
                }
            }
        }
    }
    out
}

fn max_abs(v: impl Iterator<Item = C64>) -> f64 {
    v.map(|z| z.norm()).fold(0.0, f64::max)
}

fn commutator(n: usize, h: &[C64], s: &[C64]) -> f64 {
    let (hs, sh) = (matmul(n, h, s), matmul(n, s, h));
    max_abs(hs.iter().zip(&sh).map(|(a, b)| a - b))
}

fn nontrivial(n: usize, s: &[C64]) -> bool {
    let d = s[0];
    (0..n * n).any(|i| {
        let want = if i / n == i % n { d } else { c(0.0) };
        (s[i] - want).norm() > 1e-12
    })
}

/// Build the dense matrices of a model's instance and measure its invariants.
pub fn check(model: &dyn Checked) -> Result<CheckReport> {
    let hs = model.hamiltonian()?;
    let h = hs.to_dense()?;
    let n: usize = hs.local_dims.iter().product();
    let hermiticity = max_abs((0..n * n).map(|i| h[i] - h[(i % n) * n + i / n].conj()));
    let scale = max_abs(h.iter().copied());
    let measure = |list: Vec<Declared>| -> Result<Vec<(String, f64, bool)>> {
        list.into_iter()
            .map(|d| {
                if d.op.local_dims != hs.local_dims {
                    return Err(Error::Invariant(format!("{}: declared on other sites than H", d.name)));
                }
                let s = d.op.to_dense()?;
                Ok((d.name, commutator(n, &h, &s), nontrivial(n, &s)))
            })
            .collect()
    };
    let symmetries = measure(model.symmetries()?)?;
    let gauss_law = measure(model.gauss_law()?)?;
    Ok(CheckReport { label: model.label(), dim: n, hamiltonian: h, hermiticity, scale, symmetries, gauss_law })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_products_follow_the_basis_convention() {
        // Z on site 1 of two qubits: diag(1, 1, -1, -1) with site 0 fastest.
        let mut s = OpSum::qubits(2);
        s.add(Term::new(1.0, vec![(1, LocalOp::z())]));
        let m = s.to_dense().unwrap();
        let diag: Vec<f64> = (0..4).map(|i| m[i * 4 + i].re).collect();
        assert_eq!(diag, vec![1.0, 1.0, -1.0, -1.0]);
        // X Z on one site (Z first) is -i Y.
        let t = Term::new(1.0, vec![(0, LocalOp::x()), (0, LocalOp::z())]);
        let y = LocalOp::y();
        for (a, b) in t.factors[0].1.m.iter().zip(&y.m) {
            assert!((a - b * C64::new(0.0, -1.0)).norm() < 1e-15);
        }
        // Spin ½ matrices are half the Pauli matrices; spin 1 obeys [S^x, S^y] = i S^z and
        // S² = S(S+1) = 2.
        let [sx, sy, sz] = LocalOp::spin(0.5);
        for (a, b) in [(sx, LocalOp::x()), (sy, LocalOp::y()), (sz, LocalOp::z())] {
            assert!(a.m.iter().zip(&b.m).all(|(p, q)| (p * 2.0 - q).norm() < 1e-15));
        }
        let [sx, sy, sz] = LocalOp::spin(1.0);
        let (xy, yx) = (sx.mul(&sy), sy.mul(&sx));
        for i in 0..9 {
            assert!((xy.m[i] - yx.m[i] - C64::new(0.0, 1.0) * sz.m[i]).norm() < 1e-15);
            let s2 = sx.mul(&sx).m[i] + sy.mul(&sy).m[i] + sz.mul(&sz).m[i];
            assert!((s2 - c(if i % 4 == 0 { 2.0 } else { 0.0 })).norm() < 1e-15);
        }
        // S^+ S^- is the projector on state 0.
        assert_eq!(LocalOp::s_plus().mul(&LocalOp::s_minus()), LocalOp::real(&[&[1.0, 0.0], &[0.0, 0.0]]));
    }
}
