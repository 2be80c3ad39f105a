//! The gauge field of the engine: one unit complex number `U = e^{iθ}` per link, in the padded
//! parity-split layout of [`crate::mc::domain`], with cheap views in the canonical link order of
//! [`Lattice`] (link index `site · d + μ`).
//!
//! Storing `U` instead of θ makes the staple sum a few complex products (no trigonometry) and
//! overrelaxation a reflection `U → (S*/|S|)² U*` (no trigonometry either); the angle is
//! `θ = arg U ∈ (−π, π]` when a measurement asks for it.

use crate::error::{Error, Result};
use crate::lattice::{Lattice, MAX_DIM};
use crate::mc::action::GaugeAction;
use crate::mc::domain::{Block, Domain, ExactSum};
use crate::mc::rng::{sweep_key, Philox};
use num_complex::Complex64;
use rayon::prelude::*;
use std::f64::consts::PI;

/// The sweep index whose Philox key draws a hot start.
pub(crate) const HOT_START_SWEEP: u64 = u64::MAX;

/// Link variables `U_μ(x) = e^{iθ_μ(x)}` of the owned block and its halo.
#[derive(Clone, Debug, PartialEq)]
pub struct GaugeField {
    block: Block,
    /// `links[2μ + parity][x >> 1]`.
    links: Vec<Vec<Complex64>>,
}

/// Plaquette sums of a field: spatial and temporal planes separately (time = last axis).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlaquetteSums {
    /// `Σ cos Θ_P` over space-space plaquettes.
    pub space: ExactSum,
    /// `Σ cos Θ_P` over space-time plaquettes.
    pub time: ExactSum,
    /// Number of space-space plaquettes summed.
    pub n_space: u64,
    /// Number of space-time plaquettes summed.
    pub n_time: u64,
}

impl PlaquetteSums {
    /// Mean `cos Θ_P` over all plaquettes.
    pub fn mean(&self) -> f64 {
        let mut s = self.space;
        s.merge(self.time);
        s.value() / (self.n_space + self.n_time) as f64
    }
    /// Mean over space-space plaquettes (NaN if there are none, as in 2D).
    pub fn mean_space(&self) -> f64 {
        self.space.value() / self.n_space as f64
    }
    /// Mean over space-time plaquettes.
    pub fn mean_time(&self) -> f64 {
        self.time.value() / self.n_time as f64
    }
    fn merge(mut self, o: PlaquetteSums) -> Self {
        self.space.merge(o.space);
        self.time.merge(o.time);
        self.n_space += o.n_space;
        self.n_time += o.n_time;
        self
    }
}

/// `a · b`.
#[inline(always)]
pub(crate) fn mul(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// `a · conj(b)`.
#[inline(always)]
pub(crate) fn mul_conj(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(a.re * b.re + a.im * b.im, a.im * b.re - a.re * b.im)
}

impl GaugeField {
    /// Bytes of a field on `lattice` in one process (padded storage, 16 bytes per link), computed
    /// from the extents alone.
    pub fn estimate_bytes(lattice: &Lattice) -> u64 {
        let sites = Block::padded_sites(lattice.extents());
        crate::mc::saturating_u64(sites.saturating_mul(lattice.dim() as u128).saturating_mul(16))
    }

    fn filled(block: &Block, value: Complex64) -> Self {
        let links = (0..2 * block.dim()).map(|_| vec![value; block.half()]).collect();
        GaugeField { block: block.clone(), links }
    }

    /// Every link `U = 1` (an ordered, "cold" start).
    pub fn cold(domain: &dyn Domain) -> Self {
        Self::filled(domain.block(), Complex64::new(1.0, 0.0))
    }

    /// Every link an independent uniform angle (a disordered, "hot" start); the angle of each
    /// link is a function of the seed and the link's global index only.
    pub fn hot(domain: &dyn Domain, seed: u64) -> Result<Self> {
        let key = sweep_key(seed, HOT_START_SWEEP);
        let mut f = Self::filled(domain.block(), Complex64::new(1.0, 0.0));
        let d = f.block.dim();
        f.set_owned(|global_link| {
            let (u, _, _) = Philox::new(key, global_link as u64, 0).pair();
            let (s, c) = (PI * (2.0 * u - 1.0)).sin_cos();
            Complex64::new(c, s)
        });
        for mu in 0..d {
            for p in 0..2 {
                domain.exchange(p, &mut f.links[2 * mu + p])?;
            }
        }
        Ok(f)
    }

    /// A field from link angles in canonical order (`site · d + μ`, any real numbers).
    pub fn from_angles(domain: &dyn Domain, angles: &[f64]) -> Result<Self> {
        let lat = domain.block().global();
        if angles.len() != lat.n_links() {
            return Err(Error::invalid(
                "angles",
                format!("{} values", angles.len()),
                format!("a field on {lat} has {} links", lat.n_links()),
            ));
        }
        Self::from_links(domain, &angles.iter().map(|t| Complex64::from_polar(1.0, *t)).collect::<Vec<_>>())
    }

    /// A field from link variables in canonical order (kept exactly as given).
    pub fn from_links(domain: &dyn Domain, links: &[Complex64]) -> Result<Self> {
        let lat = domain.block().global();
        if links.len() != lat.n_links() {
            return Err(Error::invalid(
                "links",
                format!("{} values", links.len()),
                format!("a field on {lat} has {} links", lat.n_links()),
            ));
        }
        let mut f = Self::filled(domain.block(), Complex64::new(1.0, 0.0));
        f.set_owned(|l| links[l]);
        for mu in 0..f.block.dim() {
            for p in 0..2 {
                domain.exchange(p, &mut f.links[2 * mu + p])?;
            }
        }
        Ok(f)
    }

    /// Set every owned link from a function of its global (canonical) index.
    fn set_owned(&mut self, value: impl Fn(usize) -> Complex64) {
        let b = self.block.clone();
        let d = b.dim();
        for x in 0..b.n_padded() {
            let c = b.coords(x);
            if (0..d).all(|a| b.is_owned_coord(a, c[a])) {
                let p = b.parity(&c);
                let site = b.global_site(&c);
                for mu in 0..d {
                    self.links[2 * mu + p][x >> 1] = value(site * d + mu);
                }
            }
        }
    }

    /// The owned block.
    pub fn block(&self) -> &Block {
        &self.block
    }
    /// The (global) lattice.
    pub fn lattice(&self) -> &Lattice {
        self.block.global()
    }
    /// The storage, `[2μ + parity][x >> 1]` (for the update kernels).
    pub(crate) fn arrays_mut(&mut self) -> &mut [Vec<Complex64>] {
        &mut self.links
    }

    /// The link `U_μ(site)` of an owned site (canonical site index), or `None` if another
    /// process owns it.
    pub fn link(&self, site: usize, mu: usize) -> Option<Complex64> {
        let (x, p) = self.block.locate(site)?;
        Some(self.links[2 * mu + p][x >> 1])
    }

    /// The angle `θ_μ(site) = arg U ∈ (−π, π]` of an owned link.
    pub fn angle(&self, site: usize, mu: usize) -> Option<f64> {
        self.link(site, mu).map(|u| u.im.atan2(u.re))
    }

    /// Visit every owned link as `(canonical link index, U)`, row by row (no copy of the field).
    pub fn for_each_link(&self, mut f: impl FnMut(usize, Complex64)) {
        let b = &self.block;
        let d = b.dim();
        let mut c = [0; MAX_DIM];
        for row in 0..b.n_rows() {
            if !b.row_is_owned(row) {
                continue;
            }
            let start = row * b.padded()[0];
            let rc = b.coords(start);
            c[..d].copy_from_slice(&rc[..d]);
            for c0 in 1..=b.owned()[0] {
                c[0] = c0;
                let x = start + c0;
                let p = b.parity(&c);
                let site = b.global_site(&c);
                for mu in 0..d {
                    f(site * d + mu, self.links[2 * mu + p][x >> 1]);
                }
            }
        }
    }

    /// Write the angles of the owned links into `out` (canonical order, length = number of
    /// links of the lattice; entries of links another process owns are left alone).
    pub fn angles_into(&self, out: &mut [f64]) -> Result<()> {
        let n = self.lattice().n_links();
        if out.len() != n {
            return Err(Error::invalid(
                "angles",
                format!("{} values", out.len()),
                format!("the lattice has {n} links"),
            ));
        }
        self.for_each_link(|l, u| out[l] = u.im.atan2(u.re));
        Ok(())
    }

    /// The angles of all links in canonical order (one process).
    pub fn angles(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.lattice().n_links()];
        self.angles_into(&mut out).expect("sized above");
        out
    }

    /// The link variables in canonical order (one process).
    pub fn links(&self) -> Vec<Complex64> {
        let mut out = vec![Complex64::new(0.0, 0.0); self.lattice().n_links()];
        self.for_each_link(|l, u| out[l] = u);
        out
    }

    /// Sum over owned sites and planes of `g(a, b, U_P)` (`U_P` the plaquette product of plane
    /// a < b at the site), split into space-space and space-time planes; rows in parallel, summed
    /// exactly (any thread count gives the same bits).
    fn plaquette_fold(&self, g: impl Fn(usize, usize, Complex64) -> f64 + Sync) -> PlaquetteSums {
        self.plaquette_fold_planes(None, g)
    }

    /// [`Self::plaquette_fold`] over every plane, or over the plane `only` = (a, b) alone.
    fn plaquette_fold_planes(
        &self,
        only: Option<(usize, usize)>,
        g: impl Fn(usize, usize, Complex64) -> f64 + Sync,
    ) -> PlaquetteSums {
        let b = &self.block;
        let d = b.dim();
        let t = d - 1;
        let s = b.strides();
        let l = &self.links;
        (0..b.n_rows())
            .into_par_iter()
            .filter(|&row| b.row_is_owned(row))
            .map(|row| {
                let mut out = PlaquetteSums::default();
                let start = row * b.padded()[0];
                let mut c = b.coords(start);
                for c0 in 1..=b.owned()[0] {
                    c[0] = c0;
                    let x = start + c0;
                    let p = b.parity(&c);
                    let q = 1 - p;
                    for a in 0..d {
                        for bb in a + 1..d {
                            if only.is_some_and(|o| o != (a, bb)) {
                                continue;
                            }
                            let up = mul_conj(
                                mul_conj(
                                    mul(l[2 * a + p][x >> 1], l[2 * bb + q][(x + s[a]) >> 1]),
                                    l[2 * a + q][(x + s[bb]) >> 1],
                                ),
                                l[2 * bb + p][x >> 1],
                            );
                            let v = g(a, bb, up);
                            if bb == t {
                                out.time.add(v);
                                out.n_time += 1;
                            } else {
                                out.space.add(v);
                                out.n_space += 1;
                            }
                        }
                    }
                }
                out
            })
            .reduce(PlaquetteSums::default, PlaquetteSums::merge)
    }

    /// `Σ cos Θ_P` over the owned plaquettes, space-space and space-time separately.
    pub fn plaquette_sums(&self) -> PlaquetteSums {
        self.plaquette_fold(|_, _, u| u.re)
    }

    /// The action `Σ_P s(Θ_P)` of the owned plaquettes under `action`.
    pub fn action_sum(&self, action: &GaugeAction) -> ExactSum {
        let sums = self.plaquette_fold(|a, b, u| action.plaquette_action(a, b, u.im.atan2(u.re)));
        let mut s = sums.space;
        s.merge(sums.time);
        s
    }

    /// The flux quantum per plaquette of a twist of plane (a, b): `2π/(L_a L_b)`.
    pub(crate) fn twist_quantum(&self, a: usize, b: usize) -> f64 {
        let e = self.lattice().extents();
        2.0 * PI / (e[a] * e[b]) as f64
    }

    /// The change of the action of the owned plaquettes of plane (a, b) if every one of them gains
    /// the angle `s · 2π/(L_a L_b)` (a twist, [`Self::apply_twist`]); only that plane changes.
    pub(crate) fn twist_action_change(&self, action: &GaugeAction, a: usize, b: usize, s: f64) -> ExactSum {
        let q = s * self.twist_quantum(a, b);
        let p = action.plane(a, b);
        let sums = self.plaquette_fold_planes(Some((a, b)), |_, _, u| {
            let t = u.im.atan2(u.re);
            p.action(t + q) - p.action(t)
        });
        let mut out = sums.space;
        out.merge(sums.time);
        out
    }

    /// Twist plane (a, b), a < b, by `s = ±1` flux quanta through every (a, b) slice of the torus:
    /// `θ_a(x) −= s 2π x_b/(L_a L_b)` and, on the last slice `x_b = L_b − 1`, `θ_b(x) += s 2π x_a/L_a`
    /// (global coordinates). Every (a, b) plaquette gains `s 2π/(L_a L_b)` (mod 2π), every other
    /// plaquette is unchanged. Halos are refreshed.
    pub(crate) fn apply_twist(&mut self, domain: &dyn Domain, a: usize, b: usize, s: f64) -> Result<()> {
        let blk = self.block.clone();
        let d = blk.dim();
        let e = self.lattice().extents().to_vec();
        let (la, lb) = (e[a] as f64, e[b] as f64);
        for x in 0..blk.n_padded() {
            let c = blk.coords(x);
            if !(0..d).all(|k| blk.is_owned_coord(k, c[k])) {
                continue;
            }
            let p = blk.parity(&c);
            let (ga, gb) = (blk.global_coord(a, c[a]) as f64, blk.global_coord(b, c[b]));
            let da = -s * 2.0 * PI * gb as f64 / (la * lb);
            let ua = &mut self.links[2 * a + p][x >> 1];
            *ua = mul(*ua, Complex64::from_polar(1.0, da));
            if gb == e[b] - 1 {
                let ub = &mut self.links[2 * b + p][x >> 1];
                *ub = mul(*ub, Complex64::from_polar(1.0, s * 2.0 * PI * ga / la));
            }
        }
        for mu in [a, b] {
            for p in 0..2 {
                domain.exchange(p, &mut self.links[2 * mu + p])?;
            }
        }
        Ok(())
    }

    /// Largest deviation of `|U|` from 1 over the owned links (rounding drift check).
    pub fn unitarity_error(&self) -> f64 {
        let mut e = 0.0f64;
        self.for_each_link(|_, u| e = e.max((u.norm() - 1.0).abs()));
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::domain::SingleProcess;

    /// The engine's plaquette sums against `Lattice::curl` on the exported angles (an independent
    /// code path: canonical indices, no halo), on a hot field in 2, 3 and 4 dimensions.
    #[test]
    fn plaquettes_and_exports_agree_with_the_canonical_lattice() {
        for ext in ["4x6", "4x4x6", "4x2x4x6"] {
            let lat = Lattice::parse(ext).unwrap();
            let dom = SingleProcess::new(&lat).unwrap();
            let f = GaugeField::hot(&dom, 3).unwrap();
            let th = f.angles();
            for (l, t) in th.iter().enumerate() {
                let (site, mu) = lat.link_site_dir(l);
                assert_eq!(f.angle(site, mu), Some(*t));
                assert!(t.abs() <= PI);
            }
            let mut phi = vec![0.0; lat.n_plaquettes()];
            lat.curl(&th, &mut phi);
            let (mut ss, mut st) = (0.0, 0.0);
            for (p, v) in phi.iter().enumerate() {
                let (_, _, b) = lat.plaquette_site_axes(p);
                if b == lat.dim() - 1 {
                    st += v.cos();
                } else {
                    ss += v.cos();
                }
            }
            let sums = f.plaquette_sums();
            assert!((sums.time.value() - st).abs() < 1e-10, "{ext}");
            assert!((sums.space.value() - ss).abs() < 1e-10, "{ext}");
            assert_eq!((sums.n_space + sums.n_time) as usize, lat.n_plaquettes());
            // a twist of every plane adds 2π/(L_a L_b) to each of its plaquettes and nothing else
            for a in 0..lat.dim() {
                for b in a + 1..lat.dim() {
                    let mut t = f.clone();
                    t.apply_twist(&dom, a, b, -1.0).unwrap();
                    let mut phi2 = vec![0.0; lat.n_plaquettes()];
                    lat.curl(&t.angles(), &mut phi2);
                    let q = 2.0 * PI / (lat.extents()[a] * lat.extents()[b]) as f64;
                    for p in 0..lat.n_plaquettes() {
                        let (_, x, y) = lat.plaquette_site_axes(p);
                        let want = if (x, y) == (a, b) { phi[p] - q } else { phi[p] };
                        let diff = crate::lattice::wrap_pi(phi2[p] - want);
                        assert!(diff.abs() < 1e-12, "{ext}: twist ({a},{b}) plaquette {p} off by {diff}");
                    }
                }
            }
            // a round trip through canonical links is exact
            let g = GaugeField::from_links(&dom, &f.links()).unwrap();
            assert_eq!(g, f);
        }
    }
}
