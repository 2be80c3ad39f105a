//! Thread teams for stencil sweeps over bands of lattice planes.
//!
//! The hot time steps (the spin step of `dynamics::spin`; the rotor step's slab sweep can use
//! the same pieces) update a field on a periodic lattice in *phases*: a phase reads the values
//! that the previous phase left and writes new ones, and every value it writes depends only on
//! values within a short distance. Cutting the lattice along its last (slowest) axis into
//! [`band_range`]s of whole planes, one per team member, and giving each band a copy of its
//! neighbours' edge planes (its *ghost* planes, [`Ghosted`]), lets every member run its band's
//! phases out of its own core's cache. Between phases a band [`Ghosted::post`]s its edge planes
//! to a [`Mailbox`] and its neighbours [`Ghosted::take_ghosts`] from there: the only data that
//! crosses between cores per phase is a few planes, copied in bulk.
//!
//! [`ring`] runs such a team. Each band goes through numbered *stages* (a phase may be split in
//! several, e.g. edge planes first, then the interior); a stage may require that both ring
//! neighbours have completed some number of stages (it reads their posts). A member runs its own
//! band's stages as they become ready and, when it has nothing ready for a while, takes a ready
//! stage of another band, so a thread that is late, descheduled or busy elsewhere never blocks
//! the run: any one participating thread completes it. Each stage runs exactly once, after its
//! band's previous stage (happens-before through the stage counters), so as long as a stage
//! reads only values that are final when it becomes ready, the result does not depend on which
//! thread ran it, or on the number of threads.
//!
//! Posts are overwritten one post later: a consumer must take a post before its producer can
//! post again. Stage requirements give this for free when a band's post of phase `p` is needed
//! only by its neighbours' phase `p + 1` and the producer's phase `p + 2` needs the consumers'
//! phase `p + 1` (alternating fields, as the two sublattices of the spin step); otherwise keep
//! one mailbox per phase parity.
//!
//! Shared data sits behind locks that are never contended (the stage order makes every access
//! exclusive), so none of this needs `unsafe`.
//!
//! [`watched`] runs one parallel job while the calling thread polls a stop request (which may
//! be an observer that is not `Sync`) and raises a flag the job checks in its inner loops: a
//! long enumeration stops within milliseconds without changing its work split.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Idle polls (busy-wait spins, about a microsecond in all) before a team member takes a ready
/// stage of another member's band: a member that is only a little behind keeps its band (and
/// its cache), one that is absent is covered at once.
const STEAL_AFTER: u32 = 256;

/// Idle polls before an idle member yields its core instead of spinning.
const YIELD_AFTER: u32 = 2048;

/// How often [`watched`] polls its stop request.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

/// Run `work` on the thread pool while this thread polls `stop` every 20 ms; when `stop` says
/// so, the flag handed to `work` is raised (and `stop` is not polled again). `work` should check
/// the flag in its loops and return early when it is up. Returns what `work` returned and
/// whether a stop was requested before it ended. Called from a thread of a pool (which must
/// not block on its own jobs), `work` runs in place with `stop` polled once before.
pub fn watched<R: Send>(stop: &dyn Fn() -> bool, work: impl FnOnce(&AtomicBool) -> R + Send) -> (R, bool) {
    let cancel = AtomicBool::new(false);
    if rayon::current_thread_index().is_some() {
        let stopped = stop();
        cancel.store(stopped, Ordering::Relaxed);
        return (work(&cancel), stopped);
    }
    let done = AtomicBool::new(false);
    let caller = std::thread::current();
    let mut out = None;
    rayon::in_place_scope(|sc| {
        sc.spawn(|_| {
            out = Some(work(&cancel));
            done.store(true, Ordering::Release);
            caller.unpark();
        });
        while !done.load(Ordering::Acquire) {
            if !cancel.load(Ordering::Relaxed) && stop() {
                cancel.store(true, Ordering::Relaxed);
            }
            std::thread::park_timeout(WATCH_EVERY);
        }
    });
    (out.expect("the job ran to its end"), cancel.load(Ordering::Relaxed))
}

/// A value on its own cache lines (no false sharing between the team's counters and locks).
#[derive(Debug, Default)]
#[repr(align(128))]
pub struct Padded<T>(pub T);

/// Lock one of a team's never-contended locks. A poisoned lock means another member panicked;
/// that panic reaches the caller (see [`ring`]), so the data is taken as is.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The planes of band `b` of `t` when `planes` planes are shared out: `⌊b P/t⌋ .. ⌊(b+1) P/t⌋`
/// (sizes differ by at most one; every band has at least one plane when `t <= planes`).
pub fn band_range(b: usize, t: usize, planes: usize) -> Range<usize> {
    b * planes / t..(b + 1) * planes / t
}

/// The bands below and above band `b` in a ring of `t` (the same band when `t <= 2`).
pub fn ring_neighbours(b: usize, t: usize) -> (usize, usize) {
    ((b + t - 1) % t, (b + 1) % t)
}

/// A band's edge planes as posted for its neighbours: its first `ghost` planes, then its last
/// `ghost` planes, behind a never-contended lock on its own cache lines.
#[derive(Debug)]
pub struct Mailbox<T>(Padded<Mutex<Vec<T>>>);

impl<T: Copy + Default> Mailbox<T> {
    /// A mailbox for bands of `plane` values per plane and `ghost` ghost planes.
    pub fn new(plane: usize, ghost: usize) -> Self {
        Mailbox(Padded(Mutex::new(vec![T::default(); 2 * ghost * plane])))
    }
}

/// One band of one field: its planes with `ghost` ghost planes on either side, stored as local
/// planes `0 .. len + 2 ghost`; local plane `ghost + i` is the band's plane `i`, the ghosts hold
/// the neighbouring bands' edge planes.
#[derive(Debug)]
pub struct Ghosted<T> {
    /// The values, plane after plane (ghosts included).
    pub data: Vec<T>,
    plane: usize,
    ghost: usize,
    len: usize,
}

impl<T: Copy + Default> Ghosted<T> {
    /// A band of `len` planes of `plane` values each, with `ghost` ghost planes per side.
    pub fn new(len: usize, plane: usize, ghost: usize) -> Self {
        Ghosted { data: vec![T::default(); (len + 2 * ghost) * plane], plane, ghost, len }
    }

    /// The band's own planes (without ghosts).
    pub fn interior(&self) -> &[T] {
        &self.data[self.ghost * self.plane..(self.ghost + self.len) * self.plane]
    }

    /// The band's own planes, mutably.
    pub fn interior_mut(&mut self) -> &mut [T] {
        let (g, p, l) = (self.ghost, self.plane, self.len);
        &mut self.data[g * p..(g + l) * p]
    }

    /// Copy the band's first and last `ghost` planes into `mailbox`.
    pub fn post(&self, mailbox: &Mailbox<T>) {
        let (g, p, l) = (self.ghost, self.plane, self.len);
        let mut mb = lock(&mailbox.0 .0);
        mb[..g * p].copy_from_slice(&self.data[g * p..2 * g * p]);
        mb[g * p..].copy_from_slice(&self.data[l * p..(l + g) * p]);
    }

    /// Fill the ghost planes: the lower ones from the last planes posted by the band below, the
    /// upper ones from the first planes posted by the band above (one lock if they are the same
    /// band, as in a ring of two).
    pub fn take_ghosts(&mut self, below: &Mailbox<T>, above: &Mailbox<T>) {
        let (g, p) = (self.ghost, self.plane);
        let n = self.data.len();
        let lo = lock(&below.0 .0);
        self.data[..g * p].copy_from_slice(&lo[g * p..]);
        if std::ptr::eq(below, above) {
            self.data[n - g * p..].copy_from_slice(&lo[..g * p]);
        } else {
            drop(lo);
            self.data[n - g * p..].copy_from_slice(&lock(&above.0 .0)[..g * p]);
        }
    }
}

/// Sets its flag if dropped while its thread unwinds from a panic.
struct AbortOnPanic<'a>(&'a AtomicBool);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Run `stages` stages of each of `t` bands on a ring with the current rayon pool's threads.
///
/// `stage(b, s)` runs stage `s` of band `b`. It runs exactly once, after stage `s − 1` of band
/// `b` has completed and after both ring neighbours of `b` have completed at least `needs(s)`
/// stages (0: no requirement), with everything those stages wrote visible to it. Returns when
/// every band has completed all its stages. One `rayon::broadcast`: member `i < t` owns band
/// `i`; members beyond `t` only help. A panic in a stage stops the team and reaches the caller.
pub fn ring(t: usize, stages: usize, needs: &(dyn Fn(usize) -> usize + Sync), stage: &(dyn Fn(usize, usize) + Sync)) {
    // Per band: stages completed, and stages claimed (one more than completed while a thread
    // runs it). Each on its own cache line.
    let done: Vec<Padded<AtomicUsize>> = (0..t).map(|_| Padded::default()).collect();
    let claimed: Vec<Padded<AtomicUsize>> = (0..t).map(|_| Padded::default()).collect();
    // A stage that panics would leave its band's counter behind forever: the others then stop
    // too, and `rayon::broadcast` hands the panic to the caller instead of a hang.
    let aborted = AtomicBool::new(false);
    let finished = || aborted.load(Ordering::Relaxed) || done.iter().all(|d| d.0.load(Ordering::Acquire) == stages);
    // Claim the next stage of band `b` if it is ready.
    let try_claim = |b: usize| -> Option<usize> {
        let s = done[b].0.load(Ordering::Acquire);
        if s >= stages || claimed[b].0.load(Ordering::Relaxed) != s {
            return None;
        }
        let need = needs(s);
        if need > 0 {
            let (lo, hi) = ring_neighbours(b, t);
            if done[lo].0.load(Ordering::Acquire) < need || done[hi].0.load(Ordering::Acquire) < need {
                return None;
            }
        }
        claimed[b].0.compare_exchange(s, s + 1, Ordering::Relaxed, Ordering::Relaxed).ok()
    };
    rayon::broadcast(|ctx| {
        let own = (ctx.index() < t).then_some(ctx.index());
        let run = |b: usize, s: usize| {
            let _abort_on_panic = AbortOnPanic(&aborted);
            stage(b, s);
            // The stage's writes happen before anyone sees s + 1.
            done[b].0.store(s + 1, Ordering::Release);
        };
        let mut idle = 0u32;
        loop {
            if let Some((b, s)) = own.and_then(|b| try_claim(b).map(|s| (b, s))) {
                run(b, s);
                idle = 0;
                continue;
            }
            if finished() {
                break;
            }
            // Nothing of its own is ready: help with another band's ready stage. This is also
            // what lets a member that joins late, or never, hold up nobody.
            if idle >= STEAL_AFTER || own.is_none() {
                let me = own.unwrap_or(0);
                if let Some((b, s)) = (1..=t).map(|d| (me + d) % t).find_map(|b| try_claim(b).map(|s| (b, s))) {
                    run(b, s);
                    idle = 0;
                    continue;
                }
            }
            idle += 1;
            if idle < YIELD_AFTER {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_planes_once() {
        for (planes, t) in [(7, 3), (4, 4), (64, 2), (5, 1)] {
            let mut next = 0;
            for b in 0..t {
                let r = band_range(b, t, planes);
                assert_eq!(r.start, next);
                assert!(!r.is_empty());
                next = r.end;
            }
            assert_eq!(next, planes);
        }
        assert_eq!(ring_neighbours(0, 3), (2, 1));
        assert_eq!(ring_neighbours(1, 2), (0, 0));
    }

    #[test]
    fn ghosts_are_the_neighbours_edges() {
        // Three bands of a 1-value-per-plane field 0..9 with 2 ghost planes: band 1 holds planes
        // 3..6 and must see 1, 2 below and 6, 7 above.
        let (plane, ghost) = (1, 2);
        let ranges: Vec<_> = (0..3).map(|b| band_range(b, 3, 9)).collect();
        let mut bands: Vec<Ghosted<f64>> = ranges.iter().map(|r| Ghosted::new(r.len(), plane, ghost)).collect();
        let mail: Vec<Mailbox<f64>> = (0..3).map(|_| Mailbox::new(plane, ghost)).collect();
        for (b, r) in ranges.iter().enumerate() {
            for (v, z) in bands[b].interior_mut().iter_mut().zip(r.clone()) {
                *v = z as f64;
            }
            bands[b].post(&mail[b]);
        }
        bands[1].take_ghosts(&mail[0], &mail[2]);
        assert_eq!(bands[1].data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        // Wrapping: band 0 sees planes 7, 8 below.
        bands[0].take_ghosts(&mail[2], &mail[1]);
        assert_eq!(bands[0].data, vec![7.0, 8.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
    }

    /// A ring of bands running a 1D three-point average (each phase reads the previous phase's
    /// values of the band and its ghosts) equals the serial computation bit for bit, for every
    /// team size and thread count, including more threads than bands and more bands than
    /// threads (oversubscribed, so stealing happens).
    #[test]
    fn ring_team_equals_the_serial_sweep() {
        let n = 60;
        let phases = 40;
        let init: Vec<f64> = (0..n).map(|i| ((i * 7919) % 61) as f64 / 61.0).collect();
        let step = |v: &[f64], i: usize, lo: f64, hi: f64| 0.25 * lo + 0.5 * v[i] + 0.25 * hi;
        let mut want = init.clone();
        for _ in 0..phases {
            let old = want.clone();
            for i in 0..n {
                want[i] = step(&old, i, old[(i + n - 1) % n], old[(i + 1) % n]);
            }
        }
        for (t, threads) in [(2, 1), (2, 2), (3, 2), (5, 3), (4, 6)] {
            let ranges: Vec<_> = (0..t).map(|b| band_range(b, t, n)).collect();
            // Two mailboxes per band (phase parity), as the module doc asks when one field is
            // updated in every phase.
            let bands: Vec<Mutex<Ghosted<f64>>> =
                ranges.iter().map(|r| Mutex::new(Ghosted::new(r.len(), 1, 1))).collect();
            let mail: Vec<[Mailbox<f64>; 2]> = (0..t).map(|_| [Mailbox::new(1, 1), Mailbox::new(1, 1)]).collect();
            // Stage 0 loads and posts; stage 1 + p runs phase p from the posts of stage p.
            let stage = |b: usize, s: usize| {
                let mut g = lock(&bands[b]);
                if s == 0 {
                    g.interior_mut().copy_from_slice(&init[ranges[b].clone()]);
                    g.post(&mail[b][0]);
                    return;
                }
                let (lo, hi) = ring_neighbours(b, t);
                let par = (s - 1) % 2;
                g.take_ghosts(&mail[lo][par], &mail[hi][par]);
                let old = g.data.clone();
                let len = ranges[b].len();
                for i in 1..=len {
                    g.data[i] = step(&old, i, old[i - 1], old[i + 1]);
                }
                g.post(&mail[b][1 - par]);
            };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| ring(t, phases + 1, &|s| s, &stage));
            let got: Vec<f64> = bands.iter().flat_map(|g| lock(g).interior().to_vec()).collect();
            assert!(
                got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()),
                "{t} bands on {threads} threads differ from the serial sweep"
            );
        }
    }
}
