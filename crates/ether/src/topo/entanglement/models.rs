//! Stabilizer models as data: their checks, logical operators and qubit positions.
//!
//! - [`toric_code`]: the stabilizer form of the toric code ([`crate::model::ToricCode`], its one
//!   definition) at its fixed point: [`toric_code_2d`] on an `L1 × L2` torus, stars
//!   `A_v = Π σ^x` and plaquettes `B_p = Π σ^z` (note C.1); [`toric_code_3d`] on an
//!   `L1 × L2 × L3` torus, six-link stars and four-link plaquettes in all three planes (note C.8).
//! - [`ferromagnet`]: one spin per site of a torus, Ising bonds `σ^z_i σ^z_j`; its ground
//!   state `|↑↑…↑⟩` is a product state (the symmetry-breaking state of the talk).
//! - [`toric_code_honeycomb`]: the Z₂ string net on a planar honeycomb patch, vertex terms
//!   `Π σ^z` and hexagons `Π σ^x` (string present ⇔ σ^z = −1, the convention of note C.5): the
//!   same phase written in its string basis, with the roles of σ^x and σ^z exchanged relative to
//!   [`crate::model::ToricCode`]. It shares its configurations with the double semion and is the
//!   stabilizer twin used to check the double semion's Schmidt decomposition.
//!
//! A model's ground state is fixed by adding its logical `Z` operators (loops along the
//! cycles of the torus) to the checks; the logical `X` operators are listed too, so that the
//! degeneracy can be counted from independent logical operators.

use super::honeycomb::HoneycombPatch;
use super::regions::{Boundary, Geometry, SQUARE_MINIMUMS};
use super::stabilizer::{Pauli, PauliString, StabilizerGroup, StabilizerState};
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::model::ToricCode;

/// A stabilizer model: commuting checks (`H = −Σ checks`), logical operators, geometry.
#[derive(Clone, Debug)]
pub struct StabilizerModel {
    /// Name for reports.
    pub name: &'static str,
    /// The checks.
    pub checks: StabilizerGroup,
    /// Logical operators that fix a ground state when added to the checks (`+1` eigenvalue).
    pub logical_z: Vec<PauliString>,
    /// Their conjugate partners (each anticommutes with one `logical_z`).
    pub logical_x: Vec<PauliString>,
    /// Where the qubits are.
    pub geometry: Geometry,
}

impl StabilizerModel {
    /// The ground state with every check and every logical `Z` equal to `+1`.
    pub fn ground_state(&self) -> Result<StabilizerState> {
        StabilizerState::new(self.checks.with_generators(self.logical_z.clone())?)
    }

    /// Ground-state degeneracy `2^k` of `H = −Σ checks`, counted twice: `k = n − rank(checks)`
    /// and `2k` = the number of independent logical operators among `logical_z ∪ logical_x`
    /// (which must all commute with the checks). A mismatch is an invariant error.
    pub fn ground_state_degeneracy(&self) -> Result<u64> {
        let k = self.checks.logical_qubits();
        let mut logicals = self.logical_z.clone();
        logicals.extend(self.logical_x.iter().cloned());
        let nl = self.checks.independent_logicals(&logicals)?;
        if nl != 2 * k {
            return Err(Error::Invariant(format!(
                "{}: n - rank(checks) = {k} logical qubits but {nl} independent logical operators were found (expected {})",
                self.name,
                2 * k
            )));
        }
        if k >= 63 {
            return Err(Error::Invariant(format!("{}: 2^{k} ground states overflow", self.name)));
        }
        Ok(1u64 << k)
    }
}

/// A locality order of the qubits of a torus: lattice order with the slowest axis folded
/// (`0, L−1, 1, L−2, …` become positions `0, 1, 2, 3, …`), so that checks which wrap around
/// that axis stay local in column order. `per_site` qubits per site (d for links, 1 for sites).
pub fn folded_order(lat: &Lattice, per_site: usize) -> Vec<u32> {
    let d = lat.dim();
    let ls = lat.extents()[d - 1];
    let fold = |y: usize| if 2 * y < ls { 2 * y } else { 2 * (ls - 1 - y) + 1 };
    let slab = lat.strides()[d - 1];
    (0..lat.n_sites() * per_site)
        .map(|q| {
            let (r, a) = (q / per_site, q % per_site);
            let y = lat.coords(r)[d - 1];
            let rest = r % slab;
            ((fold(y) * slab + rest) * per_site + a) as u32
        })
        .collect()
}

fn require_dim(lat: &Lattice, d: usize, model: &str) -> Result<()> {
    if lat.dim() != d {
        return Err(Error::invalid(
            "lattice",
            format!("{lat} ({}D) for {model}", lat.dim()),
            format!("{model} needs a {d}D lattice, e.g. {}", if d == 2 { "16x16" } else { "8x8x8" }),
        ));
    }
    Ok(())
}

fn link_geometry(lat: &Lattice) -> Geometry {
    let d = lat.dim();
    let mut positions = Vec::with_capacity(lat.n_links());
    let mut ends = Vec::with_capacity(lat.n_links());
    for l in 0..lat.n_links() {
        let (r, a) = lat.link_site_dir(l);
        let c = lat.coords(r);
        let mut p0 = [0.0; 3];
        for b in 0..d {
            p0[b] = c[b] as f64;
        }
        let mut p1 = p0;
        p1[a] += 1.0;
        let mut m = p0;
        m[a] += 0.5;
        positions.push(m);
        ends.push((p0, p1));
    }
    Geometry {
        dim: d,
        positions,
        edge_ends: Some(ends),
        boundary: Boundary::Periodic(lat.extents().iter().map(|&e| e as f64).collect()),
        minimums: SQUARE_MINIMUMS,
    }
}

/// The 2D toric code on a torus (note C.1), at its fixed point. Logical `Z_a` are straight
/// `σ^z` loops along axis `a`; logical `X_a` are `σ^x` on the links that pierce the line
/// `x_a = 1/2`.
pub fn toric_code_2d(lat: &Lattice) -> Result<StabilizerModel> {
    require_dim(lat, 2, "the 2D toric code")?;
    toric_code(&ToricCode::fixed_point(lat.clone())?, "toric code (2D)")
}

/// The 3D toric code on a torus (note C.8), at its fixed point. Logical `Z_a`: straight loops;
/// logical `X_a`: membranes of `σ^x` on the links that pierce the plane `x_a = 1/2`.
pub fn toric_code_3d(lat: &Lattice) -> Result<StabilizerModel> {
    require_dim(lat, 3, "the 3D toric code")?;
    toric_code(&ToricCode::fixed_point(lat.clone())?, "toric code (3D)")
}

/// The stabilizer form of a toric code ([`ToricCode`], the one definition of the model): `X`
/// stars on sites, `Z` plaquettes, and one logical pair per axis. Its ground state is a
/// stabilizer state only without a field.
pub fn toric_code(model: &ToricCode, name: &'static str) -> Result<StabilizerModel> {
    let lat = &model.lattice;
    if model.field != 0.0 || !lat.is_periodic() {
        return Err(Error::invalid(
            "toric code",
            format!("field {} on {lat}", model.field),
            "the stabilizer form is the torus at zero field; the toric code in a field is solved by exact diagonalization",
        ));
    }
    let d = lat.dim();
    let mut gens = Vec::with_capacity(lat.n_sites() + lat.n_plaquettes());
    for s in model.stars() {
        gens.push(PauliString::uniform(&s, Pauli::X)?);
    }
    for p in model.plaquettes() {
        gens.push(PauliString::uniform(&p, Pauli::Z)?);
    }
    let checks = StabilizerGroup::new(lat.n_links(), gens)?.with_order(folded_order(lat, d))?;
    let logical_z = (0..d).map(|a| PauliString::uniform(&model.z_loop(a), Pauli::Z)).collect::<Result<_>>()?;
    let logical_x = (0..d).map(|a| PauliString::uniform(&model.x_membrane(a), Pauli::X)).collect::<Result<_>>()?;
    Ok(StabilizerModel { name, checks, logical_z, logical_x, geometry: link_geometry(lat) })
}

/// The Ising ferromagnet `H = −Σ_<ij> σ^z_i σ^z_j` on the sites of a torus (any dimension
/// 2 or 3). Its checks leave one logical qubit (all up / all down: the two symmetry-broken
/// ground states); the logical `Z` is `σ^z_0` and fixes the product state `|↑↑…↑⟩`.
pub fn ferromagnet(lat: &Lattice) -> Result<StabilizerModel> {
    if lat.dim() < 2 || lat.dim() > 3 {
        return Err(Error::invalid("lattice", format!("{lat}"), "the ferromagnet is set up in 2D or 3D, e.g. 16x16"));
    }
    let d = lat.dim();
    let mut gens = Vec::new();
    for r in 0..lat.n_sites() {
        for a in 0..d {
            gens.push(PauliString::uniform(&[r, lat.forward(r, a)], Pauli::Z)?);
        }
    }
    let checks = StabilizerGroup::new(lat.n_sites(), gens)?.with_order(folded_order(lat, 1))?;
    let all: Vec<usize> = (0..lat.n_sites()).collect();
    let positions = (0..lat.n_sites())
        .map(|r| {
            let c = lat.coords(r);
            let mut p = [0.0; 3];
            for b in 0..d {
                p[b] = c[b] as f64;
            }
            p
        })
        .collect();
    let geometry = Geometry {
        dim: d,
        positions,
        edge_ends: None,
        boundary: Boundary::Periodic(lat.extents().iter().map(|&e| e as f64).collect()),
        minimums: SQUARE_MINIMUMS,
    };
    Ok(StabilizerModel {
        name: "ferromagnet (product state)",
        checks,
        logical_z: vec![PauliString::uniform(&[0], Pauli::Z)?],
        logical_x: vec![PauliString::uniform(&all, Pauli::X)?],
        geometry,
    })
}

/// The toric code (Z₂ string net) on a planar honeycomb patch: vertex checks `Π σ^z` and
/// hexagon checks `Π σ^x`. On a disk the checks already fix one state (no logical qubit).
pub fn toric_code_honeycomb(patch: &HoneycombPatch) -> Result<StabilizerModel> {
    let mut gens = Vec::new();
    for v in &patch.vertex_edges {
        gens.push(PauliString::uniform(v, Pauli::Z)?);
    }
    for h in &patch.hexagons {
        gens.push(PauliString::uniform(h, Pauli::X)?);
    }
    let checks = StabilizerGroup::new(patch.n_edges(), gens)?;
    Ok(StabilizerModel {
        name: "toric code (honeycomb patch)",
        checks,
        logical_z: Vec::new(),
        logical_x: Vec::new(),
        geometry: patch.geometry(),
    })
}
