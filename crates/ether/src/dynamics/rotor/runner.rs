//! The S(k, ω) run of [`super::photon_spectrum`] as a resumable object: it steps, records frames
//! and Maxwell residuals, saves its whole state as bytes and continues from them bitwise as if it
//! had never stopped (the force is recomputed from θ with the step's own expressions, the
//! monitors and the initial charges are restored).

use super::{
    fields, maxwell_residuals, polarization, EvolveConfig, Monitor, RotorDynamics, RotorState, SpectrumRun, Stepper,
    TransverseLongitudinal,
};
use crate::dynamics::correlation::StructureFactor;
use crate::error::{Error, Result};
use crate::model::RotorModel;

/// A run in progress.
#[derive(Debug)]
pub struct SpectrumRunner {
    model: RotorModel,
    config: EvolveConfig,
    frame_every: usize,
    n_frames: usize,
    stepper: Stepper,
    state: RotorState,
    initial: RotorState,
    frames_e: Vec<Vec<f64>>,
    frames_b: Vec<Vec<f64>>,
    mean_e: Vec<f64>,
    residual: (f64, f64),
    res_every: usize,
    prev: Option<RotorState>,
}

/// Little-endian writer of the checkpoint payload.
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
}

/// Its reader; a short or inconsistent payload is an error, never a panic.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        if self.0.len() < n {
            return Err(Error::invalid("checkpoint", "truncated", "the checkpoint is damaged: remove it and rerun"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn f64s(&mut self, expect: Option<usize>) -> Result<Vec<f64>> {
        let n = self.u64()? as usize;
        if expect.is_some_and(|e| e != n) || n > self.0.len() / 8 {
            return Err(Error::invalid(
                "checkpoint",
                format!("{n} values"),
                "the checkpoint is not of this run: remove it and rerun",
            ));
        }
        let b = self.take(8 * n)?;
        Ok(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect())
    }
}

impl SpectrumRunner {
    /// Start at `state`: frames every `frame_every` steps (`config.steps / frame_every` of them,
    /// at least 2); refuses runs whose frames would not fit in memory.
    pub fn new(model: &RotorModel, state: RotorState, config: &EvolveConfig, frame_every: usize) -> Result<Self> {
        let lat = &model.lattice;
        let fe = frame_every.max(1);
        let n_frames = config.steps / fe;
        if n_frames < 2 {
            return Err(Error::invalid(
                "steps",
                config.steps.to_string(),
                format!("record at least 2 frames: give at least {} steps", 2 * fe),
            ));
        }
        let n = lat.n_sites();
        // frames of E and B (8 bytes × 6N each), one complex transform at a time (16 × 3N × frames)
        // and the accumulators (2 + 2 + 3 channels of 8 bytes per momentum and frame)
        let need = (n_frames as u64) * (n as u64) * (6 * 8 + 3 * 16 + 7 * 8);
        crate::error::check_memory(
            "the S(k, ω) frames",
            need,
            "use fewer steps, a larger frame interval or a smaller lattice",
        )?;
        let stepper = Stepper::new(model, &state, config)?;
        let mut r = SpectrumRunner {
            model: model.clone(),
            config: config.clone(),
            frame_every: fe,
            n_frames,
            stepper,
            initial: state.clone(),
            state,
            frames_e: Vec::with_capacity(n_frames),
            frames_b: Vec::with_capacity(n_frames),
            mean_e: vec![0.0; lat.n_links()],
            residual: (0.0, 0.0),
            res_every: (config.steps / 16).max(1),
            prev: None,
        };
        r.record(0);
        Ok(r)
    }

    /// Steps taken.
    pub fn step_index(&self) -> usize {
        self.stepper.dynamics.steps()
    }

    /// True when all steps are taken.
    pub fn done(&self) -> bool {
        self.step_index() >= self.config.steps
    }

    /// The frames and residuals of the state after `s` steps.
    fn record(&mut self, s: usize) {
        let st = &self.state;
        if s % self.frame_every == 0 && self.frames_e.len() < self.n_frames {
            let nf = self.n_frames as f64;
            self.mean_e.iter_mut().zip(&st.l).for_each(|(m, x)| *m += x / nf);
            let (e, b) = fields(&self.model.lattice, st);
            self.frames_e.push(e);
            self.frames_b.push(b);
        }
        if let Some(p) = self.prev.take() {
            let (a, b) = maxwell_residuals(&self.model, &p, st, self.config.dt);
            self.residual = (self.residual.0.max(a), self.residual.1.max(b));
        }
        if s % self.res_every == 0 && s < self.config.steps {
            self.prev = Some(st.clone());
        }
    }

    /// Step until `until` steps are taken (or all of them), calling `on_step(step)` after each; an
    /// error from it stops the run where it is (the runner stays consistent and can be saved).
    pub fn advance(&mut self, until: usize, mut on_step: impl FnMut(usize) -> Result<()>) -> Result<()> {
        while self.step_index() < until.min(self.config.steps) {
            self.stepper.step(&mut self.state)?;
            let s = self.step_index();
            self.record(s);
            on_step(s)?;
        }
        Ok(())
    }

    /// The whole state as bytes (for a checkpoint).
    pub fn save(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        let d = &self.stepper.dynamics;
        w.u64(d.steps() as u64);
        w.f64s(&[d.gauss_law_violation(), self.stepper.e0, self.residual.0, self.residual.1]);
        w.f64s(d.initial_charges());
        for v in [&self.state.theta, &self.state.l, &self.initial.theta, &self.initial.l, &self.mean_e] {
            w.f64s(v);
        }
        let m = &self.stepper.monitor;
        for v in [&m.time, &m.energy, &m.gauss_law_violation] {
            w.f64s(v);
        }
        match &self.prev {
            Some(p) => {
                w.u64(1);
                w.f64s(&p.theta);
                w.f64s(&p.l);
            }
            None => w.u64(0),
        }
        w.u64(self.frames_e.len() as u64);
        for (e, b) in self.frames_e.iter().zip(&self.frames_b) {
            w.f64s(e);
            w.f64s(b);
        }
        w.0
    }

    /// Continue a run of `model` with `config` and `frame_every` from [`SpectrumRunner::save`]'s bytes.
    pub fn restore(model: &RotorModel, config: &EvolveConfig, frame_every: usize, bytes: &[u8]) -> Result<Self> {
        let lat = &model.lattice;
        let (nl, ns) = (lat.n_links(), lat.n_sites());
        let mut r = Reader(bytes);
        let steps = r.u64()? as usize;
        let sc = r.f64s(Some(4))?;
        let q0 = r.f64s(Some(ns))?;
        let mut v = Vec::with_capacity(5);
        for _ in 0..5 {
            v.push(r.f64s(Some(nl))?);
        }
        let (theta, l, th0, l0, mean_e) = (v.remove(0), v.remove(0), v.remove(0), v.remove(0), v.remove(0));
        let (time, energy, gauss) = (r.f64s(None)?, r.f64s(None)?, r.f64s(None)?);
        let prev = match r.u64()? {
            1 => Some(RotorState { theta: r.f64s(Some(nl))?, l: r.f64s(Some(nl))? }),
            _ => None,
        };
        let nf = r.u64()? as usize;
        let fe = frame_every.max(1);
        let n_frames = config.steps / fe;
        if nf > n_frames || steps > config.steps {
            return Err(Error::invalid(
                "checkpoint",
                format!("{nf} frames, {steps} steps"),
                "the checkpoint is not of this run: remove it and rerun",
            ));
        }
        let (mut frames_e, mut frames_b) = (Vec::with_capacity(n_frames), Vec::with_capacity(n_frames));
        for _ in 0..nf {
            frames_e.push(r.f64s(Some(3 * ns))?);
            frames_b.push(r.f64s(Some(3 * ns))?);
        }
        let state = RotorState { theta, l };
        let dynamics = RotorDynamics::resumed(model, &state, config.dt, q0, sc[0], steps)?;
        let monitor = Monitor { time, energy, gauss_law_violation: gauss, vacuum_energy: super::vacuum_energy(model) };
        Ok(SpectrumRunner {
            model: model.clone(),
            config: config.clone(),
            frame_every: fe,
            n_frames,
            stepper: Stepper::with(dynamics, monitor, sc[1], model, config),
            state,
            initial: RotorState { theta: th0, l: l0 },
            frames_e,
            frames_b,
            mean_e,
            residual: (sc[2], sc[3]),
            res_every: (config.steps / 16).max(1),
            prev,
        })
    }

    /// The structure factors and monitors of the finished run.
    pub fn finish(self) -> Result<SpectrumRun> {
        let lat = &self.model.lattice;
        let dtf = self.config.dt * self.frame_every as f64;
        let nf = self.frames_e.len();
        let mut electric = StructureFactor::new(lat, 3, nf, dtf, 2)?;
        electric.add_trajectory(&self.frames_e, &TransverseLongitudinal::electric(lat)?)?;
        let mut electric_helicity = StructureFactor::new(lat, 3, nf, dtf, 3)?;
        electric_helicity.add_trajectory(&self.frames_e, &polarization::HelicityProjector::new(lat)?)?;
        drop(self.frames_e);
        let mut magnetic = StructureFactor::new(lat, 3, nf, dtf, 2)?;
        magnetic.add_trajectory(&self.frames_b, &TransverseLongitudinal::magnetic(lat)?)?;
        Ok(SpectrumRun {
            monitor: self.stepper.monitor,
            electric,
            magnetic,
            electric_helicity,
            maxwell_residual: self.residual,
            initial: self.initial,
            last: self.state,
            mean_e: self.mean_e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::Lattice;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn a_saved_and_restored_run_is_the_uninterrupted_run_bit_for_bit() {
        // Oracle: the same run without a stop. Stopping after 253 steps (not a frame or monitor
        // boundary), saving, dropping everything and restoring from the bytes must give the same
        // bits in every output: S(k, ω), monitors, residuals, the last and initial states.
        let m = RotorModel::new_3d(Lattice::parse("4x3x5").unwrap(), 3.0, 1.0, 0.2).unwrap();
        let cfg = EvolveConfig { monitor_every: 7, ..EvolveConfig::new(0.05, 600) };
        let (s0, _) =
            polarization::unequal_state(&m, &polarization::UnequalConfig { temperature: 0.05, seed: 9, charges: None })
                .unwrap();
        let mut a = SpectrumRunner::new(&m, s0.clone(), &cfg, 4).unwrap();
        a.advance(600, |_| Ok(())).unwrap();
        let a = a.finish().unwrap();
        let mut b = SpectrumRunner::new(&m, s0, &cfg, 4).unwrap();
        b.advance(253, |_| Ok(())).unwrap();
        let bytes = b.save();
        drop(b);
        let mut b = SpectrumRunner::restore(&m, &cfg, 4, &bytes).unwrap();
        assert_eq!(b.step_index(), 253);
        b.advance(600, |_| Ok(())).unwrap();
        let b = b.finish().unwrap();
        assert_eq!(bits(&a.last.theta), bits(&b.last.theta));
        assert_eq!(bits(&a.last.l), bits(&b.last.l));
        assert_eq!(a.initial, b.initial);
        assert_eq!(bits(&a.monitor.energy), bits(&b.monitor.energy));
        assert_eq!(bits(&a.monitor.gauss_law_violation), bits(&b.monitor.gauss_law_violation));
        assert_eq!(bits(&a.mean_e), bits(&b.mean_e));
        assert_eq!(a.maxwell_residual.0.to_bits(), b.maxwell_residual.0.to_bits());
        assert_eq!(a.maxwell_residual.1.to_bits(), b.maxwell_residual.1.to_bits());
        for (x, y) in
            [(&a.electric, &b.electric), (&a.magnetic, &b.magnetic), (&a.electric_helicity, &b.electric_helicity)]
        {
            assert_eq!(x.state(), y.state());
        }
        // a damaged or foreign payload is refused, not a panic
        assert!(SpectrumRunner::restore(&m, &cfg, 4, &bytes[..bytes.len() / 2]).is_err());
        let other = RotorModel::new_3d(Lattice::parse("4x4x4").unwrap(), 3.0, 1.0, 0.2).unwrap();
        assert!(SpectrumRunner::restore(&other, &cfg, 4, &bytes).is_err());
    }
}
