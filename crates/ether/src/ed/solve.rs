//! Levels of a sector and of the whole Hilbert space (sector by sector), with the choice
//! between the dense oracle (small sectors: exact, with multiplicities) and Lanczos.

use crate::ed::basis::{all_sectors, Sector, SpinBasis};
use crate::ed::dense::dense_eigh;
use crate::ed::lanczos::{lanczos, LanczosOptions, Progress, Reorthogonalization};
use crate::ed::operator::LinearOperator;
use crate::ed::spin::{sector_is_complex, SpinHamiltonian, SpinTerms, Storage};
use crate::error::{Error, Result};
use crate::linalg::C64;
use serde::Serialize;

/// Sectors up to this dimension are diagonalized densely (all levels, exact multiplicities).
pub const DENSE_BELOW: usize = 400;

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

/// The levels of one sector.
#[derive(Clone, Debug, Serialize)]
pub struct Levels {
    /// Quantum numbers, e.g. `sz=0,k=0,parity=1`.
    pub sector: String,
    /// Sector dimension.
    pub dimension: usize,
    /// Lowest energies, ascending.
    pub energies: Vec<f64>,
    /// Every energy met the tolerance.
    pub converged: bool,
    /// Residual norms `‖H x − E x‖` (bounds).
    pub residuals: Vec<f64>,
    /// Lanczos steps (0 for dense).
    pub iterations: usize,
    /// "dense" or "lanczos".
    pub method: String,
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

/// Solve a generic operator: dense below the threshold, Lanczos above.
pub fn solve_operator<A: LinearOperator>(op: &A, label: &str, o: &SolveOptions) -> Result<SolveOutput<A::Scalar>> {
    let dim = op.dim();
    if o.nev == 0 || o.nev > dim {
        return Err(Error::invalid(
            "nev",
            o.nev.to_string(),
            format!("sector {label} has only {dim} states: ask for at most {dim}"),
        ));
    }
    // Many levels of a moderate sector (e.g. the full spectrum): dense keeps multiplicities.
    if dim <= o.dense_below || (o.nev * 4 > dim && dim <= crate::ed::dense::MAX_DENSE_DIM) {
        let (vals, vecs) = dense_eigh(op)?;
        let energies = vals[..o.nev].to_vec();
        let v = o.eigenvectors.then(|| vecs[..o.nev].to_vec());
        return Ok((
            Levels {
                sector: label.into(),
                dimension: dim,
                energies,
                converged: true,
                residuals: vec![0.0; o.nev],
                iterations: 0,
                method: "dense".into(),
            },
            v,
        ));
    }
    let lo = LanczosOptions {
        nev: o.nev,
        tol: o.tol,
        max_iter: 3000,
        reorthogonalize: if o.nev == 1 { Reorthogonalization::None } else { Reorthogonalization::Auto },
        eigenvectors: o.eigenvectors,
        progress: o.progress.clone(),
        ..Default::default()
    };
    let r = lanczos(op, &lo)?;
    Ok((
        Levels {
            sector: label.into(),
            dimension: dim,
            energies: r.eigenvalues,
            converged: r.converged,
            residuals: r.residuals,
            iterations: r.iterations,
            method: "lanczos".into(),
        },
        r.eigenvectors,
    ))
}

/// Build the sector operator (real or complex as needed) and solve it.
pub fn spin_sector(terms: &SpinTerms, sector: &Sector, o: &SolveOptions) -> Result<(Levels, Option<Vectors>)> {
    let basis = SpinBasis::new(&terms.lattice, sector, terms.conserves_sz())?;
    spin_sector_in(terms, basis, o)
}

/// Solve a sector whose basis is already built.
pub fn spin_sector_in(terms: &SpinTerms, basis: SpinBasis, o: &SolveOptions) -> Result<(Levels, Option<Vectors>)> {
    let sector = &basis.sector.clone();
    let label = sector.label(terms.lattice.n_sites());
    if basis.dim() == 0 {
        return Err(Error::invalid("sector", label, "this sector has no states on this lattice"));
    }
    o.progress.say(|| format!("{} states: building the sector Hamiltonian", basis.dim()));
    if sector_is_complex(&terms.lattice, sector) {
        let h = SpinHamiltonian::<C64>::from_basis(terms, basis, o.storage)?;
        let (l, v) = solve_operator(&h, &label, o)?;
        Ok((l, v.map(Vectors::Complex)))
    } else {
        let h = SpinHamiltonian::<f64>::from_basis(terms, basis, o.storage)?;
        let (l, v) = solve_operator(&h, &label, o)?;
        Ok((l, v.map(Vectors::Real)))
    }
}

/// One level labelled by its sector.
#[derive(Clone, Debug, Serialize)]
pub struct Level {
    /// Energy.
    pub energy: f64,
    /// Quantum numbers.
    pub sector: String,
}

/// The `nev` lowest levels of the whole Hilbert space, found sector by sector (every sector
/// of [`all_sectors`]); each sector contributes its `nev` lowest levels. Also returns the
/// per-sector results.
pub fn spin_lowest(terms: &SpinTerms, o: &SolveOptions) -> Result<(Vec<Level>, Vec<Levels>)> {
    let mut all = Vec::new();
    let mut per = Vec::new();
    for sec in all_sectors(&terms.lattice, terms.conserves_sz(), true) {
        let basis_dim = SpinBasis::new(&terms.lattice, &sec, terms.conserves_sz())?.dim();
        if basis_dim == 0 {
            continue;
        }
        let so = SolveOptions { nev: o.nev.min(basis_dim), eigenvectors: false, ..o.clone() };
        let (l, _) = spin_sector(terms, &sec, &so)?;
        for &e in &l.energies {
            all.push(Level { energy: e, sector: l.sector.clone() });
        }
        per.push(l);
    }
    all.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    all.truncate(o.nev);
    Ok((all, per))
}
