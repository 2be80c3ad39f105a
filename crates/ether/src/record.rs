//! Self-describing results: run directories, the manifest, and atomic JSON / `.npy` writers.
//!
//! A run directory is built in a hidden staging directory next to its final place and
//! renamed into place only when the run succeeds ([`RunDir::commit`]); if the run fails
//! or is interrupted, the staging directory is removed and nothing half-written is left.
//! Every file inside is itself written to a temporary name and renamed (atomic on POSIX).

use crate::error::{Error, Result};
use ndarray::{ArrayD, IxDyn};
use ndarray_npy::WriteNpyExt;
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The ether version, from Cargo.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Write bytes to `path` atomically: a temporary file in the same directory, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let res = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(format!("writing {}", path.display()), e));
    }
    Ok(())
}

/// Serialize `value` as pretty JSON to `path`, atomically.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let s = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Json { context: format!("encoding {}", path.display()), source: e })?;
    write_atomic(path, &s)
}

/// Write an array of the given shape (C order) as `.npy`, atomically (f64 or complex128).
pub fn write_npy<T: ndarray_npy::WritableElement + Clone>(path: &Path, shape: &[usize], data: &[T]) -> Result<()> {
    let arr = ArrayD::from_shape_vec(IxDyn(shape), data.to_vec()).map_err(|e| {
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        Error::invalid("array shape", format!("{} for {} values", dims.join(" x "), data.len()), e.to_string())
    })?;
    let mut buf = Vec::new();
    arr.write_npy(&mut buf)
        .map_err(|e| Error::io(format!("encoding {}", path.display()), std::io::Error::other(e.to_string())))?;
    write_atomic(path, &buf)
}

/// Write a real array as `.npy` ([`write_npy`] for f64).
pub fn write_npy_f64(path: &Path, shape: &[usize], data: &[f64]) -> Result<()> {
    write_npy(path, shape, data)
}

/// Write a complex array as `.npy` complex128 ([`write_npy`] for Complex64).
pub fn write_npy_c64(path: &Path, shape: &[usize], data: &[num_complex::Complex64]) -> Result<()> {
    write_npy(path, shape, data)
}

/// The revision of the source tree this binary was built from, if known at build time.
pub fn git_revision() -> &'static str {
    option_env!("ETHER_GIT_REVISION").unwrap_or("unknown")
}

/// What every run directory records about how it was made.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// The command, e.g. `"spinwave"`.
    pub command: String,
    /// Resolved parameters (every default filled in).
    pub parameters: serde_json::Value,
    /// Random seed, if the run used one.
    pub seed: Option<u64>,
    /// ether version.
    pub ether_version: String,
    /// Git revision of the build.
    pub git_revision: String,
    /// Wall time of the run in seconds.
    pub wall_time_seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// The vector instruction set of the hot kernels (`crate::simd`; results do not depend on
    /// it, the wall time does).
    pub vector_isa: String,
    /// Files in the directory with one-line descriptions.
    pub files: Vec<(String, String)>,
    /// The `.npy` arrays with their unit, shape and axes (each axis's values in its own file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arrays: Vec<ArrayEntry>,
    /// When the run finished (seconds since the Unix epoch).
    pub finished_unix: u64,
}

/// The manifest's description of one saved array.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct ArrayEntry {
    /// The `.npy` file.
    pub file: String,
    /// What it holds.
    pub description: String,
    /// The unit of its values.
    pub unit: String,
    /// "float64" or "complex128".
    pub dtype: String,
    /// Its shape (C order: the last axis varies fastest).
    pub shape: Vec<usize>,
    /// Its axes, outermost first.
    pub axes: Vec<AxisEntry>,
}

/// The manifest's description of one axis of an array.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct AxisEntry {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// The `.npy` file with the coordinate of each index.
    pub file: String,
    /// Names of the entries, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// A run directory under construction. Files go to a staging directory; [`RunDir::commit`]
/// writes `manifest.json` and renames the staging directory into place.
#[derive(Debug)]
pub struct RunDir {
    final_path: PathBuf,
    staging: PathBuf,
    files: Vec<(String, String)>,
    arrays: Vec<ArrayEntry>,
    axes: Vec<(String, Vec<f64>)>,
    started: Instant,
    committed: bool,
}

fn being_written(path: &Path, pid: u32) -> Error {
    Error::invalid(
        "--out",
        path.display().to_string(),
        format!(
            "another ether run (process {pid}) is writing it now; wait for it to finish or choose another directory"
        ),
    )
}

/// Refuse `path` if another live ether process is writing a run into it (its staging directory
/// `.NAME.partialPID` exists and that process runs). Checked before anything else about `--out`,
/// so that a live run is named as such and not taken for an interrupted one.
pub fn refuse_if_being_written(path: &Path) -> Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
    let stale = format!(".{name}.partial");
    if let Ok(entries) = fs::read_dir(parent) {
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            if let Some(Ok(pid)) = file.strip_prefix(&stale).map(str::parse::<u32>) {
                if pid != std::process::id() && staging_owner_alive(pid) {
                    return Err(being_written(path, pid));
                }
            }
        }
    }
    Ok(())
}

impl RunDir {
    /// Start a run directory at `path`. Refuses a path that exists and is not an empty directory,
    /// and a parent directory that cannot be written.
    pub fn create(path: &Path) -> Result<Self> {
        if path.exists() {
            let empty = path.is_dir() && fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty {
                return Err(Error::invalid(
                    "--out",
                    path.display().to_string(),
                    "it exists and is not an empty directory; choose a new directory name or remove it",
                ));
            }
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !parent.exists() {
            fs::create_dir_all(parent).map_err(|e| {
                Error::invalid(
                    "--out",
                    path.display().to_string(),
                    format!("cannot create its parent directory ({e}); choose a writable location"),
                )
            })?;
        }
        let name = path.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
        // Staging directories of runs that were killed (SIGKILL, an abort: no Drop ran) are
        // stale: remove them. One whose process is still running belongs to a live run into the
        // same place: refuse rather than pull its files away.
        let stale = format!(".{name}.partial");
        if let Ok(entries) = fs::read_dir(parent) {
            for e in entries.flatten() {
                let file = e.file_name().to_string_lossy().into_owned();
                let Some(pid) = file.strip_prefix(&stale) else { continue };
                if let Ok(pid) = pid.parse::<u32>() {
                    if pid != std::process::id() && staging_owner_alive(pid) {
                        return Err(being_written(path, pid));
                    }
                }
                let _ = fs::remove_dir_all(e.path());
            }
        }
        let staging = parent.join(format!(".{name}.partial{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        fs::create_dir(&staging).map_err(|e| {
            Error::invalid(
                "--out",
                path.display().to_string(),
                format!("cannot write in {} ({e}); choose a writable location", parent.display()),
            )
        })?;
        Ok(RunDir {
            final_path: path.to_path_buf(),
            staging,
            files: Vec::new(),
            arrays: Vec::new(),
            axes: Vec::new(),
            started: Instant::now(),
            committed: false,
        })
    }

    /// Where a checkpoint of this run lives: a sibling file `DIR.checkpoint.json`, which survives
    /// an interrupted run (the run directory itself appears only on success).
    pub fn checkpoint_path(&self) -> PathBuf {
        let mut p = self.final_path.clone().into_os_string();
        p.push(".checkpoint.json");
        PathBuf::from(p)
    }

    /// Where the directory will be once committed.
    pub fn path(&self) -> &Path {
        &self.final_path
    }

    /// The staging path of a file (write there, or use the helpers below).
    pub fn staged(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Record a file written by other means (e.g. a plot), with a description.
    pub fn register(&mut self, name: &str, description: &str) {
        self.files.push((name.to_string(), description.to_string()));
    }

    /// Write a JSON file into the run directory.
    pub fn json<T: Serialize + ?Sized>(&mut self, name: &str, description: &str, value: &T) -> Result<()> {
        write_json(&self.staged(name), value)?;
        self.register(name, description);
        Ok(())
    }

    /// Write a real `.npy` array into the run directory.
    pub fn npy(&mut self, name: &str, description: &str, shape: &[usize], data: &[f64]) -> Result<()> {
        write_npy_f64(&self.staged(name), shape, data)?;
        self.register(name, description);
        Ok(())
    }

    /// Write a complex `.npy` array into the run directory.
    pub fn npy_complex(
        &mut self,
        name: &str,
        description: &str,
        shape: &[usize],
        data: &[num_complex::Complex64],
    ) -> Result<()> {
        write_npy_c64(&self.staged(name), shape, data)?;
        self.register(name, description);
        Ok(())
    }

    /// Write an array of a record as `.npy`, with each of its axes saved beside it (once per axis
    /// file) and all of them described in the manifest. Two arrays may share an axis file only
    /// if they agree on its values.
    pub fn array(&mut self, a: &crate::experiment::DataArray) -> Result<()> {
        use crate::experiment::Values;
        a.check()?;
        let shape = a.shape();
        let dtype = match &a.values {
            Values::Real(v) => {
                write_npy_f64(&self.staged(&a.file), &shape, v)?;
                "float64"
            }
            Values::Complex(v) => {
                write_npy_c64(&self.staged(&a.file), &shape, v)?;
                "complex128"
            }
        };
        let axes_words: Vec<String> = a.axes.iter().map(|x| format!("{} [{}] in {}", x.name, x.unit, x.file)).collect();
        self.register(&a.file, &format!("{} [{}], axes: {}", a.description, a.unit, axes_words.join("; ")));
        for x in &a.axes {
            match self.axes.iter().find(|(f, _)| *f == x.file) {
                Some((_, v)) if v != &x.values => return Err(Error::invalid(
                    "array axes",
                    x.file.clone(),
                    "two arrays give different values for one axis file: an internal inconsistency, please report it",
                )),
                Some(_) => {}
                None => {
                    write_npy_f64(&self.staged(&x.file), &[x.values.len()], &x.values)?;
                    self.register(&x.file, &format!("axis: {} [{}]", x.name, x.unit));
                    self.axes.push((x.file.clone(), x.values.clone()));
                }
            }
        }
        self.arrays.push(ArrayEntry {
            file: a.file.clone(),
            description: a.description.clone(),
            unit: a.unit.clone(),
            dtype: dtype.into(),
            shape,
            axes: a
                .axes
                .iter()
                .map(|x| AxisEntry {
                    name: x.name.clone(),
                    unit: x.unit.clone(),
                    file: x.file.clone(),
                    labels: x.labels.clone(),
                })
                .collect(),
        });
        Ok(())
    }

    /// Write a record: `result.json` (the same document as `--json`) and its arrays with axes.
    pub fn record<R: crate::experiment::Record>(&mut self, rec: &R) -> Result<serde_json::Value> {
        let value =
            serde_json::to_value(rec).map_err(|e| Error::Json { context: "encoding the result".into(), source: e })?;
        self.json("result.json", "the command's result (the same document as --json)", &value)?;
        for a in rec.arrays() {
            self.array(&a)?;
        }
        Ok(value)
    }

    /// Write the manifest and move the directory into place.
    pub fn commit(mut self, command: &str, parameters: serde_json::Value, seed: Option<u64>) -> Result<PathBuf> {
        let mut files = self.files.clone();
        files.push(("manifest.json".into(), "how this run was made".into()));
        let manifest = Manifest {
            command: command.to_string(),
            parameters,
            seed,
            ether_version: VERSION.to_string(),
            git_revision: git_revision().to_string(),
            wall_time_seconds: self.started.elapsed().as_secs_f64(),
            threads: rayon::current_num_threads(),
            vector_isa: crate::simd::Isa::detect().to_string(),
            files,
            arrays: std::mem::take(&mut self.arrays),
            finished_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        write_json(&self.staged("manifest.json"), &manifest)?;
        if self.final_path.exists() {
            // an empty directory was allowed above
            let _ = fs::remove_dir(&self.final_path);
        }
        fs::rename(&self.staging, &self.final_path)
            .map_err(|e| Error::io(format!("moving the run into {}", self.final_path.display()), e))?;
        self.committed = true;
        Ok(self.final_path.clone())
    }
}

/// Whether process `pid` is a running ether (Linux: its `/proc` entry names an `ether` binary; a
/// reused process id of another program does not count). Elsewhere no process is taken to be
/// alive, so every staging directory left beside the target is removed as before.
fn staging_owner_alive(pid: u32) -> bool {
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmd) => {
            let argv0 = cmd.split(|b| *b == 0).next().unwrap_or(&[]);
            let exe = String::from_utf8_lossy(argv0);
            Path::new(exe.as_ref()).file_name().is_some_and(|n| n.to_string_lossy().starts_with("ether"))
        }
        Err(_) => false,
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ether-record-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn committed_run_has_manifest_and_files() {
        let d = tmpdir("ok");
        let out = d.join("run");
        let mut rd = RunDir::create(&out).unwrap();
        rd.json("data.json", "numbers", &vec![1.0, 2.0]).unwrap();
        rd.npy("x.npy", "an array", &[2, 2], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!(!out.exists(), "nothing visible before commit");
        rd.commit("test", serde_json::json!({"a": 1}), Some(7)).unwrap();
        assert!(out.join("manifest.json").exists() && out.join("x.npy").exists());
        let m: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["seed"], 7);
        let bytes = fs::read(out.join("x.npy")).unwrap();
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dropped_run_leaves_nothing() {
        let d = tmpdir("drop");
        let out = d.join("run");
        {
            let mut rd = RunDir::create(&out).unwrap();
            rd.json("data.json", "numbers", &1).unwrap();
        }
        assert_eq!(fs::read_dir(&d).unwrap().count(), 0);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_staging_of_a_killed_run_is_removed() {
        let d = tmpdir("stale");
        let out = d.join("run");
        // left by a killed run: a process id that is not running (beyond the kernel's pid_max)
        let dead = d.join(".run.partial4294967");
        fs::create_dir_all(dead.join("sub")).unwrap();
        fs::write(dead.join("sub/x.npy"), b"x").unwrap();
        let rd = RunDir::create(&out).unwrap();
        assert!(!dead.exists(), "the killed run's staging directory is cleaned up");
        drop(rd);
        // a live run's directory is refused: tested end to end in ether-cli/tests/fuzz_staging.rs
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn refuses_non_empty_and_unwritable() {
        let d = tmpdir("bad");
        fs::write(d.join("file"), b"x").unwrap();
        assert!(RunDir::create(&d).is_err());
        assert!(RunDir::create(Path::new("/proc/ether-cannot-write/run")).is_err());
        fs::remove_dir_all(&d).unwrap();
    }
}
