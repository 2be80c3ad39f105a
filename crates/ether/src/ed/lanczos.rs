//! Matrix-free Lanczos for the few lowest eigenpairs of a Hermitian [`LinearOperator`].
//!
//! The recursion `β_{j+1} v_{j+1} = H v_j − α_j v_j − β_j v_{j−1}` builds the tridiagonal
//! matrix `T_m` whose eigenvalues (Ritz values) converge to the extreme eigenvalues of H.
//! A Ritz pair `(θ, s)` has residual `‖H x − θ x‖ = β_{m} |s_{m−1}|` (Paige); a value counts as
//! converged when that residual is below `tol · max(1, ‖T‖)`.
//!
//! Two memory regimes ([`Reorthogonalization`]):
//! - `Full`: every Lanczos vector is kept and each new one is orthogonalized against all of
//!   them twice ("twice is enough"). Robust for several low states; memory `m · dim`.
//! - `None`: the textbook three-vector recursion (memory `3 · dim` plus the start vector).
//!   Loss of orthogonality makes converged Ritz values reappear as copies ("ghosts"); copies
//!   that agree within the convergence tolerance are merged, so degenerate levels inside one
//!   sector are reported once. Eigenvectors are rebuilt by a second pass of the same
//!   (deterministic) recursion.
//!
//! `Auto` picks `Full` when `max_iter · dim` scalars fit in a quarter of the free memory.
//! Lanczos from a single start vector finds one vector per degenerate eigenspace: use the
//! symmetry sectors of [`crate::ed::basis`] to split degeneracies, or the dense oracle.

pub use crate::ed::operator::LinearOperator;
use crate::ed::operator::{axpy, dot, norm, scale, Scalar};
use crate::error::{available_memory_bytes, Error, Result};
use crate::linalg::C64;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A sink for progress messages of long runs ("Lanczos step 40: E0 ≈ …"). The default
/// discards them; the CLI shows them on a spinner.
#[derive(Clone, Default)]
pub struct Progress(Option<Sink>);

/// A shared message callback.
pub type Sink = Arc<dyn Fn(&str) + Send + Sync>;

impl Progress {
    /// Send every message to `f`.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Progress(Some(Arc::new(f)))
    }

    /// Report a message (nothing happens without a sink).
    pub fn say(&self, msg: impl FnOnce() -> String) {
        if let Some(f) = &self.0 {
            f(&msg());
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Progress(sink)" } else { "Progress(none)" })
    }
}

/// How Lanczos vectors are kept orthogonal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reorthogonalization {
    /// Three-vector recursion; ghosts merged; eigenvectors by a second pass.
    None,
    /// Keep every vector; full Gram-Schmidt twice per step.
    Full,
    /// `Full` if it fits in a quarter of the free memory, else `None`.
    Auto,
}

/// Options of [`lanczos`].
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanczosOptions {
    /// How many of the lowest (distinct) eigenvalues to converge.
    pub nev: usize,
    /// Relative residual tolerance: `‖H x − θ x‖ ≤ tol · max(1, ‖T‖)`.
    pub tol: f64,
    /// Maximum Krylov dimension.
    pub max_iter: usize,
    /// Reorthogonalization strategy.
    pub reorthogonalize: Reorthogonalization,
    /// Also return the eigenvectors.
    pub eigenvectors: bool,
    /// Seed of the random start vector.
    pub seed: u64,
    /// Where progress messages go (not part of a saved configuration).
    #[serde(skip)]
    pub progress: Progress,
}

impl Default for LanczosOptions {
    fn default() -> Self {
        LanczosOptions {
            nev: 1,
            tol: 1e-10,
            max_iter: 1000,
            reorthogonalize: Reorthogonalization::Auto,
            eigenvectors: false,
            seed: 0x5eed_1a9c_2050,
            progress: Progress::default(),
        }
    }
}

/// What [`lanczos`] found.
#[derive(Clone, Debug)]
pub struct LanczosResult<S> {
    /// The lowest distinct eigenvalues, ascending (at most `nev`; fewer only if the Krylov
    /// space closed with fewer distinct levels, see `exhausted`).
    pub eigenvalues: Vec<f64>,
    /// Residual norm bound `‖H x − θ x‖` of each value (from `T`, or measured when
    /// eigenvectors were requested).
    pub residuals: Vec<f64>,
    /// Every returned value met the tolerance.
    pub converged: bool,
    /// The Krylov space became invariant (β = 0): the values are exact for this start vector.
    pub exhausted: bool,
    /// Lanczos steps (= applications of H in the first pass).
    pub iterations: usize,
    /// Orthogonalization actually used.
    pub reorthogonalization: Reorthogonalization,
    /// Normalized eigenvectors, if requested (`eigenvectors[i]` belongs to `eigenvalues[i]`).
    pub eigenvectors: Option<Vec<Vec<S>>>,
}

/// The lowest `opts.nev` eigenvalues (and optionally eigenvectors) of `op`.
///
/// Errors: `nev == 0`, `nev > dim`, a non-finite number in the recursion, or no convergence
/// within `max_iter` steps (with the residuals reached in the message).
pub fn lanczos<A: LinearOperator>(op: &A, opts: &LanczosOptions) -> Result<LanczosResult<A::Scalar>> {
    let n = op.dim();
    if opts.nev == 0 || opts.nev > n {
        return Err(Error::invalid(
            "nev",
            opts.nev.to_string(),
            format!("ask for between 1 and {n} states (the dimension of this sector)"),
        ));
    }
    let start = random_vector::<A::Scalar>(n, opts.seed);
    lanczos_from(op, start, opts)
}

/// A normalized random vector from a seed (deterministic).
pub fn random_vector<S: Scalar>(n: usize, seed: u64) -> Vec<S> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut v: Vec<S> = (0..n).map(|_| S::random(&mut rng)).collect();
    let nv = norm(&v);
    scale(1.0 / nv, &mut v);
    v
}

/// Lanczos from a given start vector (normalized inside).
pub fn lanczos_from<A: LinearOperator>(
    op: &A,
    start: Vec<A::Scalar>,
    opts: &LanczosOptions,
) -> Result<LanczosResult<A::Scalar>> {
    match lanczos_run(op, start, opts, Control::default(), None)? {
        Outcome::Done(r) => Ok(r),
        _ => unreachable!("no control: the run ends only when converged"),
    }
}

/// The [`Control::enough`] test: the distinct Ritz values with residual bounds `(θ, r)`
/// (ascending) and the convergence threshold; true ends the run.
pub type EnoughTest<'a> = &'a dyn Fn(&[(f64, f64)], f64) -> bool;

/// A caller's say over a running Lanczos: stop it (to resume later), or end it early when
/// enough is known about the low end of the spectrum.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Polled every step; when it returns true the run stops and returns its state.
    pub should_stop: Option<&'a dyn Fn() -> bool>,
    /// Called at every convergence check with the distinct Ritz values and their residual
    /// bounds `(θ, r)` (ascending) and the convergence threshold; returning true ends the run
    /// with [`Outcome::Enough`].
    pub enough: Option<EnoughTest<'a>>,
    /// Called at every convergence check with the step, the lowest Ritz value and its residual.
    pub progress: Option<&'a dyn Fn(usize, f64, f64)>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("should_stop", &self.should_stop.is_some())
            .field("enough", &self.enough.is_some())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// The state of a three-vector Lanczos run between two steps: enough to continue it, bit for
/// bit, after an interruption (the start vector comes from the same seed).
#[derive(Clone, Debug, PartialEq)]
pub struct LanczosState<S> {
    /// α_0 .. α_{j−1}.
    pub alpha: Vec<f64>,
    /// β_1 .. β_j.
    pub beta: Vec<f64>,
    /// v_{j−1}.
    pub v_prev: Vec<S>,
    /// v_j.
    pub v: Vec<S>,
    /// The step of the next convergence check.
    pub check_at: usize,
}

impl<S: Scalar> LanczosState<S> {
    /// Little-endian bytes: counts, coefficients, then the two vectors (re, im for complex).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32 + 8 * (self.alpha.len() + self.beta.len()) + 32 * self.v.len());
        for x in [self.alpha.len(), self.beta.len(), self.v.len(), self.check_at] {
            out.extend_from_slice(&(x as u64).to_le_bytes());
        }
        for x in self.alpha.iter().chain(&self.beta) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        for v in [&self.v_prev, &self.v] {
            for z in v.iter() {
                let c = z.to_c64();
                out.extend_from_slice(&c.re.to_le_bytes());
                if S::COMPLEX {
                    out.extend_from_slice(&c.im.to_le_bytes());
                }
            }
        }
        out
    }

    /// The inverse of [`LanczosState::to_bytes`]; `None` if the bytes do not describe a state
    /// of dimension `n`.
    pub fn from_bytes(bytes: &[u8], n: usize) -> Option<Self> {
        let mut it = bytes.chunks_exact(8).map(|c| <[u8; 8]>::try_from(c).ok());
        let mut next_u = || it.next().flatten().map(u64::from_le_bytes);
        let (na, nb, nv, check_at) = (next_u()? as usize, next_u()? as usize, next_u()? as usize, next_u()? as usize);
        let per = if S::COMPLEX { 2 } else { 1 };
        if nv != n || bytes.len() != 8 * (4 + na + nb + 2 * per * n) {
            return None;
        }
        let f: Vec<f64> =
            bytes[32..].chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect();
        let (alpha, rest) = f.split_at(na);
        let (beta, rest) = rest.split_at(nb);
        let vec = |x: &[f64]| -> Option<Vec<S>> {
            x.chunks_exact(per).map(|c| S::from_c64(C64::new(c[0], if per == 2 { c[1] } else { 0.0 }))).collect()
        };
        let (vp, vv) = rest.split_at(per * n);
        Some(LanczosState { alpha: alpha.to_vec(), beta: beta.to_vec(), v_prev: vec(vp)?, v: vec(vv)?, check_at })
    }
}

/// How a controlled Lanczos run ended.
#[derive(Clone, Debug)]
pub enum Outcome<S> {
    /// Converged (or the Krylov space closed).
    Done(LanczosResult<S>),
    /// [`Control::enough`] ended it: the last distinct Ritz values with residual bounds, the
    /// threshold, and the number of steps.
    Enough {
        /// `(θ, r)` ascending.
        ritz: Vec<(f64, f64)>,
        /// The convergence threshold `tol · max(1, ‖T‖)`.
        threshold: f64,
        /// Steps taken.
        iterations: usize,
    },
    /// [`Control::should_stop`] stopped it; the state continues it (`None` with full
    /// reorthogonalization, which keeps every vector: such a run restarts).
    Stopped(Option<LanczosState<S>>),
}

/// Lanczos under a [`Control`], optionally continuing a stopped run (`resume`, a state of the
/// same operator, start vector and options). `start` is the start vector (also needed on
/// resume, for the eigenvector pass).
pub fn lanczos_run<A: LinearOperator>(
    op: &A,
    start: Vec<A::Scalar>,
    opts: &LanczosOptions,
    control: Control<'_>,
    resume: Option<LanczosState<A::Scalar>>,
) -> Result<Outcome<A::Scalar>> {
    let n = op.dim();
    let max_iter = opts.max_iter.clamp(1, n);
    let elem = std::mem::size_of::<A::Scalar>() as u64;
    let reorth = match opts.reorthogonalize {
        Reorthogonalization::Auto => {
            let need = (max_iter as u64 + 2) * n as u64 * elem;
            let avail = available_memory_bytes().unwrap_or(4 << 30);
            if need <= avail / 4 {
                Reorthogonalization::Full
            } else {
                Reorthogonalization::None
            }
        }
        r => r,
    };
    let full = reorth == Reorthogonalization::Full;
    let mut v = start;
    let nv = norm(&v);
    if !(nv.is_finite() && nv > 0.0) {
        return Err(Error::numerical("Lanczos", "the start vector is zero or not finite", "give a non-zero start"));
    }
    scale(1.0 / nv, &mut v);
    let v0 = if full { Vec::new() } else { v.clone() };

    let mut basis: Vec<Vec<A::Scalar>> = Vec::new();
    let mut alpha: Vec<f64> = Vec::new();
    let mut beta: Vec<f64> = Vec::new(); // beta[j] couples v_j and v_{j+1}
    let mut v_prev: Vec<A::Scalar> = vec![A::Scalar::ZERO; n];
    let mut w: Vec<A::Scalar> = vec![A::Scalar::ZERO; n];
    let mut exhausted = false;
    let mut last: Option<Ritz> = None;
    let mut check_at = 4usize;
    let mut first = 0;
    if let Some(st) = resume.filter(|st| !full && st.v.len() == n && st.alpha.len() == st.beta.len()) {
        first = st.alpha.len();
        alpha = st.alpha;
        beta = st.beta;
        v_prev = st.v_prev;
        v = st.v;
        check_at = st.check_at;
    }

    for j in first..max_iter {
        if j > first && control.should_stop.as_ref().is_some_and(|f| f()) {
            let state = (!full).then_some(LanczosState { alpha, beta, v_prev, v, check_at });
            return Ok(Outcome::Stopped(state));
        }
        op.apply(&v, &mut w);
        let a = dot(&v, &w).re();
        if !a.is_finite() {
            return Err(Error::numerical("Lanczos", "a non-finite number appeared", "check the operator"));
        }
        alpha.push(a);
        axpy(A::Scalar::from_f64(-a), &v, &mut w);
        if j > 0 {
            axpy(A::Scalar::from_f64(-beta[j - 1]), &v_prev, &mut w);
        }
        if full {
            basis.push(v.clone());
            for _ in 0..2 {
                for b in &basis {
                    let c = dot(b, &w);
                    axpy(-c, b, &mut w);
                }
            }
        }
        let b = norm(&w);
        let m = j + 1;
        let tnorm = alpha.iter().chain(beta.iter()).fold(0.0f64, |x, y| x.max(y.abs())).max(b);
        let breakdown = b <= 1e-13 * tnorm.max(1e-300) || m == n;
        if breakdown || m >= check_at || m == max_iter {
            let ritz = Ritz::compute(&alpha, &beta, b, opts.tol, full)?;
            if let Some(&(e0, r0, _)) = ritz.distinct.first() {
                opts.progress.say(|| format!("Lanczos step {m}: E0 ≈ {e0:.12}, residual {r0:.1e}"));
                if let Some(f) = control.progress {
                    f(m, e0, r0);
                }
            }
            let done = ritz.count_converged(opts.nev) >= opts.nev.min(ritz.distinct.len());
            let enough = ritz.distinct.len() >= opts.nev;
            if !(breakdown || done && enough) {
                if let Some(f) = &control.enough {
                    let view: Vec<(f64, f64)> = ritz.distinct.iter().map(|&(t, r, _)| (t, r)).collect();
                    if f(&view, ritz.threshold) {
                        return Ok(Outcome::Enough { ritz: view, threshold: ritz.threshold, iterations: m });
                    }
                }
            }
            last = Some(ritz);
            if breakdown {
                exhausted = true;
                break;
            }
            if done && enough {
                break;
            }
            check_at = m + (m / 8).max(4);
        }
        beta.push(b);
        std::mem::swap(&mut v_prev, &mut v);
        std::mem::swap(&mut v, &mut w);
        scale(1.0 / b, &mut v);
    }
    let ritz = last.expect("at least one check");
    let m = alpha.len();
    let k = opts.nev.min(ritz.distinct.len());
    let eigenvalues: Vec<f64> = ritz.distinct[..k].iter().map(|&(t, _, _)| t).collect();
    let mut residuals: Vec<f64> = ritz.distinct[..k].iter().map(|&(_, r, _)| r).collect();
    let converged = exhausted || residuals.iter().zip(&eigenvalues).all(|(&r, _)| r <= ritz.threshold);
    if !converged {
        let shown: Vec<String> = residuals.iter().map(|r| format!("{r:.1e}")).collect();
        return Err(Error::numerical(
            "Lanczos",
            format!(
                "{k} of the lowest states not converged after {m} steps (residuals {}, threshold {:.2e})",
                shown.join(", "),
                ritz.threshold
            ),
            "raise max_iter, loosen the tolerance, or use a smaller symmetry sector",
        ));
    }
    let eigenvectors = if opts.eigenvectors {
        let idx: Vec<usize> = ritz.distinct[..k].iter().map(|&(_, _, i)| i).collect();
        let coeff: Vec<Vec<f64>> = idx.iter().map(|&i| ritz.vectors[i].clone()).collect();
        let mut xs: Vec<Vec<A::Scalar>> = vec![vec![A::Scalar::ZERO; n]; k];
        if full {
            for (x, c) in xs.iter_mut().zip(&coeff) {
                for (jj, b) in basis.iter().enumerate() {
                    axpy(A::Scalar::from_f64(c[jj]), b, x);
                }
            }
        } else {
            // Second pass: the same recursion from the same start reproduces v_0..v_{m-1}.
            let mut v = v0;
            let mut v_prev = vec![A::Scalar::ZERO; n];
            let mut w = vec![A::Scalar::ZERO; n];
            for jj in 0..m {
                for (x, c) in xs.iter_mut().zip(&coeff) {
                    axpy(A::Scalar::from_f64(c[jj]), &v, x);
                }
                if jj + 1 == m {
                    break;
                }
                op.apply(&v, &mut w);
                axpy(A::Scalar::from_f64(-alpha[jj]), &v, &mut w);
                if jj > 0 {
                    axpy(A::Scalar::from_f64(-beta[jj - 1]), &v_prev, &mut w);
                }
                std::mem::swap(&mut v_prev, &mut v);
                std::mem::swap(&mut v, &mut w);
                scale(1.0 / beta[jj], &mut v);
            }
        }
        let mut hx = vec![A::Scalar::ZERO; n];
        for (i, x) in xs.iter_mut().enumerate() {
            let nx = norm(x);
            scale(1.0 / nx, x);
            op.apply(x, &mut hx);
            let theta = dot(x, &hx).re();
            axpy(A::Scalar::from_f64(-theta), x, &mut hx);
            residuals[i] = norm(&hx);
        }
        Some(xs)
    } else {
        None
    };
    Ok(Outcome::Done(LanczosResult {
        eigenvalues,
        residuals,
        converged,
        exhausted,
        iterations: m,
        reorthogonalization: reorth,
        eigenvectors,
    }))
}

/// Ritz values of the tridiagonal matrix with their residual bounds, ghosts merged.
struct Ritz {
    /// (value, residual, index into `vectors`) of the distinct values, ascending.
    distinct: Vec<(f64, f64, usize)>,
    /// Eigenvectors of T (coefficients over the Lanczos vectors).
    vectors: Vec<Vec<f64>>,
    /// Residual threshold `tol · max(1, ‖T‖)`.
    threshold: f64,
}

impl Ritz {
    fn compute(alpha: &[f64], beta: &[f64], b_next: f64, tol: f64, full: bool) -> Result<Ritz> {
        let (vals, vecs) = tridiagonal_eigh(alpha, beta)?;
        let m = alpha.len();
        let scale = vals.iter().fold(1.0f64, |x, v| x.max(v.abs()));
        let threshold = tol * scale;
        let mut distinct: Vec<(f64, f64, usize)> = Vec::new();
        for (i, &t) in vals.iter().enumerate() {
            let r = b_next * vecs[i][m - 1].abs();
            // Without reorthogonalization a converged value reappears as a ghost copy; merge
            // copies closer than the tolerance and keep the better-converged representative.
            let merge_tol = if full { 0.0 } else { (threshold * 10.0).max(1e-12 * scale) };
            if let Some(lastd) = distinct.last_mut() {
                if !full && (t - lastd.0).abs() <= merge_tol {
                    if r < lastd.1 {
                        *lastd = (t, r, i);
                    }
                    continue;
                }
            }
            distinct.push((t, r, i));
        }
        Ok(Ritz { distinct, vectors: vecs, threshold })
    }

    /// How many of the lowest `nev` distinct values are converged (counted from the bottom,
    /// stopping at the first unconverged one).
    fn count_converged(&self, nev: usize) -> usize {
        self.distinct.iter().take(nev).take_while(|d| d.1 <= self.threshold).count()
    }
}

/// Eigen-decomposition of the symmetric tridiagonal matrix (diagonal `alpha`, off-diagonal
/// `beta[..m-1]`) through the dense facade.
pub fn tridiagonal_eigh(alpha: &[f64], beta: &[f64]) -> Result<(Vec<f64>, Vec<Vec<f64>>)> {
    let m = alpha.len();
    let mut t = vec![0.0; m * m];
    for i in 0..m {
        t[i * m + i] = alpha[i];
        if i + 1 < m {
            t[i * m + i + 1] = beta[i];
            t[(i + 1) * m + i] = beta[i];
        }
    }
    f64::eigh(m, &t)
}

/// The Lanczos coefficients `α_0..α_{m−1}`, `β_1..β_{m−1}` of `op` started from `start`
/// (not normalized: its norm is returned too), without reorthogonalization — the input of
/// the continued-fraction Green's function. Stops early if the Krylov space closes.
pub fn lanczos_coefficients<A: LinearOperator>(
    op: &A,
    start: &[A::Scalar],
    m: usize,
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let n = op.dim();
    let mut v = start.to_vec();
    let nv = norm(&v);
    let mut alpha = Vec::new();
    let mut beta = Vec::new();
    if nv == 0.0 {
        return Ok((alpha, beta, 0.0));
    }
    scale(1.0 / nv, &mut v);
    let mut v_prev = vec![A::Scalar::ZERO; n];
    let mut w = vec![A::Scalar::ZERO; n];
    for j in 0..m.min(n) {
        op.apply(&v, &mut w);
        let a = dot(&v, &w).re();
        alpha.push(a);
        axpy(A::Scalar::from_f64(-a), &v, &mut w);
        if j > 0 {
            axpy(A::Scalar::from_f64(-beta[j - 1]), &v_prev, &mut w);
        }
        let b = norm(&w);
        if !b.is_finite() {
            return Err(Error::numerical("Lanczos", "a non-finite number appeared", "check the operator"));
        }
        if b <= 1e-12 * (a.abs() + 1.0) || j + 1 == m.min(n) {
            break;
        }
        beta.push(b);
        std::mem::swap(&mut v_prev, &mut v);
        std::mem::swap(&mut v, &mut w);
        scale(1.0 / b, &mut v);
    }
    Ok((alpha, beta, nv))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed::dense::dense_spectrum;
    use crate::ed::operator::SparseMatrix;
    use crate::linalg::C64;
    use rand::{RngExt, SeedableRng};

    /// A random sparse symmetric (Hermitian) matrix with about `per_row` entries per row.
    fn random_sparse<S: Scalar>(n: usize, per_row: usize, seed: u64) -> SparseMatrix<S> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut t = Vec::new();
        for i in 0..n {
            t.push((i, i, S::from_f64(rng.random::<f64>() * 4.0 - 2.0)));
            for _ in 0..per_row / 2 {
                let j = rng.random_range(0..n);
                if j == i {
                    continue;
                }
                let v = S::random(&mut rng);
                t.push((i, j, v));
                t.push((j, i, v.conj()));
            }
        }
        SparseMatrix::from_triplets(n, t)
    }

    fn check<S: Scalar>(n: usize, seed: u64, reorth: Reorthogonalization, nev: usize) {
        let a = random_sparse::<S>(n, 6, seed);
        let exact = dense_spectrum(&a).unwrap();
        let opts = LanczosOptions {
            nev,
            tol: 1e-11,
            max_iter: n,
            reorthogonalize: reorth,
            eigenvectors: true,
            ..Default::default()
        };
        let r = lanczos(&a, &opts).unwrap();
        assert!(r.converged);
        assert_eq!(r.eigenvalues.len(), nev);
        // Random matrices have simple spectra, so the distinct lowest values are the lowest.
        // Tolerance: residual 1e-11·‖H‖ bounds the eigenvalue error by its square over the gap
        // (well below 1e-9 here); 1e-9 leaves room for rounding.
        for (i, (&e, &x)) in r.eigenvalues.iter().zip(&exact).enumerate() {
            assert!((e - x).abs() < 1e-9, "{reorth:?} level {i}: lanczos {e} dense {x}");
        }
        for (i, x) in r.eigenvectors.as_ref().unwrap().iter().enumerate() {
            let mut y = vec![S::ZERO; n];
            a.apply(x, &mut y);
            axpy(S::from_f64(-r.eigenvalues[i]), x, &mut y);
            assert!(norm(&y) < 1e-7, "{reorth:?} eigenvector {i} residual {}", norm(&y));
        }
    }

    #[test]
    fn lanczos_matches_dense_on_random_sparse_real() {
        for seed in 0..3 {
            check::<f64>(300, seed, Reorthogonalization::Full, 4);
            check::<f64>(300, seed, Reorthogonalization::None, 3);
        }
    }

    #[test]
    fn lanczos_matches_dense_on_random_sparse_complex() {
        for seed in 10..12 {
            check::<C64>(200, seed, Reorthogonalization::Full, 4);
            check::<C64>(200, seed, Reorthogonalization::None, 2);
        }
    }

    #[test]
    fn a_stopped_run_resumes_to_the_same_bits() {
        // Stop after a few steps (three-vector recursion), round-trip the state through bytes,
        // resume: the same eigenvalues and eigenvectors as the uninterrupted run, bit for bit.
        let a = random_sparse::<C64>(300, 6, 21);
        let opts = LanczosOptions {
            nev: 2,
            tol: 1e-11,
            max_iter: 300,
            reorthogonalize: Reorthogonalization::None,
            eigenvectors: true,
            ..Default::default()
        };
        let start = || random_vector::<C64>(300, opts.seed);
        let whole = lanczos_from(&a, start(), &opts).unwrap();
        let steps = std::cell::Cell::new(0);
        let stop = || {
            steps.set(steps.get() + 1);
            steps.get() > 17
        };
        let control = Control { should_stop: Some(&stop), ..Default::default() };
        let Outcome::Stopped(Some(state)) = lanczos_run(&a, start(), &opts, control, None).unwrap() else {
            panic!("the run should stop")
        };
        assert_eq!(state.alpha.len(), 18);
        let back = LanczosState::<C64>::from_bytes(&state.to_bytes(), 300).unwrap();
        assert_eq!(back, state);
        assert!(LanczosState::<C64>::from_bytes(&state.to_bytes(), 299).is_none(), "wrong dimension refused");
        let Outcome::Done(resumed) = lanczos_run(&a, start(), &opts, Control::default(), Some(back)).unwrap() else {
            panic!("the resumed run converges")
        };
        assert_eq!(resumed.eigenvalues, whole.eigenvalues);
        assert_eq!(resumed.eigenvectors, whole.eigenvectors);
        assert_eq!(resumed.iterations, whole.iterations);
    }

    #[test]
    fn deterministic_and_exhausts_small_spaces() {
        let a = random_sparse::<f64>(40, 4, 7);
        let opts = LanczosOptions { nev: 3, ..Default::default() };
        let r1 = lanczos(&a, &opts).unwrap();
        let r2 = lanczos(&a, &opts).unwrap();
        assert_eq!(r1.eigenvalues, r2.eigenvalues, "same seed, same bits");
        // A 2x2 block: the Krylov space closes after 2 steps.
        let b = SparseMatrix::from_triplets(2, vec![(0, 0, 1.0), (0, 1, 2.0), (1, 0, 2.0), (1, 1, -1.0)]);
        let r = lanczos(&b, &LanczosOptions { nev: 2, ..Default::default() }).unwrap();
        assert!(r.exhausted);
        let s5 = 5f64.sqrt();
        assert!((r.eigenvalues[0] + s5).abs() < 1e-13 && (r.eigenvalues[1] - s5).abs() < 1e-13);
        assert!(lanczos(&b, &LanczosOptions { nev: 3, ..Default::default() }).is_err(), "nev > dim");
    }
}
