//! ED of lattice gauge models: link variables with a local constraint (Gauss's law, zero
//! flux), in the sector connected to a reference configuration by the plaquette moves.
//!
//! Method: a configuration is a `u64` with `bits` bits per link holding the level index
//! `v = 0..levels−1` of the link (rotor: `L = v − L_max`; spin S: `S^z = v − S`). Starting from a
//! reference that fixes the Gauss-law charges `{Q_r}` and the winding (electric flux through
//! each lattice plane, resp. the Z2 loops), a breadth-first search over the off-diagonal moves
//! (plaquette terms B_p, B_p† or star flips A_v) enumerates the connected sector; every move
//! conserves the charges and windings, so each sector is closed. The states are sorted and
//! the Hamiltonian is stored in compressed rows (columns by binary search), built row by row
//! in parallel. A flip of a link's level never leaves the `bits` field.
//!
//! Models: [`rotor`] (the talk's rotor model, truncated by `|L| ≤ L_max` or a link spin S,
//! rotor note 1.2–1.3), [`quantum_link`] (spin-½ links with the RK term, 6.3), [`toric_code`].

use crate::ed::operator::SparseMatrix;
use crate::error::{check_memory, Error, Result};
use crate::lattice::Lattice;
use crate::model::{QuantumLinkModel, RotorModel, ToricCode};
use rayon::prelude::*;
use std::collections::{HashSet, VecDeque};

/// How a rotor link is truncated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Truncation {
    /// Integer L with |L| ≤ L_max; `e^{±iθ}` are partial isometries (matrix elements 1).
    Lmax(u32),
    /// A spin S per link (given as 2S): L = S^z, `e^{±iθ}` = S^± with `sqrt(S(S+1) − m(m±1))`.
    Spin(u32),
}

impl Truncation {
    /// Number of levels per link.
    pub fn levels(self) -> u32 {
        match self {
            Truncation::Lmax(l) => 2 * l + 1,
            Truncation::Spin(t) => t + 1,
        }
    }
    /// Physical value of level v (L or S^z).
    pub fn value(self, v: u32) -> f64 {
        match self {
            Truncation::Lmax(l) => v as f64 - l as f64,
            Truncation::Spin(t) => v as f64 - t as f64 / 2.0,
        }
    }
    /// Level of a physical value, if allowed.
    pub fn level(self, x: f64) -> Option<u32> {
        let off = match self {
            Truncation::Lmax(l) => l as f64,
            Truncation::Spin(t) => t as f64 / 2.0,
        };
        let v = x + off;
        (v >= 0.0 && v.fract() == 0.0 && (v as u32) < self.levels()).then_some(v as u32)
    }
    /// Matrix element of the raising operator from level v to v+1 (0 at the top).
    pub fn raise(self, v: u32) -> f64 {
        if v + 1 >= self.levels() {
            return 0.0;
        }
        match self {
            Truncation::Lmax(_) => 1.0,
            Truncation::Spin(t) => {
                let s = t as f64 / 2.0;
                let m = self.value(v);
                (s * (s + 1.0) - m * (m + 1.0)).sqrt()
            }
        }
    }
}

/// Links and plaquettes of a gauge model (data the engine needs).
#[derive(Clone, Debug)]
pub struct LinkSystem {
    /// Number of links.
    pub n_links: usize,
    /// Truncation of every link.
    pub trunc: Truncation,
    /// Plaquettes: `[(link, +1 raise / −1 lower under B_p); 4]`.
    pub plaquettes: Vec<[(usize, i8); 4]>,
    /// Bits per link.
    pub bits: u32,
}

impl LinkSystem {
    /// Links and plaquettes of a lattice in the directed convention (rotor note 1.3).
    pub fn of_lattice(lattice: &Lattice, trunc: Truncation) -> Result<Self> {
        let plaquettes = (0..lattice.n_plaquettes()).map(|p| lattice.plaquette_links(p)).collect();
        Self::new(lattice.n_links(), trunc, plaquettes)
    }

    /// A custom link system (e.g. a single plaquette).
    pub fn new(n_links: usize, trunc: Truncation, plaquettes: Vec<[(usize, i8); 4]>) -> Result<Self> {
        let levels = trunc.levels();
        let bits = 32 - (levels - 1).leading_zeros();
        let bits = bits.max(1);
        if n_links as u32 * bits > 64 {
            return Err(Error::invalid(
                "lattice",
                format!("{n_links} links × {bits} bits"),
                "a gauge configuration must fit in 64 bits: use a smaller lattice or truncation",
            ));
        }
        Ok(LinkSystem { n_links, trunc, plaquettes, bits })
    }

    /// Level index of link l.
    #[inline]
    pub fn get(&self, s: u64, l: usize) -> u32 {
        ((s >> (l as u32 * self.bits)) & ((1u64 << self.bits) - 1)) as u32
    }

    /// Configuration with link l set to level v.
    #[inline]
    pub fn set(&self, s: u64, l: usize, v: u32) -> u64 {
        let sh = l as u32 * self.bits;
        (s & !(((1u64 << self.bits) - 1) << sh)) | ((v as u64) << sh)
    }

    /// Encode physical values (one per link).
    pub fn encode(&self, values: &[f64]) -> Result<u64> {
        let mut s = 0u64;
        for (l, &x) in values.iter().enumerate() {
            let v = self.trunc.level(x).ok_or_else(|| {
                Error::invalid("reference configuration", format!("link {l} value {x}"), "outside the truncation")
            })?;
            s = self.set(s, l, v);
        }
        Ok(s)
    }

    /// Apply B_p (dir = +1) or B_p† (dir = −1): new configuration and matrix element, or None.
    #[inline]
    pub fn plaquette_move(&self, s: u64, p: usize, dir: i8) -> Option<(u64, f64)> {
        let mut t = s;
        let mut amp = 1.0;
        for &(l, sg) in &self.plaquettes[p] {
            let v = self.get(t, l);
            if sg * dir > 0 {
                let a = self.trunc.raise(v);
                if a == 0.0 {
                    return None;
                }
                amp *= a;
                t = self.set(t, l, v + 1);
            } else {
                if v == 0 {
                    return None;
                }
                amp *= self.trunc.raise(v - 1);
                t = self.set(t, l, v - 1);
            }
        }
        Some((t, amp))
    }

    /// Physical values of all links.
    pub fn values(&self, s: u64) -> Vec<f64> {
        (0..self.n_links).map(|l| self.trunc.value(self.get(s, l))).collect()
    }
}

/// A sector of a gauge model: the connected configurations and H on them.
#[derive(Debug)]
pub struct GaugeSector {
    /// Configurations, ascending.
    pub states: Vec<u64>,
    /// The Hamiltonian in compressed rows.
    pub hamiltonian: SparseMatrix<f64>,
}

/// Enumerate the component of `reference` under `moves` (BFS) and build H from `diag` and
/// `moves` (each move: target configuration and matrix element ⟨t|H|s⟩).
pub fn build_sector<D, M>(reference: u64, diag: D, moves: M, max_states: usize) -> Result<GaugeSector>
where
    D: Fn(u64) -> f64 + Sync,
    M: Fn(u64, &mut Vec<(u64, f64)>) + Sync,
{
    let mut seen: HashSet<u64> = HashSet::new();
    let mut queue = VecDeque::new();
    seen.insert(reference);
    queue.push_back(reference);
    let mut buf = Vec::new();
    while let Some(s) = queue.pop_front() {
        buf.clear();
        moves(s, &mut buf);
        for &(t, _) in &buf {
            if seen.insert(t) {
                if seen.len() > max_states {
                    return Err(Error::invalid(
                        "gauge sector",
                        format!("more than {max_states} states"),
                        "use a smaller lattice or truncation",
                    ));
                }
                queue.push_back(t);
            }
        }
    }
    let mut states: Vec<u64> = seen.into_iter().collect();
    states.sort_unstable();
    let n = states.len();
    check_memory("the gauge-sector Hamiltonian", (n as u64) * 200, "use a smaller lattice or truncation")?;
    let rows: Vec<Vec<(usize, usize, f64)>> = (0..n)
        .into_par_iter()
        .with_min_len(1024)
        .map(|i| {
            let s = states[i];
            let mut b = Vec::new();
            moves(s, &mut b);
            let mut row = vec![(i, i, diag(s))];
            for (t, h) in b {
                let j = states.binary_search(&t).expect("the component is closed under its moves");
                row.push((i, j, h));
            }
            row
        })
        .collect();
    let trip: Vec<(usize, usize, f64)> = rows.into_iter().flatten().collect();
    Ok(GaugeSector { states, hamiltonian: SparseMatrix::from_triplets(n, trip) })
}

/// Default cap on the size of a gauge sector.
pub const MAX_GAUGE_STATES: usize = 20_000_000;

/// The rotor model `U ΣQ² + J ΣL² − g Σ_p (B_p + B_p†)` in the sector of a reference (default:
/// the empty configuration, Q = 0, zero winding). `winding[a]` puts a straight line of
/// electric flux w_a along axis a through the origin (flux F_a = w_a through every plane
/// normal to a).
pub fn rotor(model: &RotorModel, trunc: Truncation, winding: &[i64]) -> Result<(LinkSystem, GaugeSector)> {
    rotor_from(model, trunc, &winding_configuration(&model.lattice, winding))
}

/// The rotor model in the sector of an arbitrary reference configuration (link values `L_l`):
/// its Gauss-law charges `Q = div L` and its windings. With [`charge_pair_configuration`] added
/// to a [`winding_configuration`] this gives the sectors with static charges.
pub fn rotor_from(model: &RotorModel, trunc: Truncation, reference: &[f64]) -> Result<(LinkSystem, GaugeSector)> {
    let lat = &model.lattice;
    let sys = LinkSystem::of_lattice(lat, trunc)?;
    let reference = sys.encode(reference)?;
    let (u, j, g) = (model.u, model.j, model.g);
    let sec = build_sector(
        reference,
        |s| {
            let vals = sys.values(s);
            let mut q = vec![0.0; lat.n_sites()];
            lat.div(&vals, &mut q);
            u * q.iter().map(|x| x * x).sum::<f64>() + j * vals.iter().map(|x| x * x).sum::<f64>()
        },
        |s, out| {
            for p in 0..sys.plaquettes.len() {
                for dir in [1i8, -1] {
                    if let Some((t, a)) = sys.plaquette_move(s, p, dir) {
                        out.push((t, -g * a));
                    }
                }
            }
        },
        MAX_GAUGE_STATES,
    )?;
    Ok((sys, sec))
}

/// Link values of straight flux lines: `w[a]` on the links (r, a) with all other
/// coordinates of r zero.
pub fn winding_configuration(lat: &Lattice, winding: &[i64]) -> Vec<f64> {
    let mut v = vec![0.0; lat.n_links()];
    for r in 0..lat.n_sites() {
        let c = lat.coords(r);
        for (a, &w) in winding.iter().enumerate().take(lat.dim()) {
            if (0..lat.dim()).filter(|&b| b != a).all(|b| c[b] == 0) {
                v[lat.link(r, a)] += w as f64;
            }
        }
    }
    v
}

/// Link values of a string of electric flux +1 from site `plus` to site `minus`, stepping
/// forward along axis 0, then 1, then 2: the reference of the sector with charges
/// `Q_plus = +1`, `Q_minus = −1` (all other `Q_r = 0`). Errors if the two sites coincide.
pub fn charge_pair_configuration(lat: &Lattice, plus: usize, minus: usize) -> Result<Vec<f64>> {
    if plus >= lat.n_sites() || minus >= lat.n_sites() || plus == minus {
        return Err(Error::invalid(
            "charges",
            format!("{plus}:{minus}"),
            format!("give two different site indices below {} (first axis fastest)", lat.n_sites()),
        ));
    }
    let mut v = vec![0.0; lat.n_links()];
    let target = lat.coords(minus);
    let mut cur = plus;
    for a in 0..lat.dim() {
        while lat.coords(cur)[a] != target[a] {
            v[lat.link(cur, a)] += 1.0;
            cur = lat.forward(cur, a);
        }
    }
    Ok(v)
}

/// A single plaquette: four links, one loop current n (rotor note 6.1). Returns H on the
/// Gauss sector |n| ≤ L_max.
pub fn single_plaquette(g: f64, j: f64, lmax: u32) -> Result<GaugeSector> {
    let sys = LinkSystem::new(4, Truncation::Lmax(lmax), vec![[(0, 1), (1, 1), (2, -1), (3, -1)]])?;
    let reference = sys.encode(&[0.0; 4])?;
    build_sector(
        reference,
        |s| j * sys.values(s).iter().map(|x| x * x).sum::<f64>(),
        |s, out| {
            for dir in [1i8, -1] {
                if let Some((t, a)) = sys.plaquette_move(s, 0, dir) {
                    out.push((t, -g * a));
                }
            }
        },
        MAX_GAUGE_STATES,
    )
}

/// The spin-½ quantum link model in the sector connected to the staggered reference.
pub fn quantum_link(model: &QuantumLinkModel) -> Result<(LinkSystem, GaugeSector)> {
    let lat = &model.lattice;
    let sys = LinkSystem::of_lattice(lat, Truncation::Spin(1))?;
    let vals: Vec<f64> = model.staggered_reference().iter().map(|&u| if u { 0.5 } else { -0.5 }).collect();
    let reference = sys.encode(&vals)?;
    let (jj, lam) = (model.j, model.lambda);
    let flippable = |s: u64| {
        (0..sys.plaquettes.len())
            .filter(|&p| sys.plaquette_move(s, p, 1).is_some() || sys.plaquette_move(s, p, -1).is_some())
            .count() as f64
    };
    let sec = build_sector(
        reference,
        |s| lam * flippable(s),
        |s, out| {
            for p in 0..sys.plaquettes.len() {
                for dir in [1i8, -1] {
                    if let Some((t, a)) = sys.plaquette_move(s, p, dir) {
                        out.push((t, -jj * a));
                    }
                }
            }
        },
        MAX_GAUGE_STATES,
    )?;
    Ok((sys, sec))
}

/// The toric code in the flux-free sector (all B_p = +1) with Z-loop windings `(w_x, w_y)`
/// (0 or 1: W = (−1)^w). Bit l = 1 means σ^z_l = −1.
pub fn toric_code(model: &ToricCode, winding: [u8; 2]) -> Result<GaugeSector> {
    let lat = &model.lattice;
    let nl = lat.n_links();
    if lat.dim() != 2 || !lat.is_periodic() {
        return Err(Error::invalid("lattice", lat.to_string(), "the toric code ED is set up on a 2D torus, e.g. 3x3"));
    }
    if nl > 64 {
        return Err(Error::invalid(
            "lattice",
            lat.to_string(),
            "the toric code ED holds at most 64 links (a 5x5 torus has 50)",
        ));
    }
    // W_a = −1 from the reference with the logical X_a membrane flipped (no flux is created).
    let mask = |links: &[usize]| links.iter().fold(0u64, |m, &l| m ^ (1u64 << l));
    let reference = (0..2).filter(|&a| winding[a] == 1).fold(0u64, |r, a| r ^ mask(&model.x_membrane(a)));
    let stars: Vec<u64> = model.stars().iter().map(|s| mask(s)).collect();
    let plaqs: Vec<u64> = model.plaquettes().iter().map(|p| mask(p)).collect();
    let (je, jm, h) = (model.star, model.plaquette, model.field);
    build_sector(
        reference,
        |s| {
            let b: f64 = plaqs.iter().map(|&m| if (s & m).count_ones() % 2 == 0 { 1.0 } else { -1.0 }).sum();
            let z = nl as f64 - 2.0 * s.count_ones() as f64;
            -jm * b - h * z
        },
        |s, out| {
            for &m in &stars {
                out.push((s ^ m, -je));
            }
        },
        MAX_GAUGE_STATES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed::basis::Sector;
    use crate::ed::dense::dense_spectrum;
    use crate::ed::lanczos::{lanczos, LanczosOptions};
    use crate::ed::operator::LinearOperator;
    use crate::ed::solve::{spin_sector, SolveOptions};
    use crate::ed::spin::SpinTerms;
    use crate::model::TransverseIsing;

    #[test]
    fn single_plaquette_matches_mathieu_table() {
        // Rotor note 6.1 table (Mathieu a0, b2 − a0; 10 digits, n ∈ [−40, 40] converged to 1e−10):
        // tolerance 1e−9 on E0/J and 1e−7 on the gap (8 decimals printed).
        let table = [
            (0.1, -0.0049945438, 4.00416125),
            (0.5, -0.1217655449, 4.10095476),
            (1.0, -0.4551386041, 4.37216338),
            (2.0, -1.5139568851, 5.18618959),
            (5.0, -5.8000460209, 7.89950647),
            (10.0, -13.9369799567, 11.55482172),
        ];
        for (g, e0, gap) in table {
            let sec = single_plaquette(g, 1.0, 40).unwrap();
            assert_eq!(sec.states.len(), 81, "one loop current n ∈ [−40, 40]");
            let ev = dense_spectrum(&sec.hamiltonian).unwrap();
            assert!((ev[0] - e0).abs() < 1e-9, "g={g}: E0 {} vs {e0}", ev[0]);
            assert!((ev[1] - ev[0] - gap).abs() < 1e-7, "g={g}: gap {} vs {gap}", ev[1] - ev[0]);
        }
    }

    fn lowest_two(h: &SparseMatrix<f64>) -> (f64, f64) {
        if h.dim() <= 2000 {
            let e = dense_spectrum(h).unwrap();
            return (e[0], e[1]);
        }
        let r = lanczos(h, &LanczosOptions { nev: 2, tol: 1e-11, ..Default::default() }).unwrap();
        (r.eigenvalues[0], r.eigenvalues[1])
    }

    #[test]
    fn rotor_2x2_matches_note_table() {
        // Rotor note 6.2: 2x2, L_max = 3, g/J = 0.1, U = ∞ (Q = 0): dim 231,
        // E0/site = −0.00501419 (8 decimals → 1e−8), E1 − E0 = 3.735431 (6 decimals → 1e−6).
        let m = RotorModel::new(Lattice::parse("2x2").unwrap(), 0.0, 0.1, 1.0).unwrap();
        let (_, sec) = rotor(&m, Truncation::Lmax(3), &[0, 0]).unwrap();
        assert_eq!(sec.states.len(), 231);
        let (e0, e1) = lowest_two(&sec.hamiltonian);
        assert!((e0 / 4.0 + 0.00501419).abs() < 1e-8, "{}", e0 / 4.0);
        assert!((e1 - e0 - 3.735431).abs() < 1e-6, "{}", e1 - e0);
    }

    #[test]
    fn rotor_sector_with_a_static_charge_pair() {
        // Charges +1 at site 0 and −1 at site 1 (adjacent along x) on 2x2, L_max = 2.
        // Derivation: U Σ Q² = 2U is the same constant in every state of the sector (charges are
        // static, [H, Q_r] = 0, rotor note 1.3), so E0 moves by exactly 2ΔU when U moves by ΔU;
        // at g → 0 the ground state is the shortest string of the sector, one link: E0 → J + 2U,
        // with no first-order shift (B_p has no diagonal element) and a second-order one of
        // order N_p g²/J = 4e-6 at g = 1e-3 (tolerance 1e-4).
        let lat = Lattice::parse("2x2").unwrap();
        let reference = charge_pair_configuration(&lat, 0, 1).unwrap();
        let mut q = vec![0.0; 4];
        lat.div(&reference, &mut q);
        assert_eq!(q, vec![1.0, -1.0, 0.0, 0.0]);
        let e0 = |u: f64, g: f64| {
            let m = RotorModel::new(lat.clone(), u, g, 1.0).unwrap();
            let (sys, sec) = rotor_from(&m, Truncation::Lmax(2), &reference).unwrap();
            // Gauss's law holds in every state of the sector
            for &s in &sec.states {
                let mut qs = vec![0.0; 4];
                lat.div(&sys.values(s), &mut qs);
                assert_eq!(qs, vec![1.0, -1.0, 0.0, 0.0]);
            }
            lowest_two(&sec.hamiltonian).0
        };
        let weak = e0(0.5, 1e-3);
        assert!((weak - (1.0 + 2.0 * 0.5)).abs() < 1e-4, "{weak}");
        let (a, b) = (e0(0.5, 0.3), e0(1.5, 0.3));
        assert!((b - a - 2.0).abs() < 1e-10, "{a} {b}");
        assert!(charge_pair_configuration(&lat, 2, 2).is_err());
    }

    #[test]
    #[ignore = "146327 states: ~20 s"]
    fn rotor_2x2x2_matches_note_table() {
        // Rotor note 6.2: 2x2x2, L_max = 1, g/J = 0.1: dim 146327, E0/site = −0.01497794,
        // E1 − E0 = 3.733875.
        let m = RotorModel::new(Lattice::parse("2x2x2").unwrap(), 0.0, 0.1, 1.0).unwrap();
        let (_, sec) = rotor(&m, Truncation::Lmax(1), &[0, 0, 0]).unwrap();
        assert_eq!(sec.states.len(), 146327);
        let (e0, e1) = lowest_two(&sec.hamiltonian);
        assert!((e0 / 8.0 + 0.01497794).abs() < 1e-8, "{}", e0 / 8.0);
        assert!((e1 - e0 - 3.733875).abs() < 1e-6, "{}", e1 - e0);
    }

    #[test]
    fn quantum_link_anchors() {
        // Rotor note 6.3 (J = 1): dimension of the connected sector, E0 (10 decimals → 1e−9),
        // gap (8 decimals → 1e−7, 6 → 1e−6); at the RK point λ = 1, E0 = 0 exactly (→ 1e−10).
        let cases = [
            ("2x2", 0.0, 6, -2.8284271247, 2.828427, 1e-6),
            ("4x4", 0.0, 990, -8.4675894236, 0.38056417, 1e-7),
            ("4x4", 1.0, 990, 0.0, 0.43659029, 1e-7),
            ("2x2x2", 0.0, 864, -9.0267209135, 2.22578539, 1e-7),
            ("2x2x2", 1.0, 864, 0.0, 0.96962362, 1e-7),
        ];
        for (lat, lam, dim, e0, gap, tol_gap) in cases {
            let m = QuantumLinkModel::new(Lattice::parse(lat).unwrap(), 1.0, lam).unwrap();
            let (_, sec) = quantum_link(&m).unwrap();
            assert_eq!(sec.states.len(), dim, "{lat}");
            let e = dense_spectrum(&sec.hamiltonian).unwrap();
            assert!((e[0] - e0).abs() < 1e-9, "{lat} λ={lam}: E0 {} vs {e0}", e[0]);
            assert!((e[1] - e[0] - gap).abs() < tol_gap, "{lat} λ={lam}: gap {} vs {gap}", e[1] - e[0]);
        }
    }

    #[test]
    fn link_spin_matches_lmax_for_spin_half_ring() {
        // A spin-½ link model with J ΣL² = J/4 per link is the quantum link model plus a constant:
        // single plaquette with S = ½: states n ∈ {two loop currents}: H = [[J, −g], [−g, J]].
        let sys = LinkSystem::new(4, Truncation::Spin(1), vec![[(0, 1), (1, 1), (2, -1), (3, -1)]]).unwrap();
        let r = sys.encode(&[-0.5, -0.5, 0.5, 0.5]).unwrap();
        let (t, a) = sys.plaquette_move(r, 0, 1).unwrap();
        assert_eq!(sys.values(t), vec![0.5, 0.5, -0.5, -0.5]);
        assert!((a - 1.0).abs() < 1e-15);
        assert!(sys.plaquette_move(t, 0, 1).is_none(), "S^+ annihilates the top state");
        // Spin 1: the S^+ elements are sqrt(2).
        assert!((Truncation::Spin(2).raise(0) - 2f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn toric_code_ground_states_and_ising_duality() {
        // h = 0: E0 = −N_v − N_p in each of the four winding sectors (exact, 1e−10).
        let lat = Lattice::parse("3x3").unwrap();
        for w in [[0u8, 0], [1, 0], [0, 1], [1, 1]] {
            let sec = toric_code(&ToricCode::new(lat.clone(), 1.0, 1.0, 0.0).unwrap(), w).unwrap();
            assert_eq!(sec.states.len(), 256, "2^(N_v − 1)");
            let e = dense_spectrum(&sec.hamiltonian).unwrap();
            assert!((e[0] + 18.0).abs() < 1e-10, "{w:?}: {}", e[0]);
        }
        // h > 0, flux-free W = (+,+): the whole spectrum equals the 2D transverse-field Ising
        // model of the vertices (J_Ising = h, field J_e) in the even spin-flip sector, shifted by
        // −J_m N_p (model/toric_code.rs doc).
        let tc = ToricCode::new(lat.clone(), 1.0, 0.8, 0.45).unwrap();
        let sec = toric_code(&tc, [0, 0]).unwrap();
        let a = dense_spectrum(&sec.hamiltonian).unwrap();
        let tfim = SpinTerms::transverse_ising(&TransverseIsing::new(lat.clone(), 0.45, 1.0).unwrap()).unwrap();
        let s = Sector { spinflip: Some(1), ..Default::default() };
        let (l, _) =
            spin_sector(&tfim, &s, &SolveOptions { nev: 256, dense_below: usize::MAX, ..Default::default() }).unwrap();
        let worst = a.iter().zip(&l.energies).map(|(x, y)| (x - (y - 0.8 * 9.0)).abs()).fold(0.0, f64::max);
        assert!(worst < 1e-10, "toric code vs Ising dual: {worst:.3e}");
    }
}
