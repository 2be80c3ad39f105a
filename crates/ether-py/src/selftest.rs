//! The bridge's self-test: an experiment with no physics that exercises every path of the
//! bridge (stages and progress, messages, safe points and Ctrl-C, real and complex arrays with
//! shared and labelled axes, claims, each kind of error, a panic), so that the Python tests can
//! check the bridge itself independently of the chapters. Not exported by the package; reached
//! as `ether._ether.run("_selftest", {...})`.

use ether::experiment::{check_stop, Axis, Claim, DataArray, DemoRun, Experiment, Observer, Record};
use num_complex::Complex64;
use serde::{Deserialize, Serialize};

/// The self-test's parameters.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SelfTestParams {
    /// Steps of the loop (each one a safe point).
    pub steps: u64,
    /// Milliseconds to sleep per step (for the Ctrl-C test).
    pub step_ms: f64,
    /// A real number that must be finite (for the NaN test).
    pub coupling: f64,
    /// Bytes the run claims to need (for the memory-estimate test).
    pub bytes: u64,
    /// `none`, `numerical`, `invariant`, `io`, `panic` or `guarantee` (a record whose
    /// `failure()` is set): the failure to produce.
    pub fail: String,
    /// Rows of the table array.
    pub rows: u64,
    /// A list of numbers (the table's row axis).
    pub beta: Vec<f64>,
}

impl Default for SelfTestParams {
    fn default() -> Self {
        SelfTestParams {
            steps: 3,
            step_ms: 0.0,
            coupling: 1.0,
            bytes: 1024,
            fail: "none".into(),
            rows: 2,
            beta: vec![0.5, 1.0],
        }
    }
}

/// The self-test's record.
#[derive(Debug, Serialize)]
pub struct SelfTestRecord {
    /// Steps done.
    pub steps_done: u64,
    /// Sum of beta.
    pub beta_sum: f64,
    /// A value that is NaN (JSON null).
    pub undefined: f64,
    /// A verdict word, decided from the claims.
    pub verdict: String,
    #[serde(skip)]
    beta: Vec<f64>,
    #[serde(skip)]
    coupling: f64,
    #[serde(skip)]
    broken: bool,
}

impl Record for SelfTestRecord {
    fn arrays(&self) -> Vec<DataArray> {
        let rows = Axis::new("beta", "1/J", "selftest_beta.npy", self.beta.clone());
        let cols = Axis::labelled("start", "selftest_start.npy", vec!["hot".into(), "cold".into(), "mixed".into()]);
        let table: Vec<f64> = (0..self.beta.len() * 3).map(|i| i as f64 * self.coupling).collect();
        let t = Axis::new("time", "1/J", "selftest_t.npy", vec![0.0, 0.5, 1.0, 1.5]);
        let wave: Vec<Complex64> = (0..4).map(|i| Complex64::new(i as f64, -(i as f64))).collect();
        vec![
            DataArray::real("selftest_table.npy", "a table", "J", vec![rows.clone(), cols], table),
            DataArray::real("selftest_row_sum.npy", "its row sums", "J", vec![rows], vec![0.0; self.beta.len()]),
            DataArray::complex("selftest_wave.npy", "a complex series", "1", vec![t], wave),
        ]
    }

    fn claims(&self) -> Vec<Claim> {
        vec![
            Claim::within("the loop ran", "steps done", self.steps_done as f64, self.steps_done as f64, 0.0, "count"),
            Claim::at_most("an undefined number never passes", "undefined", self.undefined, 1.0, "NaN rule"),
        ]
    }

    fn failure(&self) -> Option<String> {
        self.broken.then(|| "the self-test's guaranteed check failed on request".to_string())
    }

    fn summary(&self) -> Vec<String> {
        vec![format!("self-test: {} steps", self.steps_done)]
    }
}

/// The self-test experiment.
#[derive(Debug)]
pub struct SelfTest;

impl Experiment for SelfTest {
    const COMMAND: &'static str = "_selftest";
    type Params = SelfTestParams;
    type Record = SelfTestRecord;

    fn validate(p: &SelfTestParams) -> ether::Result<()> {
        ether::error::require_finite("coupling", p.coupling)?;
        ether::error::require_non_negative("step_ms", p.step_ms, "a duration")?;
        ether::experiment::check_memory("the self-test's buffer", p.bytes, "ask for fewer bytes")?;
        if p.beta.len() as u64 != p.rows {
            return Err(ether::Error::invalid(
                "beta",
                format!("{:?}", p.beta),
                format!("give {} values (rows)", p.rows),
            ));
        }
        Ok(())
    }

    fn run(p: &SelfTestParams, obs: &mut dyn Observer) -> ether::Result<SelfTestRecord> {
        Self::validate(p)?;
        obs.say("self-test: starting");
        obs.stage("self-test steps", p.steps);
        let mut done = 0;
        for i in 0..p.steps {
            check_stop(obs, "the self-test", || format!("{i} of {} steps were done; nothing was kept", p.steps))?;
            if p.step_ms > 0.0 {
                std::thread::sleep(std::time::Duration::from_secs_f64(p.step_ms / 1000.0));
            }
            done += 1;
            obs.advance(done);
        }
        match p.fail.as_str() {
            "none" | "guarantee" => {}
            "numerical" => return Err(ether::Error::numerical("the self-test", "it was asked to fail", "do not ask")),
            "invariant" => {
                return Err(ether::Error::Invariant("the self-test's invariant was broken on request".into()))
            }
            "io" => {
                return Err(ether::Error::io(
                    "reading /nonexistent",
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                ))
            }
            "panic" => panic!("the self-test panics on request"),
            other => {
                return Err(ether::Error::invalid(
                    "fail",
                    other,
                    "give none, numerical, invariant, io, panic or guarantee",
                ))
            }
        }
        let mut rec = SelfTestRecord {
            steps_done: done,
            beta_sum: p.beta.iter().sum(),
            undefined: f64::NAN,
            verdict: String::new(),
            beta: p.beta.clone(),
            coupling: p.coupling,
            broken: p.fail == "guarantee",
        };
        rec.verdict = if rec.claims().iter().all(|c| c.pass) { "all pass".into() } else { "some fail".into() };
        Ok(rec)
    }

    fn demo(_seed: u64) -> Vec<DemoRun<SelfTestParams>> {
        Vec::new()
    }
}
