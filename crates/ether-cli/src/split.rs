//! `mpirun -n P ether phases ...`: the gauge Monte Carlo split over MPI processes (the `mpi`
//! feature; README, "Running on several processes"). Rank 0 alone prints, writes the run
//! directory and the checkpoints; every rank computes. A failure on one rank stops all of them
//! (MPI_Abort), never a hang; a stop request (Ctrl-C, which mpirun forwards) is agreed on by all
//! ranks at the next sweep, so they stop together and the last checkpoint is whole.

use anyhow::Result;

/// The MPI world size mpirun (OpenMPI, MPICH/PMI, PMIx) told this process, if it started it.
fn launched_size() -> Option<usize> {
    ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"]
        .iter()
        .find_map(|k| std::env::var(k).ok()?.trim().parse::<usize>().ok())
}

/// The rank mpirun gave this process (0 if none).
#[cfg(not(feature = "mpi"))]
fn launched_rank() -> usize {
    ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"]
        .iter()
        .find_map(|k| std::env::var(k).ok()?.trim().parse::<usize>().ok())
        .unwrap_or(0)
}

/// MPI for the length of a run (finalized when dropped).
#[derive(Debug)]
pub struct Split {
    #[cfg(feature = "mpi")]
    _session: Option<ether::mc::mpi::MpiSession>,
}

impl Split {
    /// Start MPI if mpirun started this process.
    #[cfg(feature = "mpi")]
    pub fn start() -> Result<Self> {
        let launched = launched_size().filter(|&n| n > 1);
        let session = if launched.is_some() { ether::mc::mpi::initialize() } else { None };
        Ok(Split { _session: session })
    }

    /// Without the `mpi` feature, refuse to run as one of several processes (each would compute
    /// the whole lattice alone), saying how to build ether with MPI.
    #[cfg(not(feature = "mpi"))]
    pub fn start() -> Result<Self> {
        match launched_size().filter(|&n| n > 1) {
            Some(n) => {
                if launched_rank() != 0 {
                    // rank 0 says why; the others end quietly with the same status
                    std::process::exit(2);
                }
                Err(crate::common::UsageError(format!(
                    "started as one of {n} MPI processes, but this ether was built without MPI: build it with `cargo build --release --features mpi -p ether-cli` (README, \"Running on several processes\"), or run it without mpirun"
                ))
                .into())
            }
            None => Ok(Split {}),
        }
    }

    /// Number of processes of the run.
    pub fn processes(&self) -> usize {
        ether::mc::grid::processes()
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        ether::mc::grid::rank()
    }

    /// End a run. A stop request (exit 130, agreed on by every rank) ends normally, rank 0
    /// saying so. Any other failure of a split run stops every rank with one message: rank 0's
    /// (a finished run's failed check comes after rank 0 wrote the run directory); another rank
    /// speaks only if rank 0 has not ended the run within two seconds (a failure of its own).
    pub fn finish(self, result: Result<()>) -> Result<()> {
        let Err(e) = result else { return Ok(()) };
        let code = crate::common::exit_code(&e);
        let (processes, rank) = (self.processes(), self.rank());
        if processes == 1 || code == 130 {
            self.end();
            return if rank == 0 { Err(e) } else { std::process::exit(i32::from(code)) };
        }
        abort_all(rank, e, code)
    }
}

impl Split {
    /// The end of MPI for this process (MPI_Finalize when the session goes).
    fn end(self) {}
}

/// Stop every rank of a split run after a failure on this one, with its message.
#[cfg(feature = "mpi")]
fn abort_all(rank: usize, e: anyhow::Error, code: u8) -> Result<()> {
    if rank != 0 {
        std::thread::sleep(std::time::Duration::from_secs(2));
    }
    let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    let who = if rank == 0 { String::new() } else { format!(" (rank {rank})") };
    eprintln!("error{who}: {}", msg.join(": "));
    ether::mc::mpi::abort_all(i32::from(code))
}

/// One process only without the `mpi` feature: never reached.
#[cfg(not(feature = "mpi"))]
fn abort_all(_rank: usize, e: anyhow::Error, _code: u8) -> Result<()> {
    Err(e)
}
