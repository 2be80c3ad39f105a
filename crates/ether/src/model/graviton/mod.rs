//! The symmetric-tensor Z_n rotor lattice of the talk (graviton.md, B.1-B.2) and four reference
//! quadratic models built on it (B.5), as data.
//!
//! **Rotors.** On the cubic lattice every vertex carries three rotors `(θ^{aa}, L_aa)` and every
//! face `ab` one rotor `(θ^{ab}, L_ab)`: six per unit cell, stored component-major as
//! `value[c * n_sites + r]` with the component order `c = xx, yy, zz, xy, yz, zx` ([`COMPONENTS`]).
//! Component `c` of site `r` sits at the true position `r + offset_c / 2` ([`tensor_space`]):
//! `xx, yy, zz` on the vertex, `xy` at `r + (e_x + e_y)/2`, and so on. In the semiclassical
//! (large-n) limit `(θ, L)` are canonical; `h_ab = θ^{ab}`, `π^{aa} = L_aa`, `π^{ab} = L_ab / 2`
//! (B.2), so the rotor momenta are `L = M π` with the Frobenius metric `M = diag(1,1,1,2,2,2)`.
//!
//! The order n of the Z_n rotors does not enter the linear theory computed here. It enters the
//! quantum statement of B.5: a classical zero mode whose conjugate variable is compact (an angle
//! θ ∈ (2π/n)Z, or an integer L) has a discrete spectrum, hence a gap, while the helicity ±2
//! oscillators, with both terms non-zero, stay gapless.
//!
//! **Operators.** Every operator is a [`DiffOp`]: a matrix of polynomials in the lattice
//! differences, acting on the six stored tensor components. The incompatibility [`inc`], the
//! symmetrised curl [`sym_curl`], the divergence [`div`], the gauge map [`gauge_map`]
//! (linearized diffeomorphisms `h → h + Δf + Δf`, B.3), the Fierz-Pauli pieces and the
//! linearized Ricci tensor [`ricci`] are written once here, from their index formulas (B.3-B.4).
//!
//! **Models.** A [`GravitonModel`] is a kind (`xu`, `einstein`, `l-type`, `cotton`: M1-M4 of
//! B.5), a lattice and couplings `U`, `J`. Its Hamiltonian is
//! `H = ½ Σ_t c_t (A_t π)·M(B_t π) + ½ Σ_t c_t (A_t h)·M(B_t h)`, a list of [`QuadTerm`]s
//! ([`GravitonModel::kinetic`], [`GravitonModel::potential`]) plus first-class
//! [`Constraint`]s. [`crate::modes::graviton`] turns the terms into 6x6 matrices at each momentum
//! and [`crate::dynamics::graviton`] into real-space stencils.

pub mod stencil;

use crate::error::{require_positive, Error, Result};
use crate::lattice::Lattice;
use serde::{Deserialize, Serialize};
pub use stencil::{delta, delta2, lattice_k, poly_add, poly_mul, DiffOp, Mono, Offset, Poly, Space, Stencil};

/// The six stored components `(a, b)`, `a ≤ b` up to the cyclic `zx`: `xx, yy, zz, xy, yz, zx`.
pub const COMPONENTS: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (2, 0)];

/// Names of the components, in storage order.
pub const COMPONENT_NAMES: [&str; 6] = ["xx", "yy", "zz", "xy", "yz", "zx"];

/// Frobenius metric of the stored components: off-diagonal components count twice.
pub const FROBENIUS: [f64; 6] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0];

/// The storage index of the component `{a, b}` (in either order).
pub fn component(a: usize, b: usize) -> usize {
    COMPONENTS.iter().position(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a)).unwrap_or(usize::MAX)
}

/// The Levi-Civita symbol ε_abc.
pub fn levi_civita(a: usize, b: usize, c: usize) -> f64 {
    match (a, b, c) {
        (0, 1, 2) | (1, 2, 0) | (2, 0, 1) => 1.0,
        (0, 2, 1) | (2, 1, 0) | (1, 0, 2) => -1.0,
        _ => 0.0,
    }
}

fn unit(a: usize) -> Offset {
    let mut o = [0u8; 3];
    o[a] = 1;
    o
}

/// Symmetric tensors on vertices (diagonal) and faces (off-diagonal): where `h` and `π` live.
pub fn tensor_space() -> Space {
    let offsets = COMPONENTS.iter().map(|&(a, b)| if a == b { [0, 0, 0] } else { xor(unit(a), unit(b)) }).collect();
    Space { name: "tensor (vertices and faces)".into(), offsets, metric: FROBENIUS.to_vec() }
}

/// Symmetric tensors on the dual lattice: diagonal at cube centres, `ab` on the links along the
/// third axis. `SymCurl` maps [`tensor_space`] here.
pub fn dual_tensor_space() -> Space {
    let offsets = COMPONENTS
        .iter()
        .map(|&(a, b)| if a == b { [1, 1, 1] } else { xor([1, 1, 1], xor(unit(a), unit(b))) })
        .collect();
    Space { name: "dual tensor (cubes and links)".into(), offsets, metric: FROBENIUS.to_vec() }
}

/// Vectors on links: component `a` at `r + e_a/2` (gauge parameters `f_a`, Gauss charges).
pub fn link_space() -> Space {
    Space { name: "link vector".into(), offsets: (0..3).map(unit).collect(), metric: vec![1.0; 3] }
}

/// Scalars on vertices.
pub fn vertex_space() -> Space {
    Space { name: "vertex scalar".into(), offsets: vec![[0, 0, 0]], metric: vec![1.0] }
}

fn xor(a: Offset, b: Offset) -> Offset {
    [a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2]]
}

/// A tensor-to-tensor operator from its full index form `O_{ab, df}`: the stored input component
/// `{d, f}` collects `O_{ab,df} + O_{ab,fd}` (both orderings hold the same value).
fn tensor_op(
    name: &str,
    input: Space,
    output: Space,
    full: impl Fn(usize, usize, usize, usize) -> Poly,
) -> Result<DiffOp> {
    let mut entries = Vec::with_capacity(36);
    for &(a, b) in &COMPONENTS {
        for &(d, f) in &COMPONENTS {
            let mut p = full(a, b, d, f);
            if d != f {
                p = poly_add(&p, &full(a, b, f, d));
            }
            entries.push(p);
        }
    }
    DiffOp::new(name, input, output, entries)
}

/// The incompatibility `inc(h)_ab = ε_acd ε_bef Δ_c Δ_e h_df` (B.4), tensor → tensor.
/// It equals twice the linearized Einstein tensor and annihilates pure gauge.
pub fn inc() -> DiffOp {
    tensor_op("inc", tensor_space(), tensor_space(), |a, b, d, f| {
        let mut p: Poly = Vec::new();
        for c in 0..3 {
            for e in 0..3 {
                let s = levi_civita(a, c, d) * levi_civita(b, e, f);
                if s != 0.0 {
                    p = poly_add(&p, &delta2(c, e, s));
                }
            }
        }
        p
    })
    .expect("inc maps the tensor sublattices onto themselves")
}

/// The symmetrised curl `SymCurl(π)_ab = ½(ε_acd Δ_c π_db + ε_bcd Δ_c π_da)` (B.4),
/// tensor → dual tensor.
pub fn sym_curl() -> DiffOp {
    tensor_op("SymCurl", tensor_space(), dual_tensor_space(), |a, b, d, f| {
        let mut p: Poly = Vec::new();
        for c in 0..3 {
            if f == b {
                let s = 0.5 * levi_civita(a, c, d);
                if s != 0.0 {
                    p = poly_add(&p, &delta(c, s));
                }
            }
            if f == a {
                let s = 0.5 * levi_civita(b, c, d);
                if s != 0.0 {
                    p = poly_add(&p, &delta(c, s));
                }
            }
        }
        p
    })
    .expect("SymCurl maps tensors to the dual tensor sublattices")
}

/// The Cotton-like operator `Cot = SymCurl ∘ inc` (B.4), three derivatives.
pub fn cotton() -> DiffOp {
    sym_curl().compose(&inc()).expect("SymCurl acts on the output of inc")
}

/// The divergence `(div π)_b = Σ_a Δ_a π_ab`, tensor → link vector: the momentum constraint
/// (Gauss law) of B.3 is `div π = 0`.
pub fn div() -> DiffOp {
    let mut entries = Vec::with_capacity(18);
    for b in 0..3 {
        for &(d, f) in &COMPONENTS {
            let mut p: Poly = Vec::new();
            // h_df (and h_fd if off-diagonal) contributes Δ_d to row f and Δ_f to row d
            if f == b {
                p = poly_add(&p, &delta(d, 1.0));
            }
            if d != f && d == b {
                p = poly_add(&p, &delta(f, 1.0));
            }
            entries.push(p);
        }
    }
    DiffOp::new("div", tensor_space(), link_space(), entries).expect("div maps tensors to links")
}

/// The gauge map of linearized diffeomorphisms (B.3): `δh_aa = 2Δ_a f_a`,
/// `δh_ab = Δ_a f_b + Δ_b f_a`, link vector → tensor.
pub fn gauge_map() -> DiffOp {
    let mut entries = Vec::with_capacity(18);
    for &(a, b) in &COMPONENTS {
        for c in 0..3 {
            let mut p: Poly = Vec::new();
            if b == c {
                p = poly_add(&p, &delta(a, 1.0));
            }
            if a == c {
                p = poly_add(&p, &delta(b, 1.0));
            }
            entries.push(p);
        }
    }
    DiffOp::new("gauge", link_space(), tensor_space(), entries).expect("the gauge map lands on the tensor sublattices")
}

/// The trace `h_xx + h_yy + h_zz`, tensor → vertex scalar.
pub fn trace() -> DiffOp {
    let entries = COMPONENTS.iter().map(|&(a, b)| stencil::constant(if a == b { 1.0 } else { 0.0 })).collect();
    DiffOp::new("tr", tensor_space(), vertex_space(), entries).expect("the trace is local on vertices")
}

/// The identity on the tensor space (with the Frobenius metric).
pub fn identity() -> DiffOp {
    let entries = (0..36).map(|i| stencil::constant(if i / 6 == i % 6 { 1.0 } else { 0.0 })).collect();
    DiffOp::new("1", tensor_space(), tensor_space(), entries).expect("identity")
}

/// The componentwise difference `Δ_k h_ab` (every component moved half a step along `k`).
pub fn component_delta(k: usize) -> DiffOp {
    let t = tensor_space();
    let out = Space {
        name: format!("tensor shifted along {}", ["x", "y", "z"][k]),
        offsets: t.offsets.iter().map(|&o| xor(o, unit(k))).collect(),
        metric: FROBENIUS.to_vec(),
    };
    let entries = (0..36).map(|i| if i / 6 == i % 6 { delta(k, 1.0) } else { Vec::new() }).collect();
    DiffOp::new(&format!("Δ_{}", ["x", "y", "z"][k]), t, out, entries).expect("componentwise difference")
}

/// `grad tr h`: `Δ_j (h_xx + h_yy + h_zz)`, tensor → link vector.
pub fn grad_trace() -> DiffOp {
    let entries = (0..3)
        .flat_map(|j| COMPONENTS.iter().map(move |&(a, b)| if a == b { delta(j, 1.0) } else { Vec::new() }))
        .collect();
    DiffOp::new("grad tr", tensor_space(), link_space(), entries).expect("grad of the trace lands on links")
}

/// The linearized Ricci tensor `R_ab = ½(Δ_cΔ_a h_cb + Δ_cΔ_b h_ca − Δ_cΔ_c h_ab − Δ_aΔ_b h_cc)`,
/// tensor → tensor (standard linearization of the Ricci tensor about flat space).
pub fn ricci() -> DiffOp {
    tensor_op("Ricci", tensor_space(), tensor_space(), |a, b, d, f| {
        let mut p: Poly = Vec::new();
        let dl = |x: usize, y: usize| if x == y { 1.0 } else { 0.0 };
        for c in 0..3 {
            // ½ Δ_c Δ_a h_cb
            let s = 0.5 * dl(d, c) * dl(f, b);
            if s != 0.0 {
                p = poly_add(&p, &delta2(c, a, s));
            }
            let s = 0.5 * dl(d, c) * dl(f, a);
            if s != 0.0 {
                p = poly_add(&p, &delta2(c, b, s));
            }
            let s = -0.5 * dl(d, a) * dl(f, b);
            if s != 0.0 {
                p = poly_add(&p, &delta2(c, c, s));
            }
            let s = -0.5 * dl(d, c) * dl(f, c);
            if s != 0.0 {
                p = poly_add(&p, &delta2(a, b, s));
            }
        }
        p
    })
    .expect("Ricci maps tensors to tensors")
}

/// The linearized scalar curvature `R = Δ_aΔ_b h_ab − Δ_cΔ_c h_dd`, tensor → vertex scalar:
/// the Hamiltonian (scalar) constraint of linearized gravity (B.3).
pub fn scalar_curvature() -> DiffOp {
    let mut entries = Vec::with_capacity(6);
    for &(d, f) in &COMPONENTS {
        let mut p = if d == f { delta2(d, d, 1.0) } else { delta2(d, f, 2.0) };
        if d == f {
            for c in 0..3 {
                p = poly_add(&p, &delta2(c, c, -1.0));
            }
        }
        entries.push(p);
    }
    DiffOp::new("R", tensor_space(), vertex_space(), entries).expect("the scalar curvature lives on vertices")
}

/// The linearized Einstein tensor `G_ab = R_ab − ½ δ_ab R`, built from [`ricci`] and
/// [`scalar_curvature`] independently of [`inc`] (B.4 says `G = ½ inc`).
pub fn einstein_tensor() -> DiffOp {
    let r = ricci();
    let s = scalar_curvature();
    let entries = (0..36)
        .map(|i| {
            let (row, col) = (i / 6, i % 6);
            let (a, b) = COMPONENTS[row];
            if a == b {
                poly_add(
                    r.entry(row, col),
                    &s.entry(0, col).iter().map(|m| Mono::new(-0.5 * m.coef, m.pow)).collect::<Vec<_>>(),
                )
            } else {
                r.entry(row, col).clone()
            }
        })
        .collect();
    DiffOp::new("G", tensor_space(), tensor_space(), entries).expect("the Einstein tensor maps tensors to tensors")
}

/// One term `c · (A x)·M(B x)` of a quadratic form, `A` and `B` chains of operators applied
/// left to right (`chain[0]` first), `M` the metric of their common output space.
#[derive(Clone, Debug)]
pub struct QuadTerm {
    /// What the term is, in words.
    pub name: String,
    /// Coefficient.
    pub coef: f64,
    /// Left chain.
    pub left: Vec<DiffOp>,
    /// Right chain.
    pub right: Vec<DiffOp>,
}

impl QuadTerm {
    fn square(name: &str, coef: f64, chain: Vec<DiffOp>) -> Self {
        QuadTerm { name: name.into(), coef, left: chain.clone(), right: chain }
    }

    /// The composed left and right operators.
    pub fn composed(&self) -> Result<(DiffOp, DiffOp)> {
        Ok((compose_chain(&self.left)?, compose_chain(&self.right)?))
    }
}

/// Compose a chain applied left to right into one operator.
pub fn compose_chain(chain: &[DiffOp]) -> Result<DiffOp> {
    let mut it = chain.iter();
    let mut acc = it.next().cloned().ok_or_else(|| Error::Invariant("empty operator chain".into()))?;
    for op in it {
        acc = op.compose(&acc)?;
    }
    Ok(acc)
}

/// Which conjugate a constraint restricts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acts {
    /// A constraint on the momenta π (generates a gauge transformation of h).
    Momentum,
    /// A constraint on the coordinates h (generates a shift of π).
    Coordinate,
}

/// A first-class constraint `C x = 0`.
#[derive(Clone, Debug)]
pub struct Constraint {
    /// Its name ("momentum constraint div π = 0").
    pub name: String,
    /// What it restricts.
    pub acts: Acts,
    /// The operator.
    pub op: DiffOp,
}

/// The four reference models of B.5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GravitonKind {
    /// M1: vector-charge rank-2 U(1), `K = U·1` with Gauss law, `V = J inc†inc` (Xu-type).
    #[serde(rename = "xu")]
    Xu,
    /// M2: linearized ADM gravity, DeWitt kinetic term, `V = 2 J V_FP`, momentum and scalar constraints.
    #[serde(rename = "einstein")]
    Einstein,
    /// M3: `K = U SymCurl†SymCurl`, `V = J inc†inc` (the talk; L-type-like, ω ~ k³).
    #[serde(rename = "l-type")]
    LType,
    /// M4: `K = U·1` with Gauss law, `V = J Cot†Cot` (z = 3 Lifshitz gravity).
    #[serde(rename = "cotton")]
    Cotton,
}

impl GravitonKind {
    /// All kinds, in the order of B.5.
    pub const ALL: [GravitonKind; 4] =
        [GravitonKind::Xu, GravitonKind::Einstein, GravitonKind::LType, GravitonKind::Cotton];

    /// The command-line name.
    pub fn name(&self) -> &'static str {
        match self {
            GravitonKind::Xu => "xu",
            GravitonKind::Einstein => "einstein",
            GravitonKind::LType => "l-type",
            GravitonKind::Cotton => "cotton",
        }
    }

    /// Parse a command-line name; the error lists the valid ones.
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim().to_lowercase();
        Self::ALL.iter().copied().find(|k| k.name() == t || (t == "ltype" && *k == GravitonKind::LType)).ok_or_else(|| {
            Error::invalid(
                "graviton model",
                format!("'{s}'"),
                "choose one of: xu (vector-charge rank-2 U(1), M1), einstein (linearized ADM gravity, M2), l-type (SymCurl kinetic + inc potential, M3), cotton (z = 3 Cotton potential, M4)",
            )
        })
    }

    /// One line on what the model is and which paper it mimics (B.5).
    pub fn description(&self) -> &'static str {
        match self {
            GravitonKind::Xu => "M1, vector-charge rank-2 U(1): H = ½U π·π + ½J |inc h|², Gauss law div π = 0 (mimics Xu 2006)",
            GravitonKind::Einstein => "M2, linearized ADM gravity: H = U(π·π − ½(tr π)²) + J·V_FP(h), constraints div π = 0 and R(h) = 0 (Gu-Wen N-type-like)",
            GravitonKind::LType => "M3, self-dual: H = ½U |SymCurl π|² + ½J |inc h|² (the talk; Gu-Wen L-type-like)",
            GravitonKind::Cotton => "M4, Cotton: H = ½U π·π + ½J |Cot h|², Gauss law div π = 0 (Xu-Hořava z = 3)",
        }
    }
}

impl std::fmt::Display for GravitonKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A symmetric-tensor rotor model: which of the four, on which lattice, with which couplings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GravitonModel {
    /// Which reference model.
    pub kind: GravitonKind,
    /// The cubic lattice (periodic, three-dimensional).
    pub lattice: Lattice,
    /// Kinetic coupling U > 0 (the energy of the momenta L, the "electric" term).
    pub u: f64,
    /// Potential coupling J > 0 (the energy of the curvature of h, the "magnetic" term).
    pub j: f64,
}

impl GravitonModel {
    /// A validated model: three-dimensional lattice, U > 0, J > 0.
    pub fn new(kind: GravitonKind, lattice: Lattice, u: f64, j: f64) -> Result<Self> {
        if lattice.dim() != 3 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "the symmetric-tensor rotor model lives on the cubic lattice (three rotors per vertex, one per face): give three extents, e.g. 16x16x16",
            ));
        }
        require_positive("U", u, "U is the kinetic coupling; every mode needs U > 0 to move")?;
        require_positive(
            "J",
            j,
            "J is the potential (curvature) coupling; a graviton needs J > 0 to be stable and gapless",
        )?;
        Ok(GravitonModel { kind, lattice, u, j })
    }

    /// Number of rotors: three per vertex, one per face, `6 L³`.
    pub fn n_rotors(&self) -> usize {
        6 * self.lattice.n_sites()
    }

    /// True position of rotor `i = c * n_sites + r` (lattice units).
    pub fn rotor_position(&self, i: usize) -> [f64; 3] {
        let n = self.lattice.n_sites();
        let (c, r) = (i / n, i % n);
        let x = self.lattice.coords(r);
        let o = tensor_space().offsets[c];
        [x[0] as f64 + 0.5 * o[0] as f64, x[1] as f64 + 0.5 * o[1] as f64, x[2] as f64 + 0.5 * o[2] as f64]
    }

    /// The kinetic form, acting on the momenta π (tensor components; `L = M π`).
    pub fn kinetic(&self) -> Vec<QuadTerm> {
        let u = self.u;
        match self.kind {
            GravitonKind::Xu | GravitonKind::Cotton => vec![QuadTerm::square("U π·π", u, vec![identity()])],
            GravitonKind::Einstein => vec![
                QuadTerm::square("DeWitt: 2U π·π", 2.0 * u, vec![identity()]),
                QuadTerm::square("DeWitt: −U (tr π)²", -u, vec![trace()]),
            ],
            GravitonKind::LType => vec![QuadTerm::square("U |SymCurl π|²", u, vec![sym_curl()])],
        }
    }

    /// The potential form, acting on h (tensor components).
    pub fn potential(&self) -> Vec<QuadTerm> {
        let j = self.j;
        match self.kind {
            GravitonKind::Xu | GravitonKind::LType => vec![QuadTerm::square("J |inc h|²", j, vec![inc()])],
            GravitonKind::Cotton => vec![QuadTerm::square("J |Cot h|²", j, vec![inc(), sym_curl()])],
            GravitonKind::Einstein => {
                // 2 V_FP = ½ Σ_k (Δ_k h)² − (div h)² + ½[(div h)·(grad tr h) + (grad tr h)·(div h)] − ½ (grad tr h)²  (B.4)
                let mut t: Vec<QuadTerm> =
                    (0..3).map(|k| QuadTerm::square("½J (Δ_k h_ij)²", 0.5 * j, vec![component_delta(k)])).collect();
                t.push(QuadTerm::square("−J (Δ_i h_ij)²", -j, vec![div()]));
                t.push(QuadTerm {
                    name: "½J (Δ_i h_ij)(Δ_j h)".into(),
                    coef: 0.5 * j,
                    left: vec![div()],
                    right: vec![grad_trace()],
                });
                t.push(QuadTerm {
                    name: "½J (Δ_j h)(Δ_i h_ij)".into(),
                    coef: 0.5 * j,
                    left: vec![grad_trace()],
                    right: vec![div()],
                });
                t.push(QuadTerm::square("−½J (Δ_k h)²", -0.5 * j, vec![grad_trace()]));
                t
            }
        }
    }

    /// The first-class constraints (B.3, B.5).
    pub fn constraints(&self) -> Vec<Constraint> {
        let gauss =
            Constraint { name: "momentum constraint (Gauss law) div π = 0".into(), acts: Acts::Momentum, op: div() };
        match self.kind {
            GravitonKind::Xu | GravitonKind::Cotton => vec![gauss],
            GravitonKind::Einstein => vec![
                gauss,
                Constraint {
                    name: "Hamiltonian (scalar) constraint R(h) = 0".into(),
                    acts: Acts::Coordinate,
                    op: scalar_curvature(),
                },
            ],
            GravitonKind::LType => Vec::new(),
        }
    }

    /// The integer Gauss charges of B.3 on every link, from the rotor momenta `L` (component-major,
    /// `L[c * n_sites + r]`), written directly in rotor variables:
    /// `Q_link = 2(L_bb(i+e_b) − L_bb(i)) + Σ_{a≠b} [L_ab(face at link + e_a/2) − L_ab(face at link − e_a/2)]`.
    /// Output `Q[b * n_sites + i]` for the link `(i, i + e_b)`. Equals `2 div π`.
    pub fn gauss_charges(&self, l: &[f64]) -> Vec<f64> {
        let lat = &self.lattice;
        let n = lat.n_sites();
        let mut q = vec![0.0; 3 * n];
        for b in 0..3 {
            for i in 0..n {
                let mut s = 2.0 * (l[b * n + lat.forward(i, b)] - l[b * n + i]);
                for a in 0..3 {
                    if a == b {
                        continue;
                    }
                    let c = component(a, b);
                    // the face {a,b} stored at site s sits at s + (e_a + e_b)/2; the link midpoint is i + e_b/2:
                    // the face at link + e_a/2 is stored at i, the one at link − e_a/2 at i − e_a.
                    s += l[c * n + i] - l[c * n + lat.backward(i, a)];
                }
                q[b * n + i] = s;
            }
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_validate_input() {
        let l = Lattice::parse("4x4x4").unwrap();
        assert!(GravitonModel::new(GravitonKind::Xu, l.clone(), 0.0, 1.0).is_err());
        assert!(GravitonModel::new(GravitonKind::Xu, l.clone(), 1.0, -1.0).is_err());
        assert!(GravitonModel::new(GravitonKind::Xu, Lattice::parse("4x4").unwrap(), 1.0, 1.0).is_err());
        let e = GravitonKind::parse("newton").unwrap_err().to_string();
        assert!(e.contains("xu") && e.contains("einstein") && e.contains("l-type") && e.contains("cotton"));
        assert_eq!(GravitonKind::parse("L-Type").unwrap(), GravitonKind::LType);
        let m = GravitonModel::new(GravitonKind::LType, l, 1.0, 1.0).unwrap();
        assert_eq!(m.n_rotors(), 6 * 64);
        // the xy rotor of site (1,2,3) sits at (1.5, 2.5, 3)
        let r = m.lattice.site(&[1, 2, 3]);
        assert_eq!(m.rotor_position(3 * 64 + r), [1.5, 2.5, 3.0]);
    }

    #[test]
    fn operators_land_on_their_sublattices() {
        // Construction checks every monomial against the declared offsets; composition checks
        // that the spaces chain. Reaching here means all of them are consistent.
        for op in [inc(), sym_curl(), cotton(), div(), gauge_map(), trace(), grad_trace(), ricci(), scalar_curvature()]
        {
            assert!(!op.is_zero(), "{}", op.name);
        }
        assert_eq!(inc().degree(), 2);
        assert_eq!(cotton().degree(), 3);
    }
}
