//! The gauge engine split over MPI processes is bitwise the one-process engine. Run it under MPI
//! (`--features mpi`; see the README):
//!
//! ```text
//! cargo test --release -p ether --features mpi --test mpi --no-run
//! mpirun --allow-run-as-root --oversubscribe -n 2 target/release/deps/mpi-<hash>
//! mpirun --allow-run-as-root --oversubscribe -n 4 target/release/deps/mpi-<hash>
//! ```
//!
//! Every rank also runs the one-process chain (the reference, a code path without messages) and
//! compares: every link's bits, the update counts, the plaquette means and the total action, after
//! hot starts and sweeps with flux twists, for each action kind and for grids where some blocks
//! are one site thick (along axis 0, an inner axis, and the last axis; with two ranks along an
//! axis both neighbours are the same rank). Checkpoints: the bytes a split chain writes equal the
//! one-process chain's, and a chain resumed on a different grid (or on one process) from either
//! continues bitwise as the uninterrupted one. Thread counts 1 and 2 per rank alternate. Any
//! mismatch prints the case and aborts every rank (exit status non-zero).

use ether::lattice::Lattice;
use ether::mc::action::{GaugeAction, Plane, RotorCouplings};
use ether::mc::domain::SingleProcess;
use ether::mc::engine::{GaugeChain, Start, SweepPlan};
use ether::mc::grid::ProcessGrid;
use ether::mc::mpi::{abort_all, initialize, world_rank, world_size, MpiDomain};

fn bits(links: &[num_complex::Complex64]) -> Vec<u64> {
    links.iter().flat_map(|u| [u.re.to_bits(), u.im.to_bits()]).collect()
}

struct Case {
    name: &'static str,
    action: GaugeAction,
    /// Grids for 2 and for 4 processes: (run, resume on).
    grids2: (&'static str, &'static str),
    grids4: (&'static str, &'static str),
}

fn cases() -> Vec<Case> {
    let rotor = RotorCouplings::new(1.0, 1.0, 0.2).unwrap();
    vec![
        Case {
            name: "rotor 4x4x6",
            action: GaugeAction::rotor(Lattice::parse("4x4x6").unwrap(), &rotor).unwrap(),
            grids2: ("2x1x1", "1x1x2"),
            grids4: ("4x1x1", "1x2x2"),
        },
        Case {
            name: "Wilson 2x4x4x4",
            action: GaugeAction::wilson(Lattice::parse("2x4x4x4").unwrap(), 1.0).unwrap(),
            grids2: ("2x1x1x1", "1x1x1x2"),
            grids4: ("2x1x1x2", "1x4x1x1"),
        },
        Case {
            name: "Villain 4x4x2",
            action: GaugeAction::villain(Lattice::parse("4x4x2").unwrap(), 0.7).unwrap(),
            grids2: ("1x1x2", "1x2x1"),
            grids4: ("1x2x2", "2x2x1"),
        },
        Case {
            name: "anisotropic 2D 6x4",
            action: GaugeAction::new(Lattice::parse("6x4").unwrap(), Plane::wilson(0.5), Plane::wilson(1.5)).unwrap(),
            grids2: ("2x1", "1x2"),
            grids4: ("1x4", "2x2"),
        },
    ]
}

fn fail(rank: usize, what: String) -> ! {
    eprintln!("rank {rank}: FAILED: {what}");
    abort_all(1)
}

fn main() {
    let _mpi = initialize().expect("MPI initializes once");
    let (rank, size) = (world_rank(), world_size());
    if size != 2 && size != 4 {
        if rank == 0 {
            eprintln!("run this test under mpirun -n 2 or -n 4 (it has {size} processes)");
        }
        abort_all(2);
    }
    let plan = SweepPlan { overrelax: 2, hits: 3, flux: true };
    let seed = 17;
    for (k, case) in cases().into_iter().enumerate() {
        let (run_on, resume_on) = if size == 2 { case.grids2 } else { case.grids4 };
        let threads = 1 + k % 2;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let a = case.action.clone();
        let lat = a.lattice().clone();
        let split = |spec: &str| -> Box<MpiDomain> {
            let g = ProcessGrid::parse(&lat, spec).unwrap_or_else(|e| fail(rank, format!("{}: {e}", case.name)));
            Box::new(MpiDomain::new(&lat, g).unwrap_or_else(|e| fail(rank, format!("{}: {e}", case.name))))
        };
        pool.install(|| {
            // the reference: one process (on every rank), 2 sweeps, checkpoint, 2 more
            let whole = || Box::new(SingleProcess::new(&lat).unwrap());
            let mut one = GaugeChain::with_domain(a.clone(), whole(), Start::Hot, seed, plan).unwrap();
            for _ in 0..2 {
                one.sweep().unwrap();
            }
            let one_bytes = one.to_bytes();
            for _ in 0..2 {
                one.sweep().unwrap();
            }
            // split on `run_on`
            let mut many = GaugeChain::with_domain(a.clone(), split(run_on), Start::Hot, seed, plan).unwrap();
            for _ in 0..2 {
                many.sweep().unwrap();
            }
            let many_bytes = many.to_bytes();
            if many_bytes != one_bytes {
                fail(
                    rank,
                    format!("{} on {run_on}: the checkpoint after 2 sweeps differs from one process's", case.name),
                );
            }
            for _ in 0..2 {
                many.sweep().unwrap();
            }
            let check = |c: &GaugeChain, how: &str| {
                if bits(&c.all_links()) != bits(&one.all_links()) {
                    fail(rank, format!("{} {how}: links differ from the one-process chain", case.name));
                }
                if c.counts() != one.counts() {
                    fail(rank, format!("{} {how}: counts {:?} vs {:?}", case.name, c.counts(), one.counts()));
                }
                let (p, q) = (c.plaquette().unwrap(), one.plaquette().unwrap());
                let pb = [p.all.to_bits(), p.space.to_bits(), p.time.to_bits()];
                let qb = [q.all.to_bits(), q.space.to_bits(), q.time.to_bits()];
                if pb != qb {
                    fail(rank, format!("{} {how}: plaquette {p:?} vs {q:?}", case.name));
                }
                let (s, t) = (c.total_action().unwrap(), one.total_action().unwrap());
                if s.to_bits() != t.to_bits() {
                    fail(rank, format!("{} {how}: action {s} vs {t}", case.name));
                }
                if c.sweeps_done() != 4 {
                    fail(rank, format!("{} {how}: {} sweeps", case.name, c.sweeps_done()));
                }
            };
            check(&many, &format!("on {run_on}"));
            // resume the one-process checkpoint on another grid, and the split one on one process
            let mut r =
                GaugeChain::from_bytes_with_domain(a.clone(), split(resume_on), Start::Hot, seed, plan, &one_bytes)
                    .unwrap_or_else(|e| fail(rank, format!("{}: {e}", case.name)));
            for _ in 0..2 {
                r.sweep().unwrap();
            }
            check(&r, &format!("resumed on {resume_on} from one process"));
            let mut r1 =
                GaugeChain::from_bytes_with_domain(a.clone(), whole(), Start::Hot, seed, plan, &many_bytes).unwrap();
            for _ in 0..2 {
                r1.sweep().unwrap();
            }
            check(&r1, &format!("resumed on one process from {run_on}"));
            // and a twist was tried (so the flux moves' sums crossed the processes)
            if one.counts().twist_tried == 0 || one.counts().heat_bath + one.counts().metropolis_tried == 0 {
                fail(rank, format!("{}: nothing was updated", case.name));
            }
        });
        if rank == 0 {
            println!(
                "ok: {} on {size} processes (grid {run_on}, resumed on {resume_on}), {threads} thread(s) per process: bitwise the one-process chain",
                case.name
            );
        }
    }
}
