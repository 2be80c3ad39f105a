//! One sampler interface for every Monte Carlo in ether: a [`MarkovChain`] is a state with a
//! `sweep()` and a sweep counter; [`run`] drives any chain through a [`Schedule`] (the one
//! parameter noun: thermalization sweeps, measurement sweeps, how often to measure and to
//! checkpoint) and calls [`Hooks`] for measurements, progress, stop requests and checkpoints.
//!
//! The three samplers of ether are chains: [`crate::mc::engine::GaugeChain`] (the path integral
//! of the rotor model: Wilson, Villain and anisotropic actions), [`crate::mc::spins::SpinChain`]
//! (Metropolis of classical Heisenberg spins) and [`crate::mc::rotor::RotorChain`] (Metropolis
//! of the classical rotor model's angles). Because a chain's whole state includes its sweep
//! counter, `run` continues a resumed chain exactly where it stopped: measurements fall on the
//! same sweeps and the numbers are bitwise those of an uninterrupted run.

use crate::error::{Error, Result};
use crate::experiment::Observer;
use serde::{Deserialize, Serialize};

/// A Markov chain: a state that one `sweep()` advances, and the number of sweeps done.
pub trait MarkovChain {
    /// Advance the chain by one sweep.
    fn sweep(&mut self) -> Result<()>;
    /// Sweeps done since the start (the chain's clock; it is part of its state).
    fn sweeps_done(&self) -> u64;
}

/// How long a chain runs and when it is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// Thermalization sweeps (not measured).
    pub therm: u64,
    /// Sweeps after thermalization.
    pub sweeps: u64,
    /// Measure after every `measure_every`-th sweep after thermalization (≥ 1).
    pub measure_every: u64,
    /// Ask for a checkpoint after every `checkpoint_every`-th sweep (0: only when stopped).
    pub checkpoint_every: u64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { therm: 0, sweeps: 0, measure_every: 1, checkpoint_every: 0 }
    }
}

impl Schedule {
    /// `therm` unmeasured sweeps, then `sweeps` sweeps measured after each one.
    pub fn new(therm: u64, sweeps: u64) -> Self {
        Schedule { therm, sweeps, ..Schedule::default() }
    }
    /// Total sweeps.
    pub fn total(&self) -> u64 {
        self.therm.saturating_add(self.sweeps)
    }
    /// Number of measurements a full run makes.
    pub fn measurements(&self) -> u64 {
        self.sweeps / self.measure_every.max(1)
    }
    /// True if the chain is measured right after its `done`-th sweep.
    pub fn is_measured(&self, done: u64) -> bool {
        done > self.therm && (done - self.therm) % self.measure_every.max(1) == 0
    }
    /// Refuse a schedule that cannot run.
    pub fn validate(&self) -> Result<()> {
        if self.measure_every == 0 {
            return Err(Error::invalid("measure every", "0", "measure every N ≥ 1 sweeps"));
        }
        if self.therm.checked_add(self.sweeps).is_none() {
            return Err(Error::invalid("sweeps", format!("{} + {}", self.therm, self.sweeps), "too many sweeps"));
        }
        Ok(())
    }
}

/// What a caller sees of a running chain. Every method has a default that does nothing.
pub trait Hooks<C: ?Sized> {
    /// Called after each measured sweep; `index` counts measurements from 0 over the whole run
    /// (a resumed run continues the count).
    fn measure(&mut self, _chain: &C, _index: u64) -> Result<()> {
        Ok(())
    }
    /// Progress: `done` of `total` sweeps.
    fn progress(&mut self, _done: u64, _total: u64) {}
    /// True if the run should stop at the next safe point (after the current sweep).
    fn should_stop(&self) -> bool {
        false
    }
    /// Save what is needed to resume (the chain and the caller's accumulators); called on the
    /// schedule and when stopping.
    fn checkpoint(&mut self, _chain: &C) -> Result<()> {
        Ok(())
    }
}

/// Hooks that do nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;

impl<C: ?Sized> Hooks<C> for NoHooks {}

/// Hooks from a measurement closure alone.
pub struct Measure<F>(pub F);

impl<F> std::fmt::Debug for Measure<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Measure(..)")
    }
}

impl<C: ?Sized, F: FnMut(&C, u64) -> Result<()>> Hooks<C> for Measure<F> {
    fn measure(&mut self, chain: &C, index: u64) -> Result<()> {
        (self.0)(chain, index)
    }
}

/// Hooks for an experiment: progress goes to an [`Observer`] (as `advance(done)` within the
/// caller's current stage), its stop request is honoured, and `measure` is called on the measured
/// sweeps. Checkpoints are the caller's (write a `Hooks` of your own to save them).
pub struct Observed<'o, F> {
    /// The experiment's observer.
    pub observer: &'o mut dyn Observer,
    /// The measurement.
    pub measure: F,
}

impl<F> std::fmt::Debug for Observed<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observed(..)")
    }
}

impl<C: ?Sized, F: FnMut(&C, u64) -> Result<()>> Hooks<C> for Observed<'_, F> {
    fn measure(&mut self, chain: &C, index: u64) -> Result<()> {
        (self.measure)(chain, index)
    }
    fn progress(&mut self, done: u64, _total: u64) {
        self.observer.advance(done);
    }
    fn should_stop(&self) -> bool {
        self.observer.should_stop()
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// The schedule is complete.
    Finished {
        /// Sweeps done.
        sweeps: u64,
    },
    /// The hooks asked to stop; a checkpoint was requested after sweep `sweeps`.
    Stopped {
        /// Sweeps done.
        sweeps: u64,
    },
}

/// Run `chain` from where it stands to the end of `schedule`, measuring and checkpointing as the
/// schedule says. A chain that already did `k` sweeps continues with sweep `k + 1`.
pub fn run<C: MarkovChain + ?Sized>(chain: &mut C, schedule: &Schedule, hooks: &mut dyn Hooks<C>) -> Result<Outcome> {
    schedule.validate()?;
    let total = schedule.total();
    let every = schedule.measure_every;
    hooks.progress(chain.sweeps_done().min(total), total);
    while chain.sweeps_done() < total {
        chain.sweep()?;
        let done = chain.sweeps_done();
        if schedule.is_measured(done) {
            hooks.measure(chain, (done - schedule.therm) / every - 1)?;
        }
        hooks.progress(done, total);
        if hooks.should_stop() {
            hooks.checkpoint(chain)?;
            return Ok(Outcome::Stopped { sweeps: done });
        }
        if schedule.checkpoint_every > 0 && done % schedule.checkpoint_every == 0 && done < total {
            hooks.checkpoint(chain)?;
        }
    }
    Ok(Outcome::Finished { sweeps: chain.sweeps_done() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain that records its sweeps: the driver's bookkeeping, checked by hand.
    struct Counter {
        done: u64,
        log: Vec<u64>,
    }
    impl MarkovChain for Counter {
        fn sweep(&mut self) -> Result<()> {
            self.done += 1;
            self.log.push(self.done);
            Ok(())
        }
        fn sweeps_done(&self) -> u64 {
            self.done
        }
    }

    struct Spy {
        measured: Vec<(u64, u64)>,
        checkpoints: Vec<u64>,
        stop_at: u64,
        last: u64,
    }
    impl Hooks<Counter> for Spy {
        fn measure(&mut self, c: &Counter, i: u64) -> Result<()> {
            self.measured.push((c.done, i));
            Ok(())
        }
        fn progress(&mut self, done: u64, _: u64) {
            self.last = done;
        }
        fn should_stop(&self) -> bool {
            self.last == self.stop_at
        }
        fn checkpoint(&mut self, c: &Counter) -> Result<()> {
            self.checkpoints.push(c.done);
            Ok(())
        }
    }

    #[test]
    fn the_driver_measures_checkpoints_stops_and_resumes_on_the_same_sweeps() {
        let s = Schedule { therm: 3, sweeps: 8, measure_every: 2, checkpoint_every: 4 };
        assert_eq!(s.measurements(), 4);
        let mut c = Counter { done: 0, log: vec![] };
        let mut h = Spy { measured: vec![], checkpoints: vec![], stop_at: 6, last: 0 };
        assert_eq!(run(&mut c, &s, &mut h).unwrap(), Outcome::Stopped { sweeps: 6 });
        assert_eq!(h.measured, vec![(5, 0)]);
        assert_eq!(h.checkpoints, vec![4, 6]);
        h.stop_at = u64::MAX;
        assert_eq!(run(&mut c, &s, &mut h).unwrap(), Outcome::Finished { sweeps: 11 });
        assert_eq!(h.measured, vec![(5, 0), (7, 1), (9, 2), (11, 3)]);
        assert_eq!(h.checkpoints, vec![4, 6, 8]);
        assert_eq!(c.log, (1..=11).collect::<Vec<_>>());
        assert!(Schedule { measure_every: 0, ..s }.validate().is_err());
    }
}
