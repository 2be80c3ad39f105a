//! What the Monte Carlo asks of a gauge configuration: pluggable measurements and their
//! error analysis.
//!
//! A configuration is one angle per link in [`Lattice`] order (link `site * d + mu`), on a
//! periodic lattice whose **last axis is imaginary time** (the isotropic 4D theory simply calls
//! its fourth axis time; the rotor model's path integral adds time to its 2 or 3 spatial axes).
//! Every measurement is an [`Observable`]: it names the primary series it records, appends one
//! value of each per configuration ([`Observable::measure`]), and turns the recorded
//! [`History`] into a [`Report`] with errors ([`Observable::analyze`]): primary observables
//! get their mean, error and integrated autocorrelation time from [`crate::stats::estimate`];
//! derived ones (specific heat, Creutz ratios, V(R) and its fit, photon energies) get
//! binned-jackknife errors with bins ten autocorrelation times long ([`crate::stats::Jackknife`]).
//!
//! Observables (estimators and derivations: `docs/physics/lattice-gauge-observables.md`):
//! - [`Plaquettes`]: `⟨cos Θ_P⟩` over space-space and space-time plaquettes separately and
//!   together, the action density `1 − ⟨cos Θ_P⟩` and the specific heat
//!   `C = N_P (⟨Ē²⟩ − ⟨Ē⟩²)`.
//! - [`Monopoles`]: the DeGrand-Toussaint density of magnetic charge per elementary 3-cube.
//! - [`Polyakov`]: `⟨|P̄|⟩`, the modulus of the spatial average of the temporal Wilson lines.
//! - [`crate::mc::measure_loops::WilsonLoops`]: `W(R, T)`, Creutz ratios, `V(R)` and its fit.
//! - [`crate::mc::measure_photon::Photon`]: the photon detector (field-strength correlator,
//!   imaginary-time flux correlators, `ω(k)` and the speed of light).
//! - [`crate::mc::measure_rotor::RotorEnergy`]: the rotor model's energy per site and its
//!   equal-time transverse electric correlator (rotor mode only).

use crate::error::{Error, Result};
use crate::lattice::{wrap_pi, Lattice};
use crate::mc::measure_loops::{LoopsReport, WilsonLoops};
use crate::mc::measure_photon::{Photon, PhotonReport};
use crate::mc::measure_rotor::{RotorCouplings, RotorEnergy, RotorEnergyReport};
use crate::stats::{estimate, Derived, Estimate, Jackknife};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::fmt::Debug;

/// The measurements a run can ask for (`--measure`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// Plaquettes (space-space, space-time), action density, specific heat.
    Plaquette,
    /// DeGrand-Toussaint monopole density.
    Monopoles,
    /// Polyakov loop.
    Polyakov,
    /// Wilson loops, Creutz ratios, the static potential and its fit.
    Potential,
    /// The photon detector: field-strength and flux correlators, ω(k), c.
    Photon,
    /// The rotor model's energy per site and equal-time field correlators (rotor mode).
    Energy,
}

impl Measure {
    /// Every measurement, in the order reports list them.
    pub const ALL: [Measure; 6] = [
        Measure::Plaquette,
        Measure::Monopoles,
        Measure::Polyakov,
        Measure::Potential,
        Measure::Photon,
        Measure::Energy,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Plaquette => "plaquette",
            Measure::Monopoles => "monopoles",
            Measure::Polyakov => "polyakov",
            Measure::Potential => "potential",
            Measure::Photon => "photon",
            Measure::Energy => "energy",
        }
    }

    /// The default set: plaquette, monopoles, polyakov.
    pub fn defaults() -> Vec<Measure> {
        vec![Measure::Plaquette, Measure::Monopoles, Measure::Polyakov]
    }

    /// Parse `--measure`: a comma-separated list of names, or `all` (every measurement that
    /// applies: `energy` needs the rotor model). Duplicates are merged; order is canonical.
    pub fn parse_list(s: &str, rotor: bool) -> Result<Vec<Measure>> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Measure::ALL.into_iter().filter(|m| rotor || *m != Measure::Energy).collect());
        }
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim) {
            let m = Measure::ALL.into_iter().find(|m| m.name().eq_ignore_ascii_case(part)).ok_or_else(|| {
                Error::invalid(
                    "--measure",
                    format!("'{part}'"),
                    "choose among plaquette, monopoles, polyakov, potential, photon, energy (comma-separated), or all",
                )
            })?;
            out.push(m);
        }
        if out.is_empty() {
            return Err(Error::invalid(
                "--measure",
                "''",
                "name at least one measurement, e.g. --measure plaquette,photon",
            ));
        }
        out.sort();
        out.dedup();
        if out.contains(&Measure::Energy) && !rotor {
            return Err(Error::invalid(
                "--measure",
                "energy",
                "the energy per site is the rotor model's (add --rotor); the isotropic action's density comes with plaquette",
            ));
        }
        Ok(out)
    }
}

/// The lattice of a run with its time axis (the last one).
#[derive(Clone, Debug, PartialEq)]
pub struct Geometry {
    /// The periodic lattice (space first, imaginary time last).
    pub lattice: Lattice,
    /// Sites per time slice.
    n_space: usize,
}

impl Geometry {
    /// The geometry of a lattice of 2 to 4 dimensions whose last axis is time.
    pub fn new(lattice: Lattice) -> Result<Self> {
        if lattice.dim() < 2 {
            return Err(Error::invalid(
                "lattice",
                lattice.to_string(),
                "a gauge theory needs at least one space and one time axis, e.g. 6x6x6x6",
            ));
        }
        let n_space = lattice.n_sites() / lattice.extents()[lattice.dim() - 1];
        Ok(Geometry { lattice, n_space })
    }

    /// The index of the time axis (the last).
    pub fn time_axis(&self) -> usize {
        self.lattice.dim() - 1
    }

    /// Number of spatial dimensions.
    pub fn space_dim(&self) -> usize {
        self.lattice.dim() - 1
    }

    /// Number of time slices.
    pub fn n_time(&self) -> usize {
        self.lattice.extents()[self.time_axis()]
    }

    /// Sites per time slice.
    pub fn n_space(&self) -> usize {
        self.n_space
    }

    /// Spatial extents.
    pub fn space_extents(&self) -> &[usize] {
        &self.lattice.extents()[..self.space_dim()]
    }

    /// Split a site into its spatial index (within a slice) and its time slice.
    #[inline]
    pub fn split(&self, r: usize) -> (usize, usize) {
        (r % self.n_space, r / self.n_space)
    }

    /// True if plane `p` (index among the planes of a site) contains the time axis.
    pub fn is_temporal_plane(&self, p: usize) -> bool {
        self.lattice.plane_axes(p).1 == self.time_axis()
    }

    /// True if all extents are equal (then every axis may serve as time for loops and
    /// correlators, which the isotropic action's hypercubic symmetry allows).
    pub fn is_hypercubic(&self) -> bool {
        let e = self.lattice.extents();
        e.iter().all(|&x| x == e[0])
    }
}

/// One configuration, with the plaquette angles every observable needs computed once.
#[derive(Debug)]
pub struct Snapshot<'a> {
    /// The geometry.
    pub geometry: &'a Geometry,
    /// Link angles.
    pub theta: &'a [f64],
    /// Plaquette angles `Θ_P = (curl θ)_P` (not wrapped).
    pub plaquette: Vec<f64>,
    /// Plaquette angles wrapped into (−π, π] (the physical flux of DeGrand and Toussaint).
    pub wrapped: Vec<f64>,
}

impl<'a> Snapshot<'a> {
    /// Compute the plaquette angles of a configuration.
    pub fn new(geometry: &'a Geometry, theta: &'a [f64]) -> Self {
        let l = &geometry.lattice;
        assert_eq!(theta.len(), l.n_links(), "a configuration has one angle per link");
        let mut plaquette = vec![0.0; l.n_plaquettes()];
        l.curl(theta, &mut plaquette);
        let wrapped = plaquette.iter().map(|&x| wrap_pi(x)).collect();
        Snapshot { geometry, theta, plaquette, wrapped }
    }
}

/// The recorded values of one observable: `rows` measurements of `names.len()` series,
/// row-major (`data[row * names.len() + j]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Names of the series.
    pub names: Vec<String>,
    /// Number of measurements recorded.
    pub rows: usize,
    /// The values.
    pub data: Vec<f64>,
}

impl History {
    /// An empty history of the named series.
    pub fn new(names: Vec<String>) -> Self {
        History { names, rows: 0, data: Vec::new() }
    }

    /// Append one measurement (one value per series).
    pub fn push(&mut self, row: &[f64]) {
        assert_eq!(row.len(), self.names.len(), "one value per series");
        self.data.extend_from_slice(row);
        self.rows += 1;
    }

    /// The time series of column `j`.
    pub fn column(&self, j: usize) -> Vec<f64> {
        let w = self.names.len();
        (0..self.rows).map(|i| self.data[i * w + j]).collect()
    }

    /// All columns.
    pub fn columns(&self) -> Vec<Vec<f64>> {
        (0..self.names.len()).map(|j| self.column(j)).collect()
    }

    /// The column with a given name.
    pub fn named(&self, name: &str) -> Option<Vec<f64>> {
        self.names.iter().position(|n| n == name).map(|j| self.column(j))
    }

    /// Estimates (mean, error, τ_int) of every column.
    pub fn estimates(&self) -> Vec<Estimate> {
        self.columns().iter().map(|c| estimate(c)).collect()
    }

    /// A jackknife whose bins are ten times the largest τ_int of the columns `cols`.
    pub fn jackknife(&self, cols: &[usize]) -> Option<Jackknife> {
        let taus: Vec<f64> = cols.iter().map(|&j| estimate(&self.column(j)).tau_int).collect();
        Jackknife::for_taus(self.rows, &taus)
    }

    /// Bytes held (for memory estimates).
    pub fn bytes_per_row(&self) -> usize {
        self.names.len() * std::mem::size_of::<f64>()
    }
}

/// A named primary observable with its estimate (the JSON form every report uses).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scalar {
    /// Mean.
    pub value: f64,
    /// Standard error from the integrated autocorrelation time.
    pub error: f64,
    /// Integrated autocorrelation time, in measurements.
    pub tau_int: f64,
    /// Its statistical error.
    pub tau_int_error: f64,
    /// False if the series is shorter than 50 τ_int or no window was found (the error is then
    /// a lower bound).
    pub reliable: bool,
}

impl From<&Estimate> for Scalar {
    fn from(e: &Estimate) -> Self {
        Scalar {
            value: e.mean,
            error: e.error,
            tau_int: e.tau_int,
            tau_int_error: e.tau_int_error,
            reliable: e.reliable,
        }
    }
}

/// Couplings the estimators need (normalizations and the rotor model's physical units).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Couplings {
    /// An isotropic action (Wilson or Villain) with inverse coupling β; its Gaussian
    /// (weak-coupling) limit is `(β/2) Σ_P Θ_P²`.
    Isotropic {
        /// β.
        beta: f64,
    },
    /// The rotor model's anisotropic action (spatial Wilson `β_s = 2τg`, temporal Villain
    /// `β_t = 1/(2τJ)`), with the Hamiltonian couplings for physical units.
    Rotor(RotorCouplings),
}

impl Couplings {
    /// The imaginary-time step in physical units (1 for isotropic lattices: lattice units).
    pub fn tau(&self) -> f64 {
        match self {
            Couplings::Isotropic { .. } => 1.0,
            Couplings::Rotor(r) => r.tau,
        }
    }
}

/// Options of the measurements that have sizes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureOptions {
    /// Largest Wilson-loop extent R (and T on isotropic lattices).
    pub loop_max: usize,
    /// Momenta `2πn/L` with `n = 1..=photon_momenta` along each spatial axis for ω(k).
    pub photon_momenta: usize,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions { loop_max: 3, photon_momenta: 2 }
    }
}

/// What an observable reports after the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// Plaquettes.
    Plaquette(PlaquetteReport),
    /// Monopoles.
    Monopoles(Scalar),
    /// Polyakov loop.
    Polyakov(Scalar),
    /// Wilson loops and the potential.
    Loops(LoopsReport),
    /// The photon.
    Photon(PhotonReport),
    /// Rotor energy.
    Energy(RotorEnergyReport),
}

/// A pluggable measurement.
pub trait Observable: Debug + Send + Sync {
    /// Which measurement this is.
    fn kind(&self) -> Measure;
    /// Names of the primary series recorded per configuration.
    fn series(&self) -> Vec<String>;
    /// Append one value per series for this configuration.
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>);
    /// Means, errors and derived quantities from the recorded history.
    fn analyze(&self, h: &History) -> Report;
}

/// The observables of a run with their histories.
#[derive(Debug)]
pub struct Measurements {
    geometry: Geometry,
    observables: Vec<Box<dyn Observable>>,
    histories: Vec<History>,
}

impl Measurements {
    /// Set up the requested measurements for a geometry and couplings.
    pub fn new(geometry: Geometry, set: &[Measure], couplings: &Couplings, options: &MeasureOptions) -> Result<Self> {
        let mut observables: Vec<Box<dyn Observable>> = Vec::new();
        for &m in set {
            let o: Box<dyn Observable> = match m {
                Measure::Plaquette => Box::new(Plaquettes::new(&geometry)),
                Measure::Monopoles => Box::new(Monopoles::new(&geometry)?),
                Measure::Polyakov => Box::new(Polyakov::new(&geometry)),
                Measure::Potential => Box::new(WilsonLoops::new(&geometry, couplings, options.loop_max)?),
                Measure::Photon => Box::new(Photon::new(&geometry, couplings, options.photon_momenta)?),
                Measure::Energy => match couplings {
                    Couplings::Rotor(rc) => Box::new(RotorEnergy::new(&geometry, *rc)?),
                    Couplings::Isotropic { .. } => {
                        return Err(Error::invalid(
                            "--measure",
                            "energy",
                            "the energy per site is the rotor model's (add --rotor)",
                        ))
                    }
                },
            };
            observables.push(o);
        }
        let histories = observables.iter().map(|o| History::new(o.series())).collect();
        Ok(Measurements { geometry, observables, histories })
    }

    /// Bytes one measurement adds to the histories.
    pub fn bytes_per_measurement(&self) -> usize {
        self.histories.iter().map(History::bytes_per_row).sum()
    }

    /// The geometry.
    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// Measure one configuration.
    pub fn record(&mut self, theta: &[f64]) {
        let snap = Snapshot::new(&self.geometry, theta);
        let mut row = Vec::new();
        for (o, h) in self.observables.iter().zip(self.histories.iter_mut()) {
            row.clear();
            o.measure(&snap, &mut row);
            h.push(&row);
        }
    }

    /// The recorded histories, one per observable (for checkpoints and arrays).
    pub fn histories(&self) -> &[History] {
        &self.histories
    }

    /// Replace the histories (resuming from a checkpoint); refuses a mismatch of series.
    pub fn restore(&mut self, histories: Vec<History>) -> Result<()> {
        let ok = histories.len() == self.histories.len()
            && histories
                .iter()
                .zip(&self.histories)
                .all(|(a, b)| a.names == b.names && a.data.len() == a.rows * a.names.len());
        if !ok {
            return Err(Error::invalid(
                "checkpoint",
                "measurement histories",
                "they were recorded with other measurements; resume with the same --measure, or start afresh",
            ));
        }
        self.histories = histories;
        Ok(())
    }

    /// Number of measurements recorded.
    pub fn rows(&self) -> usize {
        self.histories.first().map(|h| h.rows).unwrap_or(0)
    }

    /// Every observable's report, in the order of the requested set.
    pub fn analyze(&self) -> Vec<(Measure, Report)> {
        self.observables.iter().zip(&self.histories).map(|(o, h)| (o.kind(), o.analyze(h))).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Plaquettes, action density, specific heat

/// Plaquette averages over space-space and space-time planes and over all planes.
#[derive(Debug)]
pub struct Plaquettes {
    temporal: Vec<bool>,
    n_plaquettes: usize,
}

/// The plaquette report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaquetteReport {
    /// `⟨cos Θ_P⟩` over all plaquettes.
    pub all: Scalar,
    /// Over plaquettes with both axes spatial (absent on a lattice with one spatial axis).
    pub space_space: Option<Scalar>,
    /// Over plaquettes with one axis in time.
    pub space_time: Scalar,
    /// Action density `1 − ⟨cos Θ_P⟩` (the plaquette energy of the literature; for the Wilson
    /// action the action per plaquette divided by β).
    pub action_density: Derived,
    /// Specific heat `C = N_P (⟨Ē²⟩ − ⟨Ē⟩²)`, `Ē` the configuration's action density
    /// (for the Wilson action `C = −∂⟨Ē⟩/∂β`).
    pub specific_heat: Derived,
}

impl Plaquettes {
    /// Plaquette averages on a geometry.
    pub fn new(g: &Geometry) -> Self {
        let temporal = (0..g.lattice.planes_per_site()).map(|p| g.is_temporal_plane(p)).collect();
        Plaquettes { temporal, n_plaquettes: g.lattice.n_plaquettes() }
    }
}

impl Observable for Plaquettes {
    fn kind(&self) -> Measure {
        Measure::Plaquette
    }
    fn series(&self) -> Vec<String> {
        vec!["plaquette".into(), "plaquette_space_space".into(), "plaquette_space_time".into()]
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        let pp = self.temporal.len();
        let (mut ss, mut st, mut nss, mut nst) = (0.0, 0.0, 0usize, 0usize);
        for (i, &x) in s.plaquette.iter().enumerate() {
            if self.temporal[i % pp] {
                st += x.cos();
                nst += 1;
            } else {
                ss += x.cos();
                nss += 1;
            }
        }
        let all = (ss + st) / (nss + nst) as f64;
        out.push(all);
        out.push(if nss > 0 { ss / nss as f64 } else { f64::NAN });
        out.push(st / nst as f64);
    }
    fn analyze(&self, h: &History) -> Report {
        let e = h.estimates();
        let has_ss = e[1].mean.is_finite();
        let all = h.column(0);
        let sq: Vec<f64> = all.iter().map(|x| (1.0 - x) * (1.0 - x)).collect();
        let np = self.n_plaquettes as f64;
        let (action, heat) = match h.jackknife(&[0]) {
            Some(jk) => {
                let d = jk.derive(&[&all, &sq], |m| {
                    let e = 1.0 - m[0];
                    vec![e, np * (m[1] - e * e)]
                });
                (d[0], d[1])
            }
            None => (Derived { value: 1.0 - e[0].mean, error: f64::NAN }, Derived { value: f64::NAN, error: f64::NAN }),
        };
        Report::Plaquette(PlaquetteReport {
            all: (&e[0]).into(),
            space_space: has_ss.then(|| (&e[1]).into()),
            space_time: (&e[2]).into(),
            action_density: action,
            specific_heat: heat,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Monopoles

/// DeGrand-Toussaint monopole density: `ρ = ⟨|m_c|⟩` per 3-cube, `m_c = (1/2π) Σ_faces ± [Θ_P]`.
#[derive(Debug)]
pub struct Monopoles {
    faces: Vec<[(usize, i8); 6]>,
}

impl Monopoles {
    /// Monopoles need 3-cubes: a lattice of at least 3 dimensions.
    pub fn new(g: &Geometry) -> Result<Self> {
        let l = &g.lattice;
        if l.dim() < 3 {
            return Err(Error::invalid(
                "--measure",
                "monopoles",
                "monopoles live on 3-cubes: the lattice needs at least 3 dimensions",
            ));
        }
        Ok(Monopoles { faces: (0..l.n_cubes()).map(|q| l.cube_plaquettes(q)).collect() })
    }
}

/// The integer magnetic charge of a cube from the wrapped angles of its faces.
pub fn cube_charge(faces: &[(usize, i8); 6], wrapped: &[f64]) -> f64 {
    let s: f64 = faces.iter().map(|&(p, sg)| f64::from(sg) * wrapped[p]).sum();
    (s / (2.0 * PI)).round()
}

impl Observable for Monopoles {
    fn kind(&self) -> Measure {
        Measure::Monopoles
    }
    fn series(&self) -> Vec<String> {
        vec!["monopole_density".into()]
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        let total: f64 = self.faces.iter().map(|f| cube_charge(f, &s.wrapped).abs()).sum();
        out.push(total / self.faces.len() as f64);
    }
    fn analyze(&self, h: &History) -> Report {
        Report::Monopoles((&estimate(&h.column(0))).into())
    }
}

// ---------------------------------------------------------------------------------------------
// Polyakov loop

/// The Polyakov loop `P(x) = exp(i Σ_t θ_time(x, t))` averaged over space; records `|P̄|`.
#[derive(Debug)]
pub struct Polyakov {
    geometry: Geometry,
}

impl Polyakov {
    /// Polyakov loops along the time axis.
    pub fn new(g: &Geometry) -> Self {
        Polyakov { geometry: g.clone() }
    }
}

impl Observable for Polyakov {
    fn kind(&self) -> Measure {
        Measure::Polyakov
    }
    fn series(&self) -> Vec<String> {
        vec!["polyakov_abs".into()]
    }
    fn measure(&self, s: &Snapshot<'_>, out: &mut Vec<f64>) {
        let g = &self.geometry;
        let (ns, nt, d, t) = (g.n_space(), g.n_time(), g.lattice.dim(), g.time_axis());
        let (mut re, mut im) = (0.0, 0.0);
        for xs in 0..ns {
            let phase: f64 = (0..nt).map(|k| s.theta[(xs + k * ns) * d + t]).sum();
            let (sn, cs) = phase.sin_cos();
            re += cs;
            im += sn;
        }
        out.push((re * re + im * im).sqrt() / ns as f64);
    }
    fn analyze(&self, h: &History) -> Report {
        Report::Polyakov((&estimate(&h.column(0))).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mc::rng::stream;
    use rand::RngExt;

    fn random_field(l: &Lattice, seed: u64, amp: f64) -> Vec<f64> {
        let mut rng = stream(seed, &[7]);
        (0..l.n_links()).map(|_| amp * (2.0 * rng.random::<f64>() - 1.0)).collect()
    }

    #[test]
    fn measure_list_parses_and_refuses() {
        assert_eq!(
            Measure::parse_list("photon,plaquette,photon", false).unwrap(),
            vec![Measure::Plaquette, Measure::Photon]
        );
        assert_eq!(Measure::parse_list("all", false).unwrap().len(), 5);
        assert_eq!(Measure::parse_list("ALL", true).unwrap().len(), 6);
        assert!(Measure::parse_list("energy", false).is_err());
        assert!(Measure::parse_list("plaquete", false).is_err());
        assert!(Measure::parse_list("", false).is_err());
    }

    #[test]
    fn plaquette_split_and_gauge_invariance() {
        // A pure gauge θ = grad χ has Θ_P = 0 everywhere (curl grad = 0): every plaquette is 1,
        // no monopoles, and the Polyakov loop of the gauge transform is |P̄| = 1 (a Wilson line
        // around the time circle of a gauge is a closed loop: its angle sums to 0).
        let l = Lattice::parse("4x4x4x6").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let mut rng = stream(1, &[1]);
        let chi: Vec<f64> = (0..l.n_sites()).map(|_| 6.0 * rng.random::<f64>()).collect();
        let mut theta = vec![0.0; l.n_links()];
        l.grad(&chi, &mut theta);
        let mut m =
            Measurements::new(g, &Measure::defaults(), &Couplings::Isotropic { beta: 1.0 }, &MeasureOptions::default())
                .unwrap();
        m.record(&theta);
        let h = m.histories();
        for x in &h[0].data {
            assert!((x - 1.0).abs() < 1e-12);
        }
        assert_eq!(h[1].data, vec![0.0]);
        assert!((h[2].data[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn plaquette_series_match_a_direct_sum() {
        // The split by plane type against a direct sum with Lattice::plaquette_links.
        let l = Lattice::parse("4x2x6").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let theta = random_field(&l, 3, 1.0);
        let p = Plaquettes::new(&g);
        let snap = Snapshot::new(&g, &theta);
        let mut out = vec![];
        p.measure(&snap, &mut out);
        let (mut ss, mut st, mut ns, mut nt) = (0.0, 0.0, 0.0, 0.0);
        for q in 0..l.n_plaquettes() {
            let (_, a, b) = l.plaquette_site_axes(q);
            let ang: f64 = l.plaquette_links(q).iter().map(|&(k, s)| f64::from(s) * theta[k]).sum();
            if b == 2 {
                st += ang.cos();
                nt += 1.0;
            } else {
                assert_eq!((a, b), (0, 1));
                ss += ang.cos();
                ns += 1.0;
            }
        }
        assert!((out[1] - ss / ns).abs() < 1e-14 && (out[2] - st / nt).abs() < 1e-14);
        assert!((out[0] - (ss + st) / (ns + nt)).abs() < 1e-14);
    }

    #[test]
    fn monopole_charges_are_integers_and_a_link_kick_creates_none() {
        let l = Lattice::parse("4x4x4").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let mon = Monopoles::new(&g).unwrap();
        // A kick a on one link changes each cube that contains the link on two faces by +a and
        // −a; wrapping is odd, so the two wrapped contributions cancel for any a.
        for a in [0.5, 2.5, 4.0, -5.9] {
            let mut theta = vec![0.0; l.n_links()];
            theta[l.link(5, 1)] = a;
            let mut out = vec![];
            mon.measure(&Snapshot::new(&g, &theta), &mut out);
            assert_eq!(out[0], 0.0, "a = {a}");
        }
        // Hand-made face fluxes of one cube (raw values, outward with the cube's signs): 1.5π out
        // of one face and 0.3π into each of the other five conserve the raw flux; wrapped, the
        // first face reads −0.5π, so the cube holds −2π of wrapped flux: charge −1.
        let faces: [(usize, i8); 6] = [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1)];
        let raw = [1.5 * PI, -0.3 * PI, -0.3 * PI, -0.3 * PI, -0.3 * PI, -0.3 * PI];
        let wrapped: Vec<f64> = raw.iter().map(|&x| wrap_pi(x)).collect();
        assert_eq!(cube_charge(&faces, &wrapped), -1.0);
        // On random fields every cube's wrapped flux is a multiple of 2π (the raw flux out of a
        // cube is exactly 0), and the total charge on the torus vanishes (each plaquette bounds
        // two cubes with opposite signs).
        let theta = random_field(&l, 9, PI);
        let snap = Snapshot::new(&g, &theta);
        let (mut net, mut n) = (0.0, 0.0);
        for q in 0..l.n_cubes() {
            let f = l.cube_plaquettes(q);
            let s: f64 = f.iter().map(|&(p, sg)| f64::from(sg) * snap.wrapped[p]).sum();
            assert!((s / (2.0 * PI) - (s / (2.0 * PI)).round()).abs() < 1e-9);
            net += cube_charge(&f, &snap.wrapped);
            n += cube_charge(&f, &snap.wrapped).abs();
        }
        assert_eq!(net, 0.0);
        assert!(n > 0.0, "random links carry monopoles");
    }

    #[test]
    fn polyakov_loop_of_a_constant_temporal_field() {
        // θ_time = a on every temporal link: P(x) = e^{i N_t a} for all x, so |P̄| = 1; with
        // θ_time = a on the slice t = 0 only at half of the sites and 0 elsewhere, P̄ =
        // (1 + e^{ia})/2 and |P̄| = |cos(a/2)|.
        let l = Lattice::parse("4x4x6").unwrap();
        let g = Geometry::new(l.clone()).unwrap();
        let p = Polyakov::new(&g);
        let mut theta = vec![0.0; l.n_links()];
        for r in 0..l.n_sites() {
            theta[l.link(r, 2)] = 0.3;
        }
        let mut out = vec![];
        p.measure(&Snapshot::new(&g, &theta), &mut out);
        assert!((out[0] - 1.0).abs() < 1e-12);
        let mut theta = vec![0.0; l.n_links()];
        for xs in 0..16 {
            if xs % 2 == 0 {
                theta[l.link(xs, 2)] = 1.1;
            }
        }
        let mut out = vec![];
        p.measure(&Snapshot::new(&g, &theta), &mut out);
        assert!((out[0] - (0.55f64).cos()).abs() < 1e-12);
    }
}
