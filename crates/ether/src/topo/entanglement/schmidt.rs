//! Entropies of states given as explicit superpositions of basis configurations, and the
//! brute-force oracle on full state vectors.
//!
//! - [`ConfigState`]: `|Ψ⟩ = Σ_X Ψ(X) |X⟩` over a list of σ^z-basis configurations `X` (bit
//!   masks of up to 128 qubits) with real amplitudes. Loop-gas states (toric code, double
//!   semion) and the toric code in a field (in its gauge sector) are of this form. The Schmidt
//!   decomposition across `A | B` groups configurations by their `A` part and their `B` part:
//!   `Ψ(X) = M[X_A, X_B]`. `M` is block diagonal over the connected components of the
//!   bipartite graph "`X_A` and `X_B` occur together"; each block's Gram matrix (on its smaller
//!   side) is diagonalized densely and `S = −Σ p ln p` over all blocks.
//! - [`StateVector`]: the reduced density matrix `ρ_A = Tr_B |ψ⟩⟨ψ|` of a full `2^n` state
//!   vector, diagonalized densely (the oracle for everything else, `n ≤ 24`).
//! - [`stabilizer_state_vector`]: the state vector of a stabilizer state, by projecting a
//!   seeded random vector with `Π (1 + g)/2` (oracle input, `n ≤ 20`).

use super::stabilizer::{Pauli, StabilizerGroup};
use crate::error::{Error, Result};
use crate::linalg::{self, C64};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast multiplicative hasher for integer keys (configurations and indices); the default
/// SipHash dominated the Schmidt bookkeeping.
#[derive(Clone, Copy, Debug, Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64);
    }
    fn write_u64(&mut self, x: u64) {
        let h = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MixHasher>>;

/// Largest number of qubits for the dense state-vector oracle.
pub const DENSE_MAX_QUBITS: usize = 24;

/// A full state vector of `n ≤ DENSE_MAX_QUBITS` qubits (basis state `b` has qubit `q` down iff
/// bit `q` of `b` is set): the brute-force oracle of the entropy API.
#[derive(Clone, Debug)]
pub struct StateVector {
    n: usize,
    amps: Vec<C64>,
}

impl StateVector {
    /// A state from its `2^n` amplitudes (normalized by the caller).
    pub fn new(n: usize, amps: Vec<C64>) -> Result<Self> {
        check_dense(n)?;
        if amps.len() != 1usize << n {
            return Err(Error::invalid("state vector", format!("length {}", amps.len()), format!("need 2^{n}")));
        }
        Ok(StateVector { n, amps })
    }

    /// The amplitudes.
    pub fn amplitudes(&self) -> &[C64] {
        &self.amps
    }
}

impl super::QubitState for StateVector {
    fn n_qubits(&self) -> usize {
        self.n
    }
    fn entropy(&self, region: &[usize]) -> Result<f64> {
        state_vector_entropy(&self.amps, self.n, region)
    }
}

impl super::QubitState for ConfigState {
    fn n_qubits(&self) -> usize {
        self.n_qubits
    }
    fn entropy(&self, region: &[usize]) -> Result<f64> {
        ConfigState::entropy(self, region)
    }
}

/// A real superposition of σ^z-basis configurations of up to 128 qubits.
#[derive(Clone, Debug)]
pub struct ConfigState {
    /// Number of qubits.
    pub n_qubits: usize,
    /// Configurations (bit `q` = qubit `q` is down, σ^z = −1), distinct.
    pub configs: Vec<u128>,
    /// Amplitudes, normalized (`Σ Ψ² = 1`).
    pub amps: Vec<f64>,
}

impl ConfigState {
    /// A state from configurations and amplitudes (normalized here; distinct configurations
    /// are the caller's promise, checked in debug builds).
    pub fn new(n_qubits: usize, configs: Vec<u128>, mut amps: Vec<f64>) -> Result<Self> {
        if n_qubits > 128 {
            return Err(Error::invalid("configuration state", format!("{n_qubits} qubits"), "at most 128 qubits"));
        }
        if configs.len() != amps.len() || configs.is_empty() {
            return Err(Error::invalid(
                "configuration state",
                format!("{} configurations, {} amplitudes", configs.len(), amps.len()),
                "give one amplitude per configuration, at least one",
            ));
        }
        let norm: f64 = amps.iter().map(|a| a * a).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return Err(Error::invalid(
                "configuration state",
                format!("norm {norm}"),
                "amplitudes must be finite, not all 0",
            ));
        }
        amps.iter_mut().for_each(|a| *a /= norm);
        Ok(ConfigState { n_qubits, configs, amps })
    }

    /// Entanglement entropy of `region` in nats, from the block Schmidt decomposition.
    pub fn entropy(&self, region: &[usize]) -> Result<f64> {
        let mut mask = 0u128;
        for &q in region {
            if q >= self.n_qubits {
                return Err(Error::invalid("region", format!("qubit {q}"), "regions must list qubits of the system"));
            }
            mask |= 1u128 << q;
        }
        let mut akey: FastMap<u128, u32> = FastMap::default();
        let mut bkey: FastMap<u128, u32> = FastMap::default();
        let mut ia = Vec::with_capacity(self.configs.len());
        let mut ib = Vec::with_capacity(self.configs.len());
        for &x in &self.configs {
            let na = akey.len() as u32;
            ia.push(*akey.entry(x & mask).or_insert(na));
            let nb = bkey.len() as u32;
            ib.push(*bkey.entry(x & !mask).or_insert(nb));
        }
        let na = akey.len();
        let nb = bkey.len();
        // Union-find over A keys (0..na) and B keys (na..na+nb).
        let mut parent: Vec<u32> = (0..(na + nb) as u32).collect();
        fn find(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                p[x as usize] = p[p[x as usize] as usize];
                x = p[x as usize];
            }
            x
        }
        for k in 0..ia.len() {
            let (a, b) = (find(&mut parent, ia[k]), find(&mut parent, na as u32 + ib[k]));
            if a != b {
                parent[a as usize] = b;
            }
        }
        let mut blocks: FastMap<u32, Vec<usize>> = FastMap::default();
        for k in 0..ia.len() {
            let root = find(&mut parent, ia[k]);
            blocks.entry(root).or_default().push(k);
        }
        let mut roots: Vec<u32> = blocks.keys().copied().collect();
        roots.sort_unstable();
        let mut s = 0.0;
        for root in roots {
            let entries = &blocks[&root];
            s += self.block_entropy(entries, &ia, &ib)?;
        }
        Ok(s)
    }

    /// `−Σ p ln p` over the squared singular values of one block.
    fn block_entropy(&self, entries: &[usize], ia: &[u32], ib: &[u32]) -> Result<f64> {
        let mut rows: FastMap<u32, usize> = FastMap::default();
        let mut cols: FastMap<u32, usize> = FastMap::default();
        for &k in entries {
            let n = rows.len();
            rows.entry(ia[k]).or_insert(n);
            let n = cols.len();
            cols.entry(ib[k]).or_insert(n);
        }
        if rows.len() == 1 || cols.len() == 1 {
            let p: f64 = entries.iter().map(|&k| self.amps[k] * self.amps[k]).sum();
            return Ok(plogp(p));
        }
        // Gram matrix on the smaller side: G[i][i'] = Σ_j M[i][j] M[i'][j].
        let (small, big, sidx, bidx) =
            if rows.len() <= cols.len() { (&rows, &cols, ia, ib) } else { (&cols, &rows, ib, ia) };
        let m = small.len();
        let mut by_big: Vec<Vec<(usize, f64)>> = vec![Vec::new(); big.len()];
        for &k in entries {
            by_big[big[&bidx[k]]].push((small[&sidx[k]], self.amps[k]));
        }
        let mut g = vec![0.0; m * m];
        for col in &by_big {
            for &(i, a) in col {
                for &(j, b) in col {
                    g[i * m + j] += a * b;
                }
            }
        }
        let ev = linalg::eigvalsh_real(m, &g)?;
        Ok(ev.into_iter().map(plogp).sum())
    }

    /// The full state vector (`n ≤ DENSE_MAX_QUBITS`), for the oracle.
    pub fn to_dense(&self) -> Result<StateVector> {
        check_dense(self.n_qubits)?;
        let mut v = vec![C64::new(0.0, 0.0); 1usize << self.n_qubits];
        for (&x, &a) in self.configs.iter().zip(&self.amps) {
            v[x as usize] += C64::new(a, 0.0);
        }
        StateVector::new(self.n_qubits, v)
    }
}

fn plogp(p: f64) -> f64 {
    if p > 1e-300 {
        -p * p.ln()
    } else {
        0.0
    }
}

fn check_dense(n: usize) -> Result<()> {
    if n > DENSE_MAX_QUBITS {
        return Err(Error::invalid(
            "dense state vector",
            format!("{n} qubits"),
            format!("the brute-force oracle handles at most {DENSE_MAX_QUBITS} qubits"),
        ));
    }
    Ok(())
}

/// Apply a product of Paulis (`X^x`, `Y`, `Z^z` per qubit, Y = iXZ) to a state vector.
fn apply_pauli(ops: &[(usize, Pauli)], psi: &[C64], out: &mut [C64]) {
    let mut xmask = 0usize;
    for &(q, p) in ops {
        if p.bits().0 {
            xmask |= 1 << q;
        }
    }
    for (b, &amp) in psi.iter().enumerate() {
        let mut ph = C64::new(1.0, 0.0);
        for &(q, p) in ops {
            let bit = (b >> q) & 1;
            match p {
                Pauli::X => {}
                Pauli::Z => {
                    if bit == 1 {
                        ph = -ph;
                    }
                }
                // Y|0> = i|1>, Y|1> = -i|0>
                Pauli::Y => ph *= if bit == 0 { C64::new(0.0, 1.0) } else { C64::new(0.0, -1.0) },
            }
        }
        out[b ^ xmask] += ph * amp;
    }
}

/// The state vector of a stabilizer state with every generator `+1`: `Π (1 + g)/2` applied to a
/// seeded random vector, normalized. Fails if the projection vanishes (the group is not a
/// state, or contains `−1`).
pub fn stabilizer_state_vector(group: &StabilizerGroup, seed: u64) -> Result<StateVector> {
    let n = group.n_qubits();
    check_dense(n)?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut psi: Vec<C64> =
        (0..1usize << n).map(|_| C64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5)).collect();
    let mut tmp = vec![C64::new(0.0, 0.0); psi.len()];
    for g in group.generators() {
        tmp.iter_mut().for_each(|t| *t = C64::new(0.0, 0.0));
        apply_pauli(&g.ops, &psi, &mut tmp);
        for (p, t) in psi.iter_mut().zip(&tmp) {
            *p = (*p + *t) * 0.5;
        }
        let norm: f64 = psi.iter().map(|c| c.norm_sqr()).sum::<f64>().sqrt();
        if norm < 1e-8 {
            return Err(Error::numerical(
                "stabilizer projection",
                "the projected vector vanished",
                "check the generators",
            ));
        }
        psi.iter_mut().for_each(|c| *c /= norm);
    }
    StateVector::new(n, psi)
}

/// Entanglement entropy (nats) of `region` in a normalized `2^n` state vector, by dense
/// diagonalization of the reduced density matrix of the smaller side.
fn state_vector_entropy(psi: &[C64], n: usize, region: &[usize]) -> Result<f64> {
    check_dense(n)?;
    if psi.len() != 1usize << n {
        return Err(Error::invalid("state vector", format!("length {}", psi.len()), format!("need 2^{n}")));
    }
    let in_a: Vec<bool> = (0..n).map(|q| region.contains(&q)).collect();
    let a: Vec<usize> = (0..n).filter(|&q| in_a[q]).collect();
    let b: Vec<usize> = (0..n).filter(|&q| !in_a[q]).collect();
    let (keep, rest) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let dk = 1usize << keep.len();
    let dr = 1usize << rest.len();
    // M[i][j] = psi(keep bits i, rest bits j)
    let mut m = vec![C64::new(0.0, 0.0); dk * dr];
    for (idx, &amp) in psi.iter().enumerate() {
        let i = keep.iter().enumerate().fold(0usize, |s, (k, &q)| s | (((idx >> q) & 1) << k));
        let j = rest.iter().enumerate().fold(0usize, |s, (k, &q)| s | (((idx >> q) & 1) << k));
        m[i * dr + j] = amp;
    }
    let mut rho = vec![C64::new(0.0, 0.0); dk * dk];
    for i in 0..dk {
        for k in i..dk {
            let s: C64 = (0..dr).map(|j| m[i * dr + j] * m[k * dr + j].conj()).sum();
            rho[i * dk + k] = s;
            rho[k * dk + i] = s.conj();
        }
    }
    let ev = linalg::eigvalsh_complex(dk, &rho)?;
    Ok(ev.into_iter().map(plogp).sum())
}
