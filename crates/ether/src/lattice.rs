//! Hypercubic lattices in 1 to 4 dimensions, periodic (a torus, the default) or open along any
//! axis.
//!
//! A [`Lattice`] is a value: its extents fix every cell of rank 0 to 3
//! (sites, oriented links, plaquettes, cubes) and the incidence maps between
//! them. Fields are plain slices indexed by cell number; the operators
//! [`Lattice::grad`], [`Lattice::div`], [`Lattice::curl`] and
//! [`Lattice::cube_div`] act on them exactly, so that `curl(grad) = 0` and
//! `cube_div(curl) = 0` hold to the last bit for integer-valued fields.
//!
//! Numbering (see `docs/conventions.md`):
//! - site `r` with coordinates `x_0..x_{d-1}` has index `sum_a x_a * stride_a`,
//!   with `stride_0 = 1` (the first axis runs fastest);
//! - link `(r, a)` runs from `r` to `r + e_a` and has index `r * d + a`;
//! - plaquette `(r, a, b)`, `a < b`, has corners `r, r+e_a, r+e_a+e_b, r+e_b`
//!   and index `r * P + plane(a, b)` with `P = d(d-1)/2` planes per site,
//!   ordered (0,1), (0,2), ..., (1,2), ...;
//! - cube `(r, a, b, c)`, `a < b < c`, index `r * C + triple(a, b, c)`.
//!
//! Orientation: the boundary of plaquette `(r,a,b)` is
//! `+(r,a) + (r+e_a, b) - (r+e_b, a) - (r, b)`, so the lattice curl is
//! `Phi_{r,ab} = theta_{r,a} + theta_{r+a,b} - theta_{r+b,a} - theta_{r,b}`
//! (rotor note, section 1.3). The divergence is
//! `(div E)_r = sum_a (E_{r,a} - E_{r-a,a})`, the charge `Q_r` of the rotor model.
//!
//! Boundary conditions ([`Boundary`]) are per axis. Every lattice made by [`Lattice::new`] or
//! [`Lattice::parse`] is periodic along every axis. Along an *open* axis ([`Lattice::with_boundaries`],
//! [`Lattice::open`]) the cells keep their torus numbering, so that `link(r, a) = r d + a` and the
//! other index formulas stay valid, and the cells that would cross the boundary (the link from
//! `x_a = L_a − 1` to `x_a = 0`, and the plaquettes and cubes containing it) do not exist:
//! [`Lattice::has_link`], [`Lattice::has_plaquette`] and [`Lattice::has_cube`] say which do, and
//! [`Lattice::links`], [`Lattice::plaquettes`] and [`Lattice::cubes`] list them. The incidence
//! operators act on the existing cells only (absent cells read as zero and are written as zero).
//! `forward`/`backward` keep wrapping (they are the torus maps); [`Lattice::neighbour`] is the
//! boundary-aware step. An open box of the cubic lattice is such a lattice, and
//! [`crate::topo::statistics::CubicComplex`] is a compactly numbered view of one.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt;

pub mod complex;
pub use complex::{CubicComplex, Leg};

/// Largest number of dimensions ether supports.
pub const MAX_DIM: usize = 4;

/// The boundary condition of one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    /// The axis closes on itself: site `L − 1` neighbours site `0`.
    Periodic,
    /// The axis ends: no cell crosses from `x = L − 1` to `x = 0`.
    Open,
}

/// A hypercubic lattice in 1 to 4 dimensions: a torus, or open along some axes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LatticeRepr", into = "LatticeRepr")]
pub struct Lattice {
    extents: Vec<usize>,
    strides: Vec<usize>,
    n_sites: usize,
    boundary: Vec<Boundary>,
}

/// The serialized form: a torus is its list of extents (as it always was); a lattice with an
/// open axis adds its boundary conditions.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum LatticeRepr {
    Torus(Vec<usize>),
    Bounded { extents: Vec<usize>, boundary: Vec<Boundary> },
}

impl TryFrom<LatticeRepr> for Lattice {
    type Error = Error;
    fn try_from(v: LatticeRepr) -> Result<Self> {
        match v {
            LatticeRepr::Torus(e) => Lattice::new(&e),
            LatticeRepr::Bounded { extents, boundary } => Lattice::with_boundaries(&extents, &boundary),
        }
    }
}

impl From<Lattice> for LatticeRepr {
    fn from(l: Lattice) -> Self {
        if l.is_periodic() {
            LatticeRepr::Torus(l.extents)
        } else {
            LatticeRepr::Bounded { extents: l.extents, boundary: l.boundary }
        }
    }
}

impl fmt::Display for Lattice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: Vec<String> = self.extents.iter().map(|e| e.to_string()).collect();
        write!(f, "{}", s.join("x"))?;
        if self.is_periodic() {
            return Ok(());
        }
        if self.boundary.iter().all(|&b| b == Boundary::Open) {
            return write!(f, " (open)");
        }
        let axes: Vec<&str> =
            (0..self.dim()).filter(|&a| self.boundary[a] == Boundary::Open).map(|a| ["x", "y", "z", "w"][a]).collect();
        write!(f, " (open along {})", axes.join(", "))
    }
}

impl std::str::FromStr for Lattice {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Lattice::parse(s)
    }
}

/// Number of unordered pairs among `d` axes.
fn n_planes(d: usize) -> usize {
    d * (d.saturating_sub(1)) / 2
}

/// Number of unordered triples among `d` axes.
fn n_triples(d: usize) -> usize {
    if d < 3 {
        0
    } else {
        d * (d - 1) * (d - 2) / 6
    }
}

impl Lattice {
    /// A torus with the given extents (1 to 4 of them, each at least 2).
    pub fn new(extents: &[usize]) -> Result<Self> {
        Self::with_boundaries(extents, &vec![Boundary::Periodic; extents.len()])
    }

    /// A lattice open along every axis (an open box of sites; extents at least 1).
    pub fn open(extents: &[usize]) -> Result<Self> {
        Self::with_boundaries(extents, &vec![Boundary::Open; extents.len()])
    }

    /// A lattice with a boundary condition per axis: periodic axes need extent at least 2 (two
    /// sites per axis), open axes at least 1.
    pub fn with_boundaries(extents: &[usize], boundary: &[Boundary]) -> Result<Self> {
        if boundary.len() != extents.len() {
            return Err(Error::invalid(
                "lattice",
                format!("{} extents, {} boundary conditions", extents.len(), boundary.len()),
                "give one boundary condition (periodic or open) per axis",
            ));
        }
        if extents.is_empty() || extents.len() > MAX_DIM {
            return Err(Error::invalid(
                "lattice",
                format!("{} dimensions", extents.len()),
                "give 1 to 4 extents separated by 'x', e.g. 64, 32x32 or 16x16x16",
            ));
        }
        for (&e, &b) in extents.iter().zip(boundary) {
            if b == Boundary::Open && e < 1 {
                return Err(Error::invalid(
                    "lattice",
                    format!("extent {e}"),
                    "every extent of an open axis must be at least 1, e.g. 3x2x2",
                ));
            }
            if b == Boundary::Periodic && e < 2 {
                return Err(Error::invalid(
                    "lattice",
                    format!("extent {e}"),
                    "every extent must be at least 2 (a periodic lattice needs two sites per axis); e.g. 64 or 32x32",
                ));
            }
        }
        let mut strides = Vec::with_capacity(extents.len());
        let mut n: usize = 1;
        for &e in extents {
            strides.push(n);
            n = n.checked_mul(e).ok_or_else(|| {
                Error::invalid("lattice", format!("{extents:?}"), "the lattice is too large to index")
            })?;
        }
        Ok(Lattice { extents: extents.to_vec(), strides, n_sites: n, boundary: boundary.to_vec() })
    }

    /// Parse the `--lattice` syntax: extents separated by `x`, e.g. `64`, `32x32`, `16x16x16`.
    pub fn parse(s: &str) -> Result<Self> {
        let mut ext = Vec::new();
        for part in s.trim().split(['x', 'X', '×']) {
            let v: usize = part.trim().parse().map_err(|_| {
                Error::invalid(
                    "lattice",
                    format!("'{s}'"),
                    "write extents separated by 'x', e.g. 64 (chain), 32x32 (square), 16x16x16 (cubic)",
                )
            })?;
            ext.push(v);
        }
        Lattice::new(&ext)
    }

    /// Number of dimensions d.
    pub fn dim(&self) -> usize {
        self.extents.len()
    }
    /// Extents L_0, ..., L_{d-1}.
    pub fn extents(&self) -> &[usize] {
        &self.extents
    }
    /// The boundary condition of each axis.
    pub fn boundaries(&self) -> &[Boundary] {
        &self.boundary
    }
    /// The boundary condition of axis `a`.
    pub fn boundary(&self, a: usize) -> Boundary {
        self.boundary[a]
    }
    /// True if every axis is periodic (a torus).
    pub fn is_periodic(&self) -> bool {
        self.boundary.iter().all(|&b| b == Boundary::Periodic)
    }
    /// Index strides of the axes (the first axis runs fastest).
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }
    /// Number of sites N.
    pub fn n_sites(&self) -> usize {
        self.n_sites
    }
    /// Number of link indices, d N (every one a link on a torus; on open axes see
    /// [`Lattice::has_link`]).
    pub fn n_links(&self) -> usize {
        self.n_sites * self.dim()
    }
    /// Number of planes (pairs of axes) per site, d(d-1)/2.
    pub fn planes_per_site(&self) -> usize {
        n_planes(self.dim())
    }
    /// Number of plaquette indices, N d(d-1)/2 (on open axes see [`Lattice::has_plaquette`]).
    pub fn n_plaquettes(&self) -> usize {
        self.n_sites * self.planes_per_site()
    }
    /// Number of cubes per site, d(d-1)(d-2)/6.
    pub fn cubes_per_site(&self) -> usize {
        n_triples(self.dim())
    }
    /// Number of cube indices, N d(d-1)(d-2)/6 (on open axes see [`Lattice::has_cube`]).
    pub fn n_cubes(&self) -> usize {
        self.n_sites * self.cubes_per_site()
    }
    /// Coordination number z = 2d.
    pub fn coordination(&self) -> usize {
        2 * self.dim()
    }
    /// True if every extent is even, so that the lattice is bipartite.
    pub fn is_bipartite(&self) -> bool {
        self.extents.iter().all(|e| e % 2 == 0)
    }

    /// Coordinates of site `r`.
    pub fn coords(&self, r: usize) -> [usize; MAX_DIM] {
        let mut c = [0; MAX_DIM];
        let mut rem = r;
        for (a, &e) in self.extents.iter().enumerate() {
            c[a] = rem % e;
            rem /= e;
        }
        c
    }

    /// Index of the site with the given coordinates (taken modulo the extents; negatives wrap).
    pub fn site(&self, coords: &[isize]) -> usize {
        let mut r = 0;
        for (a, &e) in self.extents.iter().enumerate() {
            let x = coords.get(a).copied().unwrap_or(0).rem_euclid(e as isize) as usize;
            r += x * self.strides[a];
        }
        r
    }

    /// Sublattice parity (-1)^(sum of coordinates): +1 or -1.
    pub fn parity(&self, r: usize) -> i32 {
        let c = self.coords(r);
        if c.iter().sum::<usize>() % 2 == 0 {
            1
        } else {
            -1
        }
    }

    /// The site `r + e_a` (periodic).
    #[inline]
    pub fn forward(&self, r: usize, a: usize) -> usize {
        let e = self.extents[a];
        let s = self.strides[a];
        let x = (r / s) % e;
        if x + 1 == e {
            r + s - e * s
        } else {
            r + s
        }
    }

    /// The site `r - e_a` (periodic).
    #[inline]
    pub fn backward(&self, r: usize, a: usize) -> usize {
        let e = self.extents[a];
        let s = self.strides[a];
        let x = (r / s) % e;
        if x == 0 {
            r + (e - 1) * s
        } else {
            r - s
        }
    }

    /// Site translated by an integer vector.
    pub fn translate(&self, r: usize, shift: &[isize]) -> usize {
        let c = self.coords(r);
        let mut t = [0isize; MAX_DIM];
        for a in 0..self.dim() {
            t[a] = c[a] as isize + shift.get(a).copied().unwrap_or(0);
        }
        self.site(&t[..self.dim()])
    }

    /// Index of link `(r, a)` from `r` to `r + e_a`.
    #[inline]
    pub fn link(&self, r: usize, a: usize) -> usize {
        r * self.dim() + a
    }

    /// The site and direction of a link.
    #[inline]
    pub fn link_site_dir(&self, l: usize) -> (usize, usize) {
        (l / self.dim(), l % self.dim())
    }

    /// Tail and head sites of a link.
    pub fn link_ends(&self, l: usize) -> (usize, usize) {
        let (r, a) = self.link_site_dir(l);
        (r, self.forward(r, a))
    }

    /// True if site `r` can step forward along axis `a`: always on a periodic axis, and away
    /// from the last layer on an open one.
    #[inline]
    fn steps_forward(&self, r: usize, a: usize) -> bool {
        self.boundary[a] == Boundary::Periodic || (r / self.strides[a]) % self.extents[a] + 1 < self.extents[a]
    }

    /// The neighbour of `r` one step along axis `a` forward (`forward = true`) or backward, or
    /// `None` where an open axis ends.
    pub fn neighbour(&self, r: usize, a: usize, forward: bool) -> Option<usize> {
        if forward {
            self.steps_forward(r, a).then(|| self.forward(r, a))
        } else {
            let b = self.backward(r, a);
            self.steps_forward(b, a).then_some(b)
        }
    }

    /// Whether link index `l` is a link of the lattice (always on a torus).
    pub fn has_link(&self, l: usize) -> bool {
        let (r, a) = self.link_site_dir(l);
        l < self.n_links() && self.steps_forward(r, a)
    }

    /// Whether plaquette index `p` is a plaquette of the lattice (always on a torus).
    pub fn has_plaquette(&self, p: usize) -> bool {
        if p >= self.n_plaquettes() {
            return false;
        }
        let (r, a, b) = self.plaquette_site_axes(p);
        self.steps_forward(r, a) && self.steps_forward(r, b)
    }

    /// Whether cube index `q` is a cube of the lattice (always on a torus).
    pub fn has_cube(&self, q: usize) -> bool {
        if q >= self.n_cubes() {
            return false;
        }
        let (r, a, b, c) = self.cube_site_axes(q);
        self.steps_forward(r, a) && self.steps_forward(r, b) && self.steps_forward(r, c)
    }

    /// The links of the lattice, ascending (all `0..n_links()` on a torus).
    pub fn links(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_links()).filter(move |&l| self.has_link(l))
    }

    /// The plaquettes of the lattice, ascending.
    pub fn plaquettes(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_plaquettes()).filter(move |&p| self.has_plaquette(p))
    }

    /// The cubes of the lattice, ascending.
    pub fn cubes(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_cubes()).filter(move |&q| self.has_cube(q))
    }

    /// The links touching site `r` (its star), outgoing `(r, a)` then incoming `(r − e_a, a)`
    /// per axis, only those that exist.
    pub fn star(&self, r: usize) -> Vec<usize> {
        let mut v = Vec::with_capacity(2 * self.dim());
        for a in 0..self.dim() {
            if self.steps_forward(r, a) {
                v.push(self.link(r, a));
            }
            let b = self.backward(r, a);
            if self.steps_forward(b, a) {
                v.push(self.link(b, a));
            }
        }
        v
    }

    /// Index of the plane (a, b), a < b, among the d(d-1)/2 planes.
    pub fn plane(&self, a: usize, b: usize) -> usize {
        debug_assert!(a < b && b < self.dim());
        let d = self.dim();
        // planes before row a: sum_{i<a} (d-1-i)
        a * (2 * d - a - 1) / 2 + (b - a - 1)
    }

    /// The pair of axes (a, b) of a plane index.
    pub fn plane_axes(&self, p: usize) -> (usize, usize) {
        let d = self.dim();
        let mut k = p;
        for a in 0..d {
            let row = d - 1 - a;
            if k < row {
                return (a, a + 1 + k);
            }
            k -= row;
        }
        panic!("plane index {p} out of range for d = {d}")
    }

    /// Index of plaquette `(r, a, b)` with a < b.
    pub fn plaquette(&self, r: usize, a: usize, b: usize) -> usize {
        r * self.planes_per_site() + self.plane(a, b)
    }

    /// Base site and axes (a, b) of a plaquette.
    pub fn plaquette_site_axes(&self, p: usize) -> (usize, usize, usize) {
        let pp = self.planes_per_site();
        let (a, b) = self.plane_axes(p % pp);
        (p / pp, a, b)
    }

    /// The four boundary links of a plaquette with orientation signs, in the
    /// order `+(r,a), +(r+a,b), -(r+b,a), -(r,b)`.
    pub fn plaquette_links(&self, p: usize) -> [(usize, i8); 4] {
        let (r, a, b) = self.plaquette_site_axes(p);
        let ra = self.forward(r, a);
        let rb = self.forward(r, b);
        [(self.link(r, a), 1), (self.link(ra, b), 1), (self.link(rb, a), -1), (self.link(r, b), -1)]
    }

    /// Index of the axis triple (a, b, c), a < b < c.
    pub fn triple(&self, a: usize, b: usize, c: usize) -> usize {
        let d = self.dim();
        let mut idx = 0;
        for i in 0..d {
            for j in i + 1..d {
                for k in j + 1..d {
                    if (i, j, k) == (a, b, c) {
                        return idx;
                    }
                    idx += 1;
                }
            }
        }
        panic!("axis triple ({a},{b},{c}) out of range for d = {d}")
    }

    /// The axis triple of a triple index.
    pub fn triple_axes(&self, t: usize) -> (usize, usize, usize) {
        let d = self.dim();
        let mut idx = 0;
        for i in 0..d {
            for j in i + 1..d {
                for k in j + 1..d {
                    if idx == t {
                        return (i, j, k);
                    }
                    idx += 1;
                }
            }
        }
        panic!("triple index {t} out of range for d = {d}")
    }

    /// Index of cube `(r, a, b, c)` with a < b < c.
    pub fn cube(&self, r: usize, a: usize, b: usize, c: usize) -> usize {
        r * self.cubes_per_site() + self.triple(a, b, c)
    }

    /// Base site and axes of a cube.
    pub fn cube_site_axes(&self, q: usize) -> (usize, usize, usize, usize) {
        let cps = self.cubes_per_site();
        let (a, b, c) = self.triple_axes(q % cps);
        (q / cps, a, b, c)
    }

    /// The six boundary plaquettes of a cube with orientation signs (outward normal
    /// in the sense that `cube_div(curl theta) = 0`):
    /// `+(r+c,ab) -(r,ab) -(r+b,ac) +(r,ac) +(r+a,bc) -(r,bc)`.
    pub fn cube_plaquettes(&self, q: usize) -> [(usize, i8); 6] {
        let (r, a, b, c) = self.cube_site_axes(q);
        [
            (self.plaquette(self.forward(r, c), a, b), 1),
            (self.plaquette(r, a, b), -1),
            (self.plaquette(self.forward(r, b), a, c), -1),
            (self.plaquette(r, a, c), 1),
            (self.plaquette(self.forward(r, a), b, c), 1),
            (self.plaquette(r, b, c), -1),
        ]
    }

    fn check_len(&self, what: &str, got: usize, want: usize) {
        assert_eq!(got, want, "{what}: field has {got} entries, lattice {self} needs {want}");
    }

    /// Lattice gradient, sites to links: `(grad f)_{r,a} = f(r + e_a) - f(r)`.
    pub fn grad(&self, f: &[f64], out: &mut [f64]) {
        self.check_len("grad input", f.len(), self.n_sites);
        self.check_len("grad output", out.len(), self.n_links());
        let d = self.dim();
        for r in 0..self.n_sites {
            for a in 0..d {
                out[r * d + a] = f[self.forward(r, a)] - f[r];
            }
        }
        self.zero_absent(out, |l| self.has_link(l));
    }

    /// On a lattice with open axes, set the entries of absent cells to zero (no-op on a torus).
    fn zero_absent(&self, out: &mut [f64], exists: impl Fn(usize) -> bool) {
        if !self.is_periodic() {
            for (i, o) in out.iter_mut().enumerate() {
                if !exists(i) {
                    *o = 0.0;
                }
            }
        }
    }

    /// Lattice divergence, links to sites: `(div E)_r = sum_a (E_{r,a} - E_{r-a,a})`.
    /// This is the charge Q_r of the rotor model; note `div = -grad^T`.
    pub fn div(&self, e: &[f64], out: &mut [f64]) {
        self.check_len("div input", e.len(), self.n_links());
        self.check_len("div output", out.len(), self.n_sites);
        let d = self.dim();
        if !self.is_periodic() {
            for (r, o) in out.iter_mut().enumerate() {
                *o = self.star_sum(r, |l| e[l]);
            }
            return;
        }
        for r in 0..self.n_sites {
            let mut q = 0.0;
            for a in 0..d {
                q += e[r * d + a] - e[self.backward(r, a) * d + a];
            }
            out[r] = q;
        }
    }

    /// `Σ_a (E_{r,a} − E_{r−a,a})` over the links of `r` that exist.
    fn star_sum(&self, r: usize, e: impl Fn(usize) -> f64) -> f64 {
        let mut q = 0.0;
        for a in 0..self.dim() {
            if self.steps_forward(r, a) {
                q += e(self.link(r, a));
            }
            let b = self.backward(r, a);
            if self.steps_forward(b, a) {
                q -= e(self.link(b, a));
            }
        }
        q
    }

    /// Lattice curl, links to plaquettes:
    /// `Phi_{r,ab} = theta_{r,a} + theta_{r+a,b} - theta_{r+b,a} - theta_{r,b}`.
    pub fn curl(&self, theta: &[f64], out: &mut [f64]) {
        self.check_len("curl input", theta.len(), self.n_links());
        self.check_len("curl output", out.len(), self.n_plaquettes());
        for (p, o) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for (l, sg) in self.plaquette_links(p) {
                s += f64::from(sg) * theta[l];
            }
            *o = s;
        }
        self.zero_absent(out, |p| self.has_plaquette(p));
    }

    /// Transpose of the curl, plaquettes to links: `(C^T B)_l = sum_{p ∋ l} sign(p, l) B_p`.
    pub fn curl_t(&self, b: &[f64], out: &mut [f64]) {
        self.check_len("curl_t input", b.len(), self.n_plaquettes());
        self.check_len("curl_t output", out.len(), self.n_links());
        out.iter_mut().for_each(|x| *x = 0.0);
        let periodic = self.is_periodic();
        for (p, &bp) in b.iter().enumerate() {
            if !periodic && !self.has_plaquette(p) {
                continue;
            }
            for (l, sg) in self.plaquette_links(p) {
                out[l] += f64::from(sg) * bp;
            }
        }
    }

    /// Divergence of a plaquette field over cubes (the exterior derivative on 2-cells).
    pub fn cube_div(&self, b: &[f64], out: &mut [f64]) {
        self.check_len("cube_div input", b.len(), self.n_plaquettes());
        self.check_len("cube_div output", out.len(), self.n_cubes());
        for (q, o) in out.iter_mut().enumerate() {
            let mut s = 0.0;
            for (p, sg) in self.cube_plaquettes(q) {
                s += f64::from(sg) * b[p];
            }
            *o = s;
        }
        self.zero_absent(out, |q| self.has_cube(q));
    }

    /// The momentum grid k_a = 2 pi n_a / L_a, n_a = 0..L_a, in site-index order.
    pub fn momentum_grid(&self) -> Vec<Momentum> {
        (0..self.n_sites).map(|i| self.momentum_of_index(i)).collect()
    }

    /// The allowed momentum with integer label `n` (flattened like a site index).
    pub fn momentum_of_index(&self, i: usize) -> Momentum {
        let c = self.coords(i);
        let mut k = [0.0; MAX_DIM];
        for a in 0..self.dim() {
            k[a] = 2.0 * PI * c[a] as f64 / self.extents[a] as f64;
        }
        Momentum { k, dim: self.dim() }
    }

    /// The standard high-symmetry path for this dimension, as corner points with labels:
    /// G-X (chain), G-X-M-G (square), G-X-M-R-G (cubic), G-X-M-R-H-G (4D).
    pub fn high_symmetry_corners(&self) -> Vec<(&'static str, Momentum)> {
        let d = self.dim();
        let mk = |n: usize| {
            let mut k = [0.0; MAX_DIM];
            for x in k.iter_mut().take(n) {
                *x = PI;
            }
            Momentum { k, dim: d }
        };
        let names = ["G", "X", "M", "R", "H"];
        let mut v: Vec<(&'static str, Momentum)> = (0..=d).map(|n| (names[n], mk(n))).collect();
        if d > 1 {
            v.push(("G", mk(0)));
        }
        v
    }

    /// A continuous path through the high-symmetry corners with about
    /// `points_per_unit` points per unit of |k| (at least 2 per segment).
    pub fn high_symmetry_path(&self, points_per_unit: f64) -> MomentumPath {
        MomentumPath::through(&self.high_symmetry_corners(), points_per_unit)
    }

    /// The allowed (grid) momenta that lie on the high-symmetry path, in path order.
    pub fn grid_path(&self) -> MomentumPath {
        let corners = self.high_symmetry_corners();
        let d = self.dim();
        let mut path = MomentumPath { points: Vec::new(), distance: Vec::new(), labels: Vec::new() };
        let mut dist = 0.0;
        for w in corners.windows(2) {
            let (la, ka) = (w[0].0, w[0].1);
            let kb = w[1].1;
            // Grid momenta on the straight segment: number of steps is the largest L_a/2 along changed axes.
            let steps =
                (0..d).filter(|&a| (ka.k[a] - kb.k[a]).abs() > 1e-12).map(|a| self.extents[a] / 2).max().unwrap_or(1);
            // Only include points that are exactly on the grid.
            if path.points.is_empty() {
                path.labels.push((0, la.to_string()));
            }
            for s in 0..=steps {
                if s == 0 && !path.points.is_empty() {
                    continue;
                }
                let t = s as f64 / steps as f64;
                let mut k = [0.0; MAX_DIM];
                let mut on_grid = true;
                for a in 0..d {
                    k[a] = ka.k[a] + t * (kb.k[a] - ka.k[a]);
                    let n = k[a] * self.extents[a] as f64 / (2.0 * PI);
                    if (n - n.round()).abs() > 1e-9 {
                        on_grid = false;
                    }
                }
                if !on_grid {
                    continue;
                }
                let m = Momentum { k, dim: d };
                if let Some(prev) = path.points.last() {
                    dist += m.distance(prev);
                }
                path.points.push(m);
                path.distance.push(dist);
            }
            path.labels.push((path.points.len() - 1, w[1].0.to_string()));
        }
        path
    }

    /// Index of the grid momentum nearest to `k` (exact if `k` is on the grid).
    pub fn momentum_index(&self, k: &Momentum) -> usize {
        let mut c = [0isize; MAX_DIM];
        for a in 0..self.dim() {
            let l = self.extents[a] as f64;
            c[a] = (k.k[a] * l / (2.0 * PI)).round() as isize;
        }
        self.site(&c[..self.dim()])
    }
}

/// A lattice momentum (crystal momentum) in radians per lattice spacing, `k_a ∈ [0, 2 pi)` or any
/// equivalent representative.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Momentum {
    k: [f64; MAX_DIM],
    dim: usize,
}

impl Momentum {
    /// A momentum from its components.
    pub fn new(k: &[f64]) -> Self {
        assert!(k.len() <= MAX_DIM);
        let mut a = [0.0; MAX_DIM];
        a[..k.len()].copy_from_slice(k);
        Momentum { k: a, dim: k.len() }
    }
    /// Its components.
    pub fn components(&self) -> &[f64] {
        &self.k[..self.dim]
    }
    /// Number of components.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// `|k|^2` of the representative in the first Brillouin zone (-pi, pi].
    pub fn norm_sq_bz(&self) -> f64 {
        self.components()
            .iter()
            .map(|&x| {
                let y = wrap_pi(x);
                y * y
            })
            .sum()
    }
    /// `|k|` of the representative in (-pi, pi]^d.
    pub fn norm_bz(&self) -> f64 {
        self.norm_sq_bz().sqrt()
    }
    /// Euclidean distance between two momenta as written (no wrapping): path arclength.
    pub fn distance(&self, other: &Momentum) -> f64 {
        self.components().iter().zip(other.components()).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt()
    }
    /// The lattice "|K|^2" = sum_a 4 sin^2(k_a / 2), the eigenvalue of minus the lattice Laplacian.
    pub fn lattice_k2(&self) -> f64 {
        self.components().iter().map(|&x| 4.0 * (x / 2.0).sin().powi(2)).sum()
    }
    /// `gamma_k = (1/d) sum_a cos k_a`.
    pub fn gamma(&self) -> f64 {
        self.components().iter().map(|x| x.cos()).sum::<f64>() / self.dim as f64
    }
}

/// Map an angle to (-pi, pi].
pub fn wrap_pi(x: f64) -> f64 {
    let mut y = x.rem_euclid(2.0 * PI);
    if y > PI {
        y -= 2.0 * PI;
    }
    y
}

/// A path in momentum space with arclength and corner labels, for dispersion plots.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MomentumPath {
    /// Points along the path.
    pub points: Vec<Momentum>,
    /// Arclength at each point.
    pub distance: Vec<f64>,
    /// (point index, label) of the corners.
    pub labels: Vec<(usize, String)>,
}

impl MomentumPath {
    /// Straight segments through the given labelled corners.
    pub fn through(corners: &[(&str, Momentum)], points_per_unit: f64) -> Self {
        let mut path = MomentumPath { points: Vec::new(), distance: Vec::new(), labels: Vec::new() };
        let mut dist = 0.0;
        if corners.is_empty() {
            return path;
        }
        path.points.push(corners[0].1);
        path.distance.push(0.0);
        path.labels.push((0, corners[0].0.to_string()));
        for w in corners.windows(2) {
            let (a, b) = (w[0].1, w[1].1);
            let len = a.distance(&b);
            let n = ((len * points_per_unit).ceil() as usize).max(2);
            for s in 1..=n {
                let t = s as f64 / n as f64;
                let k: Vec<f64> = a.components().iter().zip(b.components()).map(|(x, y)| x + t * (y - x)).collect();
                path.points.push(Momentum::new(&k));
                dist += len / n as f64;
                path.distance.push(dist);
            }
            path.labels.push((path.points.len() - 1, w[1].0.to_string()));
        }
        path
    }
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }
    /// True if the path has no points.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn lattices() -> Vec<Lattice> {
        ["7", "4x3", "3x4x5", "2x3x2x3", "4x4x4"].iter().map(|s| Lattice::parse(s).unwrap()).collect()
    }

    #[test]
    fn counts_of_every_cell_type() {
        // N, dN, N d(d-1)/2, N d(d-1)(d-2)/6: per site a d-cube has C(d,k) k-cells.
        let l = Lattice::parse("3x4x5").unwrap();
        assert_eq!((l.n_sites(), l.n_links(), l.n_plaquettes(), l.n_cubes()), (60, 180, 180, 60));
        let l = Lattice::parse("2x3x2x3").unwrap();
        assert_eq!((l.n_sites(), l.n_links(), l.n_plaquettes(), l.n_cubes()), (36, 144, 216, 144));
        let l = Lattice::parse("32x32").unwrap();
        assert_eq!((l.n_sites(), l.n_links(), l.n_plaquettes(), l.n_cubes()), (1024, 2048, 1024, 0));
        let l = Lattice::parse("64").unwrap();
        assert_eq!((l.n_sites(), l.n_links(), l.n_plaquettes(), l.n_cubes()), (64, 64, 0, 0));
    }

    #[test]
    fn parse_rejects_bad_extents() {
        for bad in ["", "0", "1", "4x1", "4x4x4x4x4", "abc", "4x", "-3"] {
            assert!(Lattice::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(Lattice::parse("16x16x16").unwrap().to_string(), "16x16x16");
    }

    #[test]
    fn forward_backward_and_coords_are_consistent() {
        for l in lattices() {
            for r in 0..l.n_sites() {
                let c = l.coords(r);
                let ci: Vec<isize> = c[..l.dim()].iter().map(|&x| x as isize).collect();
                assert_eq!(l.site(&ci), r);
                for a in 0..l.dim() {
                    assert_eq!(l.backward(l.forward(r, a), a), r);
                    let mut s = vec![0isize; l.dim()];
                    s[a] = 1;
                    assert_eq!(l.translate(r, &s), l.forward(r, a));
                }
            }
        }
    }

    #[test]
    fn plane_and_triple_indices_roundtrip() {
        for d in 1..=4 {
            let l = Lattice::new(&vec![3; d]).unwrap();
            for p in 0..l.planes_per_site() {
                let (a, b) = l.plane_axes(p);
                assert_eq!(l.plane(a, b), p);
            }
            for t in 0..l.cubes_per_site() {
                let (a, b, c) = l.triple_axes(t);
                assert_eq!(l.triple(a, b, c), t);
            }
        }
    }

    fn random_field(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        // Integers make the identities exact in floating point.
        (0..n).map(|_| rng.random_range(-50i32..50) as f64).collect()
    }

    #[test]
    fn curl_of_grad_and_div_of_curl_vanish_exactly() {
        for (i, l) in lattices().into_iter().enumerate() {
            let f = random_field(l.n_sites(), i as u64);
            let mut g = vec![0.0; l.n_links()];
            l.grad(&f, &mut g);
            let mut c = vec![0.0; l.n_plaquettes()];
            l.curl(&g, &mut c);
            assert!(c.iter().all(|&x| x == 0.0), "curl grad != 0 on {l}");
            let th = random_field(l.n_links(), 100 + i as u64);
            l.curl(&th, &mut c);
            let mut q = vec![0.0; l.n_cubes()];
            l.cube_div(&c, &mut q);
            assert!(q.iter().all(|&x| x == 0.0), "div curl != 0 on {l}");
            // div (C^T B) = 0: the divergence of the force from any plaquette field vanishes,
            // which is why the rotor dynamics conserves Gauss's law.
            let b = random_field(l.n_plaquettes(), 200 + i as u64);
            let mut ctb = vec![0.0; l.n_links()];
            l.curl_t(&b, &mut ctb);
            let mut dv = vec![0.0; l.n_sites()];
            l.div(&ctb, &mut dv);
            assert!(dv.iter().all(|&x| x == 0.0), "div curl^T != 0 on {l}");
        }
    }

    #[test]
    fn div_is_minus_grad_transpose_and_curl_t_is_transpose() {
        for (i, l) in lattices().into_iter().enumerate() {
            let f = random_field(l.n_sites(), 1 + i as u64);
            let e = random_field(l.n_links(), 2 + i as u64);
            let b = random_field(l.n_plaquettes(), 3 + i as u64);
            let mut g = vec![0.0; l.n_links()];
            l.grad(&f, &mut g);
            let mut d = vec![0.0; l.n_sites()];
            l.div(&e, &mut d);
            let lhs: f64 = g.iter().zip(&e).map(|(a, b)| a * b).sum();
            let rhs: f64 = -f.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>();
            assert_eq!(lhs, rhs);
            let mut c = vec![0.0; l.n_plaquettes()];
            l.curl(&e, &mut c);
            let mut ct = vec![0.0; l.n_links()];
            l.curl_t(&b, &mut ct);
            let lhs: f64 = c.iter().zip(&b).map(|(a, b)| a * b).sum();
            let rhs: f64 = e.iter().zip(&ct).map(|(a, b)| a * b).sum();
            assert_eq!(lhs, rhs);
        }
    }

    #[test]
    fn incidence_commutes_with_translations() {
        // Translating a field and then taking its curl equals taking the curl and translating.
        for (i, l) in lattices().into_iter().enumerate() {
            let d = l.dim();
            let th = random_field(l.n_links(), 7 + i as u64);
            for a in 0..d {
                let mut shifted = vec![0.0; l.n_links()];
                for r in 0..l.n_sites() {
                    for b in 0..d {
                        shifted[l.link(l.forward(r, a), b)] = th[l.link(r, b)];
                    }
                }
                let mut c0 = vec![0.0; l.n_plaquettes()];
                let mut c1 = vec![0.0; l.n_plaquettes()];
                l.curl(&th, &mut c0);
                l.curl(&shifted, &mut c1);
                let pp = l.planes_per_site();
                for r in 0..l.n_sites() {
                    for p in 0..pp {
                        assert_eq!(c1[l.forward(r, a) * pp + p], c0[r * pp + p]);
                    }
                }
            }
        }
    }

    #[test]
    fn plaquette_links_form_a_closed_loop() {
        let l = Lattice::parse("3x4x5").unwrap();
        for p in 0..l.n_plaquettes() {
            // Walking the oriented boundary returns to the start.
            let mut net = vec![0i32; l.n_sites()];
            for (lk, s) in l.plaquette_links(p) {
                let (t, h) = l.link_ends(lk);
                net[h] += i32::from(s);
                net[t] -= i32::from(s);
            }
            assert!(net.iter().all(|&x| x == 0));
        }
    }

    fn open_lattices() -> Vec<Lattice> {
        use Boundary::{Open, Periodic};
        vec![
            Lattice::open(&[3, 2, 2]).unwrap(),
            Lattice::open(&[5]).unwrap(),
            Lattice::open(&[4, 3]).unwrap(),
            Lattice::with_boundaries(&[4, 3], &[Open, Periodic]).unwrap(),
            Lattice::with_boundaries(&[3, 1, 4], &[Periodic, Open, Open]).unwrap(),
            Lattice::with_boundaries(&[2, 3, 2, 3], &[Open, Periodic, Open, Periodic]).unwrap(),
        ]
    }

    #[test]
    fn open_boxes_count_their_cells() {
        // An open n0 x n1 x n2 box: links sum_a (n_a - 1) prod_{b != a} n_b, plaquettes
        // sum_{a<b} (n_a - 1)(n_b - 1) n_c, cubes prod (n_a - 1); counted by hand for 3x2x2
        // (12 sites, 20 links, 11 plaquettes, 2 cubes) and 2x2x2 (8, 12, 6, 1).
        let c = |l: &Lattice| (l.n_sites(), l.links().count(), l.plaquettes().count(), l.cubes().count());
        assert_eq!(c(&Lattice::open(&[3, 2, 2]).unwrap()), (12, 20, 11, 2));
        assert_eq!(c(&Lattice::open(&[2, 2, 2]).unwrap()), (8, 12, 6, 1));
        assert_eq!(c(&Lattice::open(&[3, 3, 1]).unwrap()), (9, 12, 4, 0));
        assert_eq!(c(&Lattice::open(&[5]).unwrap()), (5, 4, 0, 0));
        // An open axis of a cylinder: 4x3 open along x, periodic along y: 9 + 12 links, 9 plaquettes.
        let cyl = Lattice::with_boundaries(&[4, 3], &[Boundary::Open, Boundary::Periodic]).unwrap();
        assert_eq!(c(&cyl), (12, 21, 9, 0));
        // Every existing cell of a torus: all of them, and nothing changes for a torus.
        let t = Lattice::parse("3x4x5").unwrap();
        assert!(t.is_periodic() && t.links().count() == t.n_links() && t.cubes().count() == t.n_cubes());
        // Extent 1 is allowed on an open axis only; boundary lists must match the extents.
        assert!(Lattice::with_boundaries(&[1, 3], &[Boundary::Periodic, Boundary::Open]).is_err());
        assert!(Lattice::with_boundaries(&[3, 3], &[Boundary::Open]).is_err());
        assert!(Lattice::open(&[0, 3]).is_err());
    }

    #[test]
    fn neighbours_stop_at_open_ends() {
        let l = Lattice::with_boundaries(&[4, 3], &[Boundary::Open, Boundary::Periodic]).unwrap();
        let r = l.site(&[3, 2]);
        assert_eq!(l.neighbour(r, 0, true), None);
        assert_eq!(l.neighbour(r, 0, false), Some(l.site(&[2, 2])));
        assert_eq!(l.neighbour(r, 1, true), Some(l.site(&[3, 0])));
        assert_eq!(l.neighbour(l.site(&[0, 0]), 0, false), None);
        assert_eq!(l.star(l.site(&[0, 1])).len(), 3);
        assert_eq!(l.star(l.site(&[1, 1])).len(), 4);
        assert!(!l.has_link(l.link(r, 0)) && l.has_link(l.link(r, 1)));
    }

    #[test]
    fn incidence_identities_hold_on_open_lattices() {
        for (i, l) in open_lattices().into_iter().enumerate() {
            let zero_absent = |v: &mut Vec<f64>, has: &dyn Fn(usize) -> bool| {
                for (k, x) in v.iter_mut().enumerate() {
                    if !has(k) {
                        *x = 0.0;
                    }
                }
            };
            let f = random_field(l.n_sites(), 300 + i as u64);
            let mut e = random_field(l.n_links(), 301 + i as u64);
            zero_absent(&mut e, &|k| l.has_link(k));
            let mut b = random_field(l.n_plaquettes(), 302 + i as u64);
            zero_absent(&mut b, &|k| l.has_plaquette(k));
            let mut g = vec![0.0; l.n_links()];
            l.grad(&f, &mut g);
            assert!((0..l.n_links()).all(|k| l.has_link(k) || g[k] == 0.0), "{l}: grad on an absent link");
            let mut c = vec![0.0; l.n_plaquettes()];
            l.curl(&g, &mut c);
            assert!(c.iter().all(|&x| x == 0.0), "curl grad != 0 on {l}");
            l.curl(&e, &mut c);
            let mut q = vec![0.0; l.n_cubes()];
            l.cube_div(&c, &mut q);
            assert!(q.iter().all(|&x| x == 0.0), "div curl != 0 on {l}");
            let mut ctb = vec![0.0; l.n_links()];
            l.curl_t(&b, &mut ctb);
            let mut dv = vec![0.0; l.n_sites()];
            l.div(&ctb, &mut dv);
            assert!(dv.iter().all(|&x| x == 0.0), "div curl^T != 0 on {l}");
            // div = -grad^T and curl_t = curl^T on the existing cells.
            let mut d = vec![0.0; l.n_sites()];
            l.div(&e, &mut d);
            let lhs: f64 = g.iter().zip(&e).map(|(a, b)| a * b).sum();
            let rhs: f64 = -f.iter().zip(&d).map(|(a, b)| a * b).sum::<f64>();
            assert_eq!(lhs, rhs, "{l}");
            let lhs: f64 = c.iter().zip(&b).map(|(a, b)| a * b).sum();
            let rhs: f64 = e.iter().zip(&ctb).map(|(a, b)| a * b).sum();
            assert_eq!(lhs, rhs, "{l}");
            // The divergence counts only the links that exist: an oracle from the link ends.
            let mut oracle = vec![0.0; l.n_sites()];
            for k in l.links() {
                let (t, h) = l.link_ends(k);
                oracle[t] += e[k];
                oracle[h] -= e[k];
            }
            assert_eq!(d, oracle, "{l}");
        }
    }

    #[test]
    fn a_torus_serializes_as_its_extents_and_open_lattices_round_trip() {
        let t = Lattice::parse("4x6").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "[4,6]");
        assert_eq!(serde_json::from_str::<Lattice>("[4,6]").unwrap(), t);
        for l in open_lattices() {
            let s = serde_json::to_string(&l).unwrap();
            assert!(s.contains("open"), "{s}");
            assert_eq!(serde_json::from_str::<Lattice>(&s).unwrap(), l);
        }
        assert_eq!(Lattice::open(&[3, 2, 2]).unwrap().to_string(), "3x2x2 (open)");
        let cyl = Lattice::with_boundaries(&[4, 3], &[Boundary::Open, Boundary::Periodic]).unwrap();
        assert_eq!(cyl.to_string(), "4x3 (open along x)");
        assert_eq!(t.to_string(), "4x6");
    }

    #[test]
    fn paths_hit_the_corners() {
        let l = Lattice::parse("8x8x8").unwrap();
        let p = l.grid_path();
        let labels: Vec<&str> = p.labels.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(labels, ["G", "X", "M", "R", "G"]);
        assert_eq!(p.points.len(), 4 + 4 + 4 + 4 + 1);
        let c = Lattice::parse("64").unwrap().high_symmetry_path(10.0);
        assert!((c.points.last().unwrap().components()[0] - PI).abs() < 1e-15);
        // every grid-path point is an allowed momentum
        for k in &p.points {
            let i = l.momentum_index(k);
            assert!(l.momentum_of_index(i).components().iter().zip(k.components()).all(|(a, b)| (a - b).abs() < 1e-12));
        }
    }
}
