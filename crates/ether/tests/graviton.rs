//! Validation of the graviton models against `docs/physics/graviton.md` (sections
//! B.2-B.9). Each test names the section and the reason for its tolerance.

use ether::dynamics::graviton::{random_state, tt_period, TensorDynamics};
use ether::linalg::C64;
use ether::model::graviton::{
    cotton, div, einstein_tensor, gauge_map, inc, lattice_k, ricci, scalar_curvature, sym_curl, trace, DiffOp,
    GravitonKind, GravitonModel, Stencil,
};
use ether::modes::graviton::helicity::{c4_z, projectors, HelicityBasis};
use ether::modes::graviton::{analyze, log_log_slope, orthonormal_at, GravitonModes, Sector};
use ether::Lattice;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

fn model(kind: GravitonKind, lat: &str) -> GravitonModel {
    GravitonModel::new(kind, Lattice::parse(lat).unwrap(), 1.0, 1.0).unwrap()
}

fn random_ks(n: usize, seed: u64) -> Vec<[f64; 3]> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    (0..n).map(|_| std::array::from_fn(|_| rng.random_range(-std::f64::consts::PI..std::f64::consts::PI))).collect()
}

fn fro(a: &[C64]) -> f64 {
    a.iter().map(|x| x.norm_sqr()).sum::<f64>().sqrt()
}

fn mul(n: usize, m: usize, p: usize, a: &[C64], b: &[C64]) -> Vec<C64> {
    let mut c = vec![C64::new(0.0, 0.0); n * p];
    for i in 0..n {
        for l in 0..m {
            for j in 0..p {
                c[i * p + j] += a[i * m + l] * b[l * p + j];
            }
        }
    }
    c
}

fn knorm(kk: [f64; 3]) -> f64 {
    (kk[0] * kk[0] + kk[1] * kk[1] + kk[2] * kk[2]).sqrt()
}

/// Stored components (a, b) and their Frobenius weights (B.2), written here independently.
const COMP: [(usize, usize); 6] = [(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (2, 0)];
const FROB: [f64; 6] = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0];

/// A 4-index operator on symmetric tensors in the orthonormal coordinates Q_c = √F_c h_c.
fn four_index(f: impl Fn(usize, usize, usize, usize) -> C64) -> Vec<C64> {
    let mut out = vec![C64::new(0.0, 0.0); 36];
    for (i, &(a, b)) in COMP.iter().enumerate() {
        for (j, &(c, d)) in COMP.iter().enumerate() {
            let mut v = f(a, b, c, d);
            if c != d {
                v += f(a, b, d, c);
            }
            out[i * 6 + j] = v * (FROB[i].sqrt() / FROB[j].sqrt());
        }
    }
    out
}

/// Barnes-Rivers projectors about n (B.4): [Λ⁽²⁾, Λ⁽¹⁾, Λ⁽⁰ˢ⁾ (0T), Λ⁽⁰ʷ⁾ (0L)].
fn test_projectors(n: [f64; 3]) -> [Vec<C64>; 4] {
    let p = |a: usize, b: usize| (if a == b { 1.0 } else { 0.0 }) - n[a] * n[b];
    let l = |a: usize, b: usize| n[a] * n[b];
    let r = |x: f64| C64::new(x, 0.0);
    [
        four_index(|a, b, c, d| r(0.5 * (p(a, c) * p(b, d) + p(a, d) * p(b, c)) - 0.5 * p(a, b) * p(c, d))),
        four_index(|a, b, c, d| {
            r(0.5 * (p(a, c) * l(b, d) + p(a, d) * l(b, c) + l(a, c) * p(b, d) + l(a, d) * p(b, c)))
        }),
        four_index(|a, b, c, d| r(0.5 * p(a, b) * p(c, d))),
        four_index(|a, b, c, d| r(l(a, b) * l(c, d))),
    ]
}

/// The generator of rotations about n on symmetric tensors: (Gh)_ab = (S h)_ab + (h Sᵀ)_ab with
/// S_ac = −i ε_acm n_m (spin-1), i.e. G_{ab,cd} = S_ac δ_bd + δ_ac S_bd.
fn rotation_generator(n: [f64; 3]) -> Vec<C64> {
    let eps = |a: usize, b: usize, c: usize| -> f64 {
        match (a, b, c) {
            (0, 1, 2) | (1, 2, 0) | (2, 0, 1) => 1.0,
            (0, 2, 1) | (2, 1, 0) | (1, 0, 2) => -1.0,
            _ => 0.0,
        }
    };
    let sm = |a: usize, c: usize| C64::new(0.0, -(0..3).map(|m| eps(a, c, m) * n[m]).sum::<f64>());
    let dl = |a: usize, b: usize| if a == b { C64::new(1.0, 0.0) } else { C64::new(0.0, 0.0) };
    four_index(|a, b, c, d| sm(a, c) * dl(b, d) + dl(a, c) * sm(b, d))
}

fn commutator(a: &[C64], b: &[C64]) -> Vec<C64> {
    let ab = mul(6, 6, 6, a, b);
    let ba = mul(6, 6, 6, b, a);
    ab.iter().zip(&ba).map(|(x, y)| x - y).collect()
}

/// The gauge map of B.3 at lattice momentum K, written here: link vector f → Q coordinates.
fn test_gauge_map(kk: [f64; 3]) -> Vec<C64> {
    let mut g = vec![C64::new(0.0, 0.0); 18];
    for (i, &(a, b)) in COMP.iter().enumerate() {
        if a == b {
            g[i * 3 + a] = C64::new(0.0, 2.0 * kk[a]);
        } else {
            g[i * 3 + b] += C64::new(0.0, 2f64.sqrt() * kk[a]);
            g[i * 3 + a] += C64::new(0.0, 2f64.sqrt() * kk[b]);
        }
    }
    g
}

/// B.3/B.7 "lattice diffeomorphism invariance": inc, Cot and every model potential annihilate the
/// gauge map. Symbolically (the difference polynomials of inc∘G and Cot∘G cancel exactly: the
/// lattice differences commute) and numerically at random k: ‖𝒱G‖ < 1e-12 (rounding of O(1)
/// entries, B.7 tolerance).
#[test]
fn diffeomorphism_invariance_of_every_potential() {
    assert!(inc().compose(&gauge_map()).unwrap().is_zero(), "inc ∘ G must vanish identically");
    assert!(cotton().compose(&gauge_map()).unwrap().is_zero(), "Cot ∘ G must vanish identically");
    assert!(scalar_curvature().compose(&gauge_map()).unwrap().is_zero(), "R(1) is gauge invariant");
    for kind in GravitonKind::ALL {
        let s = GravitonModes::new(&model(kind, "4x4x4")).unwrap();
        for k in random_ks(20, 7) {
            let v = s.potential_at(k);
            let g = s.gauge_at(k);
            let vg = fro(&mul(6, 6, 3, &v, &g));
            assert!(vg < 1e-12, "{kind}: ‖V G‖ = {vg:e} at k = {k:?}");
            assert!(fro(&v) > 1e-3, "{kind}: the potential is not trivially zero");
        }
    }
}

/// B.4/B.7 Bianchi identity `K_a inc_ab = 0`: div ∘ inc vanishes as a polynomial identity and
/// numerically at random k to 1e-12.
#[test]
fn bianchi_identity() {
    let b = div().compose(&inc()).unwrap();
    assert!(b.is_zero(), "div ∘ inc must vanish identically");
    for k in random_ks(10, 11) {
        let kk = lattice_k(k);
        let m = mul(3, 6, 6, &div().at(kk), &inc().at(kk));
        assert!(fro(&m) < 1e-12);
    }
}

/// B.4/B.7 "Einstein tensor": the linearized G_ab = R_ab − ½δ_ab R, built from the standard
/// linearized Ricci tensor, equals ½ inc exactly (as polynomials) and at random k to 1e-12.
#[test]
fn einstein_tensor_is_half_the_incompatibility() {
    let g = einstein_tensor();
    let half = inc().scaled(0.5);
    for i in 0..6 {
        for j in 0..6 {
            let d = ether::model::graviton::poly_add(
                g.entry(i, j),
                &half.entry(i, j).iter().map(|m| ether::model::graviton::Mono::new(-m.coef, m.pow)).collect::<Vec<_>>(),
            );
            assert!(d.is_empty(), "G − ½inc entry ({i},{j}) = {d:?}");
        }
    }
    for k in random_ks(5, 3) {
        let kk = lattice_k(k);
        let (a, b) = (g.at(kk), half.at(kk));
        let diff: f64 = a.iter().zip(&b).map(|(x, y)| (x - y).norm()).fold(0.0, f64::max);
        assert!(diff < 1e-12);
        assert!(fro(&ricci().at(kk)) > 0.1);
    }
}

fn helicity_diag(op: &DiffOp, k: [f64; 3]) -> (Vec<C64>, f64) {
    let kk = lattice_k(k);
    let u = HelicityBasis::about(kk).unwrap();
    let m = u.transform(&orthonormal_at(op, kk));
    let block = |i: usize| if i >= 4 { 4 } else { i };
    let mut off: f64 = 0.0;
    for i in 0..6 {
        for j in 0..6 {
            if block(i) != block(j) || (i >= 4 && i != j) {
                off = off.max(m[i * 6 + j].norm());
            }
        }
    }
    ((0..6).map(|i| m[i * 6 + i]).collect(), off)
}

/// B.4 table "Eigenvalues on helicity states" and B.7 "Helicity eigenvalues" (1e-12: rounding).
/// Columns +2, −2, +1, −1, 0L, 0T. inc ÷|K|²: 1, 1, 0, 0, 0, −1. SymCurl ÷|K|: 1, −1, ½, −½, 0, 0.
/// Cot ÷|K|³: 1, −1, 0, 0, 0, 0. For these three, the helicity basis diagonalizes them exactly
/// (0L and 0T do not mix), which is the block-diagonality claim as well.
#[test]
fn helicity_eigenvalues_of_the_building_blocks() {
    let table: [(DiffOp, i32, [f64; 6]); 3] = [
        (inc(), 2, [1.0, 1.0, 0.0, 0.0, 0.0, -1.0]),
        (sym_curl(), 1, [1.0, -1.0, 0.5, -0.5, 0.0, 0.0]),
        (cotton(), 3, [1.0, -1.0, 0.0, 0.0, 0.0, 0.0]),
    ];
    for k in random_ks(20, 5) {
        let kn = knorm(lattice_k(k));
        for (op, p, want) in &table {
            let (d, off) = helicity_diag(op, k);
            let scale = kn.powi(*p);
            assert!(off < 1e-12 * scale.max(1.0), "{}: off-diagonal {off:e}", op.name);
            for s in 0..6 {
                let got = d[s] / scale;
                assert!(
                    (got.re - want[s]).abs() < 1e-12 && got.im.abs() < 1e-12,
                    "{} state {s}: {got} vs {}",
                    op.name,
                    want[s]
                );
            }
        }
    }
}

/// B.4 table rows "2·V_FP" and "DeWitt", and B.7 "M2 conformal mode": the einstein model with
/// U = J = 1 has 𝒱 = 2V_FP with eigenvalues ½|K|² on ±2, 0 on ±1 and 0L, −½|K|² on 0T, and
/// the DeWitt kinetic matrix 2 on ±2, ±1 and [[1, −√2], [−√2, 0]] on (0L, 0T). 1e-12: rounding.
#[test]
fn fierz_pauli_and_dewitt_in_the_helicity_basis() {
    let s = GravitonModes::new(&model(GravitonKind::Einstein, "4x4x4")).unwrap();
    let r2 = 2f64.sqrt();
    let vwant = [0.5, 0.5, 0.0, 0.0, 0.0, -0.5];
    let kwant = [[2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [1.0, -r2], [-r2, 0.0]];
    for k in random_ks(20, 9) {
        let kk = lattice_k(k);
        let k2 = knorm(kk).powi(2);
        let u = HelicityBasis::about(kk).unwrap();
        let v = u.transform(&s.potential_at(k));
        let kin = u.transform(&s.kinetic_at(k));
        for i in 0..6 {
            for j in 0..6 {
                let vw = if i == j { vwant[i] * k2 } else { 0.0 };
                assert!((v[i * 6 + j] - vw).norm() < 1e-12, "V ({i},{j}) = {} vs {vw}", v[i * 6 + j]);
                let kw = if i == j && i < 4 {
                    kwant[i][0]
                } else if i >= 4 && j >= 4 {
                    kwant[i][j - 4]
                } else {
                    0.0
                };
                assert!((kin[i * 6 + j] - kw).norm() < 1e-12, "K ({i},{j}) = {} vs {kw}", kin[i * 6 + j]);
            }
        }
    }
}

/// B.6 step 4 / B.7 "Block-diagonality", checked with operators built here, not with the
/// library's own residuals: every model's 𝒦 and 𝒱 commute with the Barnes-Rivers projectors
/// (|m| = 2, |m| = 1, and the helicity-0 pair together, built from P = δ − nn) and with the
/// generator of rotations about n (which separates +m from −m), so they are block diagonal in the
/// helicity basis with only 0L/0T mixing; and 𝒱 annihilates the gauge map written here from B.3,
/// `δh_aa = 2iK_a f_a`, `δh_ab = i(K_a f_b + K_b f_a)`. Tolerance 1e-12 relative (rounding of O(1)
/// entries).
#[test]
fn models_are_block_diagonal_in_the_helicity_basis() {
    for kind in GravitonKind::ALL {
        let s = GravitonModes::new(&model(kind, "4x4x4")).unwrap();
        for k in random_ks(20, 13) {
            let kk = lattice_k(k);
            let kn = knorm(kk);
            let n = kk.map(|x| x / kn);
            let pr = test_projectors(n);
            let zero: Vec<C64> = (0..36).map(|i| pr[2][i] + pr[3][i]).collect();
            let gen = rotation_generator(n);
            for (name, m) in [("K", s.kinetic_at(k)), ("V", s.potential_at(k))] {
                let scale = fro(&m).max(1e-300);
                for (pname, p) in [("Λ2", &pr[0]), ("Λ1", &pr[1]), ("Λ0", &zero), ("rotation", &gen)] {
                    let c = commutator(&m, p);
                    assert!(fro(&c) < 1e-12 * scale * fro(p), "{kind}: [{name}, {pname}] = {:e} at {k:?}", fro(&c));
                }
            }
            let g = test_gauge_map(kk);
            let v = s.potential_at(k);
            let vg = fro(&mul(6, 6, 3, &v, &g));
            assert!(vg < 1e-12 * fro(&v) * fro(&g), "{kind}: ‖V G‖ = {vg:e}");
        }
    }
}

/// B.6 step 2 "Hermiticity", on the forms as written (the momentum matrices are symmetrized when
/// evaluated, so this uses the real-space stencils, which are not): ⟨y, V x⟩ = ⟨V y, x⟩ and
/// ⟨y, K x⟩ = ⟨K y, x⟩ for random fields on a 4x5x6 torus. Tolerance 1e-12 relative.
#[test]
fn forms_as_written_are_symmetric() {
    for kind in GravitonKind::ALL {
        let d = TensorDynamics::new(&model(kind, "4x5x6")).unwrap();
        let n = d.n_sites();
        let (x, y) = (random_state(n, 21).theta, random_state(n, 22).theta);
        let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q).sum::<f64>();
        for (name, f) in [
            ("V", &(|v: &[f64]| d.potential_gradient(v)) as &dyn Fn(&[f64]) -> Vec<f64>),
            ("K", &|v: &[f64]| d.velocity(v)),
        ] {
            let (l, r) = (dot(&y, &f(&x)), dot(&f(&y), &x));
            assert!((l - r).abs() < 1e-12 * l.abs().max(1.0), "{kind} {name}: {l} vs {r}");
        }
    }
}

/// B.4: the helicity basis is orthonormal, and the Barnes-Rivers projectors (built from P and L
/// alone) equal the sums of e_s e_s† over their helicity states and add up to the identity.
#[test]
fn helicity_basis_and_projectors_agree() {
    for k in random_ks(10, 17) {
        let kk = lattice_k(k);
        let u = HelicityBasis::about(kk).unwrap();
        for s in 0..6 {
            for t in 0..6 {
                let d: C64 = (0..6).map(|i| u.columns[s][i].conj() * u.columns[t][i]).sum();
                let want = if s == t { 1.0 } else { 0.0 };
                assert!((d - want).norm() < 1e-12);
            }
        }
        let pr = projectors(u.n);
        let groups: [&[usize]; 4] = [&[0, 1], &[2, 3], &[5], &[4]];
        let mut total = vec![C64::new(0.0, 0.0); 36];
        for (p, g) in pr.iter().zip(groups) {
            for i in 0..6 {
                for j in 0..6 {
                    let want: C64 = g.iter().map(|&s| u.columns[s][i] * u.columns[s][j].conj()).sum();
                    assert!((p[i * 6 + j] - want).norm() < 1e-12);
                    total[i * 6 + j] += p[i * 6 + j];
                }
            }
        }
        for i in 0..6 {
            for j in 0..6 {
                assert!((total[i * 6 + j] - if i == j { 1.0 } else { 0.0 }).norm() < 1e-12);
            }
        }
    }
}

/// B.4/B.7 "C4 eigenvalues (k ∥ z)": R_{C4} e_m = e^{−imπ/2} e_m: −1 on ±2, ∓i on ±1, +1 on 0L
/// and 0T (1e-12: the entries are 0, ±1, ±½ up to rounding).
#[test]
fn c4_eigenvalues_along_an_axis() {
    let u = HelicityBasis::about([0.0, 0.0, 0.7]).unwrap();
    let r = c4_z();
    let want = [
        C64::new(-1.0, 0.0),
        C64::new(-1.0, 0.0),
        C64::new(0.0, -1.0),
        C64::new(0.0, 1.0),
        C64::new(1.0, 0.0),
        C64::new(1.0, 0.0),
    ];
    for s in 0..6 {
        let v = &u.columns[s];
        let rv: Vec<C64> = (0..6).map(|i| (0..6).map(|j| r[i * 6 + j] * v[j]).sum()).collect();
        for i in 0..6 {
            assert!((rv[i] - want[s] * v[i]).norm() < 1e-12, "state {s}: R e ≠ {} e", want[s]);
        }
    }
}

fn omega(kind: GravitonKind, k: [f64; 3], s: Sector) -> f64 {
    let m = GravitonModes::new(&model(kind, "4x4x4")).unwrap().at(k).unwrap();
    m.sector(s).omega[0]
}

/// B.5 "Computed numbers" and B.7: at the zone boundary k = (0, 0, π), |K| = 2:
/// M1 ω_{±2} = ω_{0T} = 4, M2 ω_{±2} = 2, M3 = M4 = 8 (U = J = 1). Tolerance 1e-12 (exact
/// rational arithmetic up to rounding; the note's own tolerance for M2 is 1e-6).
#[test]
fn zone_boundary_values() {
    let k = [0.0, 0.0, std::f64::consts::PI];
    let cases = [
        (GravitonKind::Xu, 4.0),
        (GravitonKind::Einstein, 2.0),
        (GravitonKind::LType, 8.0),
        (GravitonKind::Cotton, 8.0),
    ];
    for (kind, w) in cases {
        assert!((omega(kind, k, Sector::Plus2) - w).abs() < 1e-12, "{kind}");
        assert!((omega(kind, k, Sector::Minus2) - w).abs() < 1e-12, "{kind}");
    }
    // M1's helicity-0 (0T) branch is degenerate with ±2 (B.5 table: √(UJ)|K|²)
    assert!((omega(GravitonKind::Xu, k, Sector::Zero) - 4.0).abs() < 1e-12);
}

/// B.5 "Computed numbers", k ∥ z, k_z = 0.1: M1 ω_{±2} = ω_{0T} = 0.009992, M2 0.099958,
/// M3 0.000999 (the note rounds to 6 decimals: tolerance 5e-7, half a unit in the last place).
#[test]
fn small_k_values_along_z() {
    let k = [0.0, 0.0, 0.1];
    assert!((omega(GravitonKind::Xu, k, Sector::Plus2) - 0.009992).abs() < 5e-7);
    assert!((omega(GravitonKind::Xu, k, Sector::Zero) - 0.009992).abs() < 5e-7);
    assert!((omega(GravitonKind::Einstein, k, Sector::Plus2) - 0.099958).abs() < 5e-7);
    assert!((omega(GravitonKind::LType, k, Sector::Plus2) - 0.000999).abs() < 5e-7);
}

/// B.5 "Log-log slope of the +2 branch between k = 0.01 and 0.02 along z": M1 1.999964,
/// M2 0.999982, M3 2.999946 (six decimals quoted: tolerance 1e-6).
#[test]
fn two_point_slopes_along_z() {
    for (kind, want) in
        [(GravitonKind::Xu, 1.999964), (GravitonKind::Einstein, 0.999982), (GravitonKind::LType, 2.999946)]
    {
        let w1 = omega(kind, [0.0, 0.0, 0.01], Sector::Plus2);
        let w2 = omega(kind, [0.0, 0.0, 0.02], Sector::Plus2);
        let slope = log_log_slope(&[0.01, 0.02], &[w1, w2]);
        assert!((slope - want).abs() < 1e-6, "{kind}: slope {slope}");
    }
}

/// B.5/B.7 "Exponents" and "mode count": the fitted small-k exponent (|k| ∈ [0.005, 0.05],
/// generic direction) of the ±2 branch is 2 (xu), 1 (einstein), 3 (l-type, cotton) within 1e-3
/// (the lattice correction K = k − k³/24 shifts the slope by ~k²/12 ≈ 2e-4 in the window);
/// zero modes per helicity from kernels: xu 3 (±1, 0L gauge), l-type 4 (0, 0, ±1), cotton 4,
/// einstein 4 (all removed by the constraints); gapless: xu ±2 and 0 (0T), the others only ±2.
#[test]
fn exponents_and_zero_mode_counts() {
    let cases: [(GravitonKind, f64, Vec<i32>, [usize; 5]); 4] = [
        (GravitonKind::Xu, 2.0, vec![-2, 0, 2], [0, 1, 1, 1, 0]),
        (GravitonKind::Einstein, 1.0, vec![-2, 2], [0, 1, 2, 1, 0]),
        (GravitonKind::LType, 3.0, vec![-2, 2], [0, 1, 2, 1, 0]),
        (GravitonKind::Cotton, 3.0, vec![-2, 2], [0, 1, 2, 1, 0]),
    ];
    for (kind, e, gapless, zeros) in cases {
        let a = analyze(&GravitonModes::new(&model(kind, "4x4x4")).unwrap()).unwrap();
        assert_eq!(a.gapless_helicities, gapless, "{kind}");
        for m in [-2, 2] {
            assert!((a.exponents[&m] - e).abs() < 1e-3, "{kind}: exponent {}", a.exponents[&m]);
        }
        if kind == GravitonKind::Xu {
            assert!((a.exponents[&0] - 2.0).abs() < 1e-3);
        }
        for (i, m) in [-2, -1, 0, 1, 2].iter().enumerate() {
            assert_eq!(a.zero_modes[m], zeros[i], "{kind}: zero modes of helicity {m}");
        }
        assert!(a.zero_modes_uniform && a.counted_at == 63);
        assert!(a.instabilities.is_empty(), "{kind}: {:?}", a.instabilities);
    }
}

/// B.6 step 4 / B.7 "M2 conformal mode": without the constraints, the einstein model's 0T
/// direction has 𝒦 = 0 and 𝒱 = −|K|²/2 (the conformal-factor problem), and the analysis names it
/// as removed by the Hamiltonian constraint.
#[test]
fn einstein_conformal_mode_is_named_and_removed() {
    let s = GravitonModes::new(&model(GravitonKind::Einstein, "4x4x4")).unwrap();
    let k = [0.3, -0.2, 0.9];
    let kk = lattice_k(k);
    let u = HelicityBasis::about(kk).unwrap();
    let v = u.transform(&s.potential_at(k));
    let kin = u.transform(&s.kinetic_at(k));
    assert!(kin[5 * 6 + 5].norm() < 1e-12);
    assert!((v[5 * 6 + 5].re + 0.5 * knorm(kk).powi(2)).abs() < 1e-12);
    let a = analyze(&s).unwrap();
    assert!(
        a.unconstrained_pathologies.iter().any(|p| p.contains("conformal") && p.contains("Hamiltonian")),
        "{:?}",
        a.unconstrained_pathologies
    );
    assert!(a.verdict.starts_with("only helicity ±2 is gapless, ω ~ k^1.00: gravitons"), "{}", a.verdict);
}

/// B.6 step 5, the oracle: diagonalizing the whole physical space at once (no helicity basis)
/// gives the same frequencies as the helicity blocks (1e-10 relative: two different eigen
/// decompositions of the same matrices), and the propagating l-type branches are pure |m| = 2.
#[test]
fn full_diagonalization_matches_helicity_blocks() {
    for kind in GravitonKind::ALL {
        let s = GravitonModes::new(&model(kind, "4x4x4")).unwrap();
        for k in random_ks(8, 21) {
            let mut blocks: Vec<f64> = s.at(k).unwrap().mode_list().iter().map(|x| x.1).collect();
            blocks.sort_by(f64::total_cmp);
            let full = s.branch_weights(k).unwrap();
            assert_eq!(full.len(), 6);
            let scale = blocks[5];
            for (a, b) in blocks.iter().zip(&full) {
                assert!((a - b.0).abs() < 1e-10 * scale, "{kind}: {a} vs {}", b.0);
            }
            if kind == GravitonKind::LType {
                for b in &full[4..] {
                    assert!((b.1[0] - 1.0).abs() < 1e-10, "graviton branch weight {:?}", b.1);
                }
                for b in &full[..4] {
                    assert!(b.1[0].abs() < 1e-10);
                }
            }
        }
    }
}

/// B.2 Fourier convention: every operator's real-space stencil applied to the plane wave
/// e^{ik·x} (true positions, half-integer offsets included) equals its momentum matrix with
/// Δ_a → iK_a, on a 6³ torus at grid momenta (1e-12: rounding of O(1) sums).
#[test]
fn stencils_match_momentum_matrices_on_plane_waves() {
    let lat = Lattice::parse("6x6x6").unwrap();
    let n = lat.n_sites();
    let ops = [inc(), sym_curl(), cotton(), div(), gauge_map(), trace(), ricci(), scalar_curvature()];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(4);
    for op in &ops {
        let st = Stencil::new(op, &lat).unwrap();
        for _ in 0..3 {
            let idx = rng.random_range(1..n);
            let kc = lat.momentum_of_index(idx);
            let k = [kc.components()[0], kc.components()[1], kc.components()[2]];
            let amp: Vec<C64> =
                (0..op.input.len()).map(|_| C64::new(rng.random::<f64>() - 0.5, rng.random::<f64>() - 0.5)).collect();
            let pos = |r: usize, o: [u8; 3]| {
                let c = lat.coords(r);
                (0..3).map(|a| k[a] * (c[a] as f64 + 0.5 * o[a] as f64)).sum::<f64>()
            };
            let mut re = vec![0.0; op.input.len() * n];
            let mut im = vec![0.0; op.input.len() * n];
            for j in 0..op.input.len() {
                for r in 0..n {
                    let z = amp[j] * C64::from_polar(1.0, pos(r, op.input.offsets[j]));
                    re[j * n + r] = z.re;
                    im[j * n + r] = z.im;
                }
            }
            let (mut ore, mut oim) = (vec![0.0; op.output.len() * n], vec![0.0; op.output.len() * n]);
            st.apply(&re, &mut ore);
            st.apply(&im, &mut oim);
            let m = op.at(lattice_k(k));
            for i in 0..op.output.len() {
                let want_amp: C64 = (0..op.input.len()).map(|j| m[i * op.input.len() + j] * amp[j]).sum();
                for r in 0..n {
                    let want = want_amp * C64::from_polar(1.0, pos(r, op.output.offsets[i]));
                    let got = C64::new(ore[i * n + r], oim[i * n + r]);
                    assert!((got - want).norm() < 1e-12, "{}: component {i} site {r}", op.name);
                }
            }
        }
    }
}

/// The real-space adjoint: ⟨y, A x⟩ = ⟨A† y, x⟩ for random fields (1e-12 relative).
#[test]
fn stencil_adjoint_is_the_transpose() {
    let lat = Lattice::parse("4x5x6").unwrap();
    let n = lat.n_sites();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
    for op in [inc(), sym_curl(), div(), gauge_map(), trace()] {
        let a = Stencil::new(&op, &lat).unwrap();
        let at = Stencil::new(&op.adjoint(), &lat).unwrap();
        let x: Vec<f64> = (0..op.input.len() * n).map(|_| rng.random::<f64>() - 0.5).collect();
        let y: Vec<f64> = (0..op.output.len() * n).map(|_| rng.random::<f64>() - 0.5).collect();
        let mut ax = vec![0.0; y.len()];
        let mut aty = vec![0.0; x.len()];
        a.apply(&x, &mut ax);
        at.apply(&y, &mut aty);
        let l: f64 = y.iter().zip(&ax).map(|(p, q)| p * q).sum();
        let r: f64 = aty.iter().zip(&x).map(|(p, q)| p * q).sum();
        assert!((l - r).abs() < 1e-12 * l.abs().max(1.0), "{}", op.name);
    }
}

/// B.3: the Gauss charge written in rotor variables (6 rotors per link, weights ±2 and ±1)
/// equals 2 div π = 2 div(M⁻¹L) from the difference operators, exactly for integer L.
#[test]
fn gauss_charge_in_rotor_variables_is_twice_div_pi() {
    let m = model(GravitonKind::Xu, "4x3x5");
    let n = m.lattice.n_sites();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
    let l: Vec<f64> = (0..6 * n).map(|_| rng.random_range(-4i32..=4) as f64).collect();
    let q = m.gauss_charges(&l);
    let mut pi = l.clone();
    for c in 3..6 {
        pi[c * n..(c + 1) * n].iter_mut().for_each(|v| *v /= 2.0);
    }
    let mut d = vec![0.0; 3 * n];
    Stencil::new(&div(), &m.lattice).unwrap().apply(&pi, &mut d);
    for i in 0..3 * n {
        assert_eq!(q[i], 2.0 * d[i]);
    }
}

/// The ±2 frequency of each model at lattice momentum |K|, U = J = 1, from the B.4/B.5 tables
/// (not from the mode solver): xu |K|², einstein |K| (DeWitt 2 × ½|K|²), l-type and cotton |K|³.
fn omega_closed(kind: GravitonKind, kn: f64) -> f64 {
    match kind {
        GravitonKind::Xu => kn * kn,
        GravitonKind::Einstein => kn,
        GravitonKind::LType | GravitonKind::Cotton => kn.powi(3),
    }
}

/// B.6 step 7 / B.7 "Real-space TT wave": h_xy ∝ cos(k_z z), k_z = π/2 on an 8³ torus
/// (|K| = 2 sin(π/4) = √2), evolved with the leapfrog, oscillates with period 2π/ω_{±2} where ω is
/// the table's closed form: within 1e-4 (the leapfrog shifts ω by (ωdt)²/24 ≈ 1e-5 at 400 steps
/// per period), and within 1e-7 of the leapfrog's exact period 2π/ω̃, sin(ω̃dt/2) = ωdt/2 (what
/// remains is the linear interpolation of the zero crossings). The wave stays in its component.
#[test]
fn tt_wave_period_matches_the_closed_form() {
    for kind in GravitonKind::ALL {
        let d = TensorDynamics::new(&model(kind, "8x8x8")).unwrap();
        let p = tt_period(&d, 2, 400, 2.2).unwrap();
        let w = omega_closed(kind, 2f64.sqrt());
        let period = 2.0 * std::f64::consts::PI / w;
        let leapfrog = 2.0 * std::f64::consts::PI * p.dt / (2.0 * (w * p.dt / 2.0).asin());
        assert!((p.period_measured / period - 1.0).abs() < 1e-4, "{kind}: {} vs {period}", p.period_measured);
        assert!((p.period_measured / leapfrog - 1.0).abs() < 1e-7, "{kind}: {} vs {leapfrog}", p.period_measured);
        assert!(p.leakage < 1e-12, "{kind}: leakage {}", p.leakage);
    }
}

/// B.3 / B.6 step 7, with the pure-gauge configuration written here from B.3 in lattice indices:
/// θ_aa[r] = 2(f_a[r] − f_a[r − e_a]) (Δ_a of the link field onto the vertex) and
/// θ_ab[r] = f_b[r + e_a] − f_b[r] + f_a[r + e_b] − f_a[r] (onto the face r + (e_a + e_b)/2). For
/// integer f the force on it is exactly zero (dyadic stencil coefficients, exact arithmetic). The
/// Gauss charges (B.3, in rotor variables; checked against 2 div π above) of a random state are
/// conserved by 50 leapfrog steps to 1e-10 of their size (rounding).
#[test]
fn pure_gauge_feels_no_force_and_gauss_law_is_conserved() {
    for kind in GravitonKind::ALL {
        let m = model(kind, "6x5x4");
        let d = TensorDynamics::new(&m).unwrap();
        let lat = &m.lattice;
        let n = lat.n_sites();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        let f: Vec<f64> = (0..3 * n).map(|_| rng.random_range(-5i32..=5) as f64).collect();
        let mut theta = vec![0.0; 6 * n];
        for r in 0..n {
            for (c, &(a, b)) in COMP.iter().enumerate() {
                theta[c * n + r] = if a == b {
                    2.0 * (f[a * n + r] - f[a * n + lat.backward(r, a)])
                } else {
                    f[b * n + lat.forward(r, a)] - f[b * n + r] + f[a * n + lat.forward(r, b)] - f[a * n + r]
                };
            }
        }
        assert!(theta.iter().any(|x| x.abs() >= 1.0), "the configuration is not trivially zero");
        let force = d.force(&theta);
        assert!(
            force.iter().all(|&x| x == 0.0),
            "{kind}: max force {}",
            force.iter().fold(0.0f64, |a, b| a.max(b.abs()))
        );
        // the library's own gauge map gives the same configuration
        assert_eq!(d.pure_gauge(&f), theta, "{kind}");
        // with real (non-integer) gauge parameters the force is zero up to rounding
        let fr: Vec<f64> = random_state(n, 3).theta[..3 * n].to_vec();
        let force = d.force(&d.pure_gauge(&fr));
        assert!(force.iter().fold(0.0f64, |m, x| m.max(x.abs())) < 1e-12);
        let mut s = random_state(n, 6);
        let q0 = m.gauss_charges(&s.l);
        for _ in 0..50 {
            d.step(&mut s, 0.01);
        }
        let q1 = m.gauss_charges(&s.l);
        let scale = q0.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        let drift = q0.iter().zip(&q1).fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        assert!(scale > 1.0 && drift < 1e-10 * scale, "{kind}: drift {drift:e} of {scale}");
    }
}

/// Leapfrog sanity: the energy of a random state is conserved to O(dt²) (bounded oscillation),
/// here 1e-3 relative for dt = 0.001 over 100 steps of the l-type model (ω_max ≈ 20.8 at
/// k = (π,π,π): (ω_max dt)²/8 ≈ 5e-5). Through the one `Dynamics` trait the same 100 steps give
/// the same bits, and a non-positive step or a state of the wrong size is refused.
#[test]
fn energy_is_conserved_by_the_leapfrog() {
    use ether::dynamics::{Dynamics, Leapfrog};
    let mut d = TensorDynamics::new(&model(GravitonKind::LType, "4x4x4")).unwrap();
    let s0 = random_state(d.n_sites(), 12);
    let mut s = s0.clone();
    let e0 = d.energy(&s);
    for _ in 0..100 {
        d.step(&mut s, 0.001);
    }
    assert!((d.energy(&s) - e0).abs() < 1e-3 * e0.abs());
    let mut t = s0.clone();
    d.evolve(&mut t, Leapfrog { dt: 0.001 }, 100).unwrap();
    assert!(t.theta == s.theta && t.l == s.l, "the trait's evolve differs from stepping by hand");
    assert_eq!(Dynamics::energy(&d, &t), d.energy(&s));
    assert!(d.evolve(&mut t, Leapfrog { dt: -0.001 }, 1).is_err());
    let mut short = ether::dynamics::graviton::TensorState { theta: vec![0.0; 5], l: vec![0.0; 5] };
    assert!(d.evolve(&mut short, Leapfrog { dt: 0.001 }, 1).is_err());
}

/// B.5 "ω_{±2} = √(UJ)|K|^z": the couplings enter only through √(UJ). U = 4, J = 9 multiplies
/// every frequency by 6 (checked at the zone boundary, |K| = 2: 6·4, 6·2, 6·8, 6·8; 1e-12 relative).
#[test]
fn frequencies_scale_with_the_square_root_of_uj() {
    let k = [0.0, 0.0, std::f64::consts::PI];
    for (kind, w) in [
        (GravitonKind::Xu, 4.0),
        (GravitonKind::Einstein, 2.0),
        (GravitonKind::LType, 8.0),
        (GravitonKind::Cotton, 8.0),
    ] {
        let m = GravitonModel::new(kind, Lattice::parse("4x4x4").unwrap(), 4.0, 9.0).unwrap();
        let got = GravitonModes::new(&m).unwrap().at(k).unwrap().sector(Sector::Plus2).omega[0];
        assert!((got - 6.0 * w).abs() < 1e-12 * 6.0 * w, "{kind}: {got}");
    }
}

/// B.6 step 4: "a negative eigenvalue of 𝒱 in a sector with 𝒦 > 0 is an instability; report it".
/// The l-type model with J < 0 (built directly, bypassing the validating constructor) has
/// 𝒱 = −|K|⁴ on ±2 with 𝒦 = |K|² > 0: both ±2 blocks are reported unstable by name, while 0T
/// (𝒦 = 0) stays a zero mode.
#[test]
fn instabilities_are_reported_by_name() {
    let m = GravitonModel { kind: GravitonKind::LType, lattice: Lattice::parse("4x4x4").unwrap(), u: 1.0, j: -1.0 };
    let at = GravitonModes::new(&m).unwrap().at([0.2, 0.4, -0.3]).unwrap();
    for s in [Sector::Plus2, Sector::Minus2] {
        let b = at.sector(s);
        assert_eq!(b.instabilities.len(), 1, "{:?}", b.instabilities);
        assert!(b.instabilities[0].contains("negative potential with positive kinetic term"));
        assert!(b.omega.is_empty());
    }
    assert!(at.sector(Sector::Zero).instabilities.is_empty());
    assert_eq!(at.sector(Sector::Zero).zero_modes, 2);
    let a = analyze(&GravitonModes::new(&m).unwrap()).unwrap();
    assert!(a.verdict.starts_with("unstable: helicity +2"), "{}", a.verdict);
}

/// (κ, ν) of a helicity state of each model from the B.4/B.5 tables (U = J = 1), or `None` where
/// the model's constraints remove it: ±2 in every model; 0T only in xu (the other models remove it
/// or leave it a zero mode).
fn closed_coefficients(kind: GravitonKind, kn: f64, state: &str) -> Option<(f64, f64)> {
    let k2 = kn * kn;
    match (kind, state) {
        (GravitonKind::Xu, "2") | (GravitonKind::Xu, "0T") => Some((1.0, k2 * k2)),
        (GravitonKind::Einstein, "2") => Some((2.0, 0.5 * k2)),
        (GravitonKind::LType, "2") => Some((k2, k2 * k2)),
        (GravitonKind::Cotton, "2") => Some((1.0, k2 * k2 * k2)),
        _ => None,
    }
}

/// Direct Brillouin-zone sum of the Gaussian ground state (graviton.md B.2, B.4, B.5;
/// docs/physics/graviton.md): per rotor, ⟨θ²⟩ = (1/6N) Σ_{k≠0} ½√(κ/ν) Σ_c (Λ_Q)_cc / F_c and
/// ⟨L²⟩ = (1/6N) Σ ½√(ν/κ) Σ_c F_c (Λ_Q)_cc, with κ, ν from the tables and Λ the test's own
/// Barnes-Rivers projector of the states (Λ⁽²⁾ for ±2 together, Λ⁽⁰ˢ⁾ for 0T).
fn direct_sum(kind: GravitonKind, lat: &Lattice, state: &str) -> (f64, f64) {
    let (mut a, mut l) = (0.0, 0.0);
    for km in lat.momentum_grid() {
        let c = km.components();
        let kk = lattice_k([c[0], c[1], c[2]]);
        let kn = knorm(kk);
        if kn < 1e-9 {
            continue;
        }
        let (kap, nu) = closed_coefficients(kind, kn, state).unwrap();
        let pr = test_projectors(kk.map(|x| x / kn));
        let p = if state == "2" { &pr[0] } else { &pr[2] };
        let wq: f64 = (0..6).map(|i| p[i * 6 + i].re / FROB[i]).sum();
        let wp: f64 = (0..6).map(|i| p[i * 6 + i].re * FROB[i]).sum();
        a += 0.5 * (kap / nu).sqrt() * wq;
        l += 0.5 * (nu / kap).sqrt() * wp;
    }
    let rotors = 6.0 * lat.n_sites() as f64;
    (a / rotors, l / rotors)
}

/// The Gaussian fluctuations per helicity (issue 18) against the direct zone sums above, for each
/// model at two sizes: ±2 (the two states together) and xu's 0T, to 1e-10 relative (the library
/// sums ½√(κ/ν) over its own constrained helicity blocks and basis vectors). The classes: the
/// directions the constraints remove (xu, cotton: ±1, 0L; einstein: ±1, 0L, 0T), the free angle of
/// cotton's 0T (ν = 0, κ = U), the l-type model's ±1 free angles (κ = U|K|²/4), 0L absent from H and
/// 0T frozen (κ = 0, ν = |K|⁴) (B.4 table).
#[test]
fn graviton_fluctuations_match_direct_zone_sums_at_two_sizes() {
    use ether::modes::graviton::gaussian::{graviton_fluctuations, DirectionClass as D};
    let classes = |kind| match kind {
        GravitonKind::Xu => [D::Propagating, D::Propagating, D::Removed, D::Removed, D::Removed, D::Propagating],
        GravitonKind::Einstein => [D::Propagating, D::Propagating, D::Removed, D::Removed, D::Removed, D::Removed],
        GravitonKind::LType => [D::Propagating, D::Propagating, D::FreeAngle, D::FreeAngle, D::Absent, D::FrozenAngle],
        GravitonKind::Cotton => [D::Propagating, D::Propagating, D::Removed, D::Removed, D::Removed, D::FreeAngle],
    };
    for kind in GravitonKind::ALL {
        for ext in ["6x6x6", "8x8x8"] {
            let m = model(kind, ext);
            let f = graviton_fluctuations(&GravitonModes::new(&m).unwrap(), 16, &mut |_, _| Ok(())).unwrap();
            let got: Vec<D> = f.directions.iter().map(|d| d.class).collect();
            assert_eq!(got, classes(kind).to_vec(), "{kind} {ext}");
            let (a, l) = direct_sum(kind, &m.lattice, "2");
            let (p, q) = (f.direction("+2").unwrap(), f.direction("-2").unwrap());
            let ga = p.angle_rms.unwrap().powi(2) + q.angle_rms.unwrap().powi(2);
            let gl = p.conjugate_rms.unwrap().powi(2) + q.conjugate_rms.unwrap().powi(2);
            assert!((ga / a - 1.0).abs() < 1e-10, "{kind} {ext}: ⟨θ²⟩ {ga} vs {a}");
            assert!((gl / l - 1.0).abs() < 1e-10, "{kind} {ext}: ⟨L²⟩ {gl} vs {l}");
            if kind == GravitonKind::Xu {
                let (a, l) = direct_sum(kind, &m.lattice, "0T");
                let z = f.direction("0T").unwrap();
                assert!((z.angle_rms.unwrap().powi(2) / a - 1.0).abs() < 1e-10);
                assert!((z.conjugate_rms.unwrap().powi(2) / l - 1.0).abs() < 1e-10);
            }
            assert_eq!(f.momenta, m.lattice.n_sites() - 1);
        }
    }
}

/// The analytic small-k behaviour (docs/physics/graviton.md): the ±2 angle weight is
/// ½√(κ/ν) ∝ |K|^{−a} with a = (q_ν − q_κ)/2 from the table's powers: 2 (xu), 1 (einstein,
/// l-type), 3 (cotton); the exponents fitted by the library over |k| ∈ [0.005, 0.05] must give it
/// (1e-3: the lattice's k − k³/24 correction). In three dimensions a = 3 is marginal: cotton's
/// ⟨θ²⟩ grows like ln L, by (1/6)·⟨w⟩·ln 2/(4π²) per ±2 state when L doubles, where ⟨w⟩ = 0.7 is
/// the isotropic average of Σ_c |e_c|²/F_c for one helicity-2 state (2/5 of tr(P_traceless M⁻¹) =
/// 3.5, shared by two states). 8³ → 16³: within 3 % of 0.7 ln 2/(24π²) = 2.048e-3 (finite-size
/// corrections away from k = 0 are O(L⁻²)).
#[test]
fn graviton_fluctuations_have_the_derived_small_k_behaviour() {
    use ether::modes::graviton::gaussian::graviton_fluctuations;
    for (kind, a) in [
        (GravitonKind::Xu, 2.0),
        (GravitonKind::Einstein, 1.0),
        (GravitonKind::LType, 1.0),
        (GravitonKind::Cotton, 3.0),
    ] {
        let f =
            graviton_fluctuations(&GravitonModes::new(&model(kind, "4x4x4")).unwrap(), 16, &mut |_, _| Ok(())).unwrap();
        let d = f.direction("+2").unwrap();
        let got = (d.potential_exponent - d.kinetic_exponent) / 2.0;
        assert!((got - a).abs() < 1e-3, "{kind}: a = {got}");
    }
    let var = |ext: &str| {
        let f =
            graviton_fluctuations(&GravitonModes::new(&model(GravitonKind::Cotton, ext)).unwrap(), 16, &mut |_, _| {
                Ok(())
            })
            .unwrap();
        f.direction("+2").unwrap().angle_rms.unwrap().powi(2)
    };
    let growth = var("16x16x16") - var("8x8x8");
    let want = 0.7 * 2f64.ln() / (24.0 * std::f64::consts::PI.powi(2));
    assert!((growth / want - 1.0).abs() < 0.03, "ln L growth {growth} vs {want}");
}

/// Every quantum verdict follows from a number and a stated threshold (issue 18): cotton's ±2 at
/// n = 16 has δL = 1.46 ≤ n/10 and stays gapless; at n = 8 the same δL exceeds n/10 = 0.8 and the
/// words become "cannot decide". Cotton's 0T (free angle, κ = U finite at k → 0) is gapped; the
/// l-type model's 0T (frozen, ν ~ |K|⁴) and ±1 (free, κ ~ |K|²) are undecided, 0L absent.
#[test]
fn graviton_quantum_verdicts_follow_the_numbers() {
    use ether::modes::graviton::gaussian::{
        direction_verdict, graviton_fluctuations, quantum_summary, QuantumVerdict as Q,
    };
    let cot = GravitonModes::new(&model(GravitonKind::Cotton, "8x8x8")).unwrap();
    let f16 = graviton_fluctuations(&cot, 16, &mut |_, _| Ok(())).unwrap();
    let f8 = graviton_fluctuations(&cot, 8, &mut |_, _| Ok(())).unwrap();
    let (d16, d8) = (f16.direction("+2").unwrap(), f8.direction("+2").unwrap());
    let dl = d16.conjugate_rms.unwrap();
    assert!(dl > 0.8 && dl < 1.6, "δL = {dl}");
    assert_eq!((d16.quantum, d8.quantum), (Q::StaysGapless, Q::Undecided));
    assert!(d16.verdict.contains("stays gapless") && !d8.verdict.contains("stays gapless"));
    assert!(d8.verdict.contains("cannot decide"));
    assert_eq!(f16.direction("0T").unwrap().quantum, Q::Gapped);
    assert!(quantum_summary(&f16).contains("helicity ±2 stays gapless"), "{}", quantum_summary(&f16));
    assert!(quantum_summary(&f16).contains("helicity 0T gapped"), "{}", quantum_summary(&f16));
    // the same entry with its kinetic exponent changed from 0 to 2 is no longer called gapped
    let mut z = f16.direction("0T").unwrap().clone();
    z.kinetic_exponent = 2.0;
    let (q, w) = direction_verdict(&z);
    assert_eq!(q, Q::Undecided);
    assert!(w.contains("|K|^2") && !w.contains("gapped in the quantum theory"), "{w}");
    let lt =
        graviton_fluctuations(&GravitonModes::new(&model(GravitonKind::LType, "8x8x8")).unwrap(), 16, &mut |_, _| {
            Ok(())
        })
        .unwrap();
    for h in ["+1", "-1", "0L", "0T"] {
        assert_eq!(lt.direction(h).unwrap().quantum, Q::Undecided, "{h}");
    }
    assert!(lt.direction("0T").unwrap().verdict.contains("|K|^4"), "{}", lt.direction("0T").unwrap().verdict);
    assert_eq!(lt.direction("+2").unwrap().quantum, Q::StaysGapless);
}
