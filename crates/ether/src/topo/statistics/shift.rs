//! Signed shifts: the operators `c · S^n · (−1)^{s·L}` on link-variable configurations.
//!
//! `S^n` raises the integer link variable `L_l` by `n_l` on every link (`S = e^{iθ}` of a rotor,
//! `L = −i∂_θ`), `(−1)^{s·L}` is the parity of the links in the set `s`, and `c = ±1`. Acting on a
//! configuration, `U|L⟩ = c (−1)^{s·L} |L + n⟩`. Hops, twisted plaquettes, Gauss parities and their
//! products are all of this form, and the set is closed under products:
//!
//! `(c₁ S^{n₁} P^{s₁})(c₂ S^{n₂} P^{s₂}) = c₁c₂ (−1)^{s₁·n₂} S^{n₁+n₂} P^{s₁⊕s₂}`
//!
//! because `P^s S^n = (−1)^{s·n} S^n P^s`. Two signed shifts therefore commute up to the sign
//! `(−1)^{s₁·n₂ + s₂·n₁}` (rotor note, section 3.2). Reducing `n` modulo an even N gives the same
//! algebra for Z_N clock variables (Z₂: `S → X`, `P → Z`).

/// An operator `sign · S^shift · (−1)^{parity·L}` (sparse: sorted link lists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedShift {
    /// The overall sign c = ±1.
    pub sign: i8,
    /// Non-zero shifts `(link, n_l)`, sorted by link.
    shift: Vec<(usize, i64)>,
    /// Links whose parity `(−1)^{L_l}` is a factor, sorted.
    parity: Vec<usize>,
}

impl SignedShift {
    /// The identity operator.
    pub fn identity() -> Self {
        SignedShift { sign: 1, shift: Vec::new(), parity: Vec::new() }
    }

    /// `sign · S^shift · (−1)^{parity·L}` from unsorted lists (repeated links add up / cancel).
    pub fn new(sign: i8, shift: &[(usize, i64)], parity: &[usize]) -> Self {
        let mut sh: Vec<(usize, i64)> = Vec::new();
        let mut s = shift.to_vec();
        s.sort_by_key(|x| x.0);
        for (l, n) in s {
            match sh.last_mut() {
                Some(last) if last.0 == l => last.1 += n,
                _ => sh.push((l, n)),
            }
        }
        sh.retain(|x| x.1 != 0);
        let mut p = parity.to_vec();
        p.sort_unstable();
        let mut par: Vec<usize> = Vec::new();
        for l in p {
            if par.last() == Some(&l) {
                par.pop();
            } else {
                par.push(l);
            }
        }
        SignedShift { sign: if sign < 0 { -1 } else { 1 }, shift: sh, parity: par }
    }

    /// A pure parity operator `(−1)^{Σ_{l∈set} L_l}`.
    pub fn parity_of(set: &[usize]) -> Self {
        SignedShift::new(1, &[], set)
    }

    /// The shift vector (sorted, non-zero entries).
    pub fn shift(&self) -> &[(usize, i64)] {
        &self.shift
    }

    /// The parity set (sorted).
    pub fn parity(&self) -> &[usize] {
        &self.parity
    }

    /// Every link the operator touches (shift or parity), sorted, without repeats.
    pub fn support(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.shift.iter().map(|x| x.0).chain(self.parity.iter().copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// True if the operator is `±1` (no shift, no parity factor).
    pub fn is_scalar(&self) -> bool {
        self.shift.is_empty() && self.parity.is_empty()
    }

    /// `(−1)^{s·n}` with `s` a parity set and `n` a shift: the sign of moving `P^s` past `S^n`.
    fn parity_dot_shift(parity: &[usize], shift: &[(usize, i64)]) -> i64 {
        let (mut i, mut j, mut acc) = (0, 0, 0i64);
        while i < parity.len() && j < shift.len() {
            match parity[i].cmp(&shift[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    acc += shift[j].1.rem_euclid(2);
                    i += 1;
                    j += 1;
                }
            }
        }
        acc % 2
    }

    /// The product `self · other` (apply `other` first).
    pub fn mul(&self, other: &SignedShift) -> SignedShift {
        let cross = Self::parity_dot_shift(&self.parity, &other.shift);
        let sign = self.sign * other.sign * if cross == 1 { -1 } else { 1 };
        let mut shift = self.shift.clone();
        shift.extend_from_slice(&other.shift);
        let mut parity = self.parity.clone();
        parity.extend_from_slice(&other.parity);
        SignedShift::new(sign, &shift, &parity)
    }

    /// The inverse (= adjoint: signed shifts are unitary on unbounded rotors).
    pub fn inverse(&self) -> SignedShift {
        // (c S^n P^s)^{-1} = P^s S^{-n} c = c (−1)^{s·n} S^{-n} P^s
        let cross = Self::parity_dot_shift(&self.parity, &self.shift);
        let shift: Vec<(usize, i64)> = self.shift.iter().map(|&(l, n)| (l, -n)).collect();
        SignedShift { sign: self.sign * if cross == 1 { -1 } else { 1 }, shift, parity: self.parity.clone() }
    }

    /// The commutation sign ε with `self · other = ε · other · self`.
    pub fn commutation_sign(&self, other: &SignedShift) -> i8 {
        let k = Self::parity_dot_shift(&self.parity, &other.shift) + Self::parity_dot_shift(&other.parity, &self.shift);
        if k % 2 == 0 {
            1
        } else {
            -1
        }
    }

    /// The image in Z_N clock variables (shifts taken modulo the even number `n`).
    pub fn modulo(&self, n: i64) -> SignedShift {
        let shift: Vec<(usize, i64)> = self.shift.iter().map(|&(l, k)| (l, k.rem_euclid(n))).collect();
        SignedShift::new(self.sign, &shift, &self.parity)
    }

    /// Act on a configuration in place: `L → L + n`; returns the sign `c (−1)^{s·L}` (old L).
    pub fn apply(&self, config: &mut [i64]) -> i8 {
        let mut k = 0i64;
        for &l in &self.parity {
            k += config[l].rem_euclid(2);
        }
        for &(l, n) in &self.shift {
            config[l] += n;
        }
        self.sign * if k % 2 == 0 { 1 } else { -1 }
    }

    /// Act on a Z₂ configuration stored as bits (needs fewer than 64 links and a Z₂ image):
    /// returns the new bits and the sign.
    pub fn apply_bits(&self, bits: u64) -> (u64, i8) {
        let mut k = 0u32;
        for &l in &self.parity {
            k += ((bits >> l) & 1) as u32;
        }
        let mut out = bits;
        for &(l, n) in &self.shift {
            if n.rem_euclid(2) == 1 {
                out ^= 1u64 << l;
            }
        }
        (out, self.sign * if k % 2 == 0 { 1 } else { -1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: apply operators to explicit configurations and compare with the product rule.
    #[test]
    fn product_rule_matches_action_on_configurations() {
        let a = SignedShift::new(1, &[(0, 1), (2, -1)], &[1, 3]);
        let b = SignedShift::new(-1, &[(1, 1), (3, 2)], &[0, 2]);
        let ab = a.mul(&b);
        for seed in 0..50i64 {
            let cfg: Vec<i64> = (0..4).map(|i| (seed * 7 + i * 13) % 5 - 2).collect();
            let mut c1 = cfg.clone();
            let s1 = b.apply(&mut c1);
            let s2 = a.apply(&mut c1);
            let mut c2 = cfg.clone();
            let s3 = ab.apply(&mut c2);
            assert_eq!(c1, c2);
            assert_eq!(s1 * s2, s3);
            // inverse undoes
            let mut c3 = c2.clone();
            let s4 = ab.inverse().apply(&mut c3);
            assert_eq!(c3, cfg);
            assert_eq!(s3 * s4, 1);
        }
        // commutation sign: a·b vs b·a
        let ba = b.mul(&a);
        assert_eq!(ab.sign * ba.sign, a.commutation_sign(&b));
        assert!(a.mul(&a.inverse()).is_scalar() && a.mul(&a.inverse()).sign == 1);
    }
}
