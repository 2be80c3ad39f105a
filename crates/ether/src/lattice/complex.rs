//! The cubic cell complex of a three-dimensional [`Lattice`], as a compactly numbered view of
//! its existing cells: a periodic torus, or an open box cut out of the cubic lattice
//! ([`Lattice::open`]; the small Z₂ spectra and zero-charge diagonalizations of the statistics
//! test, where the Hilbert space must stay small), with the legs of every vertex in the fixed
//! order the twisted rotor model's sign rule refers to.
//!
//! Legs at a vertex are numbered `(+x, +y, +z, −x, −y, −z) = (0, …, 5)` (rotor note, section 3.4).
//! Leg `+a` of `v` is the link `(v, a)` (v its tail); leg `−a` is `(v − e_a, a)` (v its head).

use super::{Boundary, Lattice};
use crate::error::{Error, Result};

/// One leg of a vertex: the link and the vertex at its other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leg {
    /// Link index.
    pub link: usize,
    /// The neighbouring vertex across the link.
    pub neighbour: usize,
}

/// Vertices, links, plaquettes, cubes and torus layers of a three-dimensional cubic complex.
#[derive(Clone, Debug)]
pub struct CubicComplex {
    /// Human description (e.g. "periodic 3x3x3" or "open box 3x2x2").
    pub name: String,
    /// Whether the complex is periodic.
    pub periodic: bool,
    /// Extents (sites per axis).
    pub extents: [usize; 3],
    /// Up to six legs per vertex, indexed by leg number.
    pub legs: Vec<[Option<Leg>; 6]>,
    /// `(tail, head, axis)` of every link.
    pub links: Vec<(usize, usize, usize)>,
    /// Boundary of every plaquette `(r,a,b)`: `+(r,a) +(r+a,b) −(r+b,a) −(r,b)`.
    pub plaquettes: Vec<[(usize, i8); 4]>,
    /// Base vertex and axes of every plaquette.
    pub plaquette_axes: Vec<(usize, usize, usize)>,
    /// Six oriented faces of every cube (orientation as [`Lattice::cube_plaquettes`]).
    pub cubes: Vec<[(usize, i8); 6]>,
    /// Closed torus layers: `(description, plaquettes)`, only for periodic complexes.
    pub layers: Vec<(String, Vec<usize>)>,
    /// Coordinates of every vertex.
    pub coords: Vec<[usize; 3]>,
}

impl CubicComplex {
    /// The complex of a three-dimensional lattice with any boundary conditions: its existing
    /// cells, numbered compactly in the lattice's order (on a torus the numbering is the
    /// lattice's own; on an open box, links `(r, a)` that exist in ascending `r d + a`, and
    /// likewise plaquettes and cubes).
    pub fn of(lat: &Lattice) -> Result<Self> {
        if lat.dim() != 3 {
            return Err(Error::invalid(
                "lattice",
                lat.to_string(),
                "the rotor models live on the cubic lattice: give three extents, e.g. 3x3x3",
            ));
        }
        let n = lat.n_sites();
        let ext = [lat.extents()[0], lat.extents()[1], lat.extents()[2]];
        let mut link_id = vec![usize::MAX; lat.n_links()];
        let mut links = Vec::new();
        for l in lat.links() {
            let (r, a) = lat.link_site_dir(l);
            link_id[l] = links.len();
            links.push((r, lat.forward(r, a), a));
        }
        let mut legs = vec![[None; 6]; n];
        for (v, lg) in legs.iter_mut().enumerate() {
            for a in 0..3 {
                if let Some(h) = lat.neighbour(v, a, true) {
                    lg[a] = Some(Leg { link: link_id[lat.link(v, a)], neighbour: h });
                }
                if let Some(b) = lat.neighbour(v, a, false) {
                    lg[3 + a] = Some(Leg { link: link_id[lat.link(b, a)], neighbour: b });
                }
            }
        }
        let mut plaq_id = vec![usize::MAX; lat.n_plaquettes()];
        let mut plaquettes = Vec::new();
        let mut plaquette_axes = Vec::new();
        for p in lat.plaquettes() {
            plaq_id[p] = plaquettes.len();
            plaquettes.push(lat.plaquette_links(p).map(|(l, s)| (link_id[l], s)));
            plaquette_axes.push(lat.plaquette_site_axes(p));
        }
        let cubes = lat.cubes().map(|q| lat.cube_plaquettes(q).map(|(p, s)| (plaq_id[p], s))).collect();
        let coords: Vec<[usize; 3]> = (0..n)
            .map(|r| {
                let c = lat.coords(r);
                [c[0], c[1], c[2]]
            })
            .collect();
        let mut layers = Vec::new();
        if lat.is_periodic() {
            let names = ["x", "y", "z"];
            for (a, b, c) in [(0, 1, 2), (0, 2, 1), (1, 2, 0)] {
                for x in 0..ext[c] {
                    let ps: Vec<usize> =
                        (0..n).filter(|&r| coords[r][c] == x).map(|r| plaq_id[lat.plaquette(r, a, b)]).collect();
                    layers.push((format!("{}{} layer at {} = {x}", names[a], names[b], names[c]), ps));
                }
            }
        }
        let name = if lat.is_periodic() {
            format!("periodic {lat}")
        } else if lat.boundaries().iter().all(|&b| b == Boundary::Open) {
            format!("open box {}x{}x{}", ext[0], ext[1], ext[2])
        } else {
            lat.to_string()
        };
        Ok(CubicComplex {
            name,
            periodic: lat.is_periodic(),
            extents: ext,
            legs,
            links,
            plaquettes,
            plaquette_axes,
            cubes,
            layers,
            coords,
        })
    }

    /// The periodic cubic torus of a three-dimensional lattice.
    pub fn periodic(lat: &Lattice) -> Result<Self> {
        Self::of(lat)
    }

    /// An open box of `n0 × n1 × n2` vertices cut out of the cubic lattice (no wrap-around):
    /// the complex of [`Lattice::open`].
    pub fn open_box(ext: [usize; 3]) -> Result<Self> {
        if ext.iter().any(|&e| e < 1) || ext.iter().product::<usize>() > 4096 {
            return Err(Error::invalid(
                "cluster",
                format!("{}x{}x{}", ext[0], ext[1], ext[2]),
                "give 1 to 4096 vertices, e.g. 2x2x2",
            ));
        }
        Self::of(&Lattice::open(&ext)?)
    }

    /// Number of vertices.
    pub fn n_sites(&self) -> usize {
        self.legs.len()
    }

    /// Number of links.
    pub fn n_links(&self) -> usize {
        self.links.len()
    }

    /// The link joining two vertices, if they are neighbours (the first such leg of `a`).
    pub fn link_between(&self, a: usize, b: usize) -> Option<usize> {
        self.legs[a].iter().flatten().find(|g| g.neighbour == b).map(|g| g.link)
    }

    /// Links of the star of `v` (its legs), without repeats.
    pub fn star(&self, v: usize) -> Vec<usize> {
        let mut s: Vec<usize> = self.legs[v].iter().flatten().map(|g| g.link).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// Divergence of an integer link field: `Q_v = Σ_out L − Σ_in L`.
    pub fn div(&self, field: &[(usize, i64)]) -> Vec<i64> {
        let mut q = vec![0i64; self.n_sites()];
        for &(l, n) in field {
            let (t, h, _) = self.links[l];
            q[t] += n;
            q[h] -= n;
        }
        q
    }

    /// Shortest path of vertices from `from` to any vertex satisfying `goal`, avoiding `blocked`
    /// (breadth-first, legs in their fixed order so the result is deterministic).
    pub fn path(&self, from: usize, goal: impl Fn(usize) -> bool, blocked: &[usize]) -> Option<Vec<usize>> {
        let n = self.n_sites();
        let mut prev = vec![usize::MAX; n];
        let mut seen = vec![false; n];
        seen[from] = true;
        for &b in blocked {
            seen[b] = true;
        }
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            if v != from && goal(v) {
                let mut p = vec![v];
                let mut w = v;
                while w != from {
                    w = prev[w];
                    p.push(w);
                }
                p.reverse();
                return Some(p);
            }
            for g in self.legs[v].iter().flatten() {
                if !seen[g.neighbour] {
                    seen[g.neighbour] = true;
                    prev[g.neighbour] = v;
                    queue.push_back(g.neighbour);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The view of an open lattice against a direct construction of the open box (the
    /// numbering of links and plaquettes the statistics code and its outputs rely on).
    #[test]
    fn open_box_view_matches_a_direct_construction() {
        for ext in [[2usize, 2, 2], [3, 2, 2], [3, 3, 1], [1, 1, 5], [4, 2, 3]] {
            let cx = CubicComplex::open_box(ext).unwrap();
            let n = ext[0] * ext[1] * ext[2];
            let site = |c: [usize; 3]| c[0] + ext[0] * (c[1] + ext[1] * c[2]);
            let coords = |r: usize| [r % ext[0], (r / ext[0]) % ext[1], r / (ext[0] * ext[1])];
            let mut idx = vec![[usize::MAX; 3]; n];
            let mut links = Vec::new();
            for r in 0..n {
                for a in 0..3 {
                    if coords(r)[a] + 1 < ext[a] {
                        let mut c = coords(r);
                        c[a] += 1;
                        idx[r][a] = links.len();
                        links.push((r, site(c), a));
                    }
                }
            }
            assert_eq!(cx.links, links, "{ext:?}");
            let mut plaqs = Vec::new();
            for r in 0..n {
                for (a, b) in [(0, 1), (0, 2), (1, 2)] {
                    if coords(r)[a] + 1 < ext[a] && coords(r)[b] + 1 < ext[b] {
                        let (mut ca, mut cb) = (coords(r), coords(r));
                        ca[a] += 1;
                        cb[b] += 1;
                        plaqs.push([(idx[r][a], 1), (idx[site(ca)][b], 1), (idx[site(cb)][a], -1), (idx[r][b], -1)]);
                    }
                }
            }
            assert_eq!(cx.plaquettes, plaqs, "{ext:?}");
            assert_eq!(cx.name, format!("open box {}x{}x{}", ext[0], ext[1], ext[2]));
            for (l, &(t, h, a)) in cx.links.iter().enumerate() {
                assert_eq!(cx.legs[t][a], Some(Leg { link: l, neighbour: h }));
                assert_eq!(cx.legs[h][3 + a], Some(Leg { link: l, neighbour: t }));
            }
        }
    }

    #[test]
    fn counts_of_open_box_and_torus() {
        let b = CubicComplex::open_box([2, 2, 2]).unwrap();
        assert_eq!((b.n_sites(), b.n_links(), b.plaquettes.len(), b.cubes.len()), (8, 12, 6, 1));
        let b = CubicComplex::open_box([3, 2, 2]).unwrap();
        assert_eq!((b.n_sites(), b.n_links(), b.plaquettes.len(), b.cubes.len()), (12, 20, 11, 2));
        let t = CubicComplex::periodic(&Lattice::parse("3x3x3").unwrap()).unwrap();
        assert_eq!((t.n_sites(), t.n_links(), t.plaquettes.len(), t.cubes.len(), t.layers.len()), (27, 81, 81, 27, 9));
        // every plaquette boundary is divergence-free
        for p in &t.plaquettes {
            let f: Vec<(usize, i64)> = p.iter().map(|&(l, s)| (l, s as i64)).collect();
            assert!(t.div(&f).iter().all(|&q| q == 0));
        }
        for p in &b.plaquettes {
            let f: Vec<(usize, i64)> = p.iter().map(|&(l, s)| (l, s as i64)).collect();
            assert!(b.div(&f).iter().all(|&q| q == 0));
        }
    }
}
