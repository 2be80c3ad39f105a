//! The 2D anchors: exchange and braiding phases of the toric code and the double semion
//! (topological-order note, sections C.1 and C.5).
//!
//! Two independent routes:
//!
//! 1. **Lattice hop algebra (toric code).** The model [`ToricCode`] (qubits on the links of an
//!    L×L torus, `H = −Σ_v Π_{star} X − Σ_p Π_{∂p} Z`). An e particle (star defect) hops across link l with `Z_l`,
//!    an m particle (plaquette defect) with `X` on the link its dual step crosses, and the bound state
//!    ε = e×m (e at v, m on the plaquette whose lower-left corner is v) with the product. The
//!    Levin-Wen identity (rotor note, eq. 3.1) at every vertex and all 4 leg triples gives the
//!    exchange sign; the braiding phase of e around m is the commutation sign of the e loop around a
//!    plaquette with the string that put m there.
//! 2. **Group cohomology (twisted quantum double D^ω(Z₂)).** The anyons are pairs (a, χ) of a flux
//!    a ∈ Z₂ and a β_a-projective character χ, `β_a(g,h) = ω(a,g,h) ω(g,h,a) / ω(g,a,h)`;
//!    the topological spin is `θ = χ(a)`. ω = 1 is the toric code; the non-trivial cocycle
//!    `ω(1,1,1) = −1` is the double semion (the twisted Z₂ string net). Fusion
//!    `(a,χ)×(b,χ') = (a+b, χχ'γ)` with `γ_g = ω(a,b,g) ω(g,a,b) / ω(a,g,b)`, and the mutual braiding
//!    of abelian anyons is `M_xy = θ_{x×y} / (θ_x θ_y)`.
//! 3. **Abelian Chern-Simons (K matrix)**, as a cross-check of route 2: anyons `l ∈ Z²/KZ²`,
//!    `θ_l = exp(iπ lᵀK⁻¹l)`, with `K = [[0,2],[2,0]]` (toric code) and `K = diag(2,−2)` (double semion).

use super::algebra::Check;
use super::shift::SignedShift;
use crate::error::{Error, Result};
use crate::linalg::C64;
use crate::model::ToricCode;
use serde::{Deserialize, Serialize};

/// One anyon and its exchange phase (topological spin).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// `e^{iΘ}` as `[re, im]`.
    pub exchange_phase: [f64; 2],
    /// How it was computed.
    pub method: String,
    /// Name (1, e, m, e×m; 1, s, s̄, b).
    pub name: String,
}

/// The mutual braiding phase of two anyons (one taken fully around the other).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutual {
    /// How it was computed.
    pub method: String,
    /// The two anyons.
    pub pair: [String; 2],
    /// The full-braid phase `[re, im]`.
    pub phase: [f64; 2],
}

/// Results for one anyon model.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnyonReport {
    /// "toric-code" or "double-semion".
    pub model: String,
    /// Particles with their exchange phases.
    pub particles: Vec<Particle>,
    /// Mutual braiding phases.
    pub mutual: Vec<Mutual>,
    /// Vertex leg triples checked by the lattice route (0 if it was not used).
    pub triples_checked: usize,
    /// Named checks.
    pub consistency: Vec<Check>,
}

fn c(z: C64) -> [f64; 2] {
    [z.re + 0.0, z.im + 0.0]
}

/// An anyon of D^ω(Z₂): flux a and projective character value χ(1) (χ(0) = 1).
#[derive(Clone, Copy, Debug)]
pub struct DoubleAnyon {
    /// Flux a ∈ {0, 1}.
    pub flux: u8,
    /// χ(1).
    pub chi1: C64,
}

/// The group 3-cocycle on Z₂: trivial, or `ω(1,1,1) = −1` (the generator of H³(Z₂, U(1))).
fn omega(twisted: bool, a: u8, b: u8, c: u8) -> f64 {
    if twisted && a == 1 && b == 1 && c == 1 {
        -1.0
    } else {
        1.0
    }
}

/// The four anyons of D^ω(Z₂), found by solving `χ(1)² = β_a(1,1)` (normalized χ(0) = 1).
pub fn quantum_double_z2(twisted: bool) -> Vec<DoubleAnyon> {
    let mut out = Vec::new();
    for a in 0..2u8 {
        let beta = omega(twisted, a, 1, 1) * omega(twisted, 1, 1, a) / omega(twisted, 1, a, 1);
        let r = C64::new(beta, 0.0).sqrt();
        for chi1 in [r, -r] {
            out.push(DoubleAnyon { flux: a, chi1 });
        }
    }
    out
}

/// Topological spin θ = χ(a).
pub fn spin(x: &DoubleAnyon) -> C64 {
    if x.flux == 0 {
        C64::new(1.0, 0.0)
    } else {
        x.chi1
    }
}

/// Fusion of two anyons of D^ω(Z₂).
pub fn fuse(twisted: bool, x: &DoubleAnyon, y: &DoubleAnyon) -> DoubleAnyon {
    let (a, b) = (x.flux, y.flux);
    let gamma = omega(twisted, a, b, 1) * omega(twisted, 1, a, b) / omega(twisted, a, 1, b);
    DoubleAnyon { flux: (a + b) % 2, chi1: x.chi1 * y.chi1 * gamma }
}

/// Mutual braiding `θ_{x×y} / (θ_x θ_y)`.
pub fn mutual_braiding(twisted: bool, x: &DoubleAnyon, y: &DoubleAnyon) -> C64 {
    spin(&fuse(twisted, x, y)) / (spin(x) * spin(y))
}

fn name_of(twisted: bool, x: &DoubleAnyon) -> String {
    let th = spin(x);
    let name = match (twisted, x.flux, x.chi1.re > 0.5, th.im > 0.5, th.im < -0.5) {
        (false, 0, true, _, _) => "1",
        (false, 0, false, _, _) => "e",
        (false, 1, true, _, _) => "m",
        (false, 1, false, _, _) => "e×m",
        (true, 0, true, _, _) => "1",
        (true, 0, false, _, _) => "b",
        (true, 1, _, true, _) => "s",
        (true, 1, _, _, true) => "s̄",
        _ => "?",
    };
    name.to_string()
}

/// Topological spins `exp(iπ lᵀK⁻¹l)` of the four anyons `l ∈ {0,1}²` of a 2x2 K matrix with
/// `K Z² = 2 Z²` (both K matrices used here), sorted by (re, im).
pub fn k_matrix_spins(k: [[f64; 2]; 2]) -> Vec<C64> {
    let det = k[0][0] * k[1][1] - k[0][1] * k[1][0];
    let inv = [[k[1][1] / det, -k[0][1] / det], [-k[1][0] / det, k[0][0] / det]];
    let mut out = Vec::new();
    for l in [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]] {
        let q: f64 = (0..2).map(|i| (0..2).map(|j| l[i] * inv[i][j] * l[j]).sum::<f64>()).sum();
        out.push(C64::from_polar(1.0, std::f64::consts::PI * q));
    }
    sort_phases(&mut out);
    out
}

fn sort_phases(v: &mut [C64]) {
    v.sort_by(|a, b| (a.re, a.im).partial_cmp(&(b.re, b.im)).unwrap_or(std::cmp::Ordering::Equal));
}

/// Do the quantum-double spins equal the K-matrix spins (as multisets, to 1e-12)?
fn k_matrix_check(twisted: bool) -> Check {
    let k = if twisted { [[2.0, 0.0], [0.0, -2.0]] } else { [[0.0, 2.0], [2.0, 0.0]] };
    let km = k_matrix_spins(k);
    let mut qd: Vec<C64> = quantum_double_z2(twisted).iter().map(spin).collect();
    sort_phases(&mut qd);
    let bad = km.iter().zip(&qd).filter(|(a, b)| (**a - **b).norm() > 1e-12).count();
    Check {
        name: "k_matrix_matches_quantum_double".into(),
        description: format!(
            "the four spins of D^omega(Z2) equal exp(i pi l K^-1 l) of abelian Chern-Simons with K = {k:?}"
        ),
        cases: 4,
        failures: bad,
        pass: bad == 0,
    }
}

/// Toric-code hop of a particle of kind (e, m) labelled by link `l`: σ^z on `l` for e, σ^x on
/// the link the m particle's dual step crosses ([`ToricCode::m_hop_link`]) for m.
fn tc_hop(model: &ToricCode, l: usize, e: bool, m: bool) -> SignedShift {
    let z: Vec<usize> = if e { vec![l] } else { vec![] };
    let x: Vec<(usize, i64)> = if m { vec![(model.m_hop_link(l), 1)] } else { vec![] };
    SignedShift::new(1, &x, &z)
}

/// The toric code on a 2D torus: lattice route for e, m, e×m and the e-m braiding, checked
/// against the group-cohomology route.
pub fn toric_code(model: &ToricCode) -> Result<AnyonReport> {
    let lat = &model.lattice;
    if lat.dim() != 2 || !lat.is_periodic() || lat.extents().iter().any(|&e| e < 3) {
        return Err(Error::invalid(
            "lattice",
            lat.to_string(),
            "the toric code lives on a 2D torus, and the exchange test needs three distinct neighbours: give two \
             extents >= 3, e.g. 4x4",
        ));
    }
    let n = lat.n_sites();
    let legs = |s: usize| -> Vec<usize> { model.star_links(s) };
    let mut particles = Vec::new();
    let mut consistency = Vec::new();
    let mut triples_checked = 0;
    let mut lattice_phase = std::collections::BTreeMap::new();
    for (name, e, m) in [("e", true, false), ("m", false, true), ("e×m", true, true)] {
        let (mut plus, mut minus, mut bad) = (0, 0, 0);
        for s in 0..n {
            let lg = legs(s);
            for t in [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]] {
                let mut signs = Vec::new();
                for p in [[0, 1, 2], [1, 2, 0], [2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0]] {
                    let (j, k, l) = (lg[t[p[0]]], lg[t[p[1]]], lg[t[p[2]]]);
                    let (t_sk, t_js, t_sl) = (tc_hop(model, k, e, m), tc_hop(model, j, e, m), tc_hop(model, l, e, m));
                    let lhs = t_sl.mul(&t_js).mul(&t_sk).modulo(2);
                    let rhs = t_sk.mul(&t_js).mul(&t_sl).modulo(2);
                    if lhs.shift() != rhs.shift() || lhs.parity() != rhs.parity() {
                        bad += 1;
                    }
                    signs.push(lhs.sign * rhs.sign);
                }
                if signs.iter().any(|&x| x != signs[0]) {
                    bad += 1;
                }
                if signs[0] > 0 {
                    plus += 1;
                } else {
                    minus += 1;
                }
            }
        }
        triples_checked += plus + minus;
        if plus > 0 && minus > 0 || bad > 0 {
            return Err(Error::Invariant(format!(
                "toric code {name}: exchange signs disagree ({plus} +1, {minus} -1, {bad} inconsistent orderings)"
            )));
        }
        let ph = if minus > 0 { -1.0 } else { 1.0 };
        lattice_phase.insert(name, ph);
        particles.push(Particle {
            name: name.into(),
            exchange_phase: [ph, 0.0],
            method: format!("Levin-Wen identity at all {} vertex leg triples of the {lat} torus", plus + minus),
        });
    }
    // braiding: e loop around plaquette 0 vs the X string that created m there
    let p0 = model.plaquette_links(0);
    let loop_e = SignedShift::parity_of(&p0);
    let string_m = SignedShift::new(1, &[(p0[0], 1)], &[]);
    let braid = loop_e.commutation_sign(&string_m) as f64;
    let mut mutual = vec![Mutual {
        pair: ["e".into(), "m".into()],
        phase: [braid, 0.0],
        method: "e loop around a plaquette commuted past the X string that put m inside".into(),
    }];
    // group-cohomology route and agreement
    let anyons = quantum_double_z2(false);
    let mut agree = 0;
    for x in &anyons {
        let nm = name_of(false, x);
        if let Some(&ph) = lattice_phase.get(nm.as_str()) {
            if (spin(x) - C64::new(ph, 0.0)).norm() < 1e-12 {
                agree += 1;
            }
        }
    }
    consistency.push(Check {
        name: "lattice_matches_quantum_double".into(),
        description: "exchange phases of e, m, e×m from the lattice equal the spins of D(Z2) from group cohomology"
            .into(),
        cases: 3,
        failures: 3 - agree,
        pass: agree == 3,
    });
    let (e, m) = (anyons[1], anyons[2]);
    let m_coh = mutual_braiding(false, &e, &m);
    consistency.push(Check {
        name: "braiding_matches_quantum_double".into(),
        description: "the e-m braiding from the lattice equals theta_{e x m} / (theta_e theta_m) of D(Z2)".into(),
        cases: 1,
        failures: usize::from((m_coh - C64::new(braid, 0.0)).norm() > 1e-12),
        pass: (m_coh - C64::new(braid, 0.0)).norm() < 1e-12,
    });
    consistency.push(k_matrix_check(false));
    mutual.push(Mutual {
        pair: ["e".into(), "m".into()],
        phase: c(m_coh),
        method: "theta_{e x m} / (theta_e theta_m) in the quantum double D(Z2)".into(),
    });
    particles.insert(0, Particle { name: "1".into(), exchange_phase: [1.0, 0.0], method: "vacuum".into() });
    Ok(AnyonReport { model: "toric-code".into(), particles, mutual, triples_checked, consistency })
}

/// The double semion from its group 3-cocycle (the twisted Z₂ string net).
pub fn double_semion() -> AnyonReport {
    let anyons = quantum_double_z2(true);
    let particles: Vec<Particle> = anyons
        .iter()
        .map(|x| Particle {
            name: name_of(true, x),
            exchange_phase: c(spin(x)),
            method: "theta = chi(a) in the twisted quantum double D^omega(Z2), omega(1,1,1) = -1".into(),
        })
        .collect();
    let find = |nm: &str| anyons.iter().find(|x| name_of(true, x) == nm).copied();
    let mut mutual = Vec::new();
    let mut consistency = Vec::new();
    if let (Some(s), Some(sb), Some(b)) = (find("s"), find("s̄"), find("b")) {
        for (x, y, nx, ny) in [(s, s, "s", "s"), (s, sb, "s", "s̄"), (s, b, "s", "b")] {
            mutual.push(Mutual {
                pair: [nx.into(), ny.into()],
                phase: c(mutual_braiding(true, &x, &y)),
                method: "theta_{x y} / (theta_x theta_y)".into(),
            });
        }
        let f = fuse(true, &s, &sb);
        let ok = name_of(true, &f) == "b";
        consistency.push(Check {
            name: "semion_times_antisemion_is_boson".into(),
            description: "s × s̄ = b, the boson (theta = 1)".into(),
            cases: 1,
            failures: usize::from(!ok),
            pass: ok,
        });
    }
    consistency.push(k_matrix_check(true));
    AnyonReport { model: "double-semion".into(), particles, mutual, triples_checked: 0, consistency }
}
