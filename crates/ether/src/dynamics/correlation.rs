//! Dynamic structure factors S(k, ω) from classical trajectories, by FFT.
//!
//! Conventions (docs/conventions.md): space `A_k = Σ_r e^{+i k·r} A_r` (Sunny's sign), time
//! `A(ω_j) = Σ_n e^{-i ω_j t_n} A(t_n)` with `ω_j = 2π j / (T Δt)`, and the estimator
//!
//! `S_c(k, ω_j) = Δt / (2π N T) · ⟨ P_c( A_k(ω_j) ) ⟩`
//!
//! where `P_c` is a channel projector: a real quadratic function of the complex component
//! vector at `(k, ω)` (for spins, `Σ_α |A^α|²`; for photons, the transverse or longitudinal
//! part). With `P = Σ_α |A^α|²` Parseval gives the exact sum rule
//! `(1/N) Σ_k Σ_j S(k, ω_j) Δω = ⟨ (1/N) Σ_r |A_r|² ⟩_t`, which the tests check.
//!
//! FFT plans are made once per accumulator; accumulators from different samples (or threads)
//! are combined with [`StructureFactor::merge`].

use crate::error::{Error, Result};
use crate::lattice::Lattice;
use num_complex::Complex64 as C64;
use rustfft::{Fft, FftPlanner};
use std::f64::consts::PI;
use std::sync::Arc;

/// Reduces the complex component vector at one `(k, ω)` to channel intensities.
pub trait Projector: Sync {
    /// Number of output channels.
    fn channels(&self) -> usize;
    /// Fill `out[c]` (length `channels()`) from the transformed components at momentum index `k`.
    fn project(&self, k: usize, components: &[C64], out: &mut [f64]);
}

/// The trace `Σ_α |A^α|²`: one channel.
#[derive(Clone, Copy, Debug)]
pub struct Trace;

impl Projector for Trace {
    fn channels(&self) -> usize {
        1
    }
    fn project(&self, _k: usize, c: &[C64], out: &mut [f64]) {
        out[0] = c.iter().map(|x| x.norm_sqr()).sum();
    }
}

/// Accumulates S(k, ω) over trajectories of a real field with `n_components` per site.
pub struct StructureFactor {
    lattice: Lattice,
    n_components: usize,
    n_times: usize,
    dt: f64,
    channels: usize,
    /// `sum[c][k][j]`: accumulated channel intensities (unnormalized).
    sum: Vec<f64>,
    samples: usize,
    axis_ffts: Vec<Arc<dyn Fft<f64>>>,
    time_fft: Arc<dyn Fft<f64>>,
}

/// The accumulated state of a [`StructureFactor`] without its FFT plans: enough to resume a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureFactorState {
    /// Lattice extents.
    pub extents: Vec<usize>,
    /// Components per site.
    pub n_components: usize,
    /// Frames per trajectory.
    pub n_times: usize,
    /// Frame spacing.
    pub dt: f64,
    /// Channels.
    pub channels: usize,
    /// Trajectories accumulated.
    pub samples: usize,
    /// Accumulated sums, `[channel][k][j]`.
    pub sum: Vec<f64>,
}

impl std::fmt::Debug for StructureFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StructureFactor")
            .field("lattice", &self.lattice)
            .field("n_components", &self.n_components)
            .field("n_times", &self.n_times)
            .field("dt", &self.dt)
            .field("samples", &self.samples)
            .finish()
    }
}

impl StructureFactor {
    /// An empty accumulator for trajectories of `n_times` frames spaced `dt` apart.
    pub fn new(lattice: &Lattice, n_components: usize, n_times: usize, dt: f64, channels: usize) -> Result<Self> {
        if n_times < 2 {
            return Err(Error::invalid("number of frames", n_times.to_string(), "record at least 2 frames"));
        }
        if dt.is_nan() || dt <= 0.0 {
            return Err(Error::invalid("frame spacing", dt.to_string(), "it must be > 0"));
        }
        // The accumulator (channels reals per site and frame) and, while a trajectory is added,
        // its transform (n_components complex numbers per site and frame).
        let cells = lattice.n_sites() as u128 * n_times as u128;
        crate::error::check_memory(
            &format!("an S(k, ω) accumulator of {} sites x {n_times} frames", lattice.n_sites()),
            crate::error::bytes_of(cells, 8 * channels as u128 + 16 * n_components as u128),
            "use fewer frames or a smaller lattice",
        )?;
        let mut planner = FftPlanner::new();
        // Inverse (unnormalized) FFT implements e^{+ikr}.
        let axis_ffts = lattice.extents().iter().map(|&l| planner.plan_fft_inverse(l)).collect();
        let time_fft = planner.plan_fft_forward(n_times);
        Ok(StructureFactor {
            lattice: lattice.clone(),
            n_components,
            n_times,
            dt,
            channels,
            sum: vec![0.0; channels * lattice.n_sites() * n_times],
            samples: 0,
            axis_ffts,
            time_fft,
        })
    }

    /// Number of frames per trajectory.
    pub fn n_times(&self) -> usize {
        self.n_times
    }
    /// Number of trajectories accumulated.
    pub fn samples(&self) -> usize {
        self.samples
    }
    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.channels
    }
    /// The lattice.
    pub fn lattice(&self) -> &Lattice {
        &self.lattice
    }

    /// The accumulated state (for checkpoints).
    pub fn state(&self) -> StructureFactorState {
        StructureFactorState {
            extents: self.lattice.extents().to_vec(),
            n_components: self.n_components,
            n_times: self.n_times,
            dt: self.dt,
            channels: self.channels,
            samples: self.samples,
            sum: self.sum.clone(),
        }
    }

    /// Rebuild an accumulator (plans included) from a saved state.
    pub fn from_state(st: StructureFactorState) -> Result<Self> {
        let lattice = Lattice::new(&st.extents)?;
        let mut sf = StructureFactor::new(&lattice, st.n_components, st.n_times, st.dt, st.channels)?;
        if st.sum.len() != sf.sum.len() {
            return Err(Error::invalid(
                "structure-factor state",
                format!("{} sums", st.sum.len()),
                format!("expected {} for this shape; the checkpoint is damaged", sf.sum.len()),
            ));
        }
        sf.sum = st.sum;
        sf.samples = st.samples;
        Ok(sf)
    }

    /// Frequency of bin `j` (0 <= j < T), in (-π/Δt, π/Δt].
    pub fn omega(&self, j: usize) -> f64 {
        let t = self.n_times as f64;
        let jj = if j <= self.n_times / 2 { j as f64 } else { j as f64 - t };
        2.0 * PI * jj / (t * self.dt)
    }

    /// Bin width Δω = 2π / (T Δt).
    pub fn domega(&self) -> f64 {
        2.0 * PI / (self.n_times as f64 * self.dt)
    }

    /// Spatial FFT (e^{+ikr}) of one real site field into `out` (complex, length N).
    pub fn spatial_fft(&self, field: &[f64], out: &mut [C64]) {
        let l = &self.lattice;
        for (o, &f) in out.iter_mut().zip(field) {
            *o = C64::new(f, 0.0);
        }
        let n = l.n_sites();
        let mut line = Vec::new();
        for (a, fft) in self.axis_ffts.iter().enumerate() {
            let len = l.extents()[a];
            let stride = l.strides()[a];
            line.resize(len, C64::new(0.0, 0.0));
            for start in 0..n {
                if (start / stride) % len != 0 {
                    continue;
                }
                for i in 0..len {
                    line[i] = out[start + i * stride];
                }
                fft.process(&mut line);
                for i in 0..len {
                    out[start + i * stride] = line[i];
                }
            }
        }
    }

    /// Add one trajectory: `frames[t]` is a field of `n_components * N` reals, component-major
    /// (`frames[t][c * N + r]`).
    pub fn add_trajectory<P: Projector>(&mut self, frames: &[Vec<f64>], projector: &P) -> Result<()> {
        let n = self.lattice.n_sites();
        let nc = self.n_components;
        let nt = self.n_times;
        if frames.len() != nt || frames.iter().any(|f| f.len() != nc * n) {
            return Err(Error::invalid(
                "trajectory",
                format!("{} frames", frames.len()),
                format!("expected {nt} frames of {} values", nc * n),
            ));
        }
        self.accumulate(|t| &frames[t], projector)
    }

    /// Add one trajectory stored frame after frame in one slice: `frames[(t * n_components + c)
    /// * N + r]` (the layout of a C-ordered array of shape (n_times, n_components, N)); the same
    /// sums as [`StructureFactor::add_trajectory`] of the same frames, without copying them.
    pub fn add_trajectory_flat<P: Projector>(&mut self, frames: &[f64], projector: &P) -> Result<()> {
        let per = self.n_components * self.lattice.n_sites();
        if frames.len() != self.n_times * per {
            return Err(Error::invalid(
                "trajectory",
                format!("{} values", frames.len()),
                format!("expected {} frames of {per} values", self.n_times),
            ));
        }
        self.accumulate(|t| &frames[t * per..(t + 1) * per], projector)
    }

    /// The transform and projection of one trajectory whose frame `t` is `frame(t)` (checked).
    fn accumulate<'f, P: Projector>(&mut self, frame: impl Fn(usize) -> &'f [f64], projector: &P) -> Result<()> {
        let n = self.lattice.n_sites();
        let nc = self.n_components;
        let nt = self.n_times;
        if projector.channels() != self.channels {
            return Err(Error::invalid("projector", projector.channels().to_string(), "channel count mismatch"));
        }
        // X[c][k][t], complex
        let mut x = vec![C64::new(0.0, 0.0); nc * n * nt];
        let mut buf = vec![C64::new(0.0, 0.0); n];
        for t in 0..nt {
            let frame = frame(t);
            for c in 0..nc {
                self.spatial_fft(&frame[c * n..(c + 1) * n], &mut buf);
                for k in 0..n {
                    x[(c * n + k) * nt + t] = buf[k];
                }
            }
        }
        for row in x.chunks_mut(nt) {
            self.time_fft.process(row);
        }
        let mut comps = vec![C64::new(0.0, 0.0); nc];
        let mut out = vec![0.0; self.channels];
        for k in 0..n {
            for j in 0..nt {
                for c in 0..nc {
                    comps[c] = x[(c * n + k) * nt + j];
                }
                projector.project(k, &comps, &mut out);
                for ch in 0..self.channels {
                    self.sum[(ch * n + k) * nt + j] += out[ch];
                }
            }
        }
        self.samples += 1;
        Ok(())
    }

    /// Combine with an accumulator of the same shape (e.g. from another thread).
    pub fn merge(&mut self, other: &StructureFactor) -> Result<()> {
        if other.sum.len() != self.sum.len() || other.n_times != self.n_times || other.lattice != self.lattice {
            return Err(Error::invalid("structure factor merge", "shapes differ", "merge accumulators of one run"));
        }
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        self.samples += other.samples;
        Ok(())
    }

    /// Normalized S_c(k, ω_j) averaged over samples.
    pub fn intensity(&self, channel: usize, k: usize, j: usize) -> f64 {
        let n = self.lattice.n_sites();
        let norm = self.dt / (2.0 * PI * n as f64 * self.n_times as f64 * self.samples.max(1) as f64);
        self.sum[(channel * n + k) * self.n_times + j] * norm
    }

    /// The spectrum S_c(k, ·) at momentum index `k` over the non-negative frequencies
    /// (bins 0..=T/2), as (ω, S) pairs.
    pub fn spectrum(&self, channel: usize, k: usize) -> Vec<(f64, f64)> {
        (0..=self.n_times / 2).map(|j| (self.omega(j), self.intensity(channel, k, j))).collect()
    }
}

/// The naive O(N² T²) transform, the oracle for the FFT path: `A_k(ω_j)` for one component.
pub fn naive_transform(lattice: &Lattice, frames: &[Vec<f64>], component: usize, k: usize, j: usize) -> C64 {
    let n = lattice.n_sites();
    let nt = frames.len();
    let km = lattice.momentum_of_index(k);
    let mut acc = C64::new(0.0, 0.0);
    for (t, f) in frames.iter().enumerate() {
        let wt = -2.0 * PI * (j * t) as f64 / nt as f64;
        for r in 0..n {
            let c = lattice.coords(r);
            let kr: f64 = km.components().iter().zip(c.iter()).map(|(a, &b)| a * b as f64).sum();
            acc += C64::from_polar(f[component * n + r], kr + wt);
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;

    struct Raw;
    impl Projector for Raw {
        fn channels(&self) -> usize {
            2
        }
        fn project(&self, _k: usize, c: &[C64], out: &mut [f64]) {
            out[0] = c[0].norm_sqr();
            out[1] = c[1].norm_sqr();
        }
    }

    fn random_frames(l: &Lattice, nc: usize, nt: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..nt).map(|_| (0..nc * l.n_sites()).map(|_| rng.random_range(-1.0..1.0)).collect()).collect()
    }

    #[test]
    fn fft_path_matches_naive_dft() {
        for ext in ["5", "4x3", "3x2x3"] {
            let l = Lattice::parse(ext).unwrap();
            let nt = 6;
            let dt = 0.3;
            let frames = random_frames(&l, 2, nt, 11);
            let mut sf = StructureFactor::new(&l, 2, nt, dt, 2).unwrap();
            sf.add_trajectory(&frames, &Raw).unwrap();
            let norm = dt / (2.0 * PI * l.n_sites() as f64 * nt as f64);
            for k in 0..l.n_sites() {
                for j in 0..nt {
                    for c in 0..2 {
                        let want = naive_transform(&l, &frames, c, k, j).norm_sqr() * norm;
                        let got = sf.intensity(c, k, j);
                        assert!((got - want).abs() < 1e-12 * (1.0 + want), "{ext} k={k} j={j}: {got} vs {want}");
                    }
                }
            }
        }
    }

    #[test]
    fn flat_frames_give_the_same_sums_as_frame_vectors() {
        // The flat path (a C-ordered (n_times, n_components, N) array read in place, as from
        // numpy) against the per-frame path: the same transforms, so the same bits.
        let l = Lattice::parse("4x3").unwrap();
        let frames = random_frames(&l, 2, 6, 5);
        let flat: Vec<f64> = frames.concat();
        let mut a = StructureFactor::new(&l, 2, 6, 0.2, 2).unwrap();
        let mut b = StructureFactor::new(&l, 2, 6, 0.2, 2).unwrap();
        a.add_trajectory(&frames, &Raw).unwrap();
        b.add_trajectory_flat(&flat, &Raw).unwrap();
        assert_eq!(a.sum, b.sum);
        assert!(b.add_trajectory_flat(&flat[1..], &Raw).unwrap_err().to_string().contains("expected 6 frames"));
        assert_eq!(b.samples(), 1);
    }

    #[test]
    fn an_accumulator_too_large_for_memory_is_refused_before_it_is_allocated() {
        // 10^6 sites x 4096 frames x (8 + 3 x 16) bytes: about 229 GB, refused with the estimate.
        let l = Lattice::parse("1000x1000").unwrap();
        let e = StructureFactor::new(&l, 3, 4096, 0.1, 1).unwrap_err();
        assert!(matches!(e, Error::TooLarge { needed_bytes, .. } if needed_bytes == 1_000_000 * 4096 * 56), "{e}");
    }

    #[test]
    fn parseval_sum_rule_and_merge() {
        let l = Lattice::parse("4x4").unwrap();
        let nt = 8;
        let dt = 0.1;
        let f1 = random_frames(&l, 3, nt, 1);
        let f2 = random_frames(&l, 3, nt, 2);
        let mut a = StructureFactor::new(&l, 3, nt, dt, 1).unwrap();
        let mut b = StructureFactor::new(&l, 3, nt, dt, 1).unwrap();
        a.add_trajectory(&f1, &Trace).unwrap();
        b.add_trajectory(&f2, &Trace).unwrap();
        a.merge(&b).unwrap();
        let n = l.n_sites();
        let lhs = crate::spectra::sum_rule(&a, 0);
        let mean_sq: f64 = [&f1, &f2]
            .iter()
            .map(|fr| fr.iter().map(|f| f.iter().map(|x| x * x).sum::<f64>()).sum::<f64>() / (nt * n) as f64)
            .sum::<f64>()
            / 2.0;
        assert!((lhs - mean_sq).abs() < 1e-12 * mean_sq, "{lhs} vs {mean_sq}");
    }

    #[test]
    fn plane_wave_peaks_at_its_frequency() {
        let l = Lattice::parse("16").unwrap();
        let nt = 128;
        let dt = 0.2;
        let (kn, w) = (3usize, 1.234);
        let k = 2.0 * PI * kn as f64 / 16.0;
        // A_r(t) = cos(k r - w t) = (e^{i(kr-wt)} + e^{-i(kr-wt)})/2. With A_q = Σ e^{+iqr} A_r the
        // second term survives at q = k with time dependence e^{+iwt}, which Σ_t e^{-iωt} puts at ω = +w.
        let frames: Vec<Vec<f64>> =
            (0..nt).map(|t| (0..16).map(|r| (k * r as f64 - w * t as f64 * dt).cos()).collect()).collect();
        let mut sf = StructureFactor::new(&l, 1, nt, dt, 1).unwrap();
        sf.add_trajectory(&frames, &Trace).unwrap();
        let p = crate::spectra::PeakFinder::Parabola.locate(&sf.spectrum(0, kn), 0.0, sf.domega()).unwrap();
        assert!((p - w).abs() < 0.5 * sf.domega(), "{p} vs {w}");
    }
}
