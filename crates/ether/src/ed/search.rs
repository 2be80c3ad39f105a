//! The lowest levels of the whole Hilbert space, found sector by sector.
//!
//! 1. **Plan** ([`plan`]): every sector of [`all_sectors`] for the model's symmetries, grouped
//!    into classes with the same spectrum. The spin flip maps S^z to −S^z, inversion maps k to
//!    −k, and on 2D lattices the mirror and (L×L) the 90° rotation map k to its images; every
//!    one of these commutes with the others and with the quantum numbers kept, so one member of
//!    each class is solved and the others are listed as its partners with the same levels.
//! 2. **Order**: by |S^z|, then momentum, parity and flip, so that the sectors that usually hold
//!    the lowest levels come first and set a tight bound early.
//! 3. **Bases**: one orbit enumeration per group (S^z and the symmetries imposed) serves every
//!    momentum of that group ([`OrbitFamily`]); each basis is built once.
//! 4. **Coarse first, refine only what can still count**: with `nev` levels wanted, the
//!    `nev`-th lowest level found so far (partners counted) bounds the answer's `nev`-th level
//!    from above: τ. A later sector's Lanczos run ends as soon as its lowest Ritz values not yet
//!    converged have a residual below the coarse threshold and lie above τ by more than that
//!    residual: the levels it has converged below τ are kept, the rest cannot be among the
//!    lowest. This uses the same property of Lanczos as the solve itself (its lowest Ritz values
//!    converge to the lowest levels of the sector, from above), with a coarse residual of 1e-6
//!    of ‖T‖ by default.
//!
//! Progress, interrupts and checkpoints go through [`SearchHooks`]: every finished sector can
//! be saved and is restored on resume; a stopped Lanczos run can be saved and continued.

use crate::ed::basis::{all_sectors, OrbitFamily, Sector, SpinBasis};
use crate::ed::lanczos::Control;
use crate::ed::solve::{spin_sector_with, Level, Levels, SectorSolved, SolveOptions};
use crate::ed::spin::SpinTerms;
use crate::error::{Error, Result};

/// One class of sectors with the same spectrum: the member that is solved and its partners.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// The sector that is solved.
    pub sector: Sector,
    /// Its label, e.g. `sz=0,k=0,parity=1,spinflip=1`.
    pub label: String,
    /// Sectors with the same levels by symmetry.
    pub partners: Vec<Sector>,
    /// Estimated dimension (the S^z block over the group order).
    pub dim_estimate: f64,
}

/// The sectors a whole-space search visits, in order (see the module doc).
pub fn plan(terms: &SpinTerms) -> Vec<Planned> {
    let l = &terms.lattice;
    let n = l.n_sites();
    let sym = &terms.symmetries;
    let sectors = all_sectors(l, sym);
    // Momentum maps of the point group the model has (as maps of the index vector m).
    let ext: Vec<usize> = l.extents().to_vec();
    let d = l.dim();
    type KMap = Box<dyn Fn(&[usize]) -> Vec<usize>>;
    let mut kmaps: Vec<KMap> = Vec::new();
    if sym.translation {
        let e = ext.clone();
        if sym.inversion {
            kmaps.push(Box::new(move |k: &[usize]| k.iter().zip(&e).map(|(&m, &l)| (l - m) % l).collect()));
        }
        if d == 2 && sym.mirror {
            let e = ext.clone();
            kmaps.push(Box::new(move |k: &[usize]| vec![(e[0] - k[0]) % e[0], k[1]]));
        }
        if d == 2 && sym.rotation {
            let e = ext.clone();
            kmaps.push(Box::new(move |k: &[usize]| vec![(e[1] - k[1]) % e[1], k[0]]));
        }
    }
    let images = |s: &Sector| -> Vec<Sector> {
        // Closure of {s} under the k maps and the spin flip (S^z → −S^z).
        let mut out = vec![s.clone()];
        let mut i = 0;
        while i < out.len() {
            let cur = out[i].clone();
            let mut next = Vec::new();
            if let Some(k) = &cur.k {
                for f in &kmaps {
                    next.push(Sector { k: Some(f(k)), ..cur.clone() });
                }
            }
            if sym.spin_flip && sym.sz {
                if let Some(m) = cur.n_up {
                    next.push(Sector { n_up: Some(n - m), ..cur.clone() });
                }
            }
            for x in next {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            i += 1;
        }
        out
    };
    // Sort key: |S^z| first, S^z ≥ 0 first, then the sectors with parity (k ≡ −k, where the
    // ground state usually is; also one orbit list for all of them), momentum, parity +, flip +.
    let key = |s: &Sector| {
        let twice_sz = s.n_up.map_or(0, |m| 2 * m as i64 - n as i64);
        let k = s.k.clone().unwrap_or_default();
        let (p, z) = (-i64::from(s.parity.unwrap_or(0)), -i64::from(s.spinflip.unwrap_or(0)));
        (twice_sz.abs(), twice_sz < 0, s.parity.is_none(), k, p, z)
    };
    let mut seen: Vec<Sector> = Vec::new();
    let mut out = Vec::new();
    let mut sorted = sectors;
    sorted.sort_by_key(key);
    for s in sorted {
        if seen.contains(&s) {
            continue;
        }
        let mut class = images(&s);
        class.sort_by_key(key);
        seen.extend(class.iter().cloned());
        let solved = class.remove(0);
        out.push(Planned {
            label: solved.label(n),
            dim_estimate: SpinBasis::estimate_dim(l, &solved),
            sector: solved,
            partners: class,
        });
    }
    out
}

/// What the caller of [`lowest_levels`] hears and decides: progress, interrupts, checkpoints.
/// Every method has a default that does nothing.
pub trait SearchHooks {
    /// The search visits `total` sectors (after the plan).
    fn begin(&mut self, _total: usize) {}
    /// Sector `index` (0-based) is about to be solved.
    fn sector(&mut self, _index: usize, _planned: &Planned) {}
    /// Sector `index` is finished (save it to resume later).
    fn finished(&mut self, _index: usize, _planned: &Planned, _levels: &Levels) -> Result<()> {
        Ok(())
    }
    /// A saved result of this sector, if an interrupted run left one.
    fn restore(&mut self, _planned: &Planned) -> Option<Levels> {
        None
    }
    /// Stop at the next safe point (polled between sectors and at every Lanczos step).
    fn should_stop(&self) -> bool {
        false
    }
    /// A saved Lanczos state of this sector (bytes of [`crate::ed::lanczos::LanczosState`]).
    fn lanczos_state(&mut self, _planned: &Planned) -> Option<Vec<u8>> {
        None
    }
    /// A Lanczos run reached `step` with lowest Ritz value `e0` and residual `r` (progress).
    fn lanczos_step(&self, _step: usize, _e0: f64, _r: f64) {}
    /// Keep the Lanczos state of an interrupted sector.
    fn keep_lanczos_state(&mut self, _planned: &Planned, _bytes: &[u8]) -> Result<()> {
        Ok(())
    }
}

/// Hooks that do nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHooks;
impl SearchHooks for NoHooks {}

/// Options of the whole-space search.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// How many of the lowest levels of the whole space.
    pub nev: usize,
    /// Solver options (tolerance, storage, dense threshold); `nev` and `eigenvectors` are set
    /// per sector.
    pub solve: SolveOptions,
    /// Relative residual at which a Ritz value counts as coarsely converged (for pruning).
    pub coarse_tol: f64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { nev: 1, solve: SolveOptions::default(), coarse_tol: 1e-6 }
    }
}

/// What a whole-space search found.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// The `nev` lowest levels, ascending, each labelled by its sector (partners included).
    pub levels: Vec<Level>,
    /// Every sector solved, in the order solved (partners listed in each).
    pub sectors: Vec<Levels>,
    /// Sectors in the plan (one per class of partners).
    pub planned: usize,
    /// Sectors restored from a checkpoint instead of solved.
    pub restored: usize,
    /// Sectors whose run ended early because all their further levels lie above the bound.
    pub pruned: usize,
}

/// How a search ended.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchEnd {
    /// Every sector visited.
    Done(Search),
    /// Stopped by [`SearchHooks::should_stop`] after `finished` of `total` sectors (each finished
    /// one was handed to [`SearchHooks::finished`]).
    Interrupted {
        /// Sectors finished.
        finished: usize,
        /// Sectors planned.
        total: usize,
    },
}

/// The `nev`-th lowest energy among the levels found so far, each counted once for its sector
/// and once per partner (∞ if fewer are known).
fn bound(found: &[Levels], nev: usize) -> f64 {
    let mut e: Vec<f64> = found
        .iter()
        .flat_map(|l| l.energies.iter().flat_map(move |&x| std::iter::repeat_n(x, 1 + l.partners.len())))
        .collect();
    if e.len() < nev {
        return f64::INFINITY;
    }
    e.sort_by(f64::total_cmp);
    e[nev - 1]
}

/// The lowest `opts.nev` levels of the whole Hilbert space (see the module doc).
pub fn lowest_levels(terms: &SpinTerms, opts: &SearchOptions, hooks: &mut dyn SearchHooks) -> Result<SearchEnd> {
    let l = &terms.lattice;
    let n = l.n_sites();
    if opts.nev == 0 {
        return Err(Error::invalid("nev", "0", "ask for at least one level"));
    }
    let planned = plan(terms);
    hooks.begin(planned.len());
    let mut found: Vec<Levels> = Vec::new();
    let (mut restored, mut pruned) = (0, 0);
    let mut family: Option<OrbitFamily> = None;
    for (index, p) in planned.iter().enumerate() {
        if hooks.should_stop() {
            return Ok(SearchEnd::Interrupted { finished: index, total: planned.len() });
        }
        hooks.sector(index, p);
        let partners: Vec<String> = p.partners.iter().map(|s| s.label(n)).collect();
        if let Some(mut lv) = hooks.restore(p) {
            lv.partners = partners;
            restored += 1;
            found.push(lv);
            continue;
        }
        if !family.as_ref().is_some_and(|f| f.serves(&p.sector)) {
            drop(family.take()); // free the old orbit list before building the next
            let stop = || hooks.should_stop();
            let Some(f) = OrbitFamily::new_until(l, &p.sector, terms.conserves_sz(), &stop)? else {
                return Ok(SearchEnd::Interrupted { finished: index, total: planned.len() });
            };
            family = Some(f);
        }
        let basis = SpinBasis::from_family(family.as_ref().expect("built above"), &p.sector, terms.conserves_sz())?;
        if basis.dim() == 0 {
            continue;
        }
        let tau = bound(&found, opts.nev);
        let so = SolveOptions { nev: opts.nev.min(basis.dim()), eigenvectors: false, ..opts.solve.clone() };
        let coarse = opts.coarse_tol / so.tol.max(1e-300);
        // End the run when the lowest Ritz values not yet converged are coarsely converged and
        // above τ by more than their residual (see the module doc).
        let enough = |ritz: &[(f64, f64)], threshold: f64| -> bool {
            if !tau.is_finite() {
                return false;
            }
            match ritz.iter().position(|&(_, r)| r > threshold) {
                Some(j) => {
                    let (t, r) = ritz[j];
                    r <= coarse * threshold && t - r > tau
                }
                None => false,
            }
        };
        let resume = hooks.lanczos_state(p);
        let stop = || hooks.should_stop();
        let step = |m: usize, e0: f64, r: f64| hooks.lanczos_step(m, e0, r);
        let control = Control { should_stop: Some(&stop), enough: Some(&enough), progress: Some(&step) };
        let result = spin_sector_with(terms, basis, &so, control, resume.as_deref())?;
        let mut lv = match result {
            SectorSolved::Done(lv, _) => lv,
            SectorSolved::Enough(lv) => {
                pruned += 1;
                lv
            }
            SectorSolved::Stopped(state) => {
                if let Some(bytes) = state {
                    hooks.keep_lanczos_state(p, &bytes)?;
                }
                return Ok(SearchEnd::Interrupted { finished: index, total: planned.len() });
            }
        };
        lv.partners = partners;
        hooks.finished(index, p, &lv)?;
        found.push(lv);
    }
    let mut levels: Vec<Level> = Vec::new();
    for lv in &found {
        for &e in &lv.energies {
            levels.push(Level { energy: e, sector: lv.sector.clone() });
            for q in &lv.partners {
                levels.push(Level { energy: e, sector: q.clone() });
            }
        }
    }
    levels.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    levels.truncate(opts.nev);
    Ok(SearchEnd::Done(Search { levels, sectors: found, planned: planned.len(), restored, pruned }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed::dense::dense_spectrum;
    use crate::ed::solve::spin_sector;
    use crate::lattice::Lattice;
    use crate::model::spin_model::SpinModel;

    fn terms(lat: &str, delta: f64, j2: f64, h: f64) -> SpinTerms {
        SpinTerms::new(&SpinModel::xxz(Lattice::parse(lat).unwrap(), 0.5, 1.0, delta, j2, h).unwrap()).unwrap()
    }

    /// The oracle: every sector of all_sectors solved in full (dense), merged.
    fn every_level(t: &SpinTerms) -> Vec<(f64, String)> {
        let mut v = Vec::new();
        for s in all_sectors(&t.lattice, &t.symmetries) {
            let b = SpinBasis::new(&t.lattice, &s, t.conserves_sz()).unwrap();
            if b.dim() == 0 {
                continue;
            }
            let o = SolveOptions { nev: b.dim(), dense_below: usize::MAX, ..Default::default() };
            let lv = spin_sector(t, &s, &o).unwrap().0;
            v.extend(lv.energies.iter().map(|&e| (e, lv.sector.clone())));
        }
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    }

    #[test]
    fn partners_cover_every_sector_once_with_the_same_spectrum() {
        // The classes of the plan partition all_sectors, and a partner's spectrum equals its
        // solved member's (dense, 1e-10): chain (flip, inversion), 4x4 (rotation, mirror,
        // inversion, flip), 4x2 (mirror, no rotation), a chain in a field (no flip).
        for t in [
            terms("10", 1.0, 0.0, 0.0),
            terms("4x4", 1.0, 0.5, 0.0),
            terms("4x2", 0.7, 0.0, 0.0),
            terms("9", 0.6, 0.3, 0.2),
        ] {
            let p = plan(&t);
            let mut all: Vec<Sector> =
                p.iter().flat_map(|x| std::iter::once(x.sector.clone()).chain(x.partners.clone())).collect();
            let expected = all_sectors(&t.lattice, &t.symmetries);
            assert_eq!(all.len(), expected.len(), "{}", t.model.name);
            all.sort_by_key(|s| s.label(t.lattice.n_sites()));
            let mut e = expected;
            e.sort_by_key(|s| s.label(t.lattice.n_sites()));
            assert_eq!(all, e);
            for x in p.iter().filter(|x| !x.partners.is_empty()).take(6) {
                let levels = |s: &Sector| {
                    let b = SpinBasis::new(&t.lattice, s, t.conserves_sz()).unwrap();
                    let o = SolveOptions { nev: b.dim().min(40), dense_below: usize::MAX, ..Default::default() };
                    (b.dim() > 0).then(|| spin_sector(&t, s, &o).unwrap().0.energies)
                };
                let a = levels(&x.sector);
                for q in &x.partners {
                    let b = levels(q);
                    match (&a, &b) {
                        (Some(a), Some(b)) => {
                            let worst = a.iter().zip(b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
                            assert!(
                                a.len() == b.len() && worst < 1e-10,
                                "{} vs {}",
                                x.label,
                                q.label(t.lattice.n_sites())
                            );
                        }
                        (None, None) => {}
                        _ => panic!("{} and its partner differ in dimension", x.label),
                    }
                }
            }
        }
    }

    #[test]
    fn lowest_levels_equal_the_full_spectrum_with_pruning() {
        // The search (partners, orbit lists, pruning) against every level of every sector: the
        // nev lowest energies agree to 1e-9 (Lanczos at 1e-10) with the right degeneracies.
        for (t, nev) in
            [(terms("12", 1.0, 0.0, 0.0), 6), (terms("4x3", 1.0, 0.4, 0.0), 5), (terms("13", 0.5, 0.0, 0.15), 4)]
        {
            let oracle = every_level(&t);
            let o = SearchOptions {
                nev,
                solve: SolveOptions { dense_below: 50, ..Default::default() },
                ..Default::default()
            };
            let SearchEnd::Done(s) = lowest_levels(&t, &o, &mut NoHooks).unwrap() else { panic!("not interrupted") };
            assert_eq!(s.levels.len(), nev);
            for (a, b) in s.levels.iter().zip(&oracle) {
                assert!(
                    (a.energy - b.0).abs() < 1e-9,
                    "{}: {} [{}] vs {} [{}]",
                    t.model.name,
                    a.energy,
                    a.sector,
                    b.0,
                    b.1
                );
            }
            // Every level reported is a level of the sector it names.
            for lv in &s.levels {
                assert!(oracle.iter().any(|(e, sec)| sec == &lv.sector && (e - lv.energy).abs() < 1e-9), "{lv:?}");
            }
            assert!(s.pruned > 0, "{}: pruning never ended a run", t.model.name);
        }
        // The whole spectrum of a small chain (nev = 2^N) through the search: Σ E = Tr H = 0.
        let t = terms("8", 1.0, 0.0, 0.0);
        let o = SearchOptions { nev: 256, ..Default::default() };
        let SearchEnd::Done(s) = lowest_levels(&t, &o, &mut NoHooks).unwrap() else { panic!() };
        let e: Vec<f64> = s.levels.iter().map(|l| l.energy).collect();
        let full = dense_spectrum(
            &crate::ed::spin::SpinHamiltonian::<f64>::new(&t, &Sector::default(), crate::ed::spin::Storage::Cached)
                .unwrap(),
        )
        .unwrap();
        let worst = e.iter().zip(&full).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(e.len() == 256 && worst < 1e-10, "{worst}");
    }

    /// Hooks that stop after a number of finished sectors and keep what finished.
    struct StopAfter {
        limit: usize,
        kept: Vec<(String, Levels)>,
    }
    impl SearchHooks for StopAfter {
        fn finished(&mut self, _i: usize, p: &Planned, lv: &Levels) -> Result<()> {
            self.kept.push((p.label.clone(), lv.clone()));
            Ok(())
        }
        fn restore(&mut self, p: &Planned) -> Option<Levels> {
            self.kept.iter().find(|(l, _)| *l == p.label).map(|(_, lv)| lv.clone())
        }
        fn should_stop(&self) -> bool {
            self.kept.len() >= self.limit
        }
    }

    #[test]
    fn an_interrupted_search_resumes_to_the_same_answer() {
        let t = terms("14", 1.0, 0.0, 0.0);
        let o = SearchOptions { nev: 3, ..Default::default() };
        let SearchEnd::Done(whole) = lowest_levels(&t, &o, &mut NoHooks).unwrap() else { panic!() };
        let mut hooks = StopAfter { limit: 5, kept: Vec::new() };
        let end = lowest_levels(&t, &o, &mut hooks).unwrap();
        assert!(matches!(end, SearchEnd::Interrupted { finished: 5, .. }), "{end:?}");
        hooks.limit = usize::MAX;
        let SearchEnd::Done(resumed) = lowest_levels(&t, &o, &mut hooks).unwrap() else { panic!() };
        assert_eq!(resumed.restored, 5);
        assert_eq!(resumed.levels, whole.levels, "bit for bit");
        assert_eq!(resumed.sectors, whole.sectors);
    }
}
