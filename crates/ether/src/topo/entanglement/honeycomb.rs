//! A planar honeycomb patch: the hexagons within `rings` steps of a central hexagon.
//!
//! Edge length 1, pointy-top hexagons, hexagon `(q, r)` (axial coordinates) centred at
//! `(√3 (q + r/2), 3r/2)`, kept when `|q|, |r|, |q + r| ≤ rings`. `rings = 2` is the
//! 19-hexagon patch of note C.5 (54 vertices, 72 edges). The boundary is *smooth*: it is made
//! of whole hexagon edges, so boundary vertices have degree 2.

use super::regions::{Boundary, Geometry, HONEYCOMB_MINIMUMS};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// Largest number of rings ether builds (the patch then has `1 + 3 rings (rings + 1)` hexagons).
pub const MAX_RINGS: usize = 6;

/// The cells of a honeycomb patch.
#[derive(Clone, Debug)]
pub struct HoneycombPatch {
    /// Rings around the central hexagon.
    pub rings: usize,
    /// Vertex positions.
    pub vertices: Vec<[f64; 2]>,
    /// Edges as vertex pairs.
    pub edges: Vec<(usize, usize)>,
    /// The six edges of each hexagon, in order around it.
    pub hexagons: Vec<Vec<usize>>,
    /// The six vertices of each hexagon, in order around it.
    pub hexagon_vertices: Vec<Vec<usize>>,
    /// Hexagon centres.
    pub hexagon_centres: Vec<[f64; 2]>,
    /// The edges at each vertex (2 or 3).
    pub vertex_edges: Vec<Vec<usize>>,
    /// The legs of each hexagon: edges not on it that touch one of its vertices.
    pub legs: Vec<Vec<usize>>,
    /// Distance from the centre to the nearest boundary edge.
    pub inradius: f64,
}

impl HoneycombPatch {
    /// The patch with `rings` rings (0 = one hexagon).
    pub fn new(rings: usize) -> Result<Self> {
        if rings > MAX_RINGS {
            return Err(Error::invalid(
                "honeycomb patch",
                format!("{rings} rings"),
                format!("at most {MAX_RINGS} rings"),
            ));
        }
        let s3 = 3f64.sqrt();
        let key = |x: f64, y: f64| ((x * 1000.0).round() as i64, (y * 1000.0).round() as i64);
        let mut vid: HashMap<(i64, i64), usize> = HashMap::new();
        let mut vertices = Vec::new();
        let mut eid: HashMap<(usize, usize), usize> = HashMap::new();
        let mut edges = Vec::new();
        let mut hexagons = Vec::new();
        let mut hexagon_vertices = Vec::new();
        let mut hexagon_centres = Vec::new();
        let rr = rings as i64;
        for r in -rr..=rr {
            for q in -rr..=rr {
                if (q + r).abs() > rr {
                    continue;
                }
                let cx = s3 * (q as f64 + 0.5 * r as f64);
                let cy = 1.5 * r as f64;
                let mut hv = Vec::with_capacity(6);
                for k in 0..6 {
                    let ang = (30.0 + 60.0 * k as f64).to_radians();
                    let (x, y) = (cx + ang.cos(), cy + ang.sin());
                    let id = *vid.entry(key(x, y)).or_insert_with(|| {
                        vertices.push([x, y]);
                        vertices.len() - 1
                    });
                    hv.push(id);
                }
                let mut he = Vec::with_capacity(6);
                for k in 0..6 {
                    let (a, b) = (hv[k], hv[(k + 1) % 6]);
                    let e = (a.min(b), a.max(b));
                    let id = *eid.entry(e).or_insert_with(|| {
                        edges.push(e);
                        edges.len() - 1
                    });
                    he.push(id);
                }
                hexagons.push(he);
                hexagon_vertices.push(hv);
                hexagon_centres.push([cx, cy]);
            }
        }
        let mut vertex_edges = vec![Vec::new(); vertices.len()];
        for (e, &(a, b)) in edges.iter().enumerate() {
            vertex_edges[a].push(e);
            vertex_edges[b].push(e);
        }
        let legs = hexagon_vertices
            .iter()
            .zip(&hexagons)
            .map(|(hv, he)| {
                let mut l: Vec<usize> =
                    hv.iter().flat_map(|&v| vertex_edges[v].iter().copied()).filter(|e| !he.contains(e)).collect();
                l.sort_unstable();
                l.dedup();
                l
            })
            .collect();
        // Boundary edges belong to one hexagon only.
        let mut count = vec![0u8; edges.len()];
        for he in &hexagons {
            for &e in he {
                count[e] += 1;
            }
        }
        let mut inradius = f64::INFINITY;
        for (e, &(a, b)) in edges.iter().enumerate() {
            if count[e] == 1 {
                inradius = inradius.min(segment_distance(vertices[a], vertices[b]));
            }
        }
        Ok(HoneycombPatch {
            rings,
            vertices,
            edges,
            hexagons,
            hexagon_vertices,
            hexagon_centres,
            vertex_edges,
            legs,
            inradius,
        })
    }

    /// Number of edges (qubits).
    pub fn n_edges(&self) -> usize {
        self.edges.len()
    }

    /// Qubits at the edge midpoints, as an open patch.
    pub fn geometry(&self) -> Geometry {
        let positions = self
            .edges
            .iter()
            .map(|&(a, b)| {
                let (p, q) = (self.vertices[a], self.vertices[b]);
                [0.5 * (p[0] + q[0]), 0.5 * (p[1] + q[1]), 0.0]
            })
            .collect();
        let ends = self
            .edges
            .iter()
            .map(|&(a, b)| {
                let (p, q) = (self.vertices[a], self.vertices[b]);
                ([p[0], p[1], 0.0], [q[0], q[1], 0.0])
            })
            .collect();
        Geometry {
            dim: 2,
            positions,
            edge_ends: Some(ends),
            boundary: Boundary::Open { centre: [0.0; 3], inradius: self.inradius },
            minimums: HONEYCOMB_MINIMUMS,
        }
    }
}

/// Distance from the origin to the segment `p q`.
fn segment_distance(p: [f64; 2], q: [f64; 2]) -> f64 {
    let d = [q[0] - p[0], q[1] - p[1]];
    let t = (-(p[0] * d[0] + p[1] * d[1]) / (d[0] * d[0] + d[1] * d[1])).clamp(0.0, 1.0);
    let x = [p[0] + t * d[0], p[1] + t * d[1]];
    (x[0] * x[0] + x[1] * x[1]).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_hexagon_patch_counts() {
        // Note C.5: the 19-hexagon patch has 72 edges; Euler V - E + F = 1 for a disk.
        let p = HoneycombPatch::new(2).unwrap();
        assert_eq!(p.hexagons.len(), 19);
        assert_eq!(p.n_edges(), 72);
        assert_eq!(p.vertices.len(), 54);
        assert_eq!(p.vertices.len() as i64 - p.n_edges() as i64 + p.hexagons.len() as i64, 1);
        assert!(p.vertex_edges.iter().all(|v| v.len() == 2 || v.len() == 3));
        // The central hexagon has 6 legs.
        assert_eq!(p.legs[p.hexagon_centres.iter().position(|c| c[0].abs() + c[1].abs() < 1e-9).unwrap()].len(), 6);
    }
}
