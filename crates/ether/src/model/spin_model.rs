//! The spin-term model: any spin Hamiltonian as one list of terms.
//!
//! A [`SpinModel`] is a lattice, a spin length S and a list of [`SpinTerm`]s, each an operator
//! string as physicists type it (`"zz"`, `"+-"`, `"xx"`, `"z"`, ...), a coupling, and where it
//! acts: a site offset applied at every site (translation invariant), an explicit bond list, or
//! a list of sites for one-site terms (fields). Every other form is derived from the list:
//!
//! - [`SpinModel::exchange`]: the canonical bilinear form
//!   `H = Σ_b S_i · M_b S_j + Σ_i h_i · S_i` with a real 3×3 matrix per bond (terms on the same
//!   pair merged) and a real field per site. Hermiticity is checked here: `S^+_i S^-_j` alone is
//!   not Hermitian, and a model whose imaginary parts do not cancel is refused, naming the term.
//! - [`SpinModel::classical_energy`] and [`SpinModel::classical_gradient`]: the same form
//!   evaluated on classical vectors of length S (spin waves, dynamics, Monte Carlo).
//! - [`SpinModel::uniform_couplings`]: per-offset exchange matrices and the uniform field of a
//!   translation-invariant model (the input of linear spin-wave theory with one site per cell).
//! - The ED operator of `crate::ed::spin` (spin ½, S^z basis) and the symmetry checks of its
//!   sectors ([`SpinModel::breaking_term`]).
//!
//! Operators are spin operators S (S^z eigenvalues ±½ for S = ½), `S^± = S^x ± i S^y`; a model
//! file may be written with Pauli matrices instead (`pauli = true`, σ = 2S). Bonds of different
//! terms on the same pair of sites add up. Site indices follow [`Lattice`] (first axis fastest).
//!
//! Model file (TOML; unknown keys are refused):
//!
//! ```toml
//! name = "J1-J2"          # optional
//! spin = 0.5              # optional, default ½
//! pauli = false           # optional: couplings of Pauli matrices instead of spin operators
//! [[term]]                # J1 S_i·S_j on nearest neighbours of a square lattice
//! ops = "xx"
//! coupling = 1.0
//! offsets = [[1, 0], [0, 1]]
//! [[term]]
//! ops = "zz"
//! coupling = 0.5
//! bonds = [[0, 5], [1, 4]]  # explicit bonds (site indices)
//! [[term]]
//! ops = "z"               # a field: −0.2 S^z on every site (or `sites = [...]`)
//! coupling = -0.2
//! ```

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::ising::TransverseIsing;
use crate::model::Heisenberg;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A 3×3 real matrix, row-major in (x, y, z): the energy of a bond is `S_i · M S_j`.
pub type Matrix3 = [[f64; 3]; 3];

/// A one-site spin operator as physicists type it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpinOp {
    /// S^x (`x`).
    X,
    /// S^y (`y`).
    Y,
    /// S^z (`z`).
    Z,
    /// S^+ = S^x + i S^y (`+`).
    Plus,
    /// S^− = S^x − i S^y (`-`).
    Minus,
}

impl SpinOp {
    /// The operator of a character `x`, `y`, `z`, `+`, `-` (upper case allowed).
    pub fn from_char(c: char) -> Option<Self> {
        Some(match c.to_ascii_lowercase() {
            'x' => SpinOp::X,
            'y' => SpinOp::Y,
            'z' => SpinOp::Z,
            '+' => SpinOp::Plus,
            '-' => SpinOp::Minus,
            _ => return None,
        })
    }

    /// `S^op = Σ_a c_a S^a` over a = x, y, z.
    pub fn components(self) -> [C64; 3] {
        let (o, i, z) = (C64::new(1.0, 0.0), C64::new(0.0, 1.0), C64::new(0.0, 0.0));
        match self {
            SpinOp::X => [o, z, z],
            SpinOp::Y => [z, o, z],
            SpinOp::Z => [z, z, o],
            SpinOp::Plus => [o, i, z],
            SpinOp::Minus => [o, -i, z],
        }
    }
}

/// One term of a spin Hamiltonian, as written in a model file: `coupling × (operator string)`
/// on a set of bonds or sites. Exactly one of `offset`, `offsets`, `bonds` places a two-site
/// term; a one-site term acts on `sites` (every site if omitted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpinTerm {
    /// One operator per site: `"zz"`, `"+-"`, `"xx"`, `"xz"`, ... for bonds, `"z"`, `"x"` for fields.
    pub ops: String,
    /// The coupling (energy units; a finite number).
    pub coupling: f64,
    /// Partner displacement: the term acts on (r, r + offset) for every site r.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<Vec<i64>>,
    /// Several displacements: (r, r + d) for every site r and every d (site-major order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offsets: Option<Vec<Vec<i64>>>,
    /// Explicit bonds (i, j) by site index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonds: Option<Vec<[usize; 2]>>,
    /// Sites of a one-site term (default: every site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sites: Option<Vec<usize>>,
}

impl SpinTerm {
    /// A two-site term at the given displacements from every site.
    pub fn on_offsets(ops: &str, coupling: f64, offsets: Vec<Vec<i64>>) -> Self {
        SpinTerm { ops: ops.into(), coupling, offset: None, offsets: Some(offsets), bonds: None, sites: None }
    }

    /// A two-site term on explicit bonds.
    pub fn on_bonds(ops: &str, coupling: f64, bonds: Vec<[usize; 2]>) -> Self {
        SpinTerm { ops: ops.into(), coupling, offset: None, offsets: None, bonds: Some(bonds), sites: None }
    }

    /// A one-site term on every site (a uniform field).
    pub fn field(op: &str, coupling: f64) -> Self {
        SpinTerm { ops: op.into(), coupling, offset: None, offsets: None, bonds: None, sites: None }
    }

    /// A one-site term on the given sites.
    pub fn on_sites(op: &str, coupling: f64, sites: Vec<usize>) -> Self {
        SpinTerm { ops: op.into(), coupling, offset: None, offsets: None, bonds: None, sites: Some(sites) }
    }

    /// A short description for messages: `"zz", coupling 0.5, offset (1, 0)`.
    pub fn describe(&self) -> String {
        let vec = |v: &[i64]| format!("({})", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", "));
        let place = if let Some(o) = &self.offset {
            format!("offset {}", vec(o))
        } else if let Some(os) = &self.offsets {
            format!("offsets {}", os.iter().map(|o| vec(o)).collect::<Vec<_>>().join(" "))
        } else if let Some(b) = &self.bonds {
            let shown: Vec<String> = b.iter().take(4).map(|[i, j]| format!("{i}-{j}")).collect();
            format!(
                "bonds {}{}",
                shown.join(" "),
                if b.len() > 4 { format!(" (+{} more)", b.len() - 4) } else { String::new() }
            )
        } else if let Some(s) = &self.sites {
            let shown: Vec<String> = s.iter().take(6).map(|i| i.to_string()).collect();
            format!(
                "sites {}{}",
                shown.join(" "),
                if s.len() > 6 { format!(" (+{} more)", s.len() - 6) } else { String::new() }
            )
        } else {
            "every site".to_string()
        };
        format!("\"{}\", coupling {}, {place}", self.ops, self.coupling)
    }
}

/// A model file: `name`, `spin`, `pauli` and a list of `[[term]]` tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// A name for messages and records.
    #[serde(default)]
    pub name: Option<String>,
    /// Spin length S (default ½).
    #[serde(default)]
    pub spin: Option<f64>,
    /// Couplings multiply Pauli matrices σ = 2S instead of spin operators.
    #[serde(default)]
    pub pauli: Option<bool>,
    /// The terms.
    #[serde(default, rename = "term")]
    pub terms: Vec<SpinTerm>,
}

/// One bond of the canonical bilinear form: energy `S_i · M S_j` (i ≠ j).
#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeBond {
    /// First site.
    pub i: usize,
    /// Second site.
    pub j: usize,
    /// The exchange matrix (rows: components of S_i; columns: of S_j).
    pub matrix: Matrix3,
}

/// The canonical bilinear form of a spin model: `H = Σ_b S_i · M_b S_j + Σ_i h_i · S_i`.
///
/// Bonds on the same unordered pair of sites are merged; each is oriented and ordered
/// canonically (by its first site, then by its minimum-image displacement), so two descriptions
/// of the same Hamiltonian give the same form, bit for bit, when their couplings add exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    /// Number of sites.
    pub n_sites: usize,
    /// The bonds, canonical order.
    pub bonds: Vec<ExchangeBond>,
    /// The field h_i (energy `h_i · S_i`) of every site.
    pub fields: Vec<[f64; 3]>,
}

impl Exchange {
    /// Classical energy of spin vectors `s[i]` (length S each).
    pub fn energy(&self, s: &[[f64; 3]]) -> f64 {
        let mut e = 0.0;
        for b in &self.bonds {
            e += bilinear(&s[b.i], &b.matrix, &s[b.j]);
        }
        for (h, si) in self.fields.iter().zip(s) {
            e += h[0] * si[0] + h[1] * si[1] + h[2] * si[2];
        }
        e
    }

    /// The gradient `∂H/∂S_i` of the classical energy (the negative local field), written into `out`.
    pub fn gradient(&self, s: &[[f64; 3]], out: &mut [[f64; 3]]) {
        out.copy_from_slice(&self.fields);
        for b in &self.bonds {
            for a in 0..3 {
                for c in 0..3 {
                    out[b.i][a] += b.matrix[a][c] * s[b.j][c];
                    out[b.j][c] += b.matrix[a][c] * s[b.i][a];
                }
            }
        }
    }
}

fn bilinear(a: &[f64; 3], m: &Matrix3, b: &[f64; 3]) -> f64 {
    let mut e = 0.0;
    for p in 0..3 {
        for q in 0..3 {
            e += a[p] * m[p][q] * b[q];
        }
    }
    e
}

/// A symmetry a sector may declare, checked against the terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Symmetry {
    /// Conservation of total S^z (U(1) spin rotations about z).
    Sz,
    /// Translation by one lattice spacing along an axis (momentum).
    Translation(usize),
    /// Inversion r → −r (parity; a reflection on the chain).
    Inversion,
    /// The mirror x → −x of a 2D lattice.
    Mirror,
    /// The 90° rotation (x, y) → (−y, x) of a square L×L lattice.
    Rotation,
    /// The global spin flip Π_i σ^x_i (a π rotation about x: S^y, S^z → −S^y, −S^z).
    SpinFlip,
}

impl Symmetry {
    /// The symmetry in words, with the quantum number it gives.
    pub fn describe(&self) -> String {
        match self {
            Symmetry::Sz => "conservation of total S^z (the quantum number sz)".into(),
            Symmetry::Translation(a) => format!("translation along axis {a} (the momentum k)"),
            Symmetry::Inversion => "inversion r → −r (the parity)".into(),
            Symmetry::Mirror => "the mirror x → −x (the quantum number mirror)".into(),
            Symmetry::Rotation => "the 90° rotation (the quantum number rotation)".into(),
            Symmetry::SpinFlip => "the global spin flip (the quantum number spinflip)".into(),
        }
    }

    /// The `--sector` key this symmetry gives.
    pub fn key(&self) -> &'static str {
        match self {
            Symmetry::Sz => "sz",
            Symmetry::Translation(_) => "k",
            Symmetry::Inversion => "parity",
            Symmetry::Mirror => "mirror",
            Symmetry::Rotation => "rotation",
            Symmetry::SpinFlip => "spinflip",
        }
    }
}

/// The couplings of a translation-invariant model: bond (r, r + offset) with matrix M for
/// every site r and every entry, and a uniform field h (energy `h · S_r`).
#[derive(Clone, Debug, PartialEq)]
pub struct UniformCouplings {
    /// (offset, exchange matrix), merged per offset, in first-appearance order.
    pub bonds: Vec<(Vec<i64>, Matrix3)>,
    /// The uniform field.
    pub field: [f64; 3],
}

/// A spin Hamiltonian as data: a lattice, a spin length and a list of terms (see the module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct SpinModel {
    /// A name for messages and records (`heisenberg`, `xxz`, the model file's name, ...).
    pub name: String,
    /// The lattice.
    pub lattice: Lattice,
    /// Spin length S.
    pub spin: f64,
    terms: Vec<SpinTerm>,
    exchange: Exchange,
    /// Terms contributing to each canonical bond / each site's field.
    bond_terms: Vec<Vec<usize>>,
    field_terms: Vec<Vec<usize>>,
}

impl SpinModel {
    /// A validated model: every operator known, every coupling finite, every bond and site on
    /// the lattice, and the Hamiltonian Hermitian. Errors name the term (counted from 1).
    pub fn new(name: impl Into<String>, lattice: Lattice, spin: f64, terms: Vec<SpinTerm>) -> Result<Self> {
        if !(spin.is_finite() && spin > 0.0 && (2.0 * spin).fract() == 0.0) {
            return Err(Error::invalid(
                "spin",
                spin.to_string(),
                "the spin length S is ½, 1, 3/2, ...: give 0.5, 1, 1.5, ...",
            ));
        }
        if terms.is_empty() {
            return Err(Error::invalid(
                "model",
                "no terms",
                "give at least one [[term]] (ops, coupling, and offset, bonds or sites)",
            ));
        }
        // The tables are built per site and per bond: estimate them before allocating (about
        // 100 bytes a site for the fields and term lists, 400 a bond for its accumulated
        // matrix, displacement, term list and hash slot).
        let per_site_bonds: u128 = terms
            .iter()
            .map(|t| t.offset.as_ref().map_or(0, |_| 1) + t.offsets.as_ref().map_or(0, |o| o.len() as u128))
            .sum();
        let listed: u128 = terms.iter().map(|t| t.bonds.as_ref().map_or(0, |b| b.len() as u128)).sum();
        let n = lattice.n_sites() as u128;
        crate::error::check_memory(
            &format!("building a spin model on {} sites", lattice.n_sites()),
            crate::error::bytes_of(n.saturating_mul(100 + 400 * per_site_bonds).saturating_add(400 * listed), 1),
            "use a smaller lattice",
        )?;
        let (exchange, bond_terms, field_terms) = build_exchange(&lattice, &terms)?;
        Ok(SpinModel { name: name.into(), lattice, spin, terms, exchange, bond_terms, field_terms })
    }

    /// Read a model file (TOML, see the module doc) for a lattice.
    pub fn from_toml(text: &str, lattice: Lattice, source: &str) -> Result<Self> {
        let file: ModelFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| format!(" (line {})", text[..s.start.min(text.len())].matches('\n').count() + 1));
            Error::invalid(
                "model file",
                source.to_string(),
                format!(
                    "{}{}; a model file has name, spin, pauli and [[term]] tables with ops, coupling and offset, offsets, bonds or sites",
                    e.message().replace('\n', " "),
                    at.unwrap_or_default()
                ),
            )
        })?;
        Self::from_file(file, lattice, source)
    }

    /// A model from a parsed model file.
    pub fn from_file(file: ModelFile, lattice: Lattice, source: &str) -> Result<Self> {
        let spin = file.spin.unwrap_or(0.5);
        let mut terms = file.terms;
        if file.pauli.unwrap_or(false) {
            // σ^a = 2 S^a: a term with n operators gets a factor 2^n (exact in floating point).
            for t in &mut terms {
                t.coupling *= f64::from(1u32 << t.ops.chars().count().min(8));
            }
        }
        let name = file.name.unwrap_or_else(|| source.to_string());
        Self::new(name, lattice, spin, terms)
    }

    /// The XXZ model with next-nearest neighbours and a field along z:
    /// `H = J Σ_<ij> (S^x S^x + S^y S^y + Δ S^z S^z) + J2 Σ_<<ij>> S_i·S_j − h Σ_i S^z_i`.
    /// Nearest neighbours are (r, r + e_a); next-nearest are (r, r + 2) on a chain and the
    /// diagonals (r, r + e_a ± e_b), a < b, in two and more dimensions. Terms whose coupling is
    /// zero are left out. `Δ = 1` is the Heisenberg model, `Δ = 0` the XX model.
    pub fn xxz(lattice: Lattice, spin: f64, j: f64, delta: f64, j2: f64, field: f64) -> Result<Self> {
        for (what, x) in [("coupling", j), ("delta", delta), ("J2", j2), ("field", field)] {
            crate::error::require_finite(what, x)?;
        }
        let mut terms = Vec::new();
        let nn = Self::neighbour_offsets(&lattice, 1);
        if j != 0.0 {
            terms.push(SpinTerm::on_offsets("xx", j, nn.clone()));
            terms.push(SpinTerm::on_offsets("yy", j, nn.clone()));
        }
        if j * delta != 0.0 {
            terms.push(SpinTerm::on_offsets("zz", j * delta, nn));
        }
        if j2 != 0.0 {
            let nnn = Self::neighbour_offsets(&lattice, 2);
            for op in ["xx", "yy", "zz"] {
                terms.push(SpinTerm::on_offsets(op, j2, nnn.clone()));
            }
        }
        if field != 0.0 {
            terms.push(SpinTerm::field("z", -field));
        }
        if terms.is_empty() {
            return Err(Error::invalid("coupling", "0", "every coupling is zero: give --coupling, --J2 or --field"));
        }
        let name = if j2 != 0.0 {
            "j1-j2"
        } else if delta != 1.0 {
            "xxz"
        } else {
            "heisenberg"
        };
        Self::new(name, lattice, spin, terms)
    }

    /// The Heisenberg model `J Σ_<ij> S_i·S_j` of [`Heisenberg`] as terms.
    pub fn heisenberg(m: &Heisenberg) -> Result<Self> {
        Self::xxz(m.lattice.clone(), m.spin, m.coupling, 1.0, 0.0, 0.0)
    }

    /// The transverse-field Ising model `−J Σ σ^z σ^z − h Σ σ^x` (Pauli matrices) as spin terms:
    /// `−4J Σ S^z S^z − 2h Σ S^x`.
    pub fn transverse_ising(m: &TransverseIsing) -> Result<Self> {
        let nn = Self::neighbour_offsets(&m.lattice, 1);
        let mut terms = vec![SpinTerm::on_offsets("zz", -4.0 * m.coupling, nn)];
        if m.field != 0.0 {
            terms.push(SpinTerm::field("x", -2.0 * m.field));
        }
        Self::new("transverse-ising", m.lattice.clone(), 0.5, terms)
    }

    /// The displacements of the first (`shell = 1`: e_a) or second (`shell = 2`: 2 e_0 on a
    /// chain, e_a ± e_b otherwise) neighbour shell of a hypercubic lattice, one per bond.
    pub fn neighbour_offsets(lattice: &Lattice, shell: usize) -> Vec<Vec<i64>> {
        let d = lattice.dim();
        let unit = |a: usize| -> Vec<i64> { (0..d).map(|b| i64::from(a == b)).collect() };
        match shell {
            1 => (0..d).map(unit).collect(),
            _ if d == 1 => vec![vec![2]],
            _ => {
                let mut v = Vec::new();
                for a in 0..d {
                    for b in a + 1..d {
                        let (ea, eb) = (unit(a), unit(b));
                        v.push(ea.iter().zip(&eb).map(|(x, y)| x + y).collect());
                        v.push(ea.iter().zip(&eb).map(|(x, y)| x - y).collect());
                    }
                }
                v
            }
        }
    }

    /// The terms as given.
    pub fn terms(&self) -> &[SpinTerm] {
        &self.terms
    }

    /// The canonical bilinear form.
    pub fn exchange(&self) -> &Exchange {
        &self.exchange
    }

    /// Classical energy of spin vectors `s[i]` (length S each).
    pub fn classical_energy(&self, s: &[[f64; 3]]) -> f64 {
        self.exchange.energy(s)
    }

    /// `∂H/∂S_i` of the classical energy, written into `out` (one entry per site).
    pub fn classical_gradient(&self, s: &[[f64; 3]], out: &mut [[f64; 3]]) {
        self.exchange.gradient(s, out)
    }

    /// The per-offset couplings and uniform field if every two-site term is an offset term and
    /// every one-site term acts on every site (the model is translation invariant by
    /// construction); `None` otherwise.
    pub fn uniform_couplings(&self) -> Option<UniformCouplings> {
        let mut bonds: Vec<(Vec<i64>, Matrix3)> = Vec::new();
        let mut field = [0.0; 3];
        for t in &self.terms {
            let ops = parse_ops(&t.ops).ok()?;
            if ops.len() == 1 {
                if t.sites.is_some() {
                    return None;
                }
                let c = ops[0].components();
                for a in 0..3 {
                    field[a] += t.coupling * c[a].re;
                }
                continue;
            }
            let offs = t.offsets.clone().or_else(|| t.offset.clone().map(|o| vec![o]))?;
            let (c1, c2) = (ops[0].components(), ops[1].components());
            for off in offs {
                let m = match bonds.iter_mut().find(|(o, _)| *o == off) {
                    Some((_, m)) => m,
                    None => {
                        bonds.push((off, [[0.0; 3]; 3]));
                        &mut bonds.last_mut().expect("pushed").1
                    }
                };
                for a in 0..3 {
                    for b in 0..3 {
                        m[a][b] += t.coupling * (c1[a] * c2[b]).re;
                    }
                }
            }
        }
        Some(UniformCouplings { bonds, field })
    }

    /// The terms that break a symmetry (indices into [`SpinModel::terms`]; empty if H has it).
    /// For a lattice symmetry every bond and field must be mapped onto an equal one; the terms
    /// blamed are those on the first mismatched bond (or site) that its image does not share.
    /// For S^z, every bond must be of the form `J_⊥ (S^x S^x + S^y S^y) + D (S^x S^y − S^y S^x) +
    /// J_z S^z S^z` and every field along z; for the spin flip (π about x), no bond may couple x
    /// to y or z and no field may point along y or z; the terms blamed are those on the first
    /// offending bond (or site) that break the symmetry on their own (all of them if none does).
    pub fn breaking_terms(&self, sym: &Symmetry) -> Vec<usize> {
        match sym {
            Symmetry::Sz => self.first_breaking(
                |m| m[0][0] == m[1][1] && m[0][1] == -m[1][0] && [m[0][2], m[2][0], m[1][2], m[2][1]] == [0.0; 4],
                |h| h[0] == 0.0 && h[1] == 0.0,
                |ops| {
                    let (p, q) = (ops.matches('+').count(), ops.matches('-').count());
                    ops.chars().any(|c| matches!(c.to_ascii_lowercase(), 'x' | 'y')) || p != q
                },
            ),
            Symmetry::SpinFlip => self.first_breaking(
                |m| [m[0][1], m[1][0], m[0][2], m[2][0]] == [0.0; 4],
                |h| h[1] == 0.0 && h[2] == 0.0,
                |ops| {
                    let odd = ops.chars().filter(|c| matches!(c.to_ascii_lowercase(), 'y' | 'z')).count() % 2 == 1;
                    odd || ops.contains('+') || ops.contains('-')
                },
            ),
            lattice_sym => match self.site_permutation(lattice_sym) {
                Some(perm) => self.first_not_invariant(&perm),
                None => Vec::new(),
            },
        }
    }

    /// The first term (lowest index) that breaks a symmetry, if any (see [`SpinModel::breaking_terms`]).
    pub fn breaking_term(&self, sym: &Symmetry) -> Option<usize> {
        self.breaking_terms(sym).first().copied()
    }

    /// Whether total S^z commutes with H.
    pub fn conserves_sz(&self) -> bool {
        self.breaking_term(&Symmetry::Sz).is_none()
    }

    /// Whether every matrix element in the S^z basis is real (no S^y to an odd power).
    pub fn is_real(&self) -> bool {
        self.exchange.bonds.iter().all(|b| {
            let m = &b.matrix;
            m[0][1] == 0.0 && m[1][0] == 0.0 && m[1][2] == 0.0 && m[2][1] == 0.0
        }) && self.exchange.fields.iter().all(|h| h[1] == 0.0)
    }

    /// The terms contributing to canonical bond `b` of [`SpinModel::exchange`].
    pub fn terms_of_bond(&self, b: usize) -> &[usize] {
        &self.bond_terms[b]
    }

    /// The site permutation of a lattice symmetry (site r goes to `p[r]`), or `None` if it
    /// does not map the lattice onto itself (rotation of a rectangle, mirror of a chain).
    pub fn site_permutation(&self, sym: &Symmetry) -> Option<Vec<usize>> {
        let l = &self.lattice;
        let d = l.dim();
        let map = |f: &dyn Fn(&[isize]) -> Vec<isize>| -> Vec<usize> {
            (0..l.n_sites())
                .map(|r| {
                    let c = l.coords(r);
                    let c: Vec<isize> = c[..d].iter().map(|&x| x as isize).collect();
                    l.site(&f(&c))
                })
                .collect()
        };
        Some(match sym {
            Symmetry::Translation(a) => {
                if *a >= d {
                    return None;
                }
                map(&|c| c.iter().enumerate().map(|(b, &x)| x + isize::from(b == *a)).collect())
            }
            Symmetry::Inversion => map(&|c| c.iter().map(|x| -x).collect()),
            Symmetry::Mirror => {
                if d != 2 {
                    return None;
                }
                map(&|c| vec![-c[0], c[1]])
            }
            Symmetry::Rotation => {
                if d != 2 || l.extents()[0] != l.extents()[1] {
                    return None;
                }
                map(&|c| vec![-c[1], c[0]])
            }
            Symmetry::Sz | Symmetry::SpinFlip => (0..l.n_sites()).collect(),
        })
    }

    fn first_breaking(
        &self,
        bond_ok: impl Fn(&Matrix3) -> bool,
        field_ok: impl Fn(&[f64; 3]) -> bool,
        term_breaks: impl Fn(&str) -> bool,
    ) -> Vec<usize> {
        let culprits = |ts: &[usize]| -> Vec<usize> {
            let own: Vec<usize> = ts.iter().copied().filter(|&t| term_breaks(&self.terms[t].ops)).collect();
            let mut v = if own.is_empty() { ts.to_vec() } else { own };
            v.sort_unstable();
            v
        };
        if let Some(b) = self.exchange.bonds.iter().position(|b| !bond_ok(&b.matrix)) {
            return culprits(&self.bond_terms[b]);
        }
        if let Some(r) = self.exchange.fields.iter().position(|h| !field_ok(h)) {
            return culprits(&self.field_terms[r]);
        }
        Vec::new()
    }

    /// The terms on the first bond (or site) whose image under `perm` differs, that the image
    /// does not share (all of them on both if they share every term).
    fn first_not_invariant(&self, perm: &[usize]) -> Vec<usize> {
        let ex = &self.exchange;
        let index: HashMap<(usize, usize), usize> =
            ex.bonds.iter().enumerate().map(|(k, b)| ((b.i.min(b.j), b.i.max(b.j)), k)).collect();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (a.abs() + b.abs());
        let same = |m: &Matrix3, n: &Matrix3| (0..3).all(|a| (0..3).all(|c| close(m[a][c], n[a][c])));
        let blame = |a: &[usize], b: &[usize]| -> Vec<usize> {
            let mut v: Vec<usize> =
                a.iter().filter(|t| !b.contains(t)).chain(b.iter().filter(|t| !a.contains(t))).copied().collect();
            if v.is_empty() {
                v = a.iter().chain(b).copied().collect();
            }
            v.sort_unstable();
            v.dedup();
            v
        };
        for (k, b) in ex.bonds.iter().enumerate() {
            let (pi, pj) = (perm[b.i], perm[b.j]);
            match index.get(&(pi.min(pj), pi.max(pj))) {
                Some(&k2) => {
                    let img = &ex.bonds[k2];
                    // The image bond may be stored in the other orientation: S_i·M S_j = S_j·Mᵀ S_i.
                    let m = if img.i == pi { img.matrix } else { transpose(&img.matrix) };
                    if !same(&b.matrix, &m) {
                        return blame(&self.bond_terms[k], &self.bond_terms[k2]);
                    }
                }
                None => return blame(&self.bond_terms[k], &[]),
            }
        }
        for (r, h) in ex.fields.iter().enumerate() {
            let img = &ex.fields[perm[r]];
            if !(0..3).all(|a| close(h[a], img[a])) {
                return blame(&self.field_terms[r], &self.field_terms[perm[r]]);
            }
        }
        Vec::new()
    }
}

fn transpose(m: &Matrix3) -> Matrix3 {
    let mut t = [[0.0; 3]; 3];
    for a in 0..3 {
        for b in 0..3 {
            t[a][b] = m[b][a];
        }
    }
    t
}

/// Parse an operator string into one-site operators (the error names the bad character).
fn parse_ops(ops: &str) -> std::result::Result<Vec<SpinOp>, String> {
    let v: Vec<char> = ops.chars().filter(|c| !c.is_whitespace()).collect();
    if v.is_empty() || v.len() > 2 {
        return Err(format!(
            "\"{ops}\" has {} operators; give one (a field, e.g. \"z\") or two (a bond, e.g. \"zz\", \"+-\")",
            v.len()
        ));
    }
    v.iter()
        .map(|&c| {
            SpinOp::from_char(c).ok_or_else(|| {
                format!(
                    "unknown operator '{c}' in \"{ops}\"; the operators are x, y, z, + and - (S^x, S^y, S^z, S^+, S^-)"
                )
            })
        })
        .collect()
}

/// Minimum-image displacement from site i to site j, per axis in (−L/2, L/2].
fn displacement(l: &Lattice, i: usize, j: usize) -> Vec<i64> {
    let (ci, cj) = (l.coords(i), l.coords(j));
    (0..l.dim())
        .map(|a| {
            let e = l.extents()[a] as i64;
            let mut d = (cj[a] as i64 - ci[a] as i64).rem_euclid(e);
            if 2 * d > e {
                d -= e;
            }
            d
        })
        .collect()
}

/// The canonical orientation of a pair: the displacement's first non-zero component is
/// positive (ties, where both orientations give the same displacement, go to i < j).
fn canonical_pair(l: &Lattice, i: usize, j: usize) -> (usize, usize, Vec<i64>) {
    let d = displacement(l, i, j);
    let back = displacement(l, j, i);
    let positive = |v: &[i64]| v.iter().find(|&&x| x != 0).is_some_and(|&x| x > 0);
    let keep = if d == back { i < j } else { positive(&d) };
    if keep {
        (i, j, d)
    } else {
        (j, i, back)
    }
}

type Provenance = Vec<Vec<usize>>;

/// Expand the terms into the canonical bilinear form (see [`Exchange`]).
fn build_exchange(l: &Lattice, terms: &[SpinTerm]) -> Result<(Exchange, Provenance, Provenance)> {
    let n = l.n_sites();
    let bad = |t: usize, hint: String| {
        Error::invalid("model term", format!("term {} ({})", t + 1, terms[t].describe()), hint)
    };
    // Complex accumulation per pair: (canonical i, j, displacement) → matrix, |contributions|.
    struct Acc {
        i: usize,
        j: usize,
        d: Vec<i64>,
        m: [[C64; 3]; 3],
        scale: f64,
        terms: Vec<usize>,
    }
    let mut pairs: Vec<Acc> = Vec::new();
    let mut slot: HashMap<(usize, usize), usize> = HashMap::new();
    let mut fields = vec![[C64::new(0.0, 0.0); 3]; n];
    let mut field_scale = vec![0.0f64; n];
    let mut field_terms: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (ti, t) in terms.iter().enumerate() {
        let ops = parse_ops(&t.ops).map_err(|e| bad(ti, e))?;
        if !t.coupling.is_finite() {
            return Err(bad(ti, format!("the coupling is {}; give a finite number", t.coupling)));
        }
        let placements = [t.offset.is_some(), t.offsets.is_some(), t.bonds.is_some()].iter().filter(|&&x| x).count();
        if ops.len() == 1 {
            if placements > 0 {
                return Err(bad(ti, "a one-site term (a field) acts on sites: use `sites = [...]` (or nothing for every site), not offset or bonds".into()));
            }
            let sites: Vec<usize> = t.sites.clone().unwrap_or_else(|| (0..n).collect());
            let c = ops[0].components();
            for &r in &sites {
                if r >= n {
                    return Err(bad(
                        ti,
                        format!("site {r} is not on the {l} lattice (sites 0 to {}, first axis fastest)", n - 1),
                    ));
                }
                for a in 0..3 {
                    fields[r][a] += c[a] * t.coupling;
                }
                field_scale[r] += t.coupling.abs();
                if !field_terms[r].contains(&ti) {
                    field_terms[r].push(ti);
                }
            }
            continue;
        }
        if t.sites.is_some() {
            return Err(bad(ti, "a two-site term acts on bonds: give offset, offsets or bonds, not sites".into()));
        }
        if placements != 1 {
            return Err(bad(
                ti,
                "say where a two-site term acts with exactly one of: offset = [dx, ...] (every site r with r + offset), offsets = [[...], ...], bonds = [[i, j], ...]".into(),
            ));
        }
        let mut list: Vec<(usize, usize)> = Vec::new();
        if let Some(b) = &t.bonds {
            for &[i, j] in b {
                for s in [i, j] {
                    if s >= n {
                        return Err(bad(ti, format!("bond {i}-{j} names site {s}, which is not on the {l} lattice (sites 0 to {}, first axis fastest)", n - 1)));
                    }
                }
                if i == j {
                    return Err(bad(ti, format!("bond {i}-{j} joins a site to itself; a two-site term needs two different sites (write a field as a one-site term)")));
                }
                list.push((i, j));
            }
        } else {
            let offs = t.offsets.clone().unwrap_or_else(|| vec![t.offset.clone().unwrap_or_default()]);
            for o in &offs {
                if o.len() != l.dim() {
                    return Err(bad(
                        ti,
                        format!("an offset has one integer per axis; the {l} lattice has {} axes", l.dim()),
                    ));
                }
                if o.iter().zip(l.extents()).all(|(&x, &e)| x.rem_euclid(e as i64) == 0) {
                    return Err(bad(ti, format!("this offset maps every site onto itself on the {l} lattice; a two-site term needs two different sites")));
                }
            }
            for r in 0..n {
                for o in &offs {
                    let shift: Vec<isize> = o.iter().map(|&x| x as isize).collect();
                    list.push((r, l.translate(r, &shift)));
                }
            }
        }
        let (c1, c2) = (ops[0].components(), ops[1].components());
        for (i, j) in list {
            let (ci, cj, d) = canonical_pair(l, i, j);
            let swap = ci != i;
            let k = *slot.entry((ci, cj)).or_insert_with(|| {
                pairs.push(Acc { i: ci, j: cj, d, m: [[C64::new(0.0, 0.0); 3]; 3], scale: 0.0, terms: Vec::new() });
                pairs.len() - 1
            });
            let p = &mut pairs[k];
            for a in 0..3 {
                for b in 0..3 {
                    let v = c1[a] * c2[b] * t.coupling;
                    if swap {
                        p.m[b][a] += v;
                    } else {
                        p.m[a][b] += v;
                    }
                }
            }
            p.scale += t.coupling.abs();
            if !p.terms.contains(&ti) {
                p.terms.push(ti);
            }
        }
    }
    let hermitian_hint = |what: String, ts: &[usize]| {
        let names: Vec<String> = ts.iter().map(|&t| format!("term {} ({})", t + 1, terms[t].describe())).collect();
        Error::invalid(
            "model",
            what,
            format!(
                "the Hamiltonian is not Hermitian there: {} leave an imaginary part (S^+ S^- alone is not Hermitian); add the conjugate term, e.g. \"-+\" beside \"+-\" with the same coupling",
                names.join(" and ")
            ),
        )
    };
    pairs.sort_by(|a, b| {
        let ka: Vec<i64> = a.d.iter().rev().copied().collect();
        let kb: Vec<i64> = b.d.iter().rev().copied().collect();
        (a.i, ka, a.j).cmp(&(b.i, kb, b.j))
    });
    let mut bonds = Vec::with_capacity(pairs.len());
    let mut bond_terms = Vec::with_capacity(pairs.len());
    for p in pairs {
        let tol = 1e-12 * p.scale;
        if p.m.iter().flatten().any(|z| z.im.abs() > tol) {
            return Err(hermitian_hint(format!("bond {}-{}", p.i, p.j), &p.terms));
        }
        let matrix = p.m.map(|row| row.map(|z| z.re));
        bonds.push(ExchangeBond { i: p.i, j: p.j, matrix });
        bond_terms.push(p.terms);
    }
    let mut real_fields = Vec::with_capacity(n);
    for r in 0..n {
        if fields[r].iter().any(|z| z.im.abs() > 1e-12 * field_scale[r]) {
            return Err(hermitian_hint(format!("site {r}"), &field_terms[r]));
        }
        real_fields.push(fields[r].map(|z| z.re));
    }
    Ok((Exchange { n_sites: n, bonds, fields: real_fields }, bond_terms, field_terms))
}

/// Refuse, with the flag's name, model flags given beside a model file (the file defines every
/// term and coupling): `given` lists each flag and whether it was given; `coupling` is `--coupling`.
pub(crate) fn refuse_flags_beside_a_file(given: &[(&str, bool)], coupling: f64) -> crate::error::Result<()> {
    use crate::error::Error;
    if let Some((flag, _)) = given.iter().find(|(_, g)| *g) {
        return Err(Error::invalid(
            *flag,
            "given with --model-file",
            format!("the model file defines every term: write the {flag} term into the file instead"),
        ));
    }
    if coupling != 1.0 {
        return Err(Error::invalid(
            "coupling",
            coupling.to_string(),
            "the model file defines every coupling: scale the terms in the file instead",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Lattice {
        Lattice::parse(&n.to_string()).unwrap()
    }

    #[test]
    fn operator_pairs_give_the_exchange_matrix() {
        // S^+_i S^-_j + S^-_i S^+_j = 2 (S^x S^x + S^y S^y): "+-" and "-+" with J/2 each are
        // "xx" + "yy" with J, exactly (the imaginary parts ±i J/2 cancel).
        let l = chain(6);
        let a = SpinModel::new(
            "a",
            l.clone(),
            0.5,
            vec![
                SpinTerm::on_offsets("+-", 0.35, vec![vec![1]]),
                SpinTerm::on_offsets("-+", 0.35, vec![vec![1]]),
                SpinTerm::on_offsets("zz", 0.7, vec![vec![1]]),
            ],
        )
        .unwrap();
        let b = SpinModel::xxz(l, 0.5, 0.7, 1.0, 0.0, 0.0).unwrap();
        assert_eq!(a.exchange(), b.exchange());
        assert_eq!(a.exchange().bonds.len(), 6);
        assert_eq!(a.exchange().bonds[0].matrix, [[0.7, 0.0, 0.0], [0.0, 0.7, 0.0], [0.0, 0.0, 0.7]]);
        // The wrap bond (5, 0) keeps its orientation (displacement +1) and its place in site order.
        assert_eq!((a.exchange().bonds[5].i, a.exchange().bonds[5].j), (5, 0));
    }

    #[test]
    fn a_lone_raising_lowering_pair_is_not_hermitian() {
        let e = SpinModel::new("x", chain(4), 0.5, vec![SpinTerm::on_offsets("+-", 1.0, vec![vec![1]])]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("not Hermitian") && msg.contains("term 1"), "{msg}");
    }

    #[test]
    fn bad_terms_are_named() {
        let l = Lattice::parse("4x4").unwrap();
        let err = |t: SpinTerm| {
            SpinModel::new("x", l.clone(), 0.5, vec![SpinTerm::field("z", 1.0), t]).unwrap_err().to_string()
        };
        assert!(err(SpinTerm::on_offsets("zq", 1.0, vec![vec![1, 0]])).contains("unknown operator 'q'"));
        assert!(err(SpinTerm::on_bonds("zz", 1.0, vec![[0, 16]])).contains("site 16"));
        assert!(err(SpinTerm::on_bonds("zz", 1.0, vec![[3, 3]])).contains("itself"));
        assert!(err(SpinTerm::on_offsets("zz", f64::NAN, vec![vec![1, 0]])).contains("finite"));
        assert!(err(SpinTerm::on_offsets("zz", 1.0, vec![vec![1]])).contains("one integer per axis"));
        assert!(err(SpinTerm::on_offsets("zz", 1.0, vec![vec![4, 0]])).contains("onto itself"));
        assert!(err(SpinTerm::on_offsets("zzz", 1.0, vec![vec![1, 0]])).contains("3 operators"));
        assert!(err(SpinTerm::on_sites("z", 1.0, vec![20])).contains("site 20"));
        let e = err(SpinTerm::on_bonds("zz", 1.0, vec![[0, 16]]));
        assert!(e.contains("term 2"), "{e}");
    }

    #[test]
    fn model_file_round_trip_and_unknown_keys() {
        let text = "name = \"j1j2\"\n[[term]]\nops = \"xx\"\ncoupling = 1.0\noffsets = [[1, 0], [0, 1]]\n\
                    [[term]]\nops = \"z\"\ncoupling = -0.5\nsites = [0, 1]\n";
        let m = SpinModel::from_toml(text, Lattice::parse("4x4").unwrap(), "m.toml").unwrap();
        assert_eq!(m.name, "j1j2");
        assert_eq!(m.terms().len(), 2);
        assert_eq!(m.exchange().fields[1], [0.0, 0.0, -0.5]);
        let bad = "[[term]]\nops = \"zz\"\ncoupling = 1.0\noffset = [1, 0]\ncolour = 3\n";
        let e = SpinModel::from_toml(bad, Lattice::parse("4x4").unwrap(), "m.toml").unwrap_err().to_string();
        assert!(e.contains("colour") && e.contains("line"), "{e}");
        // Pauli matrices: σ^z σ^z = 4 S^z S^z.
        let p = "pauli = true\n[[term]]\nops = \"zz\"\ncoupling = 1.0\noffset = [1]\n";
        let m = SpinModel::from_toml(p, chain(4), "p.toml").unwrap();
        assert_eq!(m.exchange().bonds[0].matrix[2][2], 4.0);
    }

    #[test]
    fn classical_energy_and_gradient() {
        // Néel state of the 4x4 J1-J2 model: nearest bonds −J1 S² each (32 bonds), diagonal
        // bonds +J2 S² each (32 bonds), field along z cancels between the sublattices.
        let l = Lattice::parse("4x4").unwrap();
        let m = SpinModel::xxz(l.clone(), 1.0, 1.0, 1.0, 0.3, 0.2).unwrap();
        let s: Vec<[f64; 3]> = (0..16).map(|r| [0.0, 0.0, f64::from(l.parity(r))]).collect();
        assert!((m.classical_energy(&s) - (-32.0 + 0.3 * 32.0)).abs() < 1e-12);
        // Gradient = finite difference of the energy (any state).
        let s: Vec<[f64; 3]> = (0..16).map(|r| [(r as f64).sin(), (r as f64 * 0.7).cos(), 0.3]).collect();
        let mut g = vec![[0.0; 3]; 16];
        m.classical_gradient(&s, &mut g);
        for (r, a) in [(0, 0), (5, 1), (11, 2)] {
            let h = 1e-6;
            let mut sp = s.clone();
            sp[r][a] += h;
            let mut sm = s.clone();
            sm[r][a] -= h;
            let fd = (m.classical_energy(&sp) - m.classical_energy(&sm)) / (2.0 * h);
            assert!((fd - g[r][a]).abs() < 1e-8, "{fd} vs {}", g[r][a]);
        }
        let u = m.uniform_couplings().unwrap();
        assert_eq!(u.bonds.len(), 4);
        assert_eq!(u.field, [0.0, 0.0, -0.2]);
    }

    #[test]
    fn symmetry_checks_name_the_breaking_term() {
        let l = chain(8);
        let nn = vec![vec![1]];
        let m = SpinModel::new(
            "x",
            l,
            0.5,
            vec![
                SpinTerm::on_offsets("xx", 1.0, nn.clone()),
                SpinTerm::on_offsets("yy", 1.0, nn.clone()),
                SpinTerm::on_bonds("zz", 0.5, vec![[0, 1]]),
                SpinTerm::field("z", 0.1),
            ],
        )
        .unwrap();
        assert_eq!(m.breaking_terms(&Symmetry::Translation(0)), vec![2]);
        assert_eq!(m.breaking_terms(&Symmetry::SpinFlip), vec![3]);
        assert_eq!(m.breaking_term(&Symmetry::Sz), None);
        // Inversion r → −r maps bond 0-1 to 0-7: the single zz bond breaks it too.
        assert_eq!(m.breaking_terms(&Symmetry::Inversion), vec![2]);
        // "xx" and "yy" with different couplings break S^z together, and both are named.
        let xy = SpinModel::new(
            "x",
            chain(6),
            0.5,
            vec![
                SpinTerm::on_offsets("zz", 1.0, nn.clone()),
                SpinTerm::on_offsets("xx", 1.0, nn.clone()),
                SpinTerm::on_offsets("yy", 0.9, nn.clone()),
            ],
        )
        .unwrap();
        assert_eq!(xy.breaking_terms(&Symmetry::Sz), vec![1, 2]);
        let t = SpinModel::transverse_ising(&TransverseIsing::new(chain(6), 1.0, 0.5).unwrap()).unwrap();
        assert_eq!(t.breaking_term(&Symmetry::Sz), Some(1));
        assert_eq!(t.breaking_term(&Symmetry::SpinFlip), None);
        // Dzyaloshinskii-Moriya D (S^x S^y − S^y S^x) conserves S^z and breaks inversion.
        let dm = SpinModel::new(
            "dm",
            chain(6),
            0.5,
            vec![SpinTerm::on_offsets("xy", 0.3, vec![vec![1]]), SpinTerm::on_offsets("yx", -0.3, vec![vec![1]])],
        )
        .unwrap();
        assert!(dm.conserves_sz() && !dm.is_real());
        assert_eq!(dm.breaking_term(&Symmetry::Inversion), Some(0));
        assert_eq!(dm.breaking_term(&Symmetry::Translation(0)), None);
        // The square lattice's point group.
        let sq = SpinModel::xxz(Lattice::parse("4x4").unwrap(), 0.5, 1.0, 1.0, 0.5, 0.0).unwrap();
        for s in [Symmetry::Rotation, Symmetry::Mirror, Symmetry::Inversion, Symmetry::Translation(1)] {
            assert_eq!(sq.breaking_term(&s), None, "{s:?}");
        }
        let rect = SpinModel::xxz(Lattice::parse("4x2").unwrap(), 0.5, 1.0, 1.0, 0.0, 0.0).unwrap();
        assert!(rect.site_permutation(&Symmetry::Rotation).is_none());
    }
}
