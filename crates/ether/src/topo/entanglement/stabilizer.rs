//! Stabilizer groups as bit-packed binary symplectic vectors, and their exact entropies.
//!
//! A Pauli string on `n` qubits is a binary vector of length `2n`. ether interleaves the two
//! halves qubit by qubit, bit `2j` = X part and bit `2j + 1` = Z part of qubit `j`, so that a
//! generator that is local on the lattice is also local in column order. Rows are packed in
//! `u64` words and eliminated by XOR.
//!
//! **Entropy of a region** (topological-order note, C.3). For a stabilizer state of `n`
//! qubits with group `S` (`|S| = 2^n`) and a region `A`,
//!
//! `S_A = rank_GF(2)(G|_A) − |A|` bits,
//!
//! where `G|_A` is any generating set of `S` restricted to the `2|A|` columns of `A`. The rank
//! is that of the image of `S` under restriction, so redundant generators do no harm, and only
//! generators that touch `A` contribute a non-zero row. The derivation: the kernel of the
//! restriction to `A` is `S_B` (elements supported on the complement), so
//! `rank = n − log2|S_B| = n − (|B| − S_B) = S_A + |A|`.
//!
//! **Ground-state degeneracy.** For a commuting set of checks of rank `r` on `n` qubits the
//! code space has `2^(n−r)` states; equivalently there are `2(n−r)` independent logical
//! operators (Paulis that commute with every check but are not products of checks). Both
//! counts are computed ([`StabilizerGroup::logical_qubits`],
//! [`StabilizerGroup::independent_logicals`]) and checked against each other.
//!
//! **Elimination.** The ranks are those of [`crate::topo::gf2::BitMatrix`], the banded heap
//! elimination shared with the statistics checks: for local generators in a locality order
//! each XOR touches a few words, which makes the rank of `32 768` toric-code checks a matter of
//! milliseconds while the matrix never exists densely.

use crate::error::{Error, Result};
use crate::topo::gf2::BitMatrix;

/// A single-qubit Pauli operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pauli {
    /// σ^x.
    X,
    /// σ^y (= i σ^x σ^z).
    Y,
    /// σ^z.
    Z,
}

impl Pauli {
    /// The (x, z) bits of the symplectic representation.
    pub fn bits(self) -> (bool, bool) {
        match self {
            Pauli::X => (true, false),
            Pauli::Y => (true, true),
            Pauli::Z => (false, true),
        }
    }
}

/// A Pauli string with sign +1: a list of `(qubit, Pauli)` with distinct qubits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PauliString {
    /// The non-identity factors, sorted by qubit.
    pub ops: Vec<(usize, Pauli)>,
}

impl PauliString {
    /// A Pauli string from its factors (sorted here; a repeated qubit is an error).
    pub fn new(mut ops: Vec<(usize, Pauli)>) -> Result<Self> {
        ops.sort_by_key(|o| o.0);
        for w in ops.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(Error::invalid(
                    "Pauli string",
                    format!("qubit {} appears twice", w[0].0),
                    "multiply the factors first; give each qubit once",
                ));
            }
        }
        Ok(PauliString { ops })
    }

    /// The product of one Pauli type on a set of qubits (e.g. a star `Π σ^x`).
    pub fn uniform(qubits: &[usize], p: Pauli) -> Result<Self> {
        PauliString::new(qubits.iter().map(|&q| (q, p)).collect())
    }

    /// Whether two Pauli strings commute (symplectic product zero).
    pub fn commutes_with(&self, other: &PauliString) -> bool {
        let (mut i, mut j, mut anti) = (0, 0, false);
        while i < self.ops.len() && j < other.ops.len() {
            let (qa, pa) = self.ops[i];
            let (qb, pb) = other.ops[j];
            if qa < qb {
                i += 1;
            } else if qb < qa {
                j += 1;
            } else {
                let (xa, za) = pa.bits();
                let (xb, zb) = pb.bits();
                anti ^= (xa & zb) ^ (za & xb);
                i += 1;
                j += 1;
            }
        }
        !anti
    }

    /// Largest qubit index + 1 (0 for the identity).
    pub fn span(&self) -> usize {
        self.ops.last().map_or(0, |o| o.0 + 1)
    }
}

/// A set of commuting Pauli checks on `n` qubits, with the index of the checks touching each
/// qubit. When the checks generate a group of `2^n` elements it fixes one state (a
/// *stabilizer state*) and [`StabilizerState::entropy_bits`] applies.
#[derive(Clone, Debug)]
pub struct StabilizerGroup {
    n_qubits: usize,
    generators: Vec<PauliString>,
    by_qubit: Vec<Vec<u32>>,
    /// Column position of each qubit (a locality order; identity if `None`).
    order: Option<Vec<u32>>,
}

impl StabilizerGroup {
    /// A group from its generators; checks that they act on qubits `< n` and commute pairwise
    /// (each pair that shares a qubit is tested).
    pub fn new(n_qubits: usize, generators: Vec<PauliString>) -> Result<Self> {
        let mut by_qubit: Vec<Vec<u32>> = vec![Vec::new(); n_qubits];
        for (g, s) in generators.iter().enumerate() {
            if s.span() > n_qubits {
                return Err(Error::invalid(
                    "stabilizer generator",
                    format!("acts on qubit {} of {n_qubits}", s.span() - 1),
                    "give qubit indices below the number of qubits",
                ));
            }
            for &(q, _) in &s.ops {
                by_qubit[q].push(g as u32);
            }
        }
        let grp = StabilizerGroup { n_qubits, generators, by_qubit, order: None };
        grp.check_commuting()?;
        Ok(grp)
    }

    /// Set the column order of the qubits used by the eliminations (a permutation of
    /// `0..n`). Ranks do not depend on it; speed does: on a torus, numbering the slowest axis
    /// "folded" (`0, L−1, 1, L−2, …`) keeps every check local in column order, so no check
    /// wraps around the whole matrix (see `models::folded_order`).
    pub fn with_order(mut self, order: Vec<u32>) -> Result<Self> {
        let mut seen = vec![false; self.n_qubits];
        if order.len() != self.n_qubits
            || order.iter().any(|&o| (o as usize) >= self.n_qubits || std::mem::replace(&mut seen[o as usize], true))
        {
            return Err(Error::invalid(
                "qubit order",
                format!("{} entries", order.len()),
                "give a permutation of 0..n",
            ));
        }
        self.order = Some(order);
        Ok(self)
    }

    fn col(&self, q: usize) -> usize {
        self.order.as_ref().map_or(q, |o| o[q] as usize)
    }

    fn check_commuting(&self) -> Result<()> {
        let mut seen: Vec<u32> = Vec::new();
        for (g, s) in self.generators.iter().enumerate() {
            seen.clear();
            for &(q, _) in &s.ops {
                seen.extend(self.by_qubit[q].iter().copied().filter(|&h| (h as usize) > g));
            }
            seen.sort_unstable();
            seen.dedup();
            for &h in &seen {
                if !s.commutes_with(&self.generators[h as usize]) {
                    return Err(Error::Invariant(format!(
                        "stabilizer generators {g} and {h} anticommute; a stabilizer group must be abelian"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Number of qubits.
    pub fn n_qubits(&self) -> usize {
        self.n_qubits
    }

    /// The generators.
    pub fn generators(&self) -> &[PauliString] {
        &self.generators
    }

    /// Rank over GF(2) of all generators (the number of independent checks).
    pub fn rank(&self) -> usize {
        let mut m = BitMatrix::new(2 * self.n_qubits);
        let mut cols = Vec::new();
        for s in &self.generators {
            cols.clear();
            for &(q, p) in &s.ops {
                push_bits(&mut cols, self.col(q), p);
            }
            m.push_columns(&cols);
        }
        m.rank()
    }

    /// Logical qubits `k = n − rank`: the code space has dimension `2^k`, so the ground-state
    /// degeneracy of `H = −Σ checks` is `2^k`.
    pub fn logical_qubits(&self) -> usize {
        self.n_qubits - self.rank()
    }

    /// Check that every candidate logical operator commutes with every generator, then return
    /// the number of them that are independent modulo the group:
    /// `rank(S ∪ L) − rank(S)`. With a complete set of logicals this is `2k`.
    pub fn independent_logicals(&self, logicals: &[PauliString]) -> Result<usize> {
        for (i, l) in logicals.iter().enumerate() {
            for (g, s) in self.generators.iter().enumerate() {
                if !l.commutes_with(s) {
                    return Err(Error::Invariant(format!(
                        "logical operator {i} anticommutes with generator {g}: it is not a logical operator"
                    )));
                }
            }
        }
        let mut all = self.generators.clone();
        all.extend(logicals.iter().cloned());
        let ext = StabilizerGroup {
            n_qubits: self.n_qubits,
            generators: all,
            by_qubit: Vec::new(),
            order: self.order.clone(),
        };
        Ok(ext.rank() - self.rank())
    }

    /// Whether the group fixes a single state (rank `n`).
    pub fn is_state(&self) -> bool {
        self.rank() == self.n_qubits
    }

    /// The group enlarged by more commuting generators (e.g. logical operators that pick one
    /// ground state out of the code space).
    pub fn with_generators(&self, extra: Vec<PauliString>) -> Result<Self> {
        let mut all = self.generators.clone();
        all.extend(extra);
        let g = StabilizerGroup::new(self.n_qubits, all)?;
        match &self.order {
            Some(o) => g.with_order(o.clone()),
            None => Ok(g),
        }
    }

    /// Entanglement entropy of `region` in bits, `rank(G|_A) − |A|` (note C.3). The group must
    /// fix a state (checked by the caller with [`StabilizerGroup::is_state`]; see
    /// [`StabilizerState`]). The region is a list of distinct qubits.
    pub fn restricted_rank(&self, region: &[usize]) -> Result<usize> {
        let mut local = vec![u32::MAX; self.n_qubits];
        // Local columns follow the group's locality order.
        let mut sorted: Vec<usize> = region.to_vec();
        sorted.sort_by_key(|&q| if q < self.n_qubits { self.col(q) } else { q });
        for (k, &q) in sorted.iter().enumerate() {
            if q >= self.n_qubits {
                return Err(Error::invalid(
                    "region",
                    format!("qubit {q} of {}", self.n_qubits),
                    "regions must list qubits of the system",
                ));
            }
            if local[q] != u32::MAX {
                return Err(Error::invalid("region", format!("qubit {q} listed twice"), "list each qubit once"));
            }
            local[q] = k as u32;
        }
        let mut touching: Vec<u32> = region.iter().flat_map(|&q| self.by_qubit[q].iter().copied()).collect();
        touching.sort_unstable();
        touching.dedup();
        let mut m = BitMatrix::new(2 * region.len());
        let mut cols = Vec::new();
        for &g in &touching {
            cols.clear();
            for &(q, p) in &self.generators[g as usize].ops {
                let k = local[q];
                if k != u32::MAX {
                    push_bits(&mut cols, k as usize, p);
                }
            }
            m.push_columns(&cols);
        }
        Ok(m.rank())
    }
}

fn push_bits(cols: &mut Vec<usize>, q: usize, p: Pauli) {
    let (x, z) = p.bits();
    if x {
        cols.push(2 * q);
    }
    if z {
        cols.push(2 * q + 1);
    }
}

/// A stabilizer state: a [`StabilizerGroup`] of full rank `n` (checked at construction).
#[derive(Clone, Debug)]
pub struct StabilizerState {
    group: StabilizerGroup,
}

impl StabilizerState {
    /// Wrap a group; fails unless its rank is the number of qubits.
    pub fn new(group: StabilizerGroup) -> Result<Self> {
        let r = group.rank();
        if r != group.n_qubits() {
            return Err(Error::invalid(
                "stabilizer state",
                format!("{r} independent generators on {} qubits", group.n_qubits()),
                "a state needs n independent generators: add logical operators to fix the code space",
            ));
        }
        Ok(StabilizerState { group })
    }

    /// The group.
    pub fn group(&self) -> &StabilizerGroup {
        &self.group
    }

    /// Number of qubits.
    pub fn n_qubits(&self) -> usize {
        self.group.n_qubits()
    }

    /// Entanglement entropy of a region in bits: `rank(G|_A) − |A|` (note C.3).
    pub fn entropy_bits(&self, region: &[usize]) -> Result<usize> {
        let r = self.group.restricted_rank(region)?;
        Ok(r - region.len())
    }

    /// Entanglement entropy of a region in nats.
    pub fn entropy(&self, region: &[usize]) -> Result<f64> {
        Ok(self.entropy_bits(region)? as f64 * std::f64::consts::LN_2)
    }
}

impl super::QubitState for StabilizerState {
    fn n_qubits(&self) -> usize {
        self.group.n_qubits()
    }
    fn entropy(&self, region: &[usize]) -> Result<f64> {
        StabilizerState::entropy(self, region)
    }
    fn exact_bits(&self, region: &[usize]) -> Option<Result<usize>> {
        Some(self.entropy_bits(region))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anticommuting_generators_are_rejected() {
        let x = PauliString::uniform(&[0, 1], Pauli::X).unwrap();
        let z = PauliString::uniform(&[1], Pauli::Z).unwrap();
        assert!(StabilizerGroup::new(2, vec![x, z]).is_err());
        assert!(PauliString::new(vec![(0, Pauli::X), (0, Pauli::Z)]).is_err());
    }

    #[test]
    fn bell_pair_has_one_bit() {
        let xx = PauliString::uniform(&[0, 1], Pauli::X).unwrap();
        let zz = PauliString::uniform(&[0, 1], Pauli::Z).unwrap();
        let st = StabilizerState::new(StabilizerGroup::new(2, vec![xx, zz]).unwrap()).unwrap();
        assert_eq!(st.entropy_bits(&[0]).unwrap(), 1);
        assert_eq!(st.entropy_bits(&[1]).unwrap(), 1);
        assert_eq!(st.entropy_bits(&[0, 1]).unwrap(), 0);
        assert_eq!(st.entropy_bits(&[]).unwrap(), 0);
    }
}
