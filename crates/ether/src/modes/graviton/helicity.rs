//! Helicity basis, Barnes-Rivers projectors and the C4 rotation for symmetric tensors (graviton
//! note, B.4), all in the orthonormal (Frobenius) coordinates
//! `Q = (h_xx, h_yy, h_zz, √2 h_xy, √2 h_yz, √2 h_zx)` of B.2.
//!
//! About `n = K̂`: `e1 ⊥ n` is the coordinate axis least aligned with `n`, made orthogonal to it
//! (for `n = z` this is `x`), `e2 = n × e1`, `e± = (e1 ± i e2)/√2`, and
//! `e_{±2} = e± e±`, `e_{±1} = (e± n + n e±)/√2`, `e_{0L} = n n`, `e_{0T} = (e1 e1 + e2 e2)/√2`.
//! A rotation by φ about `n` multiplies `e_m` by `e^{−imφ}` (for k ∥ z and C4: −1 on ±2, ∓i on ±1).

use crate::linalg::C64;
use crate::model::graviton::{COMPONENTS, FROBENIUS};
use serde::{Deserialize, Serialize};

/// The helicity states, in the column order of the basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Helicity {
    /// +2 (graviton)
    Plus2,
    /// −2 (graviton)
    Minus2,
    /// +1
    Plus1,
    /// −1
    Minus1,
    /// longitudinal scalar `n n`
    ZeroL,
    /// transverse trace `(e1 e1 + e2 e2)/√2`
    ZeroT,
}

impl Helicity {
    /// All six, in basis order.
    pub const ALL: [Helicity; 6] =
        [Helicity::Plus2, Helicity::Minus2, Helicity::Plus1, Helicity::Minus1, Helicity::ZeroL, Helicity::ZeroT];
    /// The helicity m.
    pub fn m(&self) -> i32 {
        match self {
            Helicity::Plus2 => 2,
            Helicity::Minus2 => -2,
            Helicity::Plus1 => 1,
            Helicity::Minus1 => -1,
            Helicity::ZeroL | Helicity::ZeroT => 0,
        }
    }
    /// Label: "+2", "−2", "+1", "−1", "0L", "0T".
    pub fn label(&self) -> &'static str {
        match self {
            Helicity::Plus2 => "+2",
            Helicity::Minus2 => "-2",
            Helicity::Plus1 => "+1",
            Helicity::Minus1 => "-1",
            Helicity::ZeroL => "0L",
            Helicity::ZeroT => "0T",
        }
    }
}

/// A symmetric 3x3 complex tensor to orthonormal coordinates Q (symmetrized first).
pub fn tensor_to_q(t: &[[C64; 3]; 3]) -> [C64; 6] {
    let mut q = [C64::new(0.0, 0.0); 6];
    for (c, &(a, b)) in COMPONENTS.iter().enumerate() {
        q[c] = (t[a][b] + t[b][a]) * 0.5 * FROBENIUS[c].sqrt();
    }
    q
}

fn outer(u: &[C64; 3], v: &[C64; 3]) -> [[C64; 3]; 3] {
    let mut t = [[C64::new(0.0, 0.0); 3]; 3];
    for a in 0..3 {
        for b in 0..3 {
            t[a][b] = u[a] * v[b];
        }
    }
    t
}

fn add(s: &[[C64; 3]; 3], t: &[[C64; 3]; 3], f: f64) -> [[C64; 3]; 3] {
    let mut r = *s;
    for a in 0..3 {
        for b in 0..3 {
            r[a][b] = (s[a][b] + t[a][b]) * f;
        }
    }
    r
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// The real frame about a direction: `n = kk/|kk|`, `e1 ⟂ n` (the coordinate axis least aligned
/// with n, the first one on ties, made orthogonal to it) and `e2 = n × e1`; `None` if `kk` is zero
/// or not finite. The rule picks the same `e1` for `n` and `−n` (so `e2` flips with `n`).
pub fn transverse_frame(kk: [f64; 3]) -> Option<([f64; 3], [f64; 3], [f64; 3])> {
    let norm = (kk[0] * kk[0] + kk[1] * kk[1] + kk[2] * kk[2]).sqrt();
    if norm == 0.0 || !norm.is_finite() {
        return None;
    }
    let n = [kk[0] / norm, kk[1] / norm, kk[2] / norm];
    let mut a = 0;
    for b in 1..3 {
        if n[b].abs() < n[a].abs() - 1e-15 {
            a = b;
        }
    }
    let mut e1 = [0.0; 3];
    e1[a] = 1.0;
    let d = n[a];
    for i in 0..3 {
        e1[i] -= d * n[i];
    }
    let l = (e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2]).sqrt();
    e1.iter_mut().for_each(|x| *x /= l);
    Some((n, e1, cross(n, e1)))
}

/// The helicity frame and basis about a direction.
#[derive(Clone, Debug)]
pub struct HelicityBasis {
    /// Unit vector `n = K̂`.
    pub n: [f64; 3],
    /// `e1 ⊥ n`.
    pub e1: [f64; 3],
    /// `e2 = n × e1`.
    pub e2: [f64; 3],
    /// `columns[s]` is `e_s` in Q coordinates, `s` in [`Helicity::ALL`] order.
    pub columns: [[C64; 6]; 6],
}

impl HelicityBasis {
    /// The basis about `kk` (any non-zero vector); `None` if `|kk|` is zero (at the zone centre
    /// helicity is undefined).
    pub fn about(kk: [f64; 3]) -> Option<Self> {
        let (n, e1, e2) = transverse_frame(kk)?;
        let r = |v: [f64; 3]| [C64::new(v[0], 0.0), C64::new(v[1], 0.0), C64::new(v[2], 0.0)];
        let s = std::f64::consts::FRAC_1_SQRT_2;
        let ep: [C64; 3] = std::array::from_fn(|i| C64::new(e1[i] * s, e2[i] * s));
        let em: [C64; 3] = std::array::from_fn(|i| C64::new(e1[i] * s, -e2[i] * s));
        let (nc, e1c, e2c) = (r(n), r(e1), r(e2));
        let tensors = [
            outer(&ep, &ep),
            outer(&em, &em),
            add(&outer(&ep, &nc), &outer(&nc, &ep), s),
            add(&outer(&em, &nc), &outer(&nc, &em), s),
            outer(&nc, &nc),
            add(&outer(&e1c, &e1c), &outer(&e2c, &e2c), s),
        ];
        let columns = std::array::from_fn(|i| tensor_to_q(&tensors[i]));
        Some(HelicityBasis { n, e1, e2, columns })
    }

    /// `U† A U` for a 6x6 row-major matrix `A` in Q coordinates.
    pub fn transform(&self, a: &[C64]) -> Vec<C64> {
        let mut out = vec![C64::new(0.0, 0.0); 36];
        for s in 0..6 {
            for t in 0..6 {
                let mut acc = C64::new(0.0, 0.0);
                for i in 0..6 {
                    let ui = self.columns[s][i].conj();
                    if ui == C64::new(0.0, 0.0) {
                        continue;
                    }
                    for j in 0..6 {
                        acc += ui * a[i * 6 + j] * self.columns[t][j];
                    }
                }
                out[s * 6 + t] = acc;
            }
        }
        out
    }
}

/// A 4-index operator on symmetric tensors `(Λh)_ab = Σ_cd Λ_abcd h_cd`, in Q coordinates.
pub fn four_index_to_q(f: impl Fn(usize, usize, usize, usize) -> f64) -> Vec<C64> {
    let mut out = vec![C64::new(0.0, 0.0); 36];
    for (i, &(a, b)) in COMPONENTS.iter().enumerate() {
        for (j, &(c, d)) in COMPONENTS.iter().enumerate() {
            let mut v = f(a, b, c, d);
            if c != d {
                v += f(a, b, d, c);
            }
            out[i * 6 + j] = C64::new(v * FROBENIUS[i].sqrt() / FROBENIUS[j].sqrt(), 0.0);
        }
    }
    out
}

/// The Barnes-Rivers projectors about `n` (B.4), in Q coordinates:
/// `[Λ⁽²⁾, Λ⁽¹⁾, Λ⁽⁰ˢ⁾, Λ⁽⁰ʷ⁾]` (|m| = 2, |m| = 1, 0T, 0L). They are built from `P = δ − nn` and
/// `L = nn` only, independently of the helicity basis vectors.
pub fn projectors(n: [f64; 3]) -> [Vec<C64>; 4] {
    let p = |a: usize, b: usize| (if a == b { 1.0 } else { 0.0 }) - n[a] * n[b];
    let l = |a: usize, b: usize| n[a] * n[b];
    [
        four_index_to_q(|a, b, c, d| 0.5 * (p(a, c) * p(b, d) + p(a, d) * p(b, c)) - 0.5 * p(a, b) * p(c, d)),
        four_index_to_q(|a, b, c, d| {
            0.5 * (p(a, c) * l(b, d) + p(a, d) * l(b, c) + l(a, c) * p(b, d) + l(a, d) * p(b, c))
        }),
        four_index_to_q(|a, b, c, d| 0.5 * p(a, b) * p(c, d)),
        four_index_to_q(|a, b, c, d| l(a, b) * l(c, d)),
    ]
}

/// The rotation by +90° about z acting on symmetric tensors, `(R h)_ab = R_ac R_bd h_cd`, in Q
/// coordinates.
pub fn c4_z() -> Vec<C64> {
    // R e_x = e_y, R e_y = −e_x: R = [[0,−1,0],[1,0,0],[0,0,1]]
    let r = [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    four_index_to_q(|a, b, c, d| r[a][c] * r[b][d])
}
