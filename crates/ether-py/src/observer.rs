//! The observer of a run started from Python: progress bars on the terminal (as the CLI draws
//! them), messages on Python's `sys.stderr`, and Ctrl-C.
//!
//! The run holds no GIL. At each safe point the run asks `should_stop`; at most every
//! [`SIGNAL_CHECK`] the observer takes the GIL and calls `PyErr_CheckSignals`, which runs
//! Python's signal handlers (on the main thread). If one raised (SIGINT's default handler raises
//! `KeyboardInterrupt`), the exception is kept and `should_stop` answers true from then on: the
//! run stops at its next safe point, and the caller raises the kept exception.

use ether::experiment::Observer;
use indicatif::{ProgressBar, ProgressStyle};
use pyo3::prelude::*;
use std::cell::{Cell, RefCell};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How often a run may take the GIL to look for signals (a safe point costs a clock read
/// otherwise).
const SIGNAL_CHECK: Duration = Duration::from_millis(20);

/// How often a progress line is printed when stderr is not a terminal (as the CLI does in logs;
/// unlike the CLI, the first line only after that long, so that short calls in a loop print
/// nothing).
const LOG_EVERY: Duration = Duration::from_secs(10);

pub(crate) struct PyObserver {
    quiet: bool,
    tty: bool,
    bar: Option<ProgressBar>,
    stage: String,
    total: u64,
    started: Instant,
    last_line: Option<Instant>,
    last_check: Cell<Instant>,
    stop: Cell<bool>,
    signal: RefCell<Option<PyErr>>,
}

impl PyObserver {
    pub(crate) fn new(quiet: bool) -> Self {
        let now = Instant::now();
        PyObserver {
            quiet,
            tty: std::io::stderr().is_terminal(),
            bar: None,
            stage: String::new(),
            total: 0,
            started: now,
            last_line: None,
            last_check: Cell::new(now),
            stop: Cell::new(false),
            signal: RefCell::new(None),
        }
    }

    /// Clear the progress bar.
    pub(crate) fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }

    /// The exception a signal handler raised during the run, if any.
    pub(crate) fn take_signal_error(&self) -> Option<PyErr> {
        self.signal.borrow_mut().take()
    }

    /// Write a line on Python's `sys.stderr` (so that notebooks and pytest's capture see it).
    fn write_stderr(line: &str) {
        Python::attach(|py| {
            let written = py.import("sys").and_then(|sys| {
                let err = sys.getattr("stderr")?;
                err.call_method1("write", (format!("{line}\n"),))?;
                err.call_method0("flush")
            });
            if written.is_err() {
                eprintln!("{line}");
            }
        });
    }
}

impl Observer for PyObserver {
    fn stage(&mut self, name: &str, total: u64) {
        self.finish();
        self.stage = name.to_string();
        self.total = total;
        self.last_line = Some(Instant::now());
        if self.quiet || !self.tty {
            return;
        }
        let bar = if total > 0 {
            ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{msg:>28} [{bar:40}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            )
        } else {
            let spinner = ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            spinner.enable_steady_tick(Duration::from_millis(200));
            spinner
        };
        bar.set_message(name.to_string());
        self.bar = Some(bar);
    }

    fn advance(&mut self, done: u64) {
        match &self.bar {
            Some(b) => b.set_position(done),
            None if !self.quiet && !self.tty && self.last_line.is_none_or(|t| t.elapsed() >= LOG_EVERY) => {
                let of = if self.total > 0 { format!("{done}/{}", self.total) } else { done.to_string() };
                Self::write_stderr(&format!(
                    "  [{:>6.0} s] {}: {of}",
                    self.started.elapsed().as_secs_f64(),
                    self.stage
                ));
                self.last_line = Some(Instant::now());
            }
            None => {}
        }
    }

    fn say(&mut self, line: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(b) => b.suspend(|| Self::write_stderr(line)),
            None => Self::write_stderr(line),
        }
    }

    fn should_stop(&self) -> bool {
        if self.stop.get() {
            return true;
        }
        if self.last_check.get().elapsed() < SIGNAL_CHECK {
            return false;
        }
        self.last_check.set(Instant::now());
        if let Err(e) = Python::attach(|py| py.check_signals()) {
            *self.signal.borrow_mut() = Some(e);
            self.stop.set(true);
        }
        self.stop.get()
    }
}
