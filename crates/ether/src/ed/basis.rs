//! Bit-packed spin-½ bases with symmetry sectors.
//!
//! A basis state is a `u64` whose bit r is 1 when spin r points up (S^z_r = +½); at most
//! [`MAX_SITES`] sites. A sector fixes any of: the number of up spins (total S^z), the lattice
//! momentum k, the inversion parity P (r → −r; a reflection for the chain) and the spin-flip
//! parity Z (all spins reversed).
//!
//! Method (Sandvik, "Computational studies of quantum spin systems", AIP Conf. Proc. 1297,
//! 135 (2010), section 4; the standard representative construction). The chosen symmetries
//! generate an abelian-by-Z2 group G of unitary operators g that permute basis states; the
//! sector is a one-dimensional representation χ of G with
//! `χ(T_t) = e^{−i k·t}`, `χ(I) = P`, `χ(F) = Z` (so `T_t |ψ⟩ = e^{−i k·t} |ψ⟩`: the
//! sector k contains `Σ_r e^{i k·r} S^−_r |↑…↑⟩`). With the projector
//! `P_χ = |G|⁻¹ Σ_g χ(g)* g`, every orbit of basis states contributes at most one state
//! `|a⟩ = P_χ |s_a⟩ / ‖P_χ |s_a⟩‖`, labelled by its representative `s_a` (the smallest
//! integer in the orbit). `‖P_χ s_a‖² = c_a/|G|` with `c_a = Σ_{g s_a = s_a} χ(g)*`; orbits with
//! `c_a = 0` are incompatible with the sector and dropped. The amplitude of a basis state
//! `g s_a` in `|a⟩` is `χ(g)* sqrt(c_a/|G|)`. If `H s_b = Σ_j h_j s_j` and `g_j s_j = s_{a_j}`,
//! then `(H x)_b = Σ_j h_j χ(g_j) sqrt(c_{a_j}/c_b) x_{a_j}` (row-wise, so the parallel
//! matrix-vector product needs no atomics).
//!
//! Lookup: representatives are generated in increasing order, bucketed by their top bits
//! (a prefix table of `2^B` offsets, B ≤ 24), and found by binary search inside the bucket.

use crate::ed::operator::Scalar;
use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::linalg::C64;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Largest number of sites of a bit-packed spin-½ basis.
pub const MAX_SITES: usize = 62;

/// A symmetry sector request. `None` means "not used" (the symmetry is not imposed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// Number of up spins (total S^z = n_up − N/2).
    pub n_up: Option<usize>,
    /// Momentum as integer indices m_a: k_a = 2π m_a / L_a, 0 <= m_a < L_a.
    pub k: Option<Vec<usize>>,
    /// Inversion (reflection) parity ±1; needs k ≡ −k.
    pub parity: Option<i8>,
    /// Spin-flip parity ±1; needs S^z = 0 when S^z is also fixed.
    pub spinflip: Option<i8>,
}

impl Sector {
    /// Parse `sz=0,k=3,parity=1,spinflip=-1` (k of a d-dimensional lattice as `k=1:2`;
    /// S^z may be half-integer: `sz=1/2` or `sz=0.5`).
    pub fn parse(s: &str, lattice: &Lattice) -> Result<Self> {
        let n = lattice.n_sites();
        let mut sec = Sector::default();
        for item in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
            let (key, val) = item
                .split_once('=')
                .ok_or_else(|| Error::invalid("sector", item, "write key=value pairs: sz=0,k=0,parity=1,spinflip=1"))?;
            let bad = |hint: &str| Error::invalid("sector", item.to_string(), hint.to_string());
            match key.trim() {
                "sz" => {
                    let v = val.trim();
                    let twice: i64 = if let Some((a, b)) = v.split_once('/') {
                        if b.trim() != "2" {
                            return Err(bad("S^z is an integer or half-integer: sz=0, sz=1, sz=1/2"));
                        }
                        a.trim().parse().map_err(|_| bad("S^z is an integer or half-integer"))?
                    } else {
                        let x: f64 = v.parse().map_err(|_| bad("S^z is a number, e.g. sz=0"))?;
                        if (2.0 * x).fract() != 0.0 {
                            return Err(bad("S^z is an integer or half-integer"));
                        }
                        (2.0 * x) as i64
                    };
                    // n_up − n_down = 2 S^z, n_up + n_down = N.
                    let nu = twice + n as i64;
                    if nu < 0 || nu % 2 != 0 || nu / 2 > n as i64 {
                        return Err(Error::invalid(
                            "sector",
                            item.to_string(),
                            format!(
                                "with {n} spins ½, S^z runs from −{n}/2 to {n}/2 in steps of 1 ({} here)",
                                if n % 2 == 0 { "integers" } else { "half-integers" }
                            ),
                        ));
                    }
                    sec.n_up = Some((nu / 2) as usize);
                }
                "k" => {
                    let parts: Vec<&str> = val.split(':').collect();
                    if parts.len() != lattice.dim() {
                        return Err(bad(&format!(
                            "give {} momentum indices separated by ':' (k_a = 2π m_a / L_a)",
                            lattice.dim()
                        )));
                    }
                    let mut k = Vec::new();
                    for (a, p) in parts.iter().enumerate() {
                        let m: i64 =
                            p.trim().parse().map_err(|_| bad("momentum indices are integers m_a (k = 2π m / L)"))?;
                        let l = lattice.extents()[a] as i64;
                        if m < 0 || m >= l {
                            return Err(Error::invalid(
                                "sector",
                                item.to_string(),
                                format!("momentum index out of range: on an extent {l} axis m runs over 0..{} (k = 2π m/{l})", l - 1),
                            ));
                        }
                        k.push(m as usize);
                    }
                    sec.k = Some(k);
                }
                "parity" | "p" => sec.parity = Some(parse_pm(val).map_err(|_| bad("parity is +1 or -1"))?),
                "spinflip" | "z" => sec.spinflip = Some(parse_pm(val).map_err(|_| bad("spinflip is +1 or -1"))?),
                other => {
                    return Err(Error::invalid(
                        "sector",
                        other.to_string(),
                        "known keys: sz, k, parity, spinflip (e.g. sz=0,k=0,parity=1,spinflip=1)",
                    ))
                }
            }
        }
        Ok(sec)
    }

    /// A compact label like `sz=0,k=3,parity=1`.
    pub fn label(&self, n_sites: usize) -> String {
        let mut v = Vec::new();
        if let Some(nu) = self.n_up {
            let twice = 2 * nu as i64 - n_sites as i64;
            v.push(if twice % 2 == 0 { format!("sz={}", twice / 2) } else { format!("sz={twice}/2") });
        }
        if let Some(k) = &self.k {
            v.push(format!("k={}", k.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(":")));
        }
        if let Some(p) = self.parity {
            v.push(format!("parity={p}"));
        }
        if let Some(z) = self.spinflip {
            v.push(format!("spinflip={z}"));
        }
        v.join(",")
    }

    /// Momentum in radians (zero vector if k is not fixed).
    pub fn momentum(&self, lattice: &Lattice) -> Vec<f64> {
        match &self.k {
            Some(k) => k.iter().zip(lattice.extents()).map(|(&m, &l)| 2.0 * PI * m as f64 / l as f64).collect(),
            None => vec![0.0; lattice.dim()],
        }
    }

    /// Check that the sector exists on this lattice for a model that does (or does not)
    /// conserve S^z. Errors say which quantum number is impossible and why.
    pub fn validate(&self, lattice: &Lattice, conserves_sz: bool) -> Result<()> {
        let n = lattice.n_sites();
        if n > MAX_SITES {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                format!("the spin-½ ED basis holds at most {MAX_SITES} sites"),
            ));
        }
        if self.n_up.is_some() && !conserves_sz {
            return Err(Error::invalid(
                "sector",
                self.label(n),
                "this model does not conserve S^z (a transverse field flips single spins): drop sz=",
            ));
        }
        if self.parity.is_some() {
            if let Some(k) = &self.k {
                for (a, (&m, &l)) in k.iter().zip(lattice.extents()).enumerate() {
                    if (2 * m) % l != 0 {
                        return Err(Error::invalid(
                            "sector",
                            self.label(n),
                            format!(
                                "parity (r → −r) maps k to −k, so it is a quantum number only at k = 0 or π; axis {a} has k = 2π·{m}/{l}: drop parity= or use m = 0{}",
                                if l % 2 == 0 { format!(" or {}", l / 2) } else { String::new() }
                            ),
                        ));
                    }
                }
            }
        }
        if self.spinflip.is_some() {
            if n % 2 == 1 && conserves_sz {
                return Err(Error::invalid(
                    "sector",
                    self.label(n),
                    format!("spin flip maps S^z to −S^z; with an odd number of sites ({n}) S^z is never 0, so spinflip is not a quantum number: drop spinflip="),
                ));
            }
            if let Some(nu) = self.n_up {
                if 2 * nu != n {
                    return Err(Error::invalid(
                        "sector",
                        self.label(n),
                        "spin flip maps S^z to −S^z: it is a quantum number only at sz=0",
                    ));
                }
            }
            if conserves_sz && self.n_up.is_none() {
                return Err(Error::invalid(
                    "sector",
                    self.label(n),
                    "spin flip commutes with this model only inside sz=0: add sz=0",
                ));
            }
        }
        Ok(())
    }
}

fn parse_pm(v: &str) -> std::result::Result<i8, ()> {
    match v.trim() {
        "1" | "+1" | "+" | "even" => Ok(1),
        "-1" | "-" | "odd" => Ok(-1),
        _ => Err(()),
    }
}

/// The symmetry group of a sector: site permutations (with optional global flip) and the
/// characters of the chosen representation.
#[derive(Clone, Debug)]
pub struct SymmetryGroup {
    n: usize,
    mask: u64,
    /// Site permutation of every element: site r goes to `perms[g][r]`.
    pub perms: Vec<Vec<usize>>,
    /// Whether element g also flips every spin.
    pub flips: Vec<bool>,
    /// χ(g).
    pub characters: Vec<C64>,
    /// Byte tables: image bits of byte `b` value `v` under element g at `tables[(g*nbytes+b)*256+v]`.
    tables: Vec<u64>,
    nbytes: usize,
    /// Fast path for chains with all translations (element index t + N(p + 2f)).
    chain: Option<ChainLayout>,
}

#[derive(Clone, Copy, Debug)]
struct ChainLayout {
    np: usize,
    nf: usize,
}

impl SymmetryGroup {
    /// The group generated by the symmetries the sector fixes (momentum → all translations,
    /// parity → inversion, spinflip → global flip), with the sector's characters.
    pub fn new(lattice: &Lattice, sector: &Sector) -> Self {
        let n = lattice.n_sites();
        let d = lattice.dim();
        let trans: Vec<usize> = if sector.k.is_some() { (0..n).collect() } else { vec![0] };
        let pars: Vec<bool> = if sector.parity.is_some() { vec![false, true] } else { vec![false] };
        let flips_l: Vec<bool> = if sector.spinflip.is_some() { vec![false, true] } else { vec![false] };
        let kv = sector.momentum(lattice);
        let mut perms = Vec::new();
        let mut flips = Vec::new();
        let mut characters = Vec::new();
        for &f in &flips_l {
            for &p in &pars {
                for &t in &trans {
                    let tc = lattice.coords(t);
                    let shift: Vec<isize> = (0..d).map(|a| tc[a] as isize).collect();
                    let perm: Vec<usize> = (0..n)
                        .map(|r| {
                            let c = lattice.coords(r);
                            let src: Vec<isize> =
                                (0..d).map(|a| if p { -(c[a] as isize) } else { c[a] as isize }).collect();
                            lattice.translate(lattice.site(&src), &shift)
                        })
                        .collect();
                    let phase: f64 = (0..d).map(|a| kv[a] * tc[a] as f64).sum();
                    let mut chi = C64::from_polar(1.0, -phase);
                    if p {
                        chi *= f64::from(sector.parity.unwrap_or(1));
                    }
                    if f {
                        chi *= f64::from(sector.spinflip.unwrap_or(1));
                    }
                    // Snap to exact values so that real sectors are exactly real.
                    for x in [&mut chi.re, &mut chi.im] {
                        for target in [-1.0, 0.0, 1.0] {
                            if (*x - target).abs() < 1e-14 {
                                *x = target;
                            }
                        }
                    }
                    perms.push(perm);
                    flips.push(f);
                    characters.push(chi);
                }
            }
        }
        let nbytes = n.div_ceil(8);
        let mut tables = vec![0u64; perms.len() * nbytes * 256];
        for (g, perm) in perms.iter().enumerate() {
            for b in 0..nbytes {
                for v in 0..256usize {
                    let mut img = 0u64;
                    for bit in 0..8 {
                        let r = 8 * b + bit;
                        if r < n && (v >> bit) & 1 == 1 {
                            img |= 1u64 << perm[r];
                        }
                    }
                    tables[(g * nbytes + b) * 256 + v] = img;
                }
            }
        }
        let chain = (d == 1 && sector.k.is_some()).then_some(ChainLayout { np: pars.len(), nf: flips_l.len() });
        let mask = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        SymmetryGroup { n, mask, perms, flips, characters, tables, nbytes, chain }
    }

    /// Number of elements |G|.
    pub fn order(&self) -> usize {
        self.perms.len()
    }

    /// Whether every character is real (a real-symmetric sector Hamiltonian).
    pub fn is_real(&self) -> bool {
        self.characters.iter().all(|c| c.im == 0.0)
    }

    /// The image of basis state `s` under element `g`.
    #[inline]
    pub fn apply(&self, g: usize, s: u64) -> u64 {
        let base = &self.tables[g * self.nbytes * 256..(g + 1) * self.nbytes * 256];
        let mut img = 0u64;
        for b in 0..self.nbytes {
            img |= base[b * 256 + ((s >> (8 * b)) & 255) as usize];
        }
        if self.flips[g] {
            img ^ self.mask
        } else {
            img
        }
    }

    /// The representative (smallest image) of `s` and an element g with `g s` = it.
    #[inline]
    pub fn representative(&self, s: u64) -> (u64, usize) {
        if let Some(ch) = self.chain {
            return self.chain_representative(s, ch);
        }
        let mut best = s;
        let mut arg = 0;
        for g in 1..self.order() {
            let img = self.apply(g, s);
            if img < best {
                best = img;
                arg = g;
            }
        }
        (best, arg)
    }

    #[inline]
    fn chain_representative(&self, s: u64, ch: ChainLayout) -> (u64, usize) {
        let n = self.n;
        let mask = self.mask;
        let mut best = s;
        let mut arg = 0;
        for f in 0..ch.nf {
            for p in 0..ch.np {
                let mut b = if p == 1 { s.reverse_bits() >> (64 - n) } else { s };
                if f == 1 {
                    b ^= mask;
                }
                // Element (t, p): r → (p ? −r : r) + t. Reversal sends r to N−1−r, so the
                // reversed string rotated by t+1 is the image of element t.
                if p == 1 {
                    b = ((b << 1) | (b >> (n - 1))) & mask;
                }
                let off = n * (p + ch.np * f);
                let mut img = b;
                for t in 0..n {
                    if img < best {
                        best = img;
                        arg = off + t;
                    }
                    img = ((img << 1) | (img >> (n - 1))) & mask;
                }
            }
        }
        (best, arg)
    }

    /// If `s` is a representative: `Some(c_s)`, `c_s = Σ_{g s = s} χ(g)*` (0 means the orbit is
    /// incompatible with the sector); `None` if some image is smaller than `s`.
    pub fn rep_norm(&self, s: u64) -> Option<f64> {
        let mut c = C64::new(0.0, 0.0);
        let mut smaller = false;
        self.for_each_image(s, |g, img| {
            if img < s {
                smaller = true;
                return false;
            }
            if img == s {
                c += self.characters[g].conj();
            }
            true
        });
        (!smaller).then_some(c.re)
    }

    /// Visit `(g, g s)` for every element until `f` returns false (chains: bit rotations).
    #[inline]
    fn for_each_image(&self, s: u64, mut f: impl FnMut(usize, u64) -> bool) {
        if let Some(ch) = self.chain {
            let (n, mask) = (self.n, self.mask);
            for fl in 0..ch.nf {
                for p in 0..ch.np {
                    let mut b = if p == 1 { s.reverse_bits() >> (64 - n) } else { s };
                    if fl == 1 {
                        b ^= mask;
                    }
                    if p == 1 {
                        b = ((b << 1) | (b >> (n - 1))) & mask;
                    }
                    let off = n * (p + ch.np * fl);
                    let mut img = b;
                    for t in 0..n {
                        if !f(off + t, img) {
                            return;
                        }
                        img = ((img << 1) | (img >> (n - 1))) & mask;
                    }
                }
            }
            return;
        }
        for g in 0..self.order() {
            if !f(g, self.apply(g, s)) {
                return;
            }
        }
    }
}

/// A symmetry-reduced spin-½ basis: representatives, their norms and a fast index lookup.
#[derive(Clone, Debug)]
pub struct SpinBasis {
    /// Number of sites.
    pub n_sites: usize,
    /// The lattice (for momenta and permutations).
    pub lattice: Lattice,
    /// The sector.
    pub sector: Sector,
    /// The symmetry group and characters.
    pub group: SymmetryGroup,
    /// Representatives, ascending.
    pub states: Vec<u64>,
    /// sqrt(c_a) of each representative (see the module doc).
    pub sqrt_norm: Vec<f64>,
    prefix_bits: u32,
    buckets: Vec<u32>,
}

impl SpinBasis {
    /// Build the basis of a sector (validated first; see [`Sector::validate`]).
    pub fn new(lattice: &Lattice, sector: &Sector, conserves_sz: bool) -> Result<Self> {
        sector.validate(lattice, conserves_sz)?;
        let n = lattice.n_sites();
        let group = SymmetryGroup::new(lattice, sector);
        let pb = (n / 2).clamp(1, 24) as u32;
        let low = n as u32 - pb;
        // Candidates grouped by their top `pb` bits h; inside a group the low parts ascend.
        let low_by_pop: Vec<Vec<u64>> = {
            let mut v = vec![Vec::new(); low as usize + 1];
            for x in 0..(1u64 << low) {
                v[x.count_ones() as usize].push(x);
            }
            v
        };
        let n_up = sector.n_up;
        let per_bucket: Vec<(Vec<u64>, Vec<f64>)> = (0..(1u64 << pb))
            .into_par_iter()
            .map(|h| {
                let mut st = Vec::new();
                let mut nr = Vec::new();
                let hp = h.count_ones() as usize;
                let lows: Box<dyn Iterator<Item = &u64>> = match n_up {
                    Some(m) => {
                        if m < hp || m - hp > low as usize {
                            Box::new(std::iter::empty())
                        } else {
                            Box::new(low_by_pop[m - hp].iter())
                        }
                    }
                    None => Box::new(low_by_pop.iter().flatten()),
                };
                let mut lows: Vec<u64> = lows.copied().collect();
                lows.sort_unstable();
                for l in lows {
                    let s = (h << low) | l;
                    if let Some(c) = group.rep_norm(s) {
                        if c > 1e-8 {
                            st.push(s);
                            nr.push(c.sqrt());
                        }
                    }
                }
                (st, nr)
            })
            .collect();
        let mut buckets = Vec::with_capacity(per_bucket.len() + 1);
        let total: usize = per_bucket.iter().map(|b| b.0.len()).sum();
        if total > u32::MAX as usize {
            return Err(Error::invalid("sector", sector.label(n), "more than 2^32 states: use more symmetries"));
        }
        let mut states = Vec::with_capacity(total);
        let mut sqrt_norm = Vec::with_capacity(total);
        for (st, nr) in per_bucket {
            buckets.push(states.len() as u32);
            states.extend(st);
            sqrt_norm.extend(nr);
        }
        buckets.push(states.len() as u32);
        Ok(SpinBasis {
            n_sites: n,
            lattice: lattice.clone(),
            sector: sector.clone(),
            group,
            states,
            sqrt_norm,
            prefix_bits: pb,
            buckets,
        })
    }

    /// Number of states of the sector.
    pub fn dim(&self) -> usize {
        self.states.len()
    }

    /// Index of a representative, if it is in the basis.
    #[inline]
    pub fn index(&self, rep: u64) -> Option<usize> {
        let h = (rep >> (self.n_sites as u32 - self.prefix_bits)) as usize;
        let lo = self.buckets[h] as usize;
        let hi = self.buckets[h + 1] as usize;
        self.states[lo..hi].binary_search(&rep).ok().map(|i| lo + i)
    }

    /// Where basis state `s` lives: (index of its representative, χ(g) with g s = rep), or
    /// `None` if its orbit is not in this sector.
    #[inline]
    pub fn locate(&self, s: u64) -> Option<(usize, C64)> {
        let (rep, g) = self.group.representative(s);
        self.index(rep).map(|i| (i, self.group.characters[g]))
    }

    /// Amplitude of basis state `s` in a sector vector `x` (the expansion into the full basis).
    pub fn amplitude<S: Scalar>(&self, x: &[S], s: u64) -> C64 {
        match self.locate(s) {
            Some((a, chi)) => x[a].to_c64() * chi * (self.sqrt_norm[a] / (self.group.order() as f64).sqrt()),
            None => C64::new(0.0, 0.0),
        }
    }

    /// Bytes held by the basis (states, norms, buckets).
    pub fn memory_bytes(&self) -> u64 {
        (self.states.len() * 16 + self.buckets.len() * 4 + self.group.tables.len() * 8) as u64
    }

    /// Estimated number of states of a sector without building it: the Sz block size over the
    /// group order (exact up to the few states with non-trivial stabilizers).
    pub fn estimate_dim(lattice: &Lattice, sector: &Sector) -> f64 {
        let n = lattice.n_sites();
        let full = match sector.n_up {
            Some(m) => binomial(n, m),
            None => 2f64.powi(n as i32),
        };
        let mut g = 1.0;
        if sector.k.is_some() {
            g *= n as f64;
        }
        if sector.parity.is_some() {
            g *= 2.0;
        }
        if sector.spinflip.is_some() {
            g *= 2.0;
        }
        full / g
    }
}

/// The binomial coefficient as a float.
pub fn binomial(n: usize, k: usize) -> f64 {
    if k > n {
        return 0.0;
    }
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Every sector of a lattice for a model (conserving S^z or not; with or without spin-flip
/// symmetry): all S^z (if conserved), all momenta, parity where k ≡ −k, spin flip where
/// S^z = 0. Their union is the whole Hilbert space.
pub fn all_sectors(lattice: &Lattice, conserves_sz: bool, flip_symmetric: bool) -> Vec<Sector> {
    let n = lattice.n_sites();
    let ks: Vec<Vec<usize>> = {
        let mut v: Vec<Vec<usize>> = vec![vec![]];
        for &l in lattice.extents() {
            v = v.into_iter().flat_map(|p| (0..l).map(move |m| [p.clone(), vec![m]].concat())).collect();
        }
        v
    };
    let nups: Vec<Option<usize>> = if conserves_sz { (0..=n).map(Some).collect() } else { vec![None] };
    let mut out = Vec::new();
    for nu in nups {
        for k in &ks {
            let par_ok = k.iter().zip(lattice.extents()).all(|(&m, &l)| (2 * m) % l == 0);
            let pars: Vec<Option<i8>> = if par_ok { vec![Some(1), Some(-1)] } else { vec![None] };
            let flip_ok = flip_symmetric && (if conserves_sz { nu.map(|m| 2 * m == n).unwrap_or(false) } else { true });
            let flips: Vec<Option<i8>> = if flip_ok { vec![Some(1), Some(-1)] } else { vec![None] };
            for &p in &pars {
                for &z in &flips {
                    out.push(Sector { n_up: nu, k: Some(k.clone()), parity: p, spinflip: z });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sector_dimensions_add_up() {
        // The union of all sectors is the whole Hilbert space: Σ dims = 2^N.
        for (lat, sz) in [("10", true), ("9", true), ("4x2", true), ("3x3", false), ("8", false)] {
            let l = Lattice::parse(lat).unwrap();
            let total: usize = all_sectors(&l, sz, true).iter().map(|s| SpinBasis::new(&l, s, sz).unwrap().dim()).sum();
            assert_eq!(total, 1 << l.n_sites(), "{lat}");
        }
    }

    #[test]
    fn chain_fast_path_matches_tables() {
        let l = Lattice::parse("10").unwrap();
        let sec = Sector { n_up: Some(5), k: Some(vec![0]), parity: Some(1), spinflip: Some(1) };
        let g = SymmetryGroup::new(&l, &sec);
        for s in [0b1011000110u64, 0b0000011111, 0b1010101010, 0b1100110010] {
            let fast = g.representative(s);
            let slow = (0..g.order()).map(|e| (g.apply(e, s), e)).min_by_key(|x| x.0).unwrap();
            assert_eq!(fast.0, slow.0);
            assert_eq!(g.apply(fast.1, s), fast.0, "the returned element maps s to the representative");
            let mut imgs = Vec::new();
            g.for_each_image(s, |e, img| {
                imgs.push((e, img));
                true
            });
            assert_eq!(imgs, (0..g.order()).map(|e| (e, g.apply(e, s))).collect::<Vec<_>>(), "image order");
        }
    }

    #[test]
    fn bad_sectors_are_rejected() {
        let l = Lattice::parse("12").unwrap();
        assert!(Sector::parse("k=12", &l).is_err(), "k out of range");
        assert!(Sector::parse("k=-1", &l).is_err());
        assert!(Sector::parse("sz=7", &l).is_err(), "S^z beyond N/2");
        assert!(Sector::parse("sz=1/2", &l).is_err(), "half-integer on an even chain");
        assert!(Sector::parse("bogus=1", &l).is_err());
        let s = Sector::parse("k=3,parity=1", &l).unwrap();
        assert!(s.validate(&l, true).is_err(), "parity at k ≠ 0, π");
        let s = Sector::parse("sz=1,spinflip=1", &l).unwrap();
        assert!(s.validate(&l, true).is_err(), "spinflip outside sz = 0");
        let odd = Lattice::parse("11").unwrap();
        let s = Sector::parse("spinflip=1", &odd).unwrap();
        assert!(s.validate(&odd, true).is_err(), "odd chain with spinflip");
        let s = Sector::parse("sz=1/2,k=3", &odd).unwrap();
        assert!(s.validate(&odd, true).is_ok());
    }
}
