//! Levels of a sector and of the whole Hilbert space (sector by sector), with the choice
//! between the dense oracle (small sectors: exact, with multiplicities) and Lanczos.

use crate::ed::basis::{Sector, SpinBasis};
use crate::ed::dense::dense_eigh;
use crate::ed::lanczos::{
    lanczos_run, random_vector, Control, LanczosOptions, LanczosState, Outcome, Progress, Reorthogonalization,
};
use crate::ed::operator::LinearOperator;
use crate::ed::spin::{needs_complex, SpinHamiltonian, SpinTerms, Storage};
use crate::error::{Error, Result};
use crate::linalg::C64;
use serde::{Deserialize, Serialize};

/// Sectors up to this dimension are diagonalized densely (all levels, exact multiplicities).
pub const DENSE_BELOW: usize = 400;

/// Several levels of sectors up to this dimension use full reorthogonalization.
pub const FULL_REORTH_BELOW: usize = 5000;

/// How to solve a sector.
#[derive(Clone, Debug)]
pub struct SolveOptions {
    /// Number of lowest levels.
    pub nev: usize,
    /// Lanczos residual tolerance (relative).
    pub tol: f64,
    /// Use the dense oracle up to this dimension.
    pub dense_below: usize,
    /// Operator storage.
    pub storage: Storage,
    /// Return eigenvectors.
    pub eigenvectors: bool,
    /// Where progress messages of long runs go.
    pub progress: Progress,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            nev: 1,
            tol: 1e-10,
            dense_below: DENSE_BELOW,
            storage: Storage::Auto,
            eigenvectors: false,
            progress: Progress::default(),
        }
    }
}

/// The levels of one sector (fields in alphabetical order, the order of the result documents).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Set when the solve stopped early because every further level of the sector lies above
    /// the whole-space search's current bound: the lowest unlisted level lies above this.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub above: Option<f64>,
    /// Every energy met the tolerance.
    pub converged: bool,
    /// Sector dimension.
    pub dimension: usize,
    /// Lowest energies, ascending.
    pub energies: Vec<f64>,
    /// Lanczos steps (0 for dense).
    pub iterations: usize,
    /// "dense" or "lanczos".
    pub method: String,
    /// Sectors with the same spectrum by symmetry (spin flip S^z → −S^z, point group k → Rk),
    /// whose levels are these; not solved separately.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub partners: Vec<String>,
    /// Residual norms `‖H x − E x‖` (bounds).
    pub residuals: Vec<f64>,
    /// Quantum numbers, e.g. `sz=0,k=0,parity=1`.
    pub sector: String,
}

/// Eigenvectors of a sector, real or complex.
#[derive(Clone, Debug)]
pub enum Vectors {
    /// Real sector.
    Real(Vec<Vec<f64>>),
    /// Complex sector.
    Complex(Vec<Vec<C64>>),
}

/// Levels and (if requested) eigenvectors of one operator.
pub type SolveOutput<S> = (Levels, Option<Vec<Vec<S>>>);

/// How a controlled solve ended (see [`solve_operator_with`]).
#[derive(Debug)]
pub enum Solved<S> {
    /// The levels asked for (with eigenvectors if requested).
    Done(Levels, Option<Vec<Vec<S>>>),
    /// [`Control::enough`] ended the run: the converged levels below its bound (possibly none),
    /// `above` set to the lower estimate of the next level.
    Enough(Levels),
    /// Interrupted; the state continues it (None: restart).
    Stopped(Option<LanczosState<S>>),
}

/// Solve a generic operator: dense below the threshold, Lanczos above.
pub fn solve_operator<A: LinearOperator>(op: &A, label: &str, o: &SolveOptions) -> Result<SolveOutput<A::Scalar>> {
    match solve_operator_with(op, label, o, Control::default(), None)? {
        Solved::Done(l, v) => Ok((l, v)),
        _ => unreachable!("no control: the solve ends only when converged"),
    }
}

/// [`solve_operator`] under a [`Control`], optionally resuming an interrupted Lanczos run.
pub fn solve_operator_with<A: LinearOperator>(
    op: &A,
    label: &str,
    o: &SolveOptions,
    control: Control<'_>,
    resume: Option<LanczosState<A::Scalar>>,
) -> Result<Solved<A::Scalar>> {
    let dim = op.dim();
    if o.nev == 0 || o.nev > dim {
        return Err(Error::invalid(
            "nev",
            o.nev.to_string(),
            format!("sector {label} has only {dim} states: ask for at most {dim}"),
        ));
    }
    let levels = |energies: Vec<f64>, residuals: Vec<f64>, iterations: usize, method: &str| Levels {
        sector: label.into(),
        dimension: dim,
        energies,
        converged: true,
        residuals,
        iterations,
        method: method.into(),
        partners: Vec::new(),
        above: None,
    };
    // Many levels of a moderate sector (e.g. the full spectrum): dense keeps multiplicities.
    if dim <= o.dense_below || (o.nev * 4 > dim && dim <= crate::ed::dense::MAX_DENSE_DIM) {
        let (vals, vecs) = dense_eigh(op)?;
        let v = o.eigenvectors.then(|| vecs[..o.nev].to_vec());
        return Ok(Solved::Done(levels(vals[..o.nev].to_vec(), vec![0.0; o.nev], 0, "dense"), v));
    }
    let lo = LanczosOptions {
        nev: o.nev,
        tol: o.tol,
        max_iter: 3000,
        // Full reorthogonalization costs 2 m·dim per step against ~10 dim for a product: only
        // for small sectors; above, the three-vector recursion with ghost copies merged.
        reorthogonalize: if o.nev == 1 || dim > FULL_REORTH_BELOW {
            Reorthogonalization::None
        } else {
            Reorthogonalization::Auto
        },
        eigenvectors: o.eigenvectors,
        progress: o.progress.clone(),
        ..Default::default()
    };
    let start = random_vector::<A::Scalar>(dim, lo.seed);
    Ok(match lanczos_run(op, start, &lo, control, resume)? {
        Outcome::Done(r) => {
            let mut l = levels(r.eigenvalues, r.residuals, r.iterations, "lanczos");
            l.converged = r.converged;
            Solved::Done(l, r.eigenvectors)
        }
        Outcome::Enough { ritz, threshold, iterations } => {
            // The converged values at the bottom are levels; the first unconverged or excluded
            // one bounds the rest from below (θ − r).
            let mut l = levels(Vec::new(), Vec::new(), iterations, "lanczos");
            for &(t, r) in &ritz {
                if r > threshold || l.energies.len() >= o.nev {
                    l.above = Some(t - r);
                    break;
                }
                l.energies.push(t);
                l.residuals.push(r);
            }
            Solved::Enough(l)
        }
        Outcome::Stopped(state) => Solved::Stopped(state),
    })
}

/// Build the sector operator (real or complex as needed) and solve it.
pub fn spin_sector(terms: &SpinTerms, sector: &Sector, o: &SolveOptions) -> Result<(Levels, Option<Vectors>)> {
    terms.check_sector(sector)?;
    let basis = SpinBasis::new(&terms.lattice, sector, terms.conserves_sz())?;
    spin_sector_in(terms, basis, o)
}

/// Solve a sector whose basis is already built.
pub fn spin_sector_in(terms: &SpinTerms, basis: SpinBasis, o: &SolveOptions) -> Result<(Levels, Option<Vectors>)> {
    match spin_sector_with(terms, basis, o, Control::default(), None)? {
        SectorSolved::Done(l, v) => Ok((l, v)),
        _ => unreachable!("no control: the solve ends only when converged"),
    }
}

/// How a controlled sector solve ended (see [`spin_sector_with`]).
#[derive(Debug)]
pub enum SectorSolved {
    /// The levels (and eigenvectors if requested).
    Done(Levels, Option<Vectors>),
    /// Ended early by [`Control::enough`] (see [`Solved::Enough`]).
    Enough(Levels),
    /// Interrupted: the Lanczos state as bytes ([`LanczosState::to_bytes`]) to resume from,
    /// if the run can be continued.
    Stopped(Option<Vec<u8>>),
}

/// Solve a sector under a [`Control`], optionally resuming from the bytes of a stopped run of
/// the same sector and options.
pub fn spin_sector_with(
    terms: &SpinTerms,
    basis: SpinBasis,
    o: &SolveOptions,
    control: Control<'_>,
    resume: Option<&[u8]>,
) -> Result<SectorSolved> {
    let sector = &basis.sector.clone();
    let label = sector.label(terms.lattice.n_sites());
    if basis.dim() == 0 {
        return Err(Error::invalid("sector", label, "this sector has no states on this lattice"));
    }
    o.progress.say(|| format!("{} states: building the sector Hamiltonian", basis.dim()));
    let dim = basis.dim();
    fn finish<S: crate::ed::operator::Scalar>(r: Solved<S>, wrap: fn(Vec<Vec<S>>) -> Vectors) -> SectorSolved {
        match r {
            Solved::Done(l, v) => SectorSolved::Done(l, v.map(wrap)),
            Solved::Enough(l) => SectorSolved::Enough(l),
            Solved::Stopped(st) => SectorSolved::Stopped(st.map(|s| s.to_bytes())),
        }
    }
    // A stop during the row-cache build keeps what was kept before (a saved Lanczos state).
    let stop = || control.should_stop.is_some_and(|f| f());
    let stopped = || SectorSolved::Stopped(resume.map(<[u8]>::to_vec));
    if needs_complex(terms, sector) {
        let Some(h) = SpinHamiltonian::<C64>::from_basis_until(terms, basis, o.storage, &stop)? else {
            return Ok(stopped());
        };
        let st = resume.and_then(|b| LanczosState::from_bytes(b, dim));
        Ok(finish(solve_operator_with(&h, &label, o, control, st)?, Vectors::Complex))
    } else {
        let Some(h) = SpinHamiltonian::<f64>::from_basis_until(terms, basis, o.storage, &stop)? else {
            return Ok(stopped());
        };
        let st = resume.and_then(|b| LanczosState::from_bytes(b, dim));
        Ok(finish(solve_operator_with(&h, &label, o, control, st)?, Vectors::Real))
    }
}

/// One level labelled by its sector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Energy.
    pub energy: f64,
    /// Quantum numbers.
    pub sector: String,
}
