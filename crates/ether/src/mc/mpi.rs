//! The gauge engine split over MPI processes (the `mpi` feature): [`MpiDomain`] implements the
//! [`Domain`] layer for one block of a [`ProcessGrid`], so that [`crate::mc::engine::GaugeChain`]
//! runs unchanged on it.
//!
//! - **Halo exchange.** After a (direction, parity) class is updated, every process refreshes the
//!   halo entries of that class axis by axis, `a = 0, …, D − 1`: it sends its face `c_a = l_a` to
//!   the neighbour above (whose halo `c_a = 0` it is) and its face `c_a = 1` to the one below,
//!   each face including the halo entries of the axes already done, so that corners (sites
//!   outside the block on two axes, which staples reach) arrive by two hops. Along an axis with
//!   one process the face is copied locally (the periodic image, as [`SingleProcess`]).
//! - **Sums.** Partial sums are [`ExactSum`] integers gathered from every rank and added in rank
//!   order; being integers the result does not depend on the order, the grid or the thread count.
//! - **Bits.** Random numbers are a function of (seed, sweep, pass, link) ([`crate::mc::rng`]), the
//!   update of a link reads only its staples, and sums are exact, so a chain on any grid is bitwise
//!   the one-process chain (tested by `tests/mpi.rs` under `mpirun -n 2` and `-n 4`).
//!
//! The communicator is `MPI_COMM_WORLD` (a unit handle, fetched per call), so the domain holds
//! no MPI object; MPI must be initialized (`mpi::initialize`) before one is made and finalized after
//! the last chain is done. Message errors abort every rank (MPI's default error handler), so no
//! rank waits for a dead one.
//!
//! [`SingleProcess`]: crate::mc::domain::SingleProcess

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use crate::mc::domain::{Block, Domain, ExactSum};
use crate::mc::field::GaugeField;
use crate::mc::grid::ProcessGrid;
use mpi::point_to_point::send_receive_into_with_tags;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use num_complex::Complex64;

/// Index lists (entries of one parity array) of the faces of one axis.
#[derive(Clone, Debug, Default)]
struct Faces {
    /// Owned face `c_a = l_a`: sent to the neighbour above.
    send_up: Vec<u32>,
    /// Halo `c_a = 0`: received from the neighbour below.
    recv_down: Vec<u32>,
    /// Owned face `c_a = 1`: sent to the neighbour below.
    send_down: Vec<u32>,
    /// Halo `c_a = l_a + 1`: received from the neighbour above.
    recv_up: Vec<u32>,
}

/// One block of a process grid, in one MPI process of `MPI_COMM_WORLD`.
#[derive(Clone, Debug)]
pub struct MpiDomain {
    block: Block,
    grid: ProcessGrid,
    rank: usize,
    /// Ranks of the neighbours (below, above) per axis.
    neighbours: Vec<(usize, usize)>,
    /// `faces[parity][axis]`.
    faces: [Vec<Faces>; 2],
}

fn world() -> SimpleCommunicator {
    SimpleCommunicator::world()
}

/// Number of processes of `MPI_COMM_WORLD` (MPI must be initialized).
pub fn world_size() -> usize {
    world().size() as usize
}

/// Rank of this process in `MPI_COMM_WORLD` (MPI must be initialized).
pub fn world_rank() -> usize {
    world().rank() as usize
}

static RUNNING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True while an [`MpiSession`] is alive.
pub fn is_running() -> bool {
    RUNNING.load(std::sync::atomic::Ordering::SeqCst)
}

/// True on every rank if `local` is true on any (collective).
pub fn any(local: bool) -> bool {
    let mine = [u8::from(local)];
    let mut all = vec![0u8; world_size()];
    world().all_gather_into(&mine[..], &mut all[..]);
    all.iter().any(|&x| x != 0)
}

/// Stop every process of the run with `code` (after a failure on this one), never a hang.
pub fn abort_all(code: i32) -> ! {
    world().abort(code)
}

impl MpiDomain {
    /// The block of this process (its rank in `MPI_COMM_WORLD`) on `grid`; the grid must have one
    /// block per process.
    pub fn new(lattice: &Lattice, grid: ProcessGrid) -> Result<Self> {
        let size = world_size();
        if grid.processes() != size {
            return Err(crate::mc::grid::grid_mismatch(&grid, size));
        }
        if grid.dims().len() != lattice.dim() {
            return Err(Error::invalid("process-grid", grid.to_string(), format!("one entry per axis of {lattice}")));
        }
        let rank = world_rank();
        let block = grid.block(lattice, rank)?;
        if block.n_padded() > u32::MAX as usize {
            return Err(Error::invalid("lattice", lattice.to_string(), "at most 2^32 stored sites per process"));
        }
        let d = block.dim();
        let me: Vec<isize> = grid.coords(rank).iter().map(|&c| c as isize).collect();
        let neighbours = (0..d)
            .map(|a| {
                let (mut lo, mut hi) = (me.clone(), me.clone());
                lo[a] -= 1;
                hi[a] += 1;
                (grid.rank_at(&lo), grid.rank_at(&hi))
            })
            .collect();
        let mut faces = [vec![Faces::default(); d], vec![Faces::default(); d]];
        let l = block.owned().to_vec();
        for x in 0..block.n_padded() {
            let c = block.coords(x);
            // the axis-0 padding beyond the halo is never read
            if (0..d).any(|a| c[a] > l[a] + 1) {
                continue;
            }
            let p = block.parity(&c);
            let e = (x >> 1) as u32;
            for a in 0..d {
                let f = &mut faces[p][a];
                if c[a] == l[a] {
                    f.send_up.push(e);
                }
                if c[a] == 1 {
                    f.send_down.push(e);
                }
                if c[a] == 0 {
                    f.recv_down.push(e);
                }
                if c[a] == l[a] + 1 {
                    f.recv_up.push(e);
                }
            }
        }
        Ok(MpiDomain { block, grid, rank, neighbours, faces })
    }

    /// The process grid.
    pub fn grid(&self) -> &ProcessGrid {
        &self.grid
    }
}

fn pack(links: &[Complex64], idx: &[u32]) -> Vec<f64> {
    let mut out = Vec::with_capacity(2 * idx.len());
    for &i in idx {
        let u = links[i as usize];
        out.push(u.re);
        out.push(u.im);
    }
    out
}

fn unpack(links: &mut [Complex64], idx: &[u32], buf: &[f64]) {
    for (k, &i) in idx.iter().enumerate() {
        links[i as usize] = Complex64::new(buf[2 * k], buf[2 * k + 1]);
    }
}

impl Domain for MpiDomain {
    fn block(&self) -> &Block {
        &self.block
    }

    fn exchange(&self, parity: usize, links: &mut [Complex64]) -> Result<()> {
        let w = world();
        for (a, f) in self.faces[parity].iter().enumerate() {
            if self.grid.dims()[a] == 1 {
                for (&dst, &src) in f.recv_down.iter().zip(&f.send_up) {
                    links[dst as usize] = links[src as usize];
                }
                for (&dst, &src) in f.recv_up.iter().zip(&f.send_down) {
                    links[dst as usize] = links[src as usize];
                }
                continue;
            }
            let (below, above) = self.neighbours[a];
            let (pb, pa) = (w.process_at_rank(below as i32), w.process_at_rank(above as i32));
            let tag = 2 * a as i32;
            // upward: my top face becomes the bottom halo of the one above
            let out = pack(links, &f.send_up);
            let mut inn = vec![0.0; 2 * f.recv_down.len()];
            send_receive_into_with_tags(&out[..], &pa, tag, &mut inn[..], &pb, tag);
            unpack(links, &f.recv_down, &inn);
            // downward
            let out = pack(links, &f.send_down);
            let mut inn = vec![0.0; 2 * f.recv_up.len()];
            send_receive_into_with_tags(&out[..], &pb, tag + 1, &mut inn[..], &pa, tag + 1);
            unpack(links, &f.recv_up, &inn);
        }
        Ok(())
    }

    fn sum(&self, local: ExactSum) -> Result<ExactSum> {
        let raw = local.raw() as u128;
        let mine = [raw as u64, (raw >> 64) as u64];
        let mut all = vec![0u64; 2 * self.grid.processes()];
        world().all_gather_into(&mine[..], &mut all[..]);
        let mut total = 0i128;
        for part in all.chunks(2) {
            total = total.wrapping_add((u128::from(part[0]) | (u128::from(part[1]) << 64)) as i128);
        }
        Ok(ExactSum::from_raw(total))
    }

    fn processes(&self) -> usize {
        self.grid.processes()
    }

    fn rank(&self) -> usize {
        self.rank
    }

    fn sum_counts(&self, counts: &mut [u64]) {
        let n = counts.len();
        let mut all = vec![0u64; n * self.grid.processes()];
        world().all_gather_into(&counts[..], &mut all[..]);
        for (i, c) in counts.iter_mut().enumerate() {
            *c = all.iter().skip(i).step_by(n).sum();
        }
    }

    fn gather_links(&self, field: &GaugeField) -> Vec<Complex64> {
        let lat = self.block.global().clone();
        let d = lat.dim();
        let mut mine = Vec::with_capacity(2 * d * self.block.n_owned());
        field.for_each_link(|_, u| {
            mine.push(u.re);
            mine.push(u.im);
        });
        let mut all = vec![0.0; mine.len() * self.grid.processes()];
        world().all_gather_into(&mine[..], &mut all[..]);
        let mut out = vec![Complex64::new(0.0, 0.0); lat.n_links()];
        for (r, part) in all.chunks(mine.len()).enumerate() {
            // every block is visited in the order of `GaugeField::for_each_link`
            let b = self.grid.block(&lat, r).expect("the grid divides the lattice");
            let mut values = part.chunks_exact(2);
            for row in 0..b.n_rows() {
                if !b.row_is_owned(row) {
                    continue;
                }
                let mut c = b.coords(row * b.padded()[0]);
                for c0 in 1..=b.owned()[0] {
                    c[0] = c0;
                    let site = b.global_site(&c);
                    for mu in 0..d {
                        let v = values.next().expect("every rank sends its block's links");
                        out[site * d + mu] = Complex64::new(v[0], v[1]);
                    }
                }
            }
        }
        out
    }
}

/// MPI initialized for this process; MPI is finalized when it is dropped (after the last chain).
pub struct MpiSession {
    _universe: mpi::environment::Universe,
}

impl std::fmt::Debug for MpiSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MpiSession(rank {} of {})", world_rank(), world_size())
    }
}

/// Initialize MPI (once per process; `None` if it already was). The level is "serialized": the
/// engine calls MPI from whichever thread drives the chain (a rayon pool's, say), one call at a time.
pub fn initialize() -> Option<MpiSession> {
    let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Serialized)?;
    RUNNING.store(true, std::sync::atomic::Ordering::SeqCst);
    Some(MpiSession { _universe: universe })
}

impl Drop for MpiSession {
    fn drop(&mut self) {
        RUNNING.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}
