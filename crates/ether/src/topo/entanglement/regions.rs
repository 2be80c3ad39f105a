//! Where the qubits are, and the regions of the Kitaev–Preskill and Levin–Wen constructions.
//!
//! Every model places its qubits at points ([`Geometry`]): edge midpoints for the toric code
//! and the double semion, sites for the ferromagnet. A region is the sorted list of qubits
//! whose point satisfies a geometric predicate, measured from a centre by the minimal-image
//! displacement on a torus.
//!
//! - **Kitaev–Preskill** (note C.2, C.4): the disk (ball in 3D) `|d| ≤ R` split into three
//!   120° sectors `A`, `B`, `C` by the azimuth of `d` in the xy plane, measured from the
//!   `rotation` angle; `D` is the rest. Centre the disk on a plaquette (cube) centre and rotate
//!   the sector boundaries off the lattice axes (default 10°) so that no sector boundary runs
//!   through a star: a star touching all four of `A, B, C, D` would add a local `+1 bit`.
//! - **Levin–Wen** (note C.2): the annulus `r_in < |d| ≤ r_out` (`A1`), the annulus cut open
//!   at the bottom (`A2`: qubits with `|d_x| ≤ w`, `d_y < 0` removed), at the top (`A3`) and at
//!   both (`A4`); `S_topo = (S1 − S2) − (S3 − S4) = −2γ`.
//! - **Block**: the closed rectangle `[x0, x0 + a] × [y0, y0 + b]` (boundary included), the
//!   region of the area-law table in note C.4.
//!
//! Fit rules (checked before any entropy is computed; errors say the minimum size). On a
//! torus of extent `L` along an axis the region's diameter must leave half a lattice
//! spacing of the complement on each side: `2 R_out + 1 ≤ L`. On an open patch the region
//! must stay inside the patch: `|c − c_patch| + R_out + 0.2 ≤ inradius`.
//! The smallest sizes for which the fixed-point value is exact were found by scanning the
//! toric code over every placement (tests in `tests/entanglement.rs`): see [`Minimums`].

use crate::error::{Error, Result};
use serde::Serialize;

/// On a torus a region of radius `R` needs extent `≥ 2R + 2·TORUS_MARGIN` along each axis.
pub const TORUS_MARGIN: f64 = 0.5;
/// On a patch a region of radius `R` about `c` needs `|c − c_patch| + R + PATCH_MARGIN ≤ inradius`.
pub const PATCH_MARGIN: f64 = 0.2;
/// Smallest region sizes for which the fixed-point (toric code) value is exact, found by
/// scanning every placement in `tests/entanglement.rs` (lattice spacings; edge length 1 on
/// the honeycomb).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Minimums {
    /// Kitaev–Preskill radius.
    pub kp_radius: f64,
    /// Levin–Wen inner radius.
    pub lw_inner: f64,
    /// Levin–Wen annulus width `r_out − r_in`.
    pub lw_width: f64,
    /// Levin–Wen cut half-width.
    pub lw_cut: f64,
}

/// Minimums on the square and cubic lattices.
pub const SQUARE_MINIMUMS: Minimums = Minimums { kp_radius: 1.5, lw_inner: 0.9, lw_width: 1.5, lw_cut: 0.6 };
/// Minimums on the honeycomb (a narrower cut leaves the annulus connected across a zigzag).
pub const HONEYCOMB_MINIMUMS: Minimums = Minimums { kp_radius: 1.5, lw_inner: 0.9, lw_width: 1.8, lw_cut: 0.9 };

/// How the system closes: a torus with periods, or an open patch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Boundary {
    /// Periodic in every axis with these periods.
    Periodic(Vec<f64>),
    /// An open patch: the largest disk about `centre` inside it has radius `inradius`.
    Open {
        /// Centre of the patch.
        centre: [f64; 3],
        /// Radius of the largest disk about the centre inside the patch.
        inradius: f64,
    },
}

/// Positions of the qubits of a model.
#[derive(Clone, Debug, Serialize)]
pub struct Geometry {
    /// Spatial dimension (2 or 3).
    pub dim: usize,
    /// Position of each qubit.
    pub positions: Vec<[f64; 3]>,
    /// For qubits on edges, the two ends of the edge (for drawing).
    pub edge_ends: Option<Vec<([f64; 3], [f64; 3])>>,
    /// Torus or patch.
    pub boundary: Boundary,
    /// Smallest region sizes on this lattice.
    pub minimums: Minimums,
}

impl Geometry {
    /// The frame of a torus with no qubit positions: enough to check that a construction fits
    /// and to choose its default placement before anything lattice-sized is allocated.
    pub fn torus_frame(lat: &crate::lattice::Lattice) -> Self {
        Geometry {
            dim: lat.dim(),
            positions: Vec::new(),
            edge_ends: None,
            boundary: Boundary::Periodic(lat.extents().iter().map(|&e| e as f64).collect()),
            minimums: SQUARE_MINIMUMS,
        }
    }

    /// Number of qubits.
    pub fn n_qubits(&self) -> usize {
        self.positions.len()
    }

    /// Displacement `p − c` (minimal image on a torus).
    pub fn displacement(&self, p: &[f64; 3], c: &[f64; 3]) -> [f64; 3] {
        let mut d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
        if let Boundary::Periodic(per) = &self.boundary {
            for (a, &l) in per.iter().enumerate() {
                d[a] -= l * (d[a] / l).round();
            }
        }
        d
    }

    /// The sorted qubits whose displacement from `centre` satisfies `pred`.
    pub fn select(&self, centre: &[f64; 3], pred: impl Fn(&[f64; 3]) -> bool) -> Vec<usize> {
        (0..self.n_qubits()).filter(|&q| pred(&self.displacement(&self.positions[q], centre))).collect()
    }

    /// Check that a region of outer radius `r_out` about `centre` fits, with one lattice
    /// spacing of complement around it; `what` names the construction in the error.
    pub fn check_fits(&self, what: &str, centre: &[f64; 3], r_out: f64) -> Result<()> {
        self.check_fits_box(what, centre, [r_out; 3])
    }

    /// Like [`Geometry::check_fits`] for a box of half-extents `half` (per axis on a torus;
    /// the largest one on a patch).
    pub fn check_fits_box(&self, what: &str, centre: &[f64; 3], half: [f64; 3]) -> Result<()> {
        let r_out = half.iter().take(self.dim).fold(0.0f64, |m, &h| m.max(h));
        match &self.boundary {
            Boundary::Periodic(per) => {
                for (a, &l) in per.iter().enumerate().take(self.dim) {
                    let r_out = half[a];
                    let need = (2.0 * r_out + 2.0 * TORUS_MARGIN).ceil() as usize;
                    if 2.0 * r_out + 2.0 * TORUS_MARGIN > l + 1e-9 {
                        let ext: Vec<String> = per.iter().map(|&p| format!("{}", p as usize)).collect();
                        return Err(Error::invalid(
                            what,
                            format!("half-extent {r_out} along axis {a} on the {} torus", ext.join("x")),
                            format!(
                                "the region would wrap around axis {a} (extent {l}): it needs extent >= 2R+1 = {need}; \
                                 use a lattice of at least {need} along every axis or a smaller radius (at most {:.2})",
                                (l - 2.0 * TORUS_MARGIN) / 2.0
                            ),
                        ));
                    }
                }
                Ok(())
            }
            Boundary::Open { centre: pc, inradius } => {
                let off = ((centre[0] - pc[0]).powi(2) + (centre[1] - pc[1]).powi(2)).sqrt();
                if off + r_out + PATCH_MARGIN > *inradius + 1e-9 {
                    return Err(Error::invalid(
                        what,
                        format!("outer radius {r_out} at distance {off:.2} from the patch centre"),
                        format!(
                            "the region plus one lattice spacing must lie inside the patch (inradius {inradius:.2}): \
                             the largest radius here is {:.2}; use a larger patch or a smaller radius",
                            inradius - PATCH_MARGIN - off
                        ),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// Parameters of the Kitaev–Preskill construction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KitaevPreskill {
    /// Centre of the disk (best a plaquette centre).
    pub centre: [f64; 3],
    /// Radius `R` (lattice spacings).
    pub radius: f64,
    /// Angle of the A/C boundary from the x axis, degrees.
    pub rotation_deg: f64,
}

/// Parameters of the Levin–Wen construction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevinWen {
    /// Centre of the annulus.
    pub centre: [f64; 3],
    /// Inner radius.
    pub r_in: f64,
    /// Outer radius.
    pub r_out: f64,
    /// Half-width of the cuts at top and bottom.
    pub cut_half_width: f64,
}

/// Three disjoint sectors of a disk.
#[derive(Clone, Debug, Serialize)]
pub struct KpRegions {
    /// Sector A.
    pub a: Vec<usize>,
    /// Sector B.
    pub b: Vec<usize>,
    /// Sector C.
    pub c: Vec<usize>,
}

impl KpRegions {
    /// The seven regions of the KP sum with their names and signs:
    /// `S_A + S_B + S_C − S_AB − S_BC − S_CA + S_ABC`.
    pub fn combination(&self) -> Vec<(&'static str, i32, Vec<usize>)> {
        let u = |x: &[usize], y: &[usize]| {
            let mut v: Vec<usize> = x.iter().chain(y).copied().collect();
            v.sort_unstable();
            v
        };
        let ab = u(&self.a, &self.b);
        let bc = u(&self.b, &self.c);
        let ca = u(&self.c, &self.a);
        let abc = u(&ab, &self.c);
        vec![
            ("A", 1, self.a.clone()),
            ("B", 1, self.b.clone()),
            ("C", 1, self.c.clone()),
            ("AB", -1, ab),
            ("BC", -1, bc),
            ("CA", -1, ca),
            ("ABC", 1, abc),
        ]
    }
}

/// The four Levin–Wen regions.
#[derive(Clone, Debug, Serialize)]
pub struct LwRegions {
    /// A1: the annulus.
    pub a1: Vec<usize>,
    /// A2: cut at the bottom.
    pub a2: Vec<usize>,
    /// A3: cut at the top.
    pub a3: Vec<usize>,
    /// A4: cut at both.
    pub a4: Vec<usize>,
}

impl LwRegions {
    /// The four regions with signs: `S1 − S2 − S3 + S4` (= −2γ).
    pub fn combination(&self) -> Vec<(&'static str, i32, Vec<usize>)> {
        vec![
            ("A1", 1, self.a1.clone()),
            ("A2", -1, self.a2.clone()),
            ("A3", -1, self.a3.clone()),
            ("A4", 1, self.a4.clone()),
        ]
    }
}

fn sector(d: &[f64; 3], rotation_deg: f64) -> usize {
    let phi = d[1].atan2(d[0]).to_degrees() - rotation_deg;
    let phi = phi.rem_euclid(360.0);
    ((phi / 120.0).floor() as usize).min(2)
}

/// The Kitaev–Preskill sectors (2D disk or 3D ball, sectors by azimuth), after the fit check.
pub fn kitaev_preskill(g: &Geometry, kp: &KitaevPreskill) -> Result<KpRegions> {
    crate::error::require_finite("Kitaev-Preskill radius", kp.radius)?;
    crate::error::require_finite("Kitaev-Preskill rotation", kp.rotation_deg)?;
    let mn = g.minimums;
    if kp.radius < mn.kp_radius {
        return Err(Error::invalid(
            "Kitaev-Preskill radius",
            format!("{}", kp.radius),
            format!(
                "the three sectors need R >= {} lattice spacings to each hold a star's worth of qubits",
                mn.kp_radius
            ),
        ));
    }
    g.check_fits("Kitaev-Preskill disk", &kp.centre, kp.radius)?;
    let r2 = kp.radius * kp.radius;
    let mut out = [Vec::new(), Vec::new(), Vec::new()];
    for q in 0..g.n_qubits() {
        let d = g.displacement(&g.positions[q], &kp.centre);
        if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= r2 {
            out[sector(&d, kp.rotation_deg)].push(q);
        }
    }
    let [a, b, c] = out;
    if a.is_empty() || b.is_empty() || c.is_empty() {
        return Err(Error::invalid(
            "Kitaev-Preskill disk",
            format!("R = {}", kp.radius),
            "a sector is empty; use a larger radius",
        ));
    }
    Ok(KpRegions { a, b, c })
}

/// The Levin–Wen annulus and its cut versions (2D only), after the fit check.
pub fn levin_wen(g: &Geometry, lw: &LevinWen) -> Result<LwRegions> {
    for (w, x) in [("inner radius", lw.r_in), ("outer radius", lw.r_out), ("cut half-width", lw.cut_half_width)] {
        crate::error::require_finite(&format!("Levin-Wen {w}"), x)?;
    }
    if g.dim != 2 {
        return Err(Error::invalid(
            "construction",
            "levin-wen in 3D",
            "the Levin-Wen annulus is a 2D construction; use kitaev-preskill for 3D models",
        ));
    }
    let mn = g.minimums;
    if lw.r_in < mn.lw_inner || lw.r_out - lw.r_in < mn.lw_width - 1e-12 || lw.cut_half_width < mn.lw_cut {
        return Err(Error::invalid(
            "Levin-Wen annulus",
            format!("r_in = {}, r_out = {}, cut half-width = {}", lw.r_in, lw.r_out, lw.cut_half_width),
            format!(
                "the annulus needs r_in >= {}, r_out - r_in >= {} and cut half-width >= {} (so r_out >= {})",
                mn.lw_inner,
                mn.lw_width,
                mn.lw_cut,
                mn.lw_inner + mn.lw_width
            ),
        ));
    }
    if lw.cut_half_width >= lw.r_in.min(lw.r_out - lw.r_in) + lw.r_in {
        return Err(Error::invalid(
            "Levin-Wen cut half-width",
            format!("{}", lw.cut_half_width),
            "the cuts must be narrower than the annulus (half-width below r_out)",
        ));
    }
    g.check_fits("Levin-Wen annulus", &lw.centre, lw.r_out)?;
    let (ri2, ro2) = (lw.r_in * lw.r_in, lw.r_out * lw.r_out);
    let (mut a1, mut a2, mut a3, mut a4) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for q in 0..g.n_qubits() {
        let d = g.displacement(&g.positions[q], &lw.centre);
        let rr = d[0] * d[0] + d[1] * d[1];
        if rr <= ri2 || rr > ro2 {
            continue;
        }
        let bottom = d[0].abs() <= lw.cut_half_width && d[1] < 0.0;
        let top = d[0].abs() <= lw.cut_half_width && d[1] > 0.0;
        a1.push(q);
        if !bottom {
            a2.push(q);
        }
        if !top {
            a3.push(q);
        }
        if !bottom && !top {
            a4.push(q);
        }
    }
    if a1.len() == a2.len() || a1.len() == a3.len() {
        return Err(Error::invalid(
            "Levin-Wen cut half-width",
            format!("{}", lw.cut_half_width),
            "a cut removes no qubit; use a wider cut",
        ));
    }
    Ok(LwRegions { a1, a2, a3, a4 })
}

fn describe(g: &Geometry) -> String {
    match &g.boundary {
        Boundary::Periodic(p) => {
            let e: Vec<String> = p.iter().map(|&x| format!("{}", x as usize)).collect();
            format!("the {} torus", e.join("x"))
        }
        Boundary::Open { inradius, .. } => format!("the patch (inradius {inradius:.2})"),
    }
}

/// Largest radius about the default centre that fits, and that centre: the plaquette (cube)
/// centre nearest the middle of a torus, or the centre of a patch.
fn room(g: &Geometry) -> ([f64; 3], f64) {
    match &g.boundary {
        Boundary::Periodic(p) => {
            let mut c = [0.0; 3];
            for a in 0..g.dim {
                c[a] = (p[a] / 2.0).floor() + 0.5;
            }
            let lmin = p.iter().take(g.dim).fold(f64::INFINITY, |m, &x| m.min(x));
            (c, (lmin - 2.0 * TORUS_MARGIN) / 2.0)
        }
        Boundary::Open { centre, inradius } => (*centre, inradius - PATCH_MARGIN),
    }
}

/// Smallest torus extent (or patch inradius) that holds a region of outer radius `r`.
fn minimum_size(g: &Geometry, r: f64) -> String {
    match &g.boundary {
        Boundary::Periodic(_) => {
            let l = (2.0 * r + 2.0 * TORUS_MARGIN - 1e-9).ceil() as usize;
            format!("at least {l} along every axis ({})", vec![l.to_string(); g.dim].join("x"))
        }
        Boundary::Open { .. } => {
            format!("a patch of inradius at least {:.2} (2 rings on the honeycomb)", r + PATCH_MARGIN)
        }
    }
}

/// The default Kitaev–Preskill disk: centred on the middle plaquette (cube), sectors rotated
/// by 10°, radius `0.3 L` on a torus (the largest that fits on a patch) clamped to what fits. Fails
/// with the minimum lattice if even the smallest disk does not fit.
pub fn default_kitaev_preskill(g: &Geometry) -> Result<KitaevPreskill> {
    let (centre, rmax) = room(g);
    let mn = g.minimums;
    if rmax < mn.kp_radius - 1e-12 {
        return Err(Error::invalid(
            "lattice",
            describe(g),
            format!(
                "the Kitaev-Preskill construction needs a disk of radius >= {} with room around it: use {}",
                mn.kp_radius,
                minimum_size(g, mn.kp_radius)
            ),
        ));
    }
    let target = match &g.boundary {
        Boundary::Periodic(p) => 0.3 * p.iter().take(g.dim).fold(f64::INFINITY, |m, &x| m.min(x)),
        // On a patch, the largest disk that fits (on 1 ring: the central hexagon and its legs).
        Boundary::Open { .. } => rmax,
    };
    Ok(KitaevPreskill { centre, radius: target.max(mn.kp_radius).min(rmax), rotation_deg: 10.0 })
}

/// The default Levin–Wen annulus: `r_out = 0.35 L` (clamped to what fits), width
/// `max(min, 0.6 r_out)`, cuts of half-width `max(min, 0.25 r_out)`. Fails with the minimum
/// lattice if the smallest annulus does not fit (2D only).
pub fn default_levin_wen(g: &Geometry) -> Result<LevinWen> {
    if g.dim != 2 {
        return Err(Error::invalid(
            "construction",
            "levin-wen in 3D",
            "the Levin-Wen annulus is a 2D construction; use --construction kitaev-preskill for 3D models",
        ));
    }
    let (centre, rmax) = room(g);
    let mn = g.minimums;
    let r_min = mn.lw_inner + mn.lw_width;
    if rmax < r_min - 1e-12 {
        return Err(Error::invalid(
            "lattice",
            describe(g),
            format!(
                "the Levin-Wen annulus needs an outer radius >= {r_min} with room around it: use {}",
                minimum_size(g, r_min)
            ),
        ));
    }
    let target = match &g.boundary {
        Boundary::Periodic(p) => 0.35 * p.iter().take(g.dim).fold(f64::INFINITY, |m, &x| m.min(x)),
        Boundary::Open { inradius, .. } => *inradius,
    };
    let r_out = target.max(r_min).min(rmax);
    let width = mn.lw_width.max(0.6 * r_out);
    let r_in = mn.lw_inner.max(r_out - width);
    Ok(LevinWen { centre, r_in, r_out, cut_half_width: mn.lw_cut.max(0.25 * r_out) })
}

/// The closed block `[lo_x, hi_x] × [lo_y, hi_y]` (boundary included) measured from `origin`.
pub fn block(g: &Geometry, origin: &[f64; 3], size: [f64; 2]) -> Result<Vec<usize>> {
    if g.dim != 2 {
        return Err(Error::invalid("block region", format!("{}D", g.dim), "blocks are 2D regions"));
    }
    let centre = [origin[0] + 0.5 * size[0], origin[1] + 0.5 * size[1], origin[2]];
    g.check_fits_box("block region", &centre, [0.5 * size[0], 0.5 * size[1], 0.0])?;
    let eps = 1e-9;
    Ok(g.select(&centre, |d| {
        d[0].abs() <= 0.5 * size[0] + eps && d[1].abs() <= 0.5 * size[1] + eps && d[2].abs() < 0.5
    }))
}
