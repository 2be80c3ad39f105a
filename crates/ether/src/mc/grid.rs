//! The Cartesian grid of processes a lattice is split over: `G_0 × … × G_{D−1}` processes, each
//! owning one block of `L_a / G_a` sites per axis. Rank `r` sits at grid coordinates
//! `g_a = (r / Π_{b<a} G_b) mod G_a` (axis 0 fastest, as the lattice's sites) and owns the block
//! starting at `g_a · L_a / G_a`.
//!
//! Which grid does not change any number a chain produces (random streams belong to links, sums
//! are exact: [`crate::mc::domain`]); it only changes how much each process stores and sends.

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::mc::domain::{Block, Domain, SingleProcess};
use std::sync::RwLock;

/// The process grid asked for by this run (`--process-grid`), like the thread count a setting of
/// the run, not of its physics: it changes no number, so it is no parameter of a record.
static REQUESTED: RwLock<Option<String>> = RwLock::new(None);

/// Ask for a process grid (`"1x1x2x2"`) for the chains this process makes from now on; `None`:
/// the balanced grid for the number of processes.
pub fn request_process_grid(spec: Option<String>) {
    *REQUESTED.write().unwrap_or_else(|e| e.into_inner()) = spec;
}

/// The process grid asked for, if any.
pub fn requested_process_grid() -> Option<String> {
    REQUESTED.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Number of processes sharing each lattice: the MPI world's size when ether runs split over
/// processes (the `mpi` feature, MPI initialized), else 1.
pub fn processes() -> usize {
    #[cfg(feature = "mpi")]
    if mpi_sys_ready() {
        return crate::mc::mpi::world_size();
    }
    1
}

/// This process's rank (0 unless split over processes).
pub fn rank() -> usize {
    #[cfg(feature = "mpi")]
    if mpi_sys_ready() {
        return crate::mc::mpi::world_rank();
    }
    0
}

#[cfg(feature = "mpi")]
fn mpi_sys_ready() -> bool {
    crate::mc::mpi::is_running()
}

/// True on every process if `local` is true on any (collective when split over processes: every
/// process calls it at the same point). Keeps stop requests and checkpoint decisions in step.
pub fn any_process(local: bool) -> bool {
    #[cfg(feature = "mpi")]
    if mpi_sys_ready() && crate::mc::mpi::world_size() > 1 {
        return crate::mc::mpi::any(local);
    }
    local
}

/// The process grid asked for (or implied by the process count) as [`default_domain`] will
/// read it, checked against `lattice` without building anything: so that a run refuses a bad
/// `--process-grid` before it prints its plan or allocates its fields.
pub fn check_process_grid(lattice: &Lattice) -> Result<()> {
    let n = processes();
    let grid = match requested_process_grid() {
        Some(spec) => ProcessGrid::parse(lattice, &spec)?,
        None if n > 1 => ProcessGrid::balanced(lattice, n)?,
        None => return Ok(()),
    };
    if grid.processes() != n {
        #[cfg(feature = "mpi")]
        if mpi_sys_ready() {
            return Err(grid_mismatch(&grid, n));
        }
        return Err(needs_mpi(&grid));
    }
    Ok(())
}

/// A grid whose block count is not the number of processes the run was started with.
#[cfg(feature = "mpi")]
pub(crate) fn grid_mismatch(grid: &ProcessGrid, size: usize) -> Error {
    Error::invalid(
        "process-grid",
        grid.to_string(),
        format!(
            "the grid has {} blocks but the run has {size} processes; give a grid with {size} blocks or start {} processes",
            grid.processes(),
            grid.processes()
        ),
    )
}

fn needs_mpi(g: &ProcessGrid) -> Error {
    Error::invalid(
        "process-grid",
        g.to_string(),
        format!(
            "{} processes need MPI: build with `cargo build --release --features mpi` (README, \"Running on several processes\") and start with mpirun -n {}",
            g.processes(),
            g.processes()
        ),
    )
}

/// The domain a new chain on `lattice` gets in this process: the whole lattice, or, split over
/// processes, this process's block of the requested (or balanced) grid. A grid of more than one
/// process is refused, saying how to build ether with MPI, when ether runs in one process.
pub fn default_domain(lattice: &Lattice) -> Result<Box<dyn Domain>> {
    let n = processes();
    let grid = match requested_process_grid() {
        Some(spec) => Some(ProcessGrid::parse(lattice, &spec)?),
        None if n > 1 => Some(ProcessGrid::balanced(lattice, n)?),
        None => None,
    };
    match grid {
        None => Ok(Box::new(SingleProcess::new(lattice)?)),
        Some(g) if g.processes() == 1 && n == 1 => Ok(Box::new(SingleProcess::new(lattice)?)),
        #[cfg(feature = "mpi")]
        Some(g) if mpi_sys_ready() => Ok(Box::new(crate::mc::mpi::MpiDomain::new(lattice, g)?)),
        Some(g) => Err(needs_mpi(&g)),
    }
}

/// A Cartesian grid of processes over a lattice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessGrid {
    dims: Vec<usize>,
}

impl ProcessGrid {
    /// The grid `dims` (processes per axis) for `lattice`: refused, saying which grid would do,
    /// unless it has one entry per axis, each at least 1 and dividing the axis' extent.
    pub fn new(lattice: &Lattice, dims: &[usize]) -> Result<Self> {
        let e = lattice.extents();
        let spec = dims.iter().map(|g| g.to_string()).collect::<Vec<_>>().join("x");
        let p: usize = dims.iter().product();
        let hint = || match Self::balanced(lattice, p) {
            Ok(g) => format!("for {p} processes use e.g. --process-grid {g}"),
            Err(_) => format!("{p} processes cannot split {lattice} into equal blocks; use fewer processes"),
        };
        if dims.len() != e.len() {
            return Err(Error::invalid(
                "process-grid",
                spec,
                format!("give one number of processes per axis of {lattice} ({} axes); {}", e.len(), hint()),
            ));
        }
        if let Some(a) = (0..e.len()).find(|&a| dims[a] == 0 || e[a] % dims[a] != 0) {
            return Err(Error::invalid(
                "process-grid",
                spec,
                format!("{} processes along axis {a} do not divide its {} sites; {}", dims[a], e[a], hint()),
            ));
        }
        Ok(ProcessGrid { dims: dims.to_vec() })
    }

    /// Parse `"1x1x2x2"` for `lattice` (as [`Self::new`]).
    pub fn parse(lattice: &Lattice, spec: &str) -> Result<Self> {
        let dims: std::result::Result<Vec<usize>, _> = spec.split('x').map(|s| s.trim().parse::<usize>()).collect();
        match dims {
            Ok(d) => Self::new(lattice, &d),
            Err(_) => Err(Error::invalid(
                "process-grid",
                spec,
                "give processes per axis separated by x, one number per lattice axis, e.g. 1x1x2x2",
            )),
        }
    }

    /// The default grid for `processes` processes: each prime factor of the count (largest
    /// first) splits the axis whose block is then longest among those it divides (ties: the last
    /// such axis, usually time). Refused if the count cannot split the lattice into equal blocks.
    pub fn balanced(lattice: &Lattice, processes: usize) -> Result<Self> {
        if processes == 0 {
            return Err(Error::invalid("processes", "0", "run with at least one process"));
        }
        let e = lattice.extents();
        let mut factors = Vec::new();
        let (mut n, mut f) = (processes, 2);
        while n > 1 {
            while n % f == 0 {
                factors.push(f);
                n /= f;
            }
            f += 1;
        }
        factors.reverse();
        let mut dims = vec![1; e.len()];
        for f in factors {
            let best = (0..e.len())
                .filter(|&a| (e[a] / dims[a]) % f == 0)
                .max_by_key(|&a| (e[a] / dims[a], a))
                .ok_or_else(|| {
                    Error::invalid(
                        "processes",
                        processes.to_string(),
                        format!(
                            "{processes} processes cannot split {lattice} into equal blocks (the factor {f} divides no remaining block extent); use a process count whose factors divide the extents"
                        ),
                    )
                })?;
            dims[best] *= f;
        }
        Ok(ProcessGrid { dims })
    }

    /// Processes per axis.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }
    /// Number of processes.
    pub fn processes(&self) -> usize {
        self.dims.iter().product()
    }
    /// Grid coordinates of `rank`.
    pub fn coords(&self, rank: usize) -> Vec<usize> {
        let mut r = rank;
        self.dims
            .iter()
            .map(|&g| {
                let c = r % g;
                r /= g;
                c
            })
            .collect()
    }
    /// The rank at grid coordinates `c` (periodic).
    pub fn rank_at(&self, c: &[isize]) -> usize {
        let mut r = 0;
        for a in (0..self.dims.len()).rev() {
            let g = self.dims[a] as isize;
            r = r * self.dims[a] + c[a].rem_euclid(g) as usize;
        }
        r
    }
    /// Sites per axis of every block.
    pub fn block_extents(&self, lattice: &Lattice) -> Vec<usize> {
        lattice.extents().iter().zip(&self.dims).map(|(e, g)| e / g).collect()
    }
    /// The block `rank` owns.
    pub fn block(&self, lattice: &Lattice, rank: usize) -> Result<Block> {
        let l = self.block_extents(lattice);
        let origin: Vec<usize> = self.coords(rank).iter().zip(&l).map(|(c, l)| c * l).collect();
        Block::new(lattice, &origin, &l)
    }
}

impl std::fmt::Display for ProcessGrid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s: Vec<String> = self.dims.iter().map(|g| g.to_string()).collect();
        write!(f, "{}", s.join("x"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_grids_split_the_longest_axes() {
        let l = Lattice::parse("8x8x8x48").unwrap();
        assert_eq!(ProcessGrid::balanced(&l, 1).unwrap().dims(), &[1, 1, 1, 1]);
        assert_eq!(ProcessGrid::balanced(&l, 2).unwrap().dims(), &[1, 1, 1, 2]);
        assert_eq!(ProcessGrid::balanced(&l, 12).unwrap().dims(), &[1, 1, 1, 12]);
        let h = Lattice::parse("16x16x16x16").unwrap();
        assert_eq!(ProcessGrid::balanced(&h, 4).unwrap().dims(), &[1, 1, 2, 2]);
        assert_eq!(ProcessGrid::balanced(&h, 16).unwrap().dims(), &[2, 2, 2, 2]);
        let e = ProcessGrid::balanced(&Lattice::parse("4x4").unwrap(), 3).unwrap_err().to_string();
        assert!(e.contains("cannot split") && e.contains("factor 3"), "{e}");
    }

    #[test]
    fn grids_that_do_not_divide_are_refused_with_one_that_would() {
        let l = Lattice::parse("4x4x6").unwrap();
        let e = ProcessGrid::parse(&l, "1x1x4").unwrap_err().to_string();
        assert!(e.contains("axis 2") && e.contains("--process-grid 1x2x2"), "{e}");
        let e = ProcessGrid::parse(&l, "2x2").unwrap_err().to_string();
        assert!(e.contains("3 axes"), "{e}");
        assert!(ProcessGrid::parse(&l, "2xa").is_err());
        assert!(ProcessGrid::parse(&l, "0x1x1").is_err());
        let g = ProcessGrid::parse(&l, "2x1x3").unwrap();
        assert_eq!(g.processes(), 6);
        assert_eq!(g.to_string(), "2x1x3");
    }

    /// Ranks and grid coordinates are inverse, neighbours wrap, and the blocks tile the lattice.
    #[test]
    fn blocks_tile_the_lattice() {
        let l = Lattice::parse("4x2x6").unwrap();
        let g = ProcessGrid::parse(&l, "2x1x3").unwrap();
        let mut owner = vec![usize::MAX; l.n_sites()];
        for r in 0..g.processes() {
            let c: Vec<isize> = g.coords(r).iter().map(|&x| x as isize).collect();
            assert_eq!(g.rank_at(&c), r);
            let b = g.block(&l, r).unwrap();
            for (s, o) in owner.iter_mut().enumerate() {
                if b.locate(s).is_some() {
                    assert_eq!(*o, usize::MAX);
                    *o = r;
                }
            }
        }
        assert!(owner.iter().all(|&o| o != usize::MAX));
        assert_eq!(g.rank_at(&[-1, 0, 0]), g.rank_at(&[1, 0, 0]));
        assert_eq!(g.rank_at(&[0, 0, 3]), 0);
    }
}
