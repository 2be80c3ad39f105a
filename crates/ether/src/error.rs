//! Typed errors. Every variant says what went wrong and what to do about it.

use thiserror::Error;

/// The result type of the ether library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the ether library.
///
/// `InvalidInput` and `TooLarge` are the user's to fix (the CLI exits with code 2 for them);
/// the others are failures of a run.
#[derive(Debug, Error)]
pub enum Error {
    /// A parameter is out of its meaningful range or malformed.
    #[error("invalid {what}: {value}; {hint}")]
    InvalidInput {
        /// Which parameter.
        what: String,
        /// The offending value, as given.
        value: String,
        /// What to do instead.
        hint: String,
    },
    /// The requested work does not fit in memory or time.
    #[error(
        "{what} needs about {needed_bytes} bytes ({needed_human}) but only {available_human} is available; {hint}"
    )]
    TooLarge {
        /// What was asked.
        what: String,
        /// Estimated bytes.
        needed_bytes: u64,
        /// Estimated size, human readable.
        needed_human: String,
        /// Available memory, human readable.
        available_human: String,
        /// What to do instead.
        hint: String,
    },
    /// A numerical method failed (did not converge, blew up).
    #[error("{what} failed: {reason}; {hint}")]
    Numerical {
        /// Which method.
        what: String,
        /// Why.
        reason: String,
        /// What to do.
        hint: String,
    },
    /// A declared symmetry or invariant does not hold.
    #[error("{0}")]
    Invariant(String),
    /// Reading or writing files.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The run was stopped (SIGINT, SIGTERM, Ctrl-C) at a safe point.
    #[error("stopped by a signal during {what}; {kept}")]
    Interrupted {
        /// What was running.
        what: String,
        /// What was kept and how to resume.
        kept: String,
    },
    /// Encoding or decoding JSON.
    #[error("{context}: {source}")]
    Json {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// An [`Error::InvalidInput`].
    pub fn invalid(what: impl Into<String>, value: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::InvalidInput { what: what.into(), value: value.into(), hint: hint.into() }
    }

    /// An [`Error::Numerical`].
    pub fn numerical(what: impl Into<String>, reason: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Numerical { what: what.into(), reason: reason.into(), hint: hint.into() }
    }

    /// An [`Error::TooLarge`] with sizes formatted for people.
    pub fn too_large(
        what: impl Into<String>,
        needed_bytes: u64,
        available_bytes: u64,
        hint: impl Into<String>,
    ) -> Self {
        Error::TooLarge {
            what: what.into(),
            needed_bytes,
            needed_human: human_bytes(needed_bytes),
            available_human: human_bytes(available_bytes),
            hint: hint.into(),
        }
    }

    /// An [`Error::Io`] with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// True if the error is the user's to fix (bad input or a request too large).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::TooLarge { .. })
    }
}

/// Check that a parameter is finite (not NaN or infinite).
pub fn require_finite(what: &str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(what, format!("{x}"), "give a finite number"))
    }
}

/// Check that a parameter is finite and strictly positive.
pub fn require_positive(what: &str, x: f64, why: &str) -> Result<()> {
    require_finite(what, x)?;
    if x > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(what, format!("{x}"), format!("it must be > 0 ({why})")))
    }
}

/// Check that a parameter is finite and non-negative.
pub fn require_non_negative(what: &str, x: f64, why: &str) -> Result<()> {
    require_finite(what, x)?;
    if x >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(what, format!("{x}"), format!("it must be >= 0 ({why})")))
    }
}

/// Format a byte count as KiB/MiB/GiB.
pub fn human_bytes(b: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < units.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", units[u])
    }
}

/// Memory the operating system reports as available (Linux `MemAvailable`), if known.
pub fn available_memory_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/meminfo").ok()?;
    for line in s.lines() {
        if let Some(rest) = line.strip_prefix("MemAvailable:") {
            let kb: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
            return Some(kb * 1024);
        }
    }
    None
}

/// What is left of this process's address-space limit (`ulimit -v`, `prlimit --as`): the soft
/// limit of `/proc/self/limits` minus the address space already mapped (`VmSize`); `None`
/// without a limit.
pub fn address_space_left_bytes() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft: u64 = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?
        .parse()
        .ok()?; // "unlimited" does not parse: no limit
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let used_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    Some(soft.saturating_sub(used_kb * 1024))
}

/// The memory limit of this process's control group (cgroup v2 `memory.max`), if it has one.
pub fn cgroup_memory_bytes() -> Option<u64> {
    let s = std::fs::read_to_string("/sys/fs/cgroup/memory.max").ok()?;
    s.trim().parse().ok() // "max" does not parse: no limit
}

/// The memory budget of one run in bytes: `ETHER_MEMORY_LIMIT` (bytes) if set, for tests and
/// shared machines; else the smallest of what the operating system reports as available (else
/// 8 GiB), what is left of the address-space limit and the control group's limit.
pub fn memory_limit() -> u64 {
    if let Some(v) = std::env::var_os("ETHER_MEMORY_LIMIT") {
        if let Ok(n) = v.to_string_lossy().trim().parse::<u64>() {
            return n;
        }
    }
    let mut limit = available_memory_bytes().unwrap_or(8 << 30);
    for l in [address_space_left_bytes(), cgroup_memory_bytes()].into_iter().flatten() {
        limit = limit.min(l);
    }
    limit
}

/// Refuse work whose estimated memory exceeds [`memory_limit`], before anything is allocated:
/// `what` names the work ("a 128x128x128x128 gauge field"), `hint` says what to do instead.
pub fn check_memory(what: &str, needed_bytes: u64, hint: &str) -> Result<()> {
    let limit = memory_limit();
    if needed_bytes > limit {
        return Err(Error::too_large(what, needed_bytes, limit, hint));
    }
    Ok(())
}

/// Bytes of `n` values of `size` bytes each, saturating, so that absurd requests compare as huge
/// instead of overflowing.
pub fn bytes_of(n: u128, size: u128) -> u64 {
    u64::try_from(n.saturating_mul(size)).unwrap_or(u64::MAX)
}
