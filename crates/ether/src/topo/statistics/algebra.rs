//! The symplectic (operator-algebra) statistics test (rotor note, section 3.6 A): the Levin-Wen
//! exchange identity at every vertex and every triple of legs, and the checks that make the
//! twisted model a model.

use super::shift::SignedShift;
use super::twist::HopAlgebra;
use crate::error::{Error, Result};
use crate::topo::gf2::{BitMatrix, Echelon};
use serde::{Deserialize, Serialize};

/// The exchange phase at one vertex for one choice of legs (j, k, l).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripleSign {
    /// The vertex s.
    pub vertex: usize,
    /// Leg numbers (0..6, order +x,+y,+z,−x,−y,−z) of j, k, l.
    pub legs: [usize; 3],
    /// `e^{iΘ}` from `t_sl t_js t_sk = e^{iΘ} t_sk t_js t_sl` (eq. 3.1) as operators.
    pub sign: i8,
}

/// The exchange identity (3.1) for legs j, k, l at vertex s, evaluated as an operator identity
/// between signed shifts: returns `e^{iΘ}`, or an error if the two sides are not proportional.
pub fn exchange_sign(alg: &HopAlgebra, s: usize, legs: [usize; 3]) -> Result<i8> {
    let leg = |i: usize| {
        alg.complex.legs[s][i].ok_or_else(|| Error::invalid("leg", format!("{i} at vertex {s}"), "no such leg"))
    };
    let (gj, gk, gl) = (leg(legs[0])?, leg(legs[1])?, leg(legs[2])?);
    let t_sk = alg.hop_to(gk.link, s);
    let t_js = alg.hop_to(gj.link, gj.neighbour);
    let t_sl = alg.hop_to(gl.link, s);
    let lhs = t_sl.mul(&t_js).mul(&t_sk);
    let rhs = t_sk.mul(&t_js).mul(&t_sl);
    if lhs.shift() != rhs.shift() || lhs.parity() != rhs.parity() {
        return Err(Error::Invariant(format!(
            "exchange identity at vertex {s}, legs {legs:?}: the two orderings are different operators"
        )));
    }
    Ok(lhs.sign * rhs.sign)
}

/// Eq. (3.2): the product of the three pairwise commutation signs of the hops on legs j, k, l.
pub fn commutation_product(alg: &HopAlgebra, s: usize, legs: [usize; 3]) -> i8 {
    let h = |i: usize| alg.hop_plus(alg.complex.legs[s][i].map(|g| g.link).unwrap_or(0));
    let (a, b, c) = (h(legs[0]), h(legs[1]), h(legs[2]));
    a.commutation_sign(&b) * b.commutation_sign(&c) * a.commutation_sign(&c)
}

/// The census of exchange signs over every vertex and every 3-subset of its legs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExchangeCensus {
    /// Vertices visited.
    pub vertices: usize,
    /// Leg triples (3-subsets) checked: 20 per vertex with six legs.
    pub triples_checked: usize,
    /// Ordered choices (which leg is j, k, l) evaluated: 6 per triple.
    pub orderings_checked: usize,
    /// Triples with sign +1.
    pub plus: usize,
    /// Triples with sign −1.
    pub minus: usize,
    /// Triples whose six orderings disagree (the statistics would not be well defined).
    pub ambiguous: usize,
    /// Orderings where eq. (3.1) evaluated directly and eq. (3.2) disagree.
    pub formula_mismatches: usize,
    /// One entry per triple (first ordering), for tables and pictures.
    pub signs: Vec<TripleSign>,
}

impl ExchangeCensus {
    /// The common sign, or an error naming the disagreement (the command then fails loudly).
    pub fn uniform_sign(&self) -> Result<i8> {
        if self.ambiguous > 0 || self.formula_mismatches > 0 || (self.plus > 0 && self.minus > 0) {
            return Err(Error::Invariant(format!(
                "the exchange sign is not the same everywhere: {} triples +1, {} triples -1, {} triples whose \
                 orderings disagree, {} mismatches between eq. (3.1) and eq. (3.2); the statistics of the string \
                 ends is not well defined on this lattice",
                self.plus, self.minus, self.ambiguous, self.formula_mismatches
            )));
        }
        if self.plus + self.minus == 0 {
            return Err(Error::Invariant("no leg triple was checked".into()));
        }
        Ok(if self.minus > 0 { -1 } else { 1 })
    }
}

const PERMS: [[usize; 3]; 6] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

/// Evaluate the exchange identity at every vertex, for every 3-subset of legs and all six
/// assignments of the legs to j, k, l. Does not refuse degenerate complexes (extent 2): use
/// [`super::twist::check_exchange_lattice`] first; this function is also the negative control.
pub fn exchange_census(alg: &HopAlgebra) -> Result<ExchangeCensus> {
    let mut c = ExchangeCensus {
        vertices: 0,
        triples_checked: 0,
        orderings_checked: 0,
        plus: 0,
        minus: 0,
        ambiguous: 0,
        formula_mismatches: 0,
        signs: Vec::new(),
    };
    for s in 0..alg.complex.n_sites() {
        let present: Vec<usize> = (0..6).filter(|&i| alg.complex.legs[s][i].is_some()).collect();
        if present.len() < 3 {
            continue;
        }
        c.vertices += 1;
        for x in 0..present.len() {
            for y in x + 1..present.len() {
                for z in y + 1..present.len() {
                    let tri = [present[x], present[y], present[z]];
                    let mut first = None;
                    let mut ambiguous = false;
                    for p in PERMS {
                        let legs = [tri[p[0]], tri[p[1]], tri[p[2]]];
                        let s1 = exchange_sign(alg, s, legs)?;
                        let s2 = commutation_product(alg, s, legs);
                        c.orderings_checked += 1;
                        if s1 != s2 {
                            c.formula_mismatches += 1;
                        }
                        match first {
                            None => first = Some(s1),
                            Some(f) if f != s1 => ambiguous = true,
                            _ => {}
                        }
                    }
                    let sign = first.unwrap_or(1);
                    c.triples_checked += 1;
                    if ambiguous {
                        c.ambiguous += 1;
                    }
                    if sign > 0 {
                        c.plus += 1;
                    } else {
                        c.minus += 1;
                    }
                    c.signs.push(TripleSign { vertex: s, legs: tri, sign });
                }
            }
        }
    }
    Ok(c)
}

/// One named consistency check with its verdict.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Check {
    /// Short name (a JSON key).
    pub name: String,
    /// What is checked, in words.
    pub description: String,
    /// Number of cases examined.
    pub cases: usize,
    /// Number of cases that failed.
    pub failures: usize,
    /// Whether the check passed.
    pub pass: bool,
}

impl Check {
    fn new(name: &str, description: &str, cases: usize, failures: usize) -> Self {
        Check { name: name.into(), description: description.into(), cases, failures, pass: failures == 0 && cases > 0 }
    }
}

/// For each link, the operators (indices into `ops`) whose support contains it.
fn incidence(n_links: usize, ops: &[SignedShift]) -> Vec<Vec<usize>> {
    let mut inc = vec![Vec::new(); n_links];
    for (i, o) in ops.iter().enumerate() {
        for l in o.support() {
            inc[l].push(i);
        }
    }
    inc
}

/// Count pairs `(a ∈ A, b ∈ B)` that fail to commute. Pairs with disjoint supports commute
/// exactly (the sign needs a shared link), so only overlapping pairs are multiplied out.
fn count_noncommuting(a: &[SignedShift], b: &[SignedShift], n_links: usize, skip_same: bool) -> usize {
    let inc_b = incidence(n_links, b);
    let mut bad = 0;
    for (i, x) in a.iter().enumerate() {
        let mut cand: Vec<usize> = x.support().iter().flat_map(|&l| inc_b[l].iter().copied()).collect();
        cand.sort_unstable();
        cand.dedup();
        for j in cand {
            if skip_same && i == j {
                continue;
            }
            if x.commutation_sign(&b[j]) != 1 {
                bad += 1;
            }
        }
    }
    bad
}

/// Is `op` equal to +1 on every zero-charge state? It must have no shift, sign +1, and a parity
/// set that is a product of stars (each star is `(−1)^{Q_v}`).
fn trivial_in_zero_charge(op: &SignedShift, stars: &Echelon) -> bool {
    op.shift().is_empty() && op.sign == 1 && stars.contains(op.parity())
}

/// The consistency checks of section 3.4 / 3.6 A.4.
pub fn consistency_checks(alg: &HopAlgebra) -> Vec<Check> {
    let cx = &alg.complex;
    let nl = cx.n_links();
    let hops: Vec<SignedShift> = (0..nl).map(|l| alg.hop_plus(l)).collect();
    let mut out = Vec::new();

    // Hops on links sharing a vertex: all anticommute (twisted) or all commute (untwisted).
    let want = alg.twist.expected_sign();
    let (mut cases, mut bad) = (0, 0);
    let mut adjacent = vec![std::collections::BTreeSet::new(); nl];
    for legs in &cx.legs {
        let ls: Vec<usize> = legs.iter().flatten().map(|g| g.link).collect();
        for &a in &ls {
            for &b in &ls {
                if a < b {
                    adjacent[a].insert(b);
                }
            }
        }
    }
    for a in 0..nl {
        for &b in &adjacent[a] {
            cases += 1;
            if hops[a].commutation_sign(&hops[b]) != want {
                bad += 1;
            }
        }
    }
    let desc = if want < 0 {
        "hops on two links that share a vertex anticommute (the Bravyi-Kitaev edge algebra, section 3.3)"
    } else {
        "hops on two links that share a vertex commute (bosonic string ends)"
    };
    out.push(Check::new("hops_sharing_a_vertex", desc, cases, bad));

    // Hops on links with no common vertex commute.
    let (mut cases, mut bad) = (0, 0);
    for a in 0..nl {
        for b in a + 1..nl {
            if !adjacent[a].contains(&b) {
                cases += 1;
                if hops[a].commutation_sign(&hops[b]) != 1 {
                    bad += 1;
                }
            }
        }
    }
    out.push(Check::new("hops_apart_commute", "hops on links with no common vertex commute", cases, bad));

    let np = alg.plaquettes.len();
    let bad = count_noncommuting(&hops, &alg.plaquettes, nl, false);
    out.push(Check::new(
        "hops_commute_with_plaquettes",
        "[h_l, B~_p] = 0 for every link and plaquette: moving a charge creates no flux",
        nl * np,
        bad,
    ));
    let bad = count_noncommuting(&alg.plaquettes, &alg.plaquettes, nl, true);
    out.push(Check::new(
        "plaquettes_commute",
        "[B~_p, B~_q] = 0 for every pair of plaquettes",
        np * np.saturating_sub(1),
        bad,
    ));
    let gauss: Vec<SignedShift> = (0..cx.n_sites()).map(|v| alg.gauss_parity(v)).collect();
    let bad = count_noncommuting(&gauss, &alg.plaquettes, nl, false);
    out.push(Check::new(
        "plaquettes_commute_with_gauss_parity",
        "[(-1)^{Q_v}, B~_p] = 0 for every vertex and plaquette",
        cx.n_sites() * np,
        bad,
    ));
    let bad = alg.plaquettes.iter().filter(|p| cx.div(p.shift()).iter().any(|&q| q != 0)).count();
    out.push(Check::new(
        "plaquettes_conserve_charge",
        "every B~_p shifts L by a divergence-free loop, so [Q_v, B~_p] = 0 (Gauss's law)",
        np,
        bad,
    ));
    let bad = alg
        .plaquettes
        .iter()
        .filter(|p| {
            let z = p.modulo(2);
            let sq = z.mul(&z).modulo(2);
            !(sq.is_scalar() && sq.sign == 1)
        })
        .count();
    out.push(Check::new(
        "z2_plaquettes_hermitian",
        "in the Z2 version every B~_p squares to +1 (it is Hermitian with eigenvalues +-1)",
        np,
        bad,
    ));

    let mut star_rows = BitMatrix::new(nl);
    for v in 0..cx.n_sites() {
        star_rows.push_columns(&cx.star(v));
    }
    let stars = star_rows.echelon();
    let product = |faces: &[(usize, i8)]| {
        let mut op = SignedShift::identity();
        for &(p, o) in faces {
            let b = if o > 0 { alg.plaquettes[p].clone() } else { alg.plaquettes[p].inverse() };
            op = op.mul(&b);
        }
        op
    };
    let bad = cx.cubes.iter().filter(|q| !trivial_in_zero_charge(&product(&q[..]), &stars)).count();
    out.push(Check::new(
        "cube_products_trivial",
        "the oriented product of B~ over the six faces of every cube is +1 in the zero-charge sector",
        cx.cubes.len(),
        bad,
    ));
    if cx.periodic {
        let bad = cx
            .layers
            .iter()
            .filter(|(_, ps)| {
                let faces: Vec<(usize, i8)> = ps.iter().map(|&p| (p, 1)).collect();
                !trivial_in_zero_charge(&product(&faces), &stars)
            })
            .count();
        out.push(Check::new(
            "layer_products_trivial",
            "the product of B~ over every full xy, xz and yz torus layer is +1 in the zero-charge sector",
            cx.layers.len(),
            bad,
        ));
    }
    out
}

/// Pairwise commutation signs of the six hops at one vertex (a 6x6 table, 0 for absent legs).
pub fn vertex_commutation_table(alg: &HopAlgebra, s: usize) -> [[i8; 6]; 6] {
    let mut t = [[0i8; 6]; 6];
    for i in 0..6 {
        for j in 0..6 {
            if let (Some(a), Some(b)) = (alg.complex.legs[s][i], alg.complex.legs[s][j]) {
                t[i][j] = alg.hop_plus(a.link).commutation_sign(&alg.hop_plus(b.link));
            }
        }
    }
    t
}
