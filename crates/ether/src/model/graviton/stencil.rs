//! Staggered lattice difference operators: the one algebra from which every graviton operator,
//! its momentum-space matrix and its real-space stencil are derived.
//!
//! A field component lives on a sublattice of the cubic lattice shifted by half lattice spacings:
//! its *offset* is `o ∈ {0, 1}³` in units of `1/2` (vertices `000`, the face `xy` at `110`, the
//! `x`-link at `100`, cube centres at `111`). The value stored at site index `r` sits at the true
//! position `r + o/2`. The lattice difference `(Δ_a F)(x) = F(x + e_a/2) − F(x − e_a/2)` (graviton
//! note, B.2) flips bit `a` of the offset:
//!
//! - input offset bit 0: `(Δ_a F)[r] = F[r + e_a] − F[r]` (output at `r + e_a/2`);
//! - input offset bit 1: `(Δ_a F)[r] = F[r] − F[r − e_a]` (output at `r` in axis `a`).
//!
//! With the true-position Fourier convention `F(x) = Σ_k e^{ik·x} F_k`, `Δ_a → i K_a`,
//! `K_a = 2 sin(k_a / 2)`, exactly. A [`DiffOp`] is a matrix of polynomials in `Δ_x, Δ_y, Δ_z`
//! with real coefficients; [`DiffOp::at`] substitutes `Δ → iK`, [`Stencil`] applies it in real
//! space. Both come from the same coefficients, and the tests check one against the other on plane
//! waves. `Δ_a^† = −Δ_a` (with respect to the plain sum over sites), so the adjoint of a monomial of
//! degree `d` is `(−1)^d` times itself.

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use std::collections::BTreeMap;

/// Position of a component inside the unit cell, in half lattice spacings (0 or 1 per axis).
pub type Offset = [u8; 3];

/// One monomial `coef · Δ_x^px Δ_y^py Δ_z^pz`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mono {
    /// Real coefficient.
    pub coef: f64,
    /// Powers of `Δ_x, Δ_y, Δ_z`.
    pub pow: [u8; 3],
}

impl Mono {
    /// `coef · Δ^pow`.
    pub fn new(coef: f64, pow: [u8; 3]) -> Self {
        Mono { coef, pow }
    }
    /// Total degree.
    pub fn degree(&self) -> u32 {
        self.pow.iter().map(|&p| p as u32).sum()
    }
}

/// A polynomial in the lattice differences (a sum of monomials with distinct powers).
pub type Poly = Vec<Mono>;

/// `coef · Δ_a` for one axis.
pub fn delta(a: usize, coef: f64) -> Poly {
    let mut pow = [0u8; 3];
    pow[a] = 1;
    vec![Mono::new(coef, pow)]
}

/// `coef · Δ_a Δ_b`.
pub fn delta2(a: usize, b: usize, coef: f64) -> Poly {
    let mut pow = [0u8; 3];
    pow[a] += 1;
    pow[b] += 1;
    vec![Mono::new(coef, pow)]
}

/// The constant polynomial `c`.
pub fn constant(c: f64) -> Poly {
    if c == 0.0 {
        Vec::new()
    } else {
        vec![Mono::new(c, [0, 0, 0])]
    }
}

fn normalize(terms: impl IntoIterator<Item = Mono>) -> Poly {
    let mut m: BTreeMap<[u8; 3], f64> = BTreeMap::new();
    for t in terms {
        *m.entry(t.pow).or_insert(0.0) += t.coef;
    }
    m.into_iter().filter(|(_, c)| *c != 0.0).map(|(pow, coef)| Mono { coef, pow }).collect()
}

/// Sum of polynomials, like terms combined, exact zeros dropped.
pub fn poly_add(a: &[Mono], b: &[Mono]) -> Poly {
    normalize(a.iter().chain(b.iter()).copied())
}

/// Product of polynomials (the differences commute: `Δ_a Δ_b = Δ_b Δ_a`, B.2).
pub fn poly_mul(a: &[Mono], b: &[Mono]) -> Poly {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push(Mono {
                coef: x.coef * y.coef,
                pow: [x.pow[0] + y.pow[0], x.pow[1] + y.pow[1], x.pow[2] + y.pow[2]],
            });
        }
    }
    normalize(out)
}

/// The value of a polynomial at `Δ_a = i K_a`.
pub fn poly_at(p: &[Mono], kk: [f64; 3]) -> C64 {
    let mut s = C64::new(0.0, 0.0);
    for m in p {
        let mut v = C64::new(m.coef, 0.0);
        for a in 0..3 {
            for _ in 0..m.pow[a] {
                v *= C64::new(0.0, kk[a]);
            }
        }
        s += v;
    }
    s
}

/// A field space: how many components, where each lives, and the metric of its natural norm
/// (for symmetric tensors stored as the six components `a ≤ b`, the Frobenius norm counts the
/// off-diagonal components twice: metric `(1, 1, 1, 2, 2, 2)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// Name for messages ("tensor", "link vector", ...).
    pub name: String,
    /// Offset of each component.
    pub offsets: Vec<Offset>,
    /// Weight of each component in the norm.
    pub metric: Vec<f64>,
}

impl Space {
    /// Number of components.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }
    /// True if it has no components.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }
}

/// A matrix of difference polynomials mapping fields on `input` to fields on `output`.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffOp {
    /// Name, for messages and records.
    pub name: String,
    /// Domain.
    pub input: Space,
    /// Codomain.
    pub output: Space,
    /// `output.len() x input.len()` entries, row-major.
    pub entries: Vec<Poly>,
}

impl DiffOp {
    /// An operator from its entries; every monomial must map its input component's sublattice to
    /// its output component's sublattice (each `Δ_a` flips offset bit `a`).
    pub fn new(name: &str, input: Space, output: Space, entries: Vec<Poly>) -> Result<Self> {
        if entries.len() != input.len() * output.len() {
            return Err(Error::invalid(
                "difference operator",
                format!("{name}: {} entries for {}x{}", entries.len(), output.len(), input.len()),
                "give output.len() * input.len() entries, row-major",
            ));
        }
        let entries: Vec<Poly> = entries.into_iter().map(normalize).collect();
        for i in 0..output.len() {
            for j in 0..input.len() {
                for m in &entries[i * input.len() + j] {
                    for a in 0..3 {
                        if (input.offsets[j][a] + m.pow[a]) % 2 != output.offsets[i][a] {
                            return Err(Error::Invariant(format!(
                                "{name}: entry ({i},{j}) maps offset {:?} by powers {:?}, which does not land on offset {:?}",
                                input.offsets[j], m.pow, output.offsets[i]
                            )));
                        }
                    }
                }
            }
        }
        Ok(DiffOp { name: name.to_string(), input, output, entries })
    }

    /// Entry `(i, j)`.
    pub fn entry(&self, i: usize, j: usize) -> &Poly {
        &self.entries[i * self.input.len() + j]
    }

    /// The composition `self ∘ other` (apply `other` first).
    pub fn compose(&self, other: &DiffOp) -> Result<DiffOp> {
        if self.input.offsets != other.output.offsets {
            return Err(Error::Invariant(format!(
                "cannot compose {} after {}: the spaces differ ({} vs {})",
                self.name, other.name, self.input.name, other.output.name
            )));
        }
        let (n, m, p) = (self.output.len(), self.input.len(), other.input.len());
        let mut entries = vec![Vec::new(); n * p];
        for i in 0..n {
            for j in 0..p {
                let mut acc: Poly = Vec::new();
                for l in 0..m {
                    let prod = poly_mul(self.entry(i, l), other.entry(l, j));
                    acc.extend(prod);
                }
                entries[i * p + j] = normalize(acc);
            }
        }
        Ok(DiffOp {
            name: format!("{}∘{}", self.name, other.name),
            input: other.input.clone(),
            output: self.output.clone(),
            entries,
        })
    }

    /// The adjoint with respect to the plain sum over sites and components (`Δ^† = −Δ`).
    pub fn adjoint(&self) -> DiffOp {
        let (n, m) = (self.output.len(), self.input.len());
        let mut entries = vec![Vec::new(); n * m];
        for i in 0..n {
            for j in 0..m {
                entries[j * n + i] = self
                    .entry(i, j)
                    .iter()
                    .map(|t| Mono { coef: if t.degree() % 2 == 1 { -t.coef } else { t.coef }, pow: t.pow })
                    .collect();
            }
        }
        DiffOp { name: format!("{}†", self.name), input: self.output.clone(), output: self.input.clone(), entries }
    }

    /// The operator times a constant.
    pub fn scaled(&self, c: f64) -> DiffOp {
        let entries =
            self.entries.iter().map(|p| normalize(p.iter().map(|t| Mono { coef: c * t.coef, pow: t.pow }))).collect();
        DiffOp { name: format!("{c}·{}", self.name), input: self.input.clone(), output: self.output.clone(), entries }
    }

    /// True if every entry is the zero polynomial (an exact, symbolic identity).
    pub fn is_zero(&self) -> bool {
        self.entries.iter().all(|p| p.is_empty())
    }

    /// The momentum-space matrix (row-major, `output.len() x input.len()`) in the component basis:
    /// `Δ_a → i K_a` with `kk = K`.
    pub fn at(&self, kk: [f64; 3]) -> Vec<C64> {
        self.entries.iter().map(|p| poly_at(p, kk)).collect()
    }

    /// Largest total degree (the number of derivatives).
    pub fn degree(&self) -> u32 {
        self.entries.iter().flat_map(|p| p.iter().map(|m| m.degree())).max().unwrap_or(0)
    }
}

/// `K_a = 2 sin(k_a / 2)`: the eigenvalue of `−i Δ_a` on `e^{ik·x}` (B.2).
pub fn lattice_k(k: [f64; 3]) -> [f64; 3] {
    [2.0 * (k[0] / 2.0).sin(), 2.0 * (k[1] / 2.0).sin(), 2.0 * (k[2] / 2.0).sin()]
}

/// A [`DiffOp`] compiled for one lattice: for every non-zero entry a list of (site shift,
/// coefficient), with the shifted-site tables made once.
#[derive(Clone, Debug)]
pub struct Stencil {
    n_sites: usize,
    n_in: usize,
    n_out: usize,
    /// (output component, input component, coefficient, table index)
    taps: Vec<(usize, usize, f64, usize)>,
    tables: Vec<Vec<u32>>,
}

/// One axis of a monomial: the 1D stencil of `Δ^p` acting on offset bit `o`, as shift -> coefficient.
fn axis_stencil(o: u8, p: u8) -> BTreeMap<i32, f64> {
    let mut s: BTreeMap<i32, f64> = BTreeMap::new();
    s.insert(0, 1.0);
    let mut bit = o;
    for _ in 0..p {
        let mut n: BTreeMap<i32, f64> = BTreeMap::new();
        for (&sh, &c) in &s {
            if bit == 0 {
                *n.entry(sh + 1).or_insert(0.0) += c;
                *n.entry(sh).or_insert(0.0) -= c;
            } else {
                *n.entry(sh).or_insert(0.0) += c;
                *n.entry(sh - 1).or_insert(0.0) -= c;
            }
        }
        s = n;
        bit ^= 1;
    }
    s.retain(|_, c| *c != 0.0);
    s
}

impl Stencil {
    /// Compile `op` for the three-dimensional lattice `lat`.
    pub fn new(op: &DiffOp, lat: &Lattice) -> Result<Self> {
        if lat.dim() != 3 {
            return Err(Error::invalid("lattice", lat.to_string(), "staggered tensor fields need a 3D lattice"));
        }
        let mut shift_index: BTreeMap<[i32; 3], usize> = BTreeMap::new();
        let mut tables: Vec<Vec<u32>> = Vec::new();
        let mut taps = Vec::new();
        let n = lat.n_sites();
        if n > u32::MAX as usize {
            return Err(Error::invalid("lattice", lat.to_string(), "too many sites for a stencil table"));
        }
        for i in 0..op.output.len() {
            for j in 0..op.input.len() {
                let mut acc: BTreeMap<[i32; 3], f64> = BTreeMap::new();
                for m in op.entry(i, j) {
                    let s: Vec<BTreeMap<i32, f64>> =
                        (0..3).map(|a| axis_stencil(op.input.offsets[j][a], m.pow[a])).collect();
                    for (&x, &cx) in &s[0] {
                        for (&y, &cy) in &s[1] {
                            for (&z, &cz) in &s[2] {
                                *acc.entry([x, y, z]).or_insert(0.0) += m.coef * cx * cy * cz;
                            }
                        }
                    }
                }
                for (shift, c) in acc {
                    if c == 0.0 {
                        continue;
                    }
                    let t = *shift_index.entry(shift).or_insert_with(|| {
                        let sh = [shift[0] as isize, shift[1] as isize, shift[2] as isize];
                        tables.push((0..n).map(|r| lat.translate(r, &sh) as u32).collect());
                        tables.len() - 1
                    });
                    taps.push((i, j, c, t));
                }
            }
        }
        Ok(Stencil { n_sites: n, n_in: op.input.len(), n_out: op.output.len(), taps, tables })
    }

    /// Number of input components times sites.
    pub fn input_len(&self) -> usize {
        self.n_in * self.n_sites
    }

    /// Number of output components times sites.
    pub fn output_len(&self) -> usize {
        self.n_out * self.n_sites
    }

    /// `out = op(input)`; fields are component-major (`value[c * n_sites + r]`).
    pub fn apply(&self, input: &[f64], out: &mut [f64]) {
        assert_eq!(input.len(), self.input_len(), "stencil input length");
        assert_eq!(out.len(), self.output_len(), "stencil output length");
        out.iter_mut().for_each(|x| *x = 0.0);
        let n = self.n_sites;
        for &(i, j, c, t) in &self.taps {
            let tab = &self.tables[t];
            let src = &input[j * n..(j + 1) * n];
            let dst = &mut out[i * n..(i + 1) * n];
            for r in 0..n {
                dst[r] += c * src[tab[r] as usize];
            }
        }
    }
}
