//! Validation of the spin-½ ED engine against independent oracles:
//! a naive full-Hilbert-space dense matrix, the spin-waves note (A.4 table, Bethe ansatz,
//! exact one-magnon band) and the free-fermion solution of the transverse-field Ising chain.

use crate::ed::basis::{all_sectors, Sector, SpinBasis};
use crate::ed::dense::dense_spectrum;
use crate::ed::lanczos::{lanczos, LanczosOptions};
use crate::ed::operator::{LinearOperator, SparseMatrix};
use crate::ed::solve::{spin_sector, SolveOptions};
use crate::ed::spin::{Bond, SpinHamiltonian, SpinTerms, Storage};
use crate::lattice::Lattice;
use crate::linalg::C64;
use crate::model::{Heisenberg, TransverseIsing};

/// The obviously correct oracle: the full 2^N matrix from the bit rules, no symmetries.
fn full_matrix(t: &SpinTerms) -> SparseMatrix<f64> {
    let n = t.lattice.n_sites();
    let mut trip = Vec::new();
    for s in 0..(1u64 << n) {
        let mut d = 0.0;
        for b in &t.bonds {
            let zi = if s >> b.i & 1 == 1 { 0.5 } else { -0.5 };
            let zj = if s >> b.j & 1 == 1 { 0.5 } else { -0.5 };
            d += b.jz * zi * zj;
            if zi != zj {
                trip.push(((s ^ (1 << b.i) ^ (1 << b.j)) as usize, s as usize, 0.5 * b.jxy));
            }
        }
        for (i, &h) in t.hx.iter().enumerate() {
            trip.push(((s ^ (1 << i)) as usize, s as usize, 0.5 * h));
        }
        trip.push((s as usize, s as usize, d));
    }
    SparseMatrix::from_triplets(1 << n, trip)
}

/// All levels of all sectors, merged and sorted.
fn union_of_sectors(t: &SpinTerms) -> Vec<f64> {
    let mut all = Vec::new();
    for sec in all_sectors(&t.lattice, t.conserves_sz(), true) {
        let b = SpinBasis::new(&t.lattice, &sec, t.conserves_sz()).unwrap();
        if b.dim() == 0 {
            continue;
        }
        let o = SolveOptions { nev: b.dim(), dense_below: usize::MAX, ..Default::default() };
        let (l, _) = spin_sector(t, &sec, &o).unwrap();
        all.extend(l.energies);
    }
    all.sort_by(f64::total_cmp);
    all
}

fn assert_same_spectrum(t: &SpinTerms, what: &str) {
    let full = dense_spectrum(&full_matrix(t)).unwrap();
    let union = union_of_sectors(t);
    assert_eq!(full.len(), union.len(), "{what}: number of levels");
    // Both are dense diagonalizations of exact matrices: agreement to rounding (1e-10).
    let worst = full.iter().zip(&union).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-10, "{what}: max level difference {worst:.3e}");
}

fn heis(lat: &str, j: f64) -> SpinTerms {
    SpinTerms::heisenberg(&Heisenberg::new(Lattice::parse(lat).unwrap(), 0.5, j).unwrap()).unwrap()
}

#[test]
fn union_of_sector_spectra_is_the_full_spectrum() {
    // Issue 4 validation: every sector (S^z, k, parity, spin flip) of a chain, an odd chain,
    // a 4x2 torus, and a 3x3 transverse-field Ising torus (no S^z, complex momenta).
    assert_same_spectrum(&heis("10", 1.0), "AFM chain N=10");
    assert_same_spectrum(&heis("9", -1.0), "FM chain N=9 (odd)");
    assert_same_spectrum(&heis("4x2", 1.0), "AFM 4x2 torus");
    let tfim = TransverseIsing::new(Lattice::parse("3x3").unwrap(), 1.0, 0.7).unwrap();
    assert_same_spectrum(&SpinTerms::transverse_ising(&tfim), "TFIM 3x3 torus");
}

/// All levels of one sector (dense).
fn sector_levels(t: &SpinTerms, sec: &str) -> Vec<f64> {
    let sec = Sector::parse(sec, &t.lattice).unwrap();
    let b = SpinBasis::new(&t.lattice, &sec, t.conserves_sz()).unwrap();
    if b.dim() == 0 {
        return Vec::new();
    }
    let o = SolveOptions { nev: b.dim(), dense_below: usize::MAX, ..Default::default() };
    spin_sector(t, &sec, &o).unwrap().0.energies
}

fn assert_levels_equal(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: number of levels");
    // Dense diagonalizations of exact matrices: agreement to rounding (1e-10).
    let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-10, "{what}: max level difference {worst:.3e}");
}

#[test]
fn point_group_irreps_split_the_parity_sector() {
    // The one-dimensional irreps of C4v (A1, A2, B1, B2: rotation and mirror characters ±1)
    // all have χ(C2) = χ(parity) = +1, and the two-dimensional irrep E has χ(C2) = −2; so at
    // k = (0,0) and (π,π) of an L×L torus the four 1D-irrep spectra together are exactly the
    // parity = +1 spectrum (group theory, e.g. Dresselhaus, Dresselhaus & Jorio, "Group
    // Theory", ch. 3), which is diagonalized without the point group as the oracle. On a
    // rectangle the mirror x → −x alone splits each parity sector in two.
    let sq = heis("4x4", 1.0);
    for (k, z) in [("0:0", ",spinflip=1"), ("2:2", ""), ("0:0", ",spinflip=-1")] {
        let oracle = sector_levels(&sq, &format!("sz=0,k={k},parity=1{z}"));
        let mut union = Vec::new();
        for r in [1, -1] {
            for m in [1, -1] {
                union.extend(sector_levels(&sq, &format!("sz=0,k={k},rotation={r},mirror={m}{z}")));
            }
        }
        union.sort_by(f64::total_cmp);
        assert_levels_equal(&oracle, &union, &format!("4x4 k={k}{z}"));
    }
    let rect = heis("6x2", 1.0);
    for (k, p) in [("0:0", 1), ("3:1", -1)] {
        let oracle = sector_levels(&rect, &format!("sz=0,k={k},parity={p}"));
        let mut union = sector_levels(&rect, &format!("sz=0,k={k},parity={p},mirror=1"));
        union.extend(sector_levels(&rect, &format!("sz=0,k={k},parity={p},mirror=-1")));
        union.sort_by(f64::total_cmp);
        assert_levels_equal(&oracle, &union, &format!("6x2 k={k} parity={p}"));
    }
}

#[test]
fn square_4x4_ground_state() {
    // The 4x4 Heisenberg antiferromagnet: E0 = −11.228483208 (J = 1), a standard ED value
    // (e.g. Schulz, Ziman & Poilblanc, J. Phys. I France 6, 675 (1996), table 1: E0/N =
    // −0.701780). Here the oracle is independent of that number: the A1 ground state
    // (with the point group, Lanczos) against the dense k = 0 sector without it (1e-9).
    let t = heis("4x4", 1.0);
    let dense = sector_levels(&t, "sz=0,k=0:0")[0];
    let sec = Sector::parse("sz=0,k=0:0,rotation=1,mirror=1,spinflip=1", &t.lattice).unwrap();
    let o = SolveOptions { nev: 1, dense_below: 0, ..Default::default() };
    let (l, _) = spin_sector(&t, &sec, &o).unwrap();
    assert!((l.energies[0] - dense).abs() < 1e-9, "{} vs {dense}", l.energies[0]);
    assert!((dense / 16.0 + 0.701780).abs() < 1e-6, "E0/N = {}", dense / 16.0);
}

#[test]
#[ignore = "15.8 M states, 3.5 GB: ~6-9 min on 2 cores"]
fn square_6x6_ground_state() {
    // Issue 4's size goal, validated: the 6x6 Heisenberg antiferromagnet in the A1 sector
    // (k = 0, C4v A1, spin flip +1; 15,804,956 states). Published E0/N = −0.678872 (Schulz,
    // Ziman & Poilblanc, J. Phys. I France 6, 675 (1996); six digits as commonly quoted, not
    // checked against the primary text), so the tolerance is half a unit of the sixth digit
    // per site; Lanczos converges to 1e-10 relative, far below it.
    let t = heis("6x6", 1.0);
    let sec = Sector::parse("sz=0,k=0:0,rotation=1,mirror=1,spinflip=1", &t.lattice).unwrap();
    let (l, _) = spin_sector(&t, &sec, &SolveOptions::default()).unwrap();
    let formula = crate::ed::basis::tests::character_formula_dim(&t.lattice, &sec);
    assert!((l.dimension as f64 - formula).abs() < 1e-3, "{} states vs {formula}", l.dimension);
    assert!(l.converged);
    let e = l.energies[0] / 36.0;
    assert!((e + 0.678872).abs() < 5e-7, "E0/N = {e}");
}

#[test]
#[ignore = "dense 4096x4096 oracle: ~1 min on 2 cores"]
fn union_of_sector_spectra_is_the_full_spectrum_n12() {
    assert_same_spectrum(&heis("12", 1.0), "AFM chain N=12");
}

/// Spin-waves note A.4: periodic S=½ AF chain, E_0 (S^z = 0) and E_1 (lowest S = 1, S^z = 1).
const CHAIN_TABLE: [(usize, f64, f64); 7] = [
    (4, -2.000000000000, -1.000000000000),
    (6, -2.802775637732, -2.118033988750),
    (8, -3.651093408937, -3.128419063845),
    (10, -4.515446354492, -4.092207346739),
    (12, -5.387390917445, -5.031543403742),
    (14, -6.263549533547, -5.956443823979),
    (16, -7.142296360617, -6.872106678366),
];

/// Lowest level of the chain over all momenta at fixed number of up spins.
fn chain_min(n: usize, n_up: usize) -> f64 {
    let t = heis(&n.to_string(), 1.0);
    (0..n)
        .map(|k| {
            let sec = Sector { n_up: Some(n_up), k: Some(vec![k]), parity: None, spinflip: None, ..Default::default() };
            spin_sector(&t, &sec, &SolveOptions { tol: 1e-12, ..Default::default() }).unwrap().0.energies[0]
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn chain_energies_match_the_note_table() {
    // spin-waves.md A.4 table (12 decimals, from eigsh tol 1e-12): tolerance 1e-9 (issue 4).
    for &(n, e0, e1) in &CHAIN_TABLE {
        let a = chain_min(n, n / 2);
        let b = chain_min(n, n / 2 + 1);
        assert!((a - e0).abs() < 1e-9, "N={n}: E0 {a} vs {e0}");
        assert!((b - e1).abs() < 1e-9, "N={n}: E1 {b} vs {e1}");
    }
}

#[test]
fn chain_extrapolates_to_bethe() {
    // spin-waves.md A.4: E0/N ≈ 1/4 − ln 2 − π²/(12 N²) (CFT, c = 1, v = π/2); the remainder is
    // −3.4e−5 at N = 16 and shrinks ~1/N^2·log, so 1e−4 (issue 4) holds for N = 16 and 20.
    let e_inf = 0.25 - std::f64::consts::LN_2;
    for n in [16usize, 20] {
        let t = heis(&n.to_string(), 1.0);
        let k0 = if (n / 2) % 2 == 0 { 0 } else { n / 2 };
        let sec =
            Sector { n_up: Some(n / 2), k: Some(vec![k0]), parity: Some(1), spinflip: Some(1), ..Default::default() };
        let e0 = spin_sector(&t, &sec, &SolveOptions::default()).unwrap().0.energies[0];
        let corrected = e0 / n as f64 + std::f64::consts::PI.powi(2) / (12.0 * (n * n) as f64);
        assert!((corrected - e_inf).abs() < 1e-4, "N={n}: {corrected} vs {e_inf}");
        if n == 16 {
            assert!((e0 - CHAIN_TABLE[6].1).abs() < 1e-9, "N=16 in the fully reduced sector");
        }
    }
}

#[test]
fn ferromagnet_one_magnon_band_is_exact() {
    // spin-waves.md A.2: the one-magnon states of the Heisenberg ferromagnet are exact
    // eigenstates with ω(k) = 2|J|S Σ_a (1 − cos k_a) above E_FM = J S² N_bonds. Each
    // (S^z = N/2 − 1, k) sector is one state, so the level is one matrix element: 1e-12.
    for (lat, jj) in [("12", -1.0), ("4x4", -0.7), ("3x4", -1.3)] {
        let t = heis(lat, jj);
        let l = &t.lattice;
        let n = l.n_sites();
        let e_fm = jj * 0.25 * t.bonds.len() as f64;
        for kidx in 0..n {
            let c = l.coords(kidx);
            let kv: Vec<usize> = (0..l.dim()).map(|a| c[a]).collect();
            let sec =
                Sector { n_up: Some(n - 1), k: Some(kv.clone()), parity: None, spinflip: None, ..Default::default() };
            let (lv, _) = spin_sector(&t, &sec, &SolveOptions::default()).unwrap();
            assert_eq!(lv.dimension, 1);
            let mom = sec.momentum(l);
            let omega: f64 = mom.iter().map(|k| 2.0 * jj.abs() * 0.5 * (1.0 - k.cos())).sum();
            assert!(
                (lv.energies[0] - (e_fm + omega)).abs() < 1e-12,
                "{lat} k={kv:?}: {} vs {}",
                lv.energies[0],
                e_fm + omega
            );
        }
    }
}

#[test]
fn transverse_ising_chain_matches_free_fermions() {
    // Pfeuty (1970): E0 = −Σ_k sqrt(J² + h² − 2Jh cos k), k = π(2m+1)/N (model/ising.rs).
    // Lanczos tolerance 1e-12·‖H‖ → energies to ~1e-10.
    for h in [0.3, 1.0, 2.5] {
        let m = TransverseIsing::new(Lattice::parse("14").unwrap(), 1.0, h).unwrap();
        let t = SpinTerms::transverse_ising(&m);
        let sec = Sector { n_up: None, k: Some(vec![0]), parity: Some(1), spinflip: Some(1), ..Default::default() };
        let e = spin_sector(&t, &sec, &SolveOptions { tol: 1e-12, ..Default::default() }).unwrap().0.energies[0];
        let exact = TransverseIsing::chain_ground_energy(14, 1.0, h);
        assert!((e - exact).abs() < 1e-9, "h={h}: {e} vs {exact}");
    }
}

#[test]
fn broken_symmetry_is_an_error() {
    // A chain with one modified bond is not translation invariant: a momentum sector must be
    // refused; without momentum it is fine.
    let mut t = heis("8", 1.0);
    t.bonds[3] = Bond { jz: 1.5, jxy: 1.5, ..t.bonds[3] };
    let with_k = Sector { n_up: Some(4), k: Some(vec![0]), parity: None, spinflip: None, ..Default::default() };
    let e = SpinHamiltonian::<f64>::new(&t, &with_k, Storage::MatrixFree).unwrap_err();
    assert!(matches!(e, crate::Error::Invariant(_)), "{e}");
    let no_k = Sector { n_up: Some(4), ..Default::default() };
    assert!(SpinHamiltonian::<f64>::new(&t, &no_k, Storage::MatrixFree).is_ok());
}

#[test]
fn cached_matrix_free_and_thread_count_agree_bitwise() {
    let t = heis("16", 1.0);
    let sec = Sector { n_up: Some(8), k: Some(vec![3]), parity: None, spinflip: None, ..Default::default() };
    let a = SpinHamiltonian::<C64>::new(&t, &sec, Storage::MatrixFree).unwrap();
    let b = SpinHamiltonian::<C64>::new(&t, &sec, Storage::Cached).unwrap();
    assert!(b.is_cached() && !a.is_cached());
    let x = crate::ed::lanczos::random_vector::<C64>(a.dim(), 3);
    let mut ya = vec![C64::new(0.0, 0.0); a.dim()];
    let mut yb = ya.clone();
    a.apply(&x, &mut ya);
    b.apply(&x, &mut yb);
    assert_eq!(ya, yb);
    let pool1 = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut y1 = ya.clone();
    pool1.install(|| a.apply(&x, &mut y1));
    assert_eq!(ya, y1, "same bits on 1 thread");
    // Real sector with equal off-diagonal amplitudes: the compact cache (columns and signs
    // only) sums Σ ±sqrt(c_a) x_a before scaling, so it agrees with the matrix-free product to
    // rounding (a few ulps of the largest term: 1e-13 relative), and bitwise for any thread count.
    let sec = Sector { n_up: Some(8), k: Some(vec![8]), parity: Some(-1), spinflip: Some(1), ..Default::default() };
    let c = SpinHamiltonian::<f64>::new(&t, &sec, Storage::MatrixFree).unwrap();
    let d = SpinHamiltonian::<f64>::new(&t, &sec, Storage::Cached).unwrap();
    let xr = crate::ed::lanczos::random_vector::<f64>(c.dim(), 5);
    let (mut yc, mut yd) = (vec![0.0; c.dim()], vec![0.0; c.dim()]);
    c.apply(&xr, &mut yc);
    d.apply(&xr, &mut yd);
    let scale = yc.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let worst = yc.iter().zip(&yd).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-13 * scale, "compact cache: {worst:.2e} of {scale:.2e}");
    let mut yd1 = vec![0.0; c.dim()];
    pool1.install(|| d.apply(&xr, &mut yd1));
    assert_eq!(yd, yd1, "compact cache: same bits on 1 thread");
    let r1 = pool1.install(|| lanczos(&a, &LanczosOptions::default()).unwrap());
    let r2 = lanczos(&a, &LanczosOptions::default()).unwrap();
    assert_eq!(r1.eigenvalues, r2.eigenvalues);
}
