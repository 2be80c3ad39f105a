//! A run directory loaded back from disk: the record (`result.json`), the manifest and the
//! `.npy` arrays. Chapter figures are drawn from this alone, so `ether plot DIR` shows what is
//! in the files, including a user's edits to them.

use crate::PlotError;
use ndarray::ArrayD;
use ndarray_npy::ReadNpyExt;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A run directory's saved data.
#[derive(Clone, Debug)]
pub struct RunData {
    dir: PathBuf,
    /// `result.json`.
    pub result: serde_json::Value,
    /// `manifest.json` (`null` if absent, e.g. while the run is still staged).
    pub manifest: serde_json::Value,
}

fn read_err(path: &Path, reason: impl ToString) -> PlotError {
    PlotError::Read { path: path.display().to_string(), reason: reason.to_string() }
}

impl RunData {
    /// Load `DIR/result.json` (and `DIR/manifest.json` if present).
    pub fn load(dir: &Path) -> Result<Self, PlotError> {
        let read = |name: &str| -> Result<Option<serde_json::Value>, PlotError> {
            let p = dir.join(name);
            match std::fs::read(&p) {
                Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| read_err(&p, e)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(read_err(&p, e)),
            }
        };
        let result = read("result.json")?.ok_or_else(|| read_err(&dir.join("result.json"), "missing"))?;
        let manifest = read("manifest.json")?.unwrap_or(serde_json::Value::Null);
        Ok(RunData { dir: dir.to_path_buf(), result, manifest })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The record as a typed value (the chapter's own view of `result.json`).
    pub fn result_as<T: DeserializeOwned>(&self) -> Result<T, PlotError> {
        serde_json::from_value(self.result.clone()).map_err(|e| read_err(&self.dir.join("result.json"), e))
    }

    /// A real array saved as `.npy`: its shape and values (C order).
    pub fn array(&self, file: &str) -> Result<(Vec<usize>, Vec<f64>), PlotError> {
        let p = self.dir.join(file);
        let f = std::fs::File::open(&p).map_err(|e| read_err(&p, e))?;
        let a = ArrayD::<f64>::read_npy(f).map_err(|e| read_err(&p, e))?;
        let shape = a.shape().to_vec();
        let values = a.as_standard_layout().iter().copied().collect();
        Ok((shape, values))
    }

    /// True if the run directory holds `file`.
    pub fn has(&self, file: &str) -> bool {
        self.dir.join(file).exists()
    }
}
