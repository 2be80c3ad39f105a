//! Validation of the topological entanglement entropy (issue 7).
//!
//! References are sections of `docs/physics/topological-order.md` (C.1-C.10). Stabilizer
//! entropies are integers in bits, so "exact" means 1e-12 in nats (rounding of `k ln 2`).

use ether::model::ToricCode;
use ether::topo::entanglement::field::{
    DenseSolver, DualIsing, EdLanczos, FluxFreeSector, FullHamiltonian, GroundStateSolver, SectorHamiltonian,
    SectorState,
};
use ether::topo::entanglement::honeycomb::HoneycombPatch;
use ether::topo::entanglement::regions::{self, Geometry, KitaevPreskill, LevinWen};
use ether::topo::entanglement::schmidt::{stabilizer_state_vector, StateVector};
use ether::topo::entanglement::semion::{LoopGas, StringNet};
use ether::topo::entanglement::stabilizer::{StabilizerGroup, StabilizerState};
use ether::topo::entanglement::{self as te, models, ConstructionKind, QubitState};
use ether::{Error, Lattice};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::f64::consts::LN_2;

fn lat(e: &[usize]) -> Lattice {
    Lattice::new(e).unwrap()
}

/// Every KP placement that passes the fit check on tori from 4x4 to 8x9 gives gamma = ln 2
/// exactly (C.4: "-1 bit exactly"); also the note's (L, R) = (12, 2.6), (14, 3.6), (16, 4.6),
/// (18, 5.3). Tolerance 1e-12: the entropies are integers in bits.
#[test]
fn toric_code_kitaev_preskill_gamma_is_ln2_for_every_fitting_placement() {
    let mut checked = 0;
    for (lx, ly) in [(4, 4), (4, 5), (5, 5), (6, 6), (6, 8), (8, 9)] {
        let m = models::toric_code_2d(&lat(&[lx, ly])).unwrap();
        let st = m.ground_state().unwrap();
        for ri in 0..20 {
            let r = 1.5 + 0.17 * ri as f64;
            for (cx, cy) in [(0.5, 0.5), (1.5, 2.5), (0.3, 0.7), (3.5, 1.5)] {
                for rot in [10.0, 37.0, 100.0] {
                    let kp = KitaevPreskill { centre: [cx, cy, 0.0], radius: r, rotation_deg: rot };
                    let Ok(reg) = regions::kitaev_preskill(&m.geometry, &kp) else { continue };
                    let t = te::topological_entropy(&st, ConstructionKind::KitaevPreskill, reg.combination()).unwrap();
                    assert!((t.gamma - LN_2).abs() < 1e-12, "{lx}x{ly} R={r} c=({cx},{cy}) rot={rot}: {}", t.gamma);
                    assert!((t.s_topo + LN_2).abs() < 1e-12);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 300, "only {checked} placements fitted");
    for (l, r) in [(12, 2.6), (14, 3.6), (16, 4.6), (18, 5.3)] {
        let m = models::toric_code_2d(&lat(&[l, l])).unwrap();
        let c = (l / 2) as f64 + 0.5;
        let reg = regions::kitaev_preskill(
            &m.geometry,
            &KitaevPreskill { centre: [c, c, 0.0], radius: r, rotation_deg: 10.0 },
        )
        .unwrap();
        let t =
            te::topological_entropy(&m.ground_state().unwrap(), ConstructionKind::KitaevPreskill, reg.combination())
                .unwrap();
        assert!((t.gamma - LN_2).abs() < 1e-12, "L={l} R={r}");
    }
}

/// C.4 LW values: (L, R1, R2) = (16, 2.1, 5.2) gives S1..S4 = 38, 39, 39, 38 bits and
/// (20, 3.1, 7.3) gives 54, 59, 59, 62 bits, (S1-S2)-(S3-S4) = -2 bits = -2 gamma (C.2).
/// Plus every fitting placement on 6x6..10x10. Exact (integers in bits).
#[test]
fn toric_code_levin_wen_gives_two_gamma_with_note_entropies() {
    for (l, ri, ro, want) in [(16, 2.1, 5.2, [38, 39, 39, 38]), (20, 3.1, 7.3, [54, 59, 59, 62])] {
        let m = models::toric_code_2d(&lat(&[l, l])).unwrap();
        let c = (l / 2) as f64 + 0.5;
        let lw = LevinWen { centre: [c, c, 0.0], r_in: ri, r_out: ro, cut_half_width: 1.3 };
        let t = te::topological_entropy(
            &m.ground_state().unwrap(),
            ConstructionKind::LevinWen,
            regions::levin_wen(&m.geometry, &lw).unwrap().combination(),
        )
        .unwrap();
        for (e, w) in t.entropies.iter().zip(want) {
            assert!((e.entropy - w as f64 * LN_2).abs() < 1e-12, "L={l} {}: {}", e.region, e.entropy / LN_2);
        }
        assert!((t.s_topo + 2.0 * LN_2).abs() < 1e-12);
        assert!((t.gamma - LN_2).abs() < 1e-12);
        assert_eq!(t.construction, ConstructionKind::LevinWen);
    }
    let mut checked = 0;
    for l in [6, 7, 8, 10] {
        let m = models::toric_code_2d(&lat(&[l, l])).unwrap();
        let st = m.ground_state().unwrap();
        for ri in [0.9, 1.1, 1.5, 2.0] {
            for wd in [1.5, 1.8, 2.2, 3.0] {
                for w in [0.6, 0.8, 1.3] {
                    for (cx, cy) in [(0.5, 0.5), (1.5, 2.5), (0.3, 0.7)] {
                        let lw = LevinWen { centre: [cx, cy, 0.0], r_in: ri, r_out: ri + wd, cut_half_width: w };
                        let Ok(reg) = regions::levin_wen(&m.geometry, &lw) else { continue };
                        let t = te::topological_entropy(&st, ConstructionKind::LevinWen, reg.combination()).unwrap();
                        assert!((t.gamma - LN_2).abs() < 1e-12, "L={l} ({ri},{wd},{w}) c=({cx},{cy})");
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked}");
}

/// The default constructions (used by the CLI) at several sizes, and LW = 2 x KP (C.2, C.9).
#[test]
fn default_constructions_and_lw_is_twice_kp() {
    for l in [6, 9, 16, 33] {
        let m = models::toric_code_2d(&lat(&[l, l])).unwrap();
        let st = m.ground_state().unwrap();
        let kp = te::topological_entropy(
            &st,
            ConstructionKind::KitaevPreskill,
            regions::kitaev_preskill(&m.geometry, &regions::default_kitaev_preskill(&m.geometry).unwrap())
                .unwrap()
                .combination(),
        )
        .unwrap();
        let lw = te::topological_entropy(
            &st,
            ConstructionKind::LevinWen,
            regions::levin_wen(&m.geometry, &regions::default_levin_wen(&m.geometry).unwrap()).unwrap().combination(),
        )
        .unwrap();
        assert!((lw.s_topo / kp.s_topo - 2.0).abs() < 1e-12, "L={l}");
        assert!((kp.gamma - LN_2).abs() < 1e-12 && (lw.gamma - LN_2).abs() < 1e-12);
    }
    // Too small: KP needs 4 (2R+1 with R >= 1.5), LW needs 6 (2 * 2.4 + 1 = 5.8).
    let g3 = models::toric_code_2d(&lat(&[3, 3])).unwrap().geometry;
    let e = regions::default_kitaev_preskill(&g3).unwrap_err().to_string();
    assert!(e.contains("at least 4"), "{e}");
    let g5 = models::toric_code_2d(&lat(&[5, 5])).unwrap().geometry;
    let e = regions::default_levin_wen(&g5).unwrap_err().to_string();
    assert!(e.contains("at least 6"), "{e}");
}

/// Boundary law, C.4 table: closed a x b plaquette block, |A| and S_A = (2(a+b) - 1) bits,
/// at several origins on a 16x16 torus. Exact.
#[test]
fn block_entropy_follows_the_boundary_law_table() {
    let m = models::toric_code_2d(&lat(&[16, 16])).unwrap();
    let st = m.ground_state().unwrap();
    for (a, b, size, bits) in
        [(1, 1, 4, 3), (2, 2, 12, 7), (3, 3, 24, 11), (4, 4, 40, 15), (2, 5, 27, 13), (6, 6, 84, 23)]
    {
        for origin in [[0.0, 0.0, 0.0], [3.0, 7.0, 0.0], [14.0, 13.0, 0.0]] {
            let reg = regions::block(&m.geometry, &origin, [a as f64, b as f64]).unwrap();
            assert_eq!(reg.len(), size, "{a}x{b}");
            let s = st.entropy(&reg).unwrap();
            assert!((s - bits as f64 * LN_2).abs() < 1e-12, "{a}x{b} at {origin:?}: {}", s / LN_2);
            assert_eq!(bits, 2 * (a + b) - 1);
        }
    }
}

/// C.1: GSD = 4 on the 2D torus (rank 48 for L = 5); 8 on the 3D torus (C.8); 2 for the
/// Ising ferromagnet (symmetry breaking). Each is counted twice, from n - rank and from the
/// independent logical operators. Exact.
#[test]
fn ground_state_degeneracy_on_tori() {
    let m5 = models::toric_code_2d(&lat(&[5, 5])).unwrap();
    assert_eq!(m5.checks.rank(), 48);
    for e in [[3, 3], [4, 6], [5, 5], [16, 16]] {
        assert_eq!(models::toric_code_2d(&lat(&e)).unwrap().ground_state_degeneracy().unwrap(), 4, "{e:?}");
    }
    for e in [[2, 2, 2], [3, 3, 3], [2, 3, 4], [6, 6, 6]] {
        assert_eq!(models::toric_code_3d(&lat(&e)).unwrap().ground_state_degeneracy().unwrap(), 8, "{e:?}");
    }
    assert_eq!(models::ferromagnet(&lat(&[6, 6])).unwrap().ground_state_degeneracy().unwrap(), 2);
    // The logicals fix a state: full rank (C.9 "full-rank stabilizer set").
    assert!(m5.ground_state().is_ok());
    // The folded column order (a speed device) does not change ranks: compare with the plain
    // lattice order on 2D and 3D tori.
    for m in [models::toric_code_2d(&lat(&[6, 5])).unwrap(), models::toric_code_3d(&lat(&[3, 4, 3])).unwrap()] {
        let plain = StabilizerGroup::new(m.checks.n_qubits(), m.checks.generators().to_vec()).unwrap();
        assert_eq!(plain.rank(), m.checks.rank());
        let st = m.ground_state().unwrap();
        let plain_state = StabilizerState::new(plain.with_generators(m.logical_z.clone()).unwrap()).unwrap();
        let region: Vec<usize> = (0..m.checks.n_qubits()).filter(|q| q % 3 != 1).collect();
        assert_eq!(st.entropy_bits(&region).unwrap(), plain_state.entropy_bits(&region).unwrap());
    }
}

/// 3D toric code: KP with 3D balls split by azimuth gives ln 2 (C.8, [unverified] there; here
/// checked against the derivation S = (cut stars - 1) bits and across sizes/placements).
#[test]
fn toric_code_3d_kitaev_preskill_is_ln2() {
    for l in [4, 5, 6] {
        let m = models::toric_code_3d(&lat(&[l, l, l])).unwrap();
        let st = m.ground_state().unwrap();
        for r in [1.5, 1.8] {
            for c in [[0.5, 0.5, 0.5], [1.5, 2.5, 0.5]] {
                let Ok(reg) =
                    regions::kitaev_preskill(&m.geometry, &KitaevPreskill { centre: c, radius: r, rotation_deg: 10.0 })
                else {
                    continue;
                };
                let t = te::topological_entropy(&st, ConstructionKind::KitaevPreskill, reg.combination()).unwrap();
                assert!((t.gamma - LN_2).abs() < 1e-12, "L={l} R={r}");
            }
        }
    }
    let g = models::toric_code_3d(&lat(&[4, 4, 4])).unwrap().geometry;
    assert!(regions::default_levin_wen(&g).is_err());
}

/// C.3 / C.9: the rank formula against brute-force reduced density matrices of the state
/// vector (toric code L = 3, 18 qubits; ferromagnet 3x3) on 40 random regions. Tolerance 1e-11
/// nats: dense eigenvalues of a 512x512 density matrix carry ~1e-14 error per eigenvalue.
#[test]
fn stabilizer_entropies_match_brute_force_density_matrices() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    for m in [models::toric_code_2d(&lat(&[3, 3])).unwrap(), models::ferromagnet(&lat(&[3, 3])).unwrap()] {
        let st = m.ground_state().unwrap();
        let n = st.n_qubits();
        let psi = stabilizer_state_vector(st.group(), 5).unwrap();
        for _ in 0..40 {
            let region: Vec<usize> = (0..n).filter(|_| rng.random::<f64>() < 0.4).collect();
            let s_rank = st.entropy(&region).unwrap();
            let s_brute = psi.entropy(&region).unwrap();
            assert!((s_rank - s_brute).abs() < 1e-11, "{}: {region:?}: {s_rank} vs {s_brute}", m.name);
        }
    }
}

/// The block Schmidt decomposition of loop-gas states against the stabilizer rank formula
/// (two independent methods) on the 7-hexagon honeycomb toric code (30 random regions) and
/// the 19-hexagon one (6 random regions). Tolerance 1e-10: dense block eigenvalues.
#[test]
fn loop_gas_schmidt_entropies_match_stabilizer_ranks() {
    for (rings, count) in [(1, 30), (2, 2)] {
        let patch = HoneycombPatch::new(rings).unwrap();
        let n = patch.n_edges();
        let st = models::toric_code_honeycomb(&patch).unwrap().ground_state().unwrap();
        let gas = LoopGas::new(patch, StringNet::ToricCode).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        for k in 0..count {
            let p = if k % 2 == 0 || rings == 2 { 0.15 } else { 0.5 };
            let region: Vec<usize> = (0..n).filter(|_| rng.random::<f64>() < p).collect();
            let a = gas.state.entropy(&region).unwrap();
            let b = st.entropy(&region).unwrap();
            assert!((a - b).abs() < 1e-10, "{region:?}: {a} vs {b}");
        }
    }
}

/// Product state (the ferromagnet's |up...up>): every entropy 0, gamma = 0 in both
/// constructions, 2D and 3D. Exact.
#[test]
fn product_state_has_no_topological_entropy() {
    for e in [vec![8, 8], vec![16, 12]] {
        let m = models::ferromagnet(&lat(&e)).unwrap();
        let st = m.ground_state().unwrap();
        let kp = te::topological_entropy(
            &st,
            ConstructionKind::KitaevPreskill,
            regions::kitaev_preskill(&m.geometry, &regions::default_kitaev_preskill(&m.geometry).unwrap())
                .unwrap()
                .combination(),
        )
        .unwrap();
        let lw = te::topological_entropy(
            &st,
            ConstructionKind::LevinWen,
            regions::levin_wen(&m.geometry, &regions::default_levin_wen(&m.geometry).unwrap()).unwrap().combination(),
        )
        .unwrap();
        assert!(kp.gamma.abs() < 1e-12 && lw.gamma.abs() < 1e-12);
        assert!(kp.entropies.iter().all(|e| e.entropy == 0.0));
    }
    let m = models::ferromagnet(&lat(&[6, 6, 6])).unwrap();
    let t = te::topological_entropy(
        &m.ground_state().unwrap(),
        ConstructionKind::KitaevPreskill,
        regions::kitaev_preskill(&m.geometry, &regions::default_kitaev_preskill(&m.geometry).unwrap())
            .unwrap()
            .combination(),
    )
    .unwrap();
    assert!(t.gamma.abs() < 1e-12);
}

fn semion_kp(gas: &LoopGas, kp: &KitaevPreskill, g: &Geometry) -> te::TeeResult {
    let reg = regions::kitaev_preskill(g, kp).unwrap();
    te::topological_entropy(&gas.state, ConstructionKind::KitaevPreskill, reg.combination()).unwrap()
}

/// Double semion (C.5), smallest patch: the KP disk does not fit on a single hexagon, and
/// fits on 1 ring (7 hexagons, 2^7 configurations). There the explicit state is a ground state
/// (vertex rule exact, B_p Psi = -Psi on every hexagon to 1e-12, energy at the lower bound
/// -N_v - N_p), #loops = chi (mod 2) on every configuration, and gamma = ln 2 (1e-10: dense
/// block eigenvalues). On the 19-hexagon patch of C.5, one KP disk (R = 2.2) gives ln 2 too;
/// the full C.5 reproduction is `double_semion_nineteen_hexagon_patch_reproduces_note` (ignored).
#[test]
fn double_semion_gamma_is_ln2_on_the_smallest_patch() {
    let one = HoneycombPatch::new(0).unwrap();
    let e = regions::default_kitaev_preskill(&one.geometry()).unwrap_err().to_string();
    assert!(e.contains("inradius at least"), "{e}");
    let patch = HoneycombPatch::new(1).unwrap();
    let g = patch.geometry();
    let ds = LoopGas::new(patch, StringNet::DoubleSemion).unwrap();
    let chk = ds.ground_state_check();
    assert_eq!(chk.vertex_violation, 0.0);
    assert!(chk.plaquette_residual < 1e-12, "{}", chk.plaquette_residual);
    assert!((chk.energy - chk.lower_bound).abs() < 1e-9, "{} vs {}", chk.energy, chk.lower_bound);
    for k in 0..ds.loops.len() {
        assert_eq!((ds.loops[k] as i64 - ds.euler_characteristic(k)).rem_euclid(2), 0, "config {k}");
    }
    // Some configurations have an odd number of loops, so the signs matter.
    assert!(ds.state.amps.iter().any(|&a| a < 0.0));
    let t = semion_kp(&ds, &regions::default_kitaev_preskill(&g).unwrap(), &g);
    assert!((t.gamma - LN_2).abs() < 1e-10, "{}", t.gamma);

    let patch = HoneycombPatch::new(2).unwrap();
    let g = patch.geometry();
    let ds = LoopGas::new(patch, StringNet::DoubleSemion).unwrap();
    let t = semion_kp(&ds, &KitaevPreskill { centre: [0.0; 3], radius: 2.2, rotation_deg: 10.0 }, &g);
    assert!((t.gamma - LN_2).abs() < 1e-10, "{}", t.gamma);
    // Beyond the explicit loop gas: refused with a size estimate.
    let big = LoopGas::new(HoneycombPatch::new(3).unwrap(), StringNet::DoubleSemion).unwrap_err();
    assert!(matches!(big, Error::TooLarge { .. }), "{big}");
}

/// C.5 on the 19-hexagon patch (about 15 s): ground-state checks on all 2^19 configurations,
/// loop parity = Euler characteristic on 3000 of them (as in the note), KP R = 2.2, 2.6, 2.9
/// at two centres and rotations (-ln 2 to 1e-10), LW giving -2 ln 2, and S_TC = S_DS for the
/// hexagon (5 ln 2) and the 30-edge disk (11 ln 2).
#[test]
#[ignore]
fn double_semion_nineteen_hexagon_patch_reproduces_note() {
    let patch = HoneycombPatch::new(2).unwrap();
    let g = patch.geometry();
    let ds = LoopGas::new(patch.clone(), StringNet::DoubleSemion).unwrap();
    let tc = LoopGas::new(patch, StringNet::ToricCode).unwrap();
    let chk = ds.ground_state_check();
    assert_eq!(chk.vertex_violation, 0.0);
    assert!(chk.plaquette_residual < 1e-12);
    assert!((chk.energy - chk.lower_bound).abs() < 1e-9);
    for j in 0..3000usize {
        let k = (j * 7919) % ds.loops.len();
        assert_eq!((ds.loops[k] as i64 - ds.euler_characteristic(k)).rem_euclid(2), 0);
    }
    for r in [2.2, 2.6, 2.9] {
        for (c, rot) in [([0.0, 0.0, 0.0], 10.0), ([0.3, 0.1, 0.0], 45.0)] {
            let t = semion_kp(&ds, &KitaevPreskill { centre: c, radius: r, rotation_deg: rot }, &g);
            assert!((t.gamma - LN_2).abs() < 1e-10, "R={r}: {}", t.gamma);
        }
    }
    let lw = regions::levin_wen(&g, &regions::default_levin_wen(&g).unwrap()).unwrap();
    let t = te::topological_entropy(&ds.state, ConstructionKind::LevinWen, lw.combination()).unwrap();
    assert!((t.s_topo + 2.0 * LN_2).abs() < 1e-10 && (t.gamma - LN_2).abs() < 1e-10);
    let centre = tc.patch.hexagon_centres.iter().position(|c| c[0].abs() + c[1].abs() < 1e-9).unwrap();
    let mut hex = tc.patch.hexagons[centre].clone();
    hex.sort_unstable();
    let disk = g.select(&[0.0; 3], |d| d[0] * d[0] + d[1] * d[1] <= 2.6 * 2.6);
    assert_eq!(disk.len(), 30);
    for (reg, bits) in [(&hex, 5.0), (&disk, 11.0)] {
        let (a, b) = (ds.state.entropy(reg).unwrap(), tc.state.entropy(reg).unwrap());
        assert!((a - bits * LN_2).abs() < 1e-10 && (b - bits * LN_2).abs() < 1e-10, "{a} {b}");
    }
}

/// The gauge-sector Hamiltonian of the toric code in a field against the toric code on the
/// full 2^n space (2x2: dense 256; 3x3: Lanczos on 2^18): same ground energy (1e-9) and, on
/// 2x2 at h = 0.3 where the ground state is unique, the same region entropies (1e-8).
#[test]
fn field_sector_matches_the_full_space_toric_code() {
    let h = 0.3;
    let l2 = lat(&[2, 2]);
    let (e_sec, gs) = SectorHamiltonian::new(&l2, h).unwrap().ground_state(&DenseSolver).unwrap();
    let full = FullHamiltonian::new(&l2, h).unwrap();
    let (e_full, v_full) = DenseSolver.ground_state(&full).unwrap();
    assert!((e_sec - e_full).abs() < 1e-9, "{e_sec} vs {e_full}");
    let psi_full = StateVector::new(8, v_full.iter().map(|&x| ether::linalg::C64::new(x, 0.0)).collect()).unwrap();
    let psi_sec = gs.to_config_state().unwrap().to_dense().unwrap();
    for region in [vec![0], vec![0, 1], vec![0, 3, 5], vec![1, 2, 4, 7]] {
        let a = psi_full.entropy(&region).unwrap();
        let b = psi_sec.entropy(&region).unwrap();
        let c = gs.entropy(&region).unwrap();
        assert!((a - b).abs() < 1e-8 && (b - c).abs() < 1e-10, "{region:?}: {a} {b} {c}");
    }
    let l3 = lat(&[3, 3]);
    let (e3, _) = SectorHamiltonian::new(&l3, h).unwrap().ground_state(&DenseSolver).unwrap();
    let (e3f, _) = EdLanczos::default().ground_state(&FullHamiltonian::new(&l3, h).unwrap()).unwrap();
    assert!((e3 - e3f).abs() < 1e-8, "{e3} vs {e3f}");
}

/// The ED engine's Lanczos against dense diagonalization (the oracle) on the 3x3 sector
/// (256 states), at the default couplings and at general ones (J_e = 0.7, J_m = 1.3, h = 0.4):
/// energies 1e-10, |overlap| 1 − 1e-9.
#[test]
fn lanczos_matches_dense() {
    let general = ToricCode::new(lat(&[3, 3]), 0.7, 1.3, 0.4).unwrap();
    for hs in [SectorHamiltonian::new(&lat(&[3, 3]), 0.35).unwrap(), SectorHamiltonian::from_model(&general).unwrap()] {
        let (e1, v1) = DenseSolver.ground_state(&hs).unwrap();
        let (e2, v2) = EdLanczos::default().ground_state(&hs).unwrap();
        assert!((e1 - e2).abs() < 1e-10, "{e1} {e2}");
        let ov: f64 = v1.iter().zip(&v2).map(|(a, b)| a * b).sum();
        assert!((ov.abs() - 1.0).abs() < 1e-9, "{ov}");
    }
}

/// Toric code in a field on the 4x4 torus (ED of the dual Ising model, KP R = 1.5): at h = 0
/// the ground state is the toric code and gamma = ln 2 (1e-9: Lanczos residual 1e-12 and dense
/// block eigenvalues); at large field it approaches the product state |0...0> (C.7), gamma -> 0
/// (at h = 3 the state is within ~(J_e/8h)^2 of |0...0>, and gamma(3) = 4e-7 was measured: 1e-3
/// leaves room). A torus whose gauge sector does not fit in memory (7x7: 2^48 states) is refused
/// with the estimate, before anything is allocated.
#[test]
fn toric_code_field_gamma_from_ed() {
    let l4 = lat(&[4, 4]);
    let geom = models::toric_code_2d(&l4).unwrap().geometry;
    let reg = regions::kitaev_preskill(&geom, &regions::default_kitaev_preskill(&geom).unwrap()).unwrap();
    let dual = DualIsing::new(&l4).unwrap();
    let gamma = |h: f64| {
        let gs = dual.ground_state(&ToricCode::new(l4.clone(), 1.0, 1.0, h).unwrap()).unwrap();
        assert!(gs.residual < 1e-8, "h = {h}: residual {}", gs.residual);
        te::topological_entropy(&gs.state, ConstructionKind::KitaevPreskill, reg.combination()).unwrap().gamma
    };
    assert!((gamma(0.0) - LN_2).abs() < 1e-9);
    let g_big = gamma(3.0);
    assert!(g_big.abs() < 1e-3, "{g_big}");
    let e = SectorHamiltonian::new(&lat(&[7, 7]), 0.2).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("2^48 states"), "{e}");
    assert!(matches!(DualIsing::new(&lat(&[7, 7])).unwrap_err(), Error::TooLarge { .. }));
}

/// Issue 18, "in between": the 4x4 gamma(h) from the default route (ED of the dual Ising model
/// in its symmetric sector, expanded into the gauge sector, entropies from the GF(2) cosets of
/// the sector) against a second, independent computation of the same state's reduced density
/// matrices (Lanczos directly on the 2^15 gauge-sector Hamiltonian, entropies from the generic
/// block Schmidt decomposition over explicit configurations). Different Hamiltonians (Ising
/// spins vs star flips), bases (symmetric vs plain), solvers and entropy algorithms; the only
/// shared input is the model. Tolerance 1e-9 on every region entropy and on gamma: both ground
/// states are converged to residual 1e-10 or better, which moves entropies by ~1e-10.
#[test]
fn field_gamma_4x4_agrees_between_two_independent_routes() {
    let l4 = lat(&[4, 4]);
    let geom = models::toric_code_2d(&l4).unwrap().geometry;
    let reg = regions::kitaev_preskill(&geom, &regions::default_kitaev_preskill(&geom).unwrap()).unwrap();
    let dual = DualIsing::new(&l4).unwrap();
    for h in [0.15, 0.3285, 0.5] {
        let model = ToricCode::new(l4.clone(), 1.0, 1.0, h).unwrap();
        let a = dual.ground_state(&model).unwrap();
        let ham = SectorHamiltonian::from_model(&model).unwrap();
        let (e_b, b) = ham.ground_state(&EdLanczos::default()).unwrap();
        assert!((a.energy - e_b).abs() < 1e-9, "h = {h}: E {} vs {e_b}", a.energy);
        let b = b.to_config_state().unwrap();
        let ta = te::topological_entropy(&a.state, ConstructionKind::KitaevPreskill, reg.combination()).unwrap();
        let tb = te::topological_entropy(&b, ConstructionKind::KitaevPreskill, reg.combination()).unwrap();
        for (x, y) in ta.entropies.iter().zip(&tb.entropies) {
            assert!((x.entropy - y.entropy).abs() < 1e-9, "h = {h} {}: {} vs {}", x.region, x.entropy, y.entropy);
        }
        assert!((ta.gamma - tb.gamma).abs() < 1e-9, "h = {h}: {} vs {}", ta.gamma, tb.gamma);
        // Strictly between the fixed points at these fields.
        assert!(ta.gamma > 1e-3 && ta.gamma < LN_2 - 1e-3, "h = {h}: {}", ta.gamma);
    }
}

/// The GF(2) coset blocks of `SectorState::entropy` against two oracles on arbitrary (random,
/// not ground-state) amplitudes of the 3x3 gauge sector (18 qubits): the generic block Schmidt
/// decomposition and the dense reduced density matrix of the full 2^18 state vector, on 25
/// random regions. Tolerance 1e-10: dense eigenvalues of matrices of dimension <= 512.
#[test]
fn sector_state_entropies_match_schmidt_and_dense_oracles() {
    let l3 = lat(&[3, 3]);
    let sector = FluxFreeSector::new(&l3).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(404);
    let psi: Vec<f64> = (0..sector.dim()).map(|_| rng.random::<f64>() - 0.5).collect();
    let st = SectorState::new(sector, psi).unwrap();
    let cs = st.to_config_state().unwrap();
    let dense = cs.to_dense().unwrap();
    for k in 0..25 {
        let p = [0.2, 0.4, 0.6, 0.8][k % 4];
        let region: Vec<usize> = (0..18).filter(|_| rng.random::<f64>() < p).collect();
        let (a, b, c) = (st.entropy(&region).unwrap(), cs.entropy(&region).unwrap(), dense.entropy(&region).unwrap());
        assert!((a - b).abs() < 1e-10 && (a - c).abs() < 1e-10, "{region:?}: {a} {b} {c}");
    }
}

/// The transition of the toric code in a field sits where the published critical point of the
/// square-lattice transverse-field Ising model puts it (topological-order.md §C.7: in the
/// charge-free gauge sector H = −J_m N_p − J_e Σ τ^x − h Σ τ^zτ^z, so (J_e/h)_c = (Γ/J)_c =
/// 3.04438(2), Blöte and Deng, PRE 66, 066110 (2002)). Measured on the very ground states γ(h) is
/// computed from (dual Ising ED expanded into the gauge sector): the Binder cumulant of
/// M = Σ τ^z (the open Z strings of the toric code) crosses between 3x3 and 4x4 and between 4x4
/// and 5x5, bisected to 1e-4 in h. Tolerances: the crossing of sizes L and L + 1 approaches the
/// critical point as L^−x with x = 1/ν + ω ≈ 1.59 + 0.83 = 2.42 (3D Ising exponents), so on
/// these tori it is a few per cent low (measured 2.870 and 2.958). Asserted: (1) the 4x4/5x5
/// crossing within 4 % of 3.04438 and closer to it than the 3x3/4x4 one (the drift goes toward
/// the published value); (2) the two crossings extrapolated with that law (pair sizes 3.5 and
/// 4.5) within 1.5 % (the pair-size convention and the next correction move the estimate by
/// about 1 %).
#[test]
#[ignore = "5x5 dual Ising ground states at ~25 fields: 73 s in release on the reference machine"]
fn field_transition_is_the_transverse_ising_critical_point() {
    let binder = |(l, dual): &(Lattice, DualIsing), h: f64| {
        let gs = dual.ground_state(&ToricCode::new(l.clone(), 1.0, 1.0, h).unwrap()).unwrap();
        assert!(gs.residual < 1e-8, "h = {h}: residual {}", gs.residual);
        gs.state.dual_binder_cumulant()
    };
    let crossing = |a: &(Lattice, DualIsing), b: &(Lattice, DualIsing)| {
        let f = |h: f64| binder(b, h) - binder(a, h);
        let (mut lo, mut hi) = (0.25, 0.45);
        assert!(f(lo) < 0.0 && f(hi) > 0.0, "the cumulants must cross between h = {lo} and {hi}");
        while hi - lo > 1e-4 {
            let mid = 0.5 * (lo + hi);
            if f(mid) < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        1.0 / (0.5 * (lo + hi))
    };
    let d: Vec<(Lattice, DualIsing)> =
        [3, 4, 5].iter().map(|&l| (lat(&[l, l]), DualIsing::new(&lat(&[l, l])).unwrap())).collect();
    let (r34, r45) = (crossing(&d[0], &d[1]), crossing(&d[1], &d[2]));
    let published = 3.04438;
    let x = 1.0 / 0.63 + 0.83;
    let (a, b) = (3.5f64.powf(-x), 4.5f64.powf(-x));
    let extrapolated = r45 + (r45 - r34) * b / (a - b);
    println!("Binder crossings (J_e/h): 3x3/4x4 {r34:.5}, 4x4/5x5 {r45:.5}, extrapolated {extrapolated:.5}; published {published}");
    assert!(((r45 - published) / published).abs() < 0.04, "4x4/5x5 crossing {r45} vs {published}");
    assert!((r45 - published).abs() < (r34 - published).abs(), "drift: {r34} then {r45}");
    assert!(((extrapolated - published) / published).abs() < 0.015, "extrapolated {extrapolated} vs {published}");
}

/// The one entropy interface over ED states: `EdState` (the ED's S^z-block entropy of a
/// symmetry-reduced sector vector) against the dense oracle (`StateVector`: ρ_A of the state
/// expanded into all 2^N configurations) on contiguous and scattered regions, for the
/// Heisenberg antiferromagnet on a 4x4 torus (S^z = 0, zero momentum: S^z blocks) and the
/// transverse-field Ising model on a 3x4 torus at h = 3 (no S^z conservation: one block).
/// Tolerance 1e-10: dense eigenvalues of matrices of dimension <= 2^6, the ground states
/// converged to 1e-12.
#[test]
fn ed_states_have_the_same_region_entropies_as_the_dense_oracle() {
    use ether::ed::basis::{Sector, SpinBasis};
    use ether::ed::solve::{spin_sector_in, SolveOptions, Vectors};
    use ether::ed::spin::SpinTerms;
    use ether::model::{Heisenberg, TransverseIsing};
    use ether::topo::entanglement::schmidt::EdState;
    let cases = [
        (
            lat(&[4, 4]),
            SpinTerms::heisenberg(&Heisenberg::new(lat(&[4, 4]), 0.5, 1.0).unwrap()).unwrap(),
            Sector { n_up: Some(8), k: Some(vec![0, 0]), ..Sector::default() },
        ),
        (
            lat(&[3, 4]),
            SpinTerms::transverse_ising(&TransverseIsing::new(lat(&[3, 4]), 1.0, 3.0).unwrap()).unwrap(),
            Sector { k: Some(vec![0, 0]), ..Sector::default() },
        ),
    ];
    let regions: [&[usize]; 4] = [&[0, 1, 2, 3], &[0, 5, 7], &[1, 2, 6, 9, 10, 11], &[4]];
    for (l, terms, sector) in cases {
        let n = l.n_sites();
        let basis = SpinBasis::new(&l, &sector, terms.conserves_sz()).unwrap();
        let opts = SolveOptions { nev: 1, tol: 1e-12, eigenvectors: true, ..SolveOptions::default() };
        let (_, v) = spin_sector_in(&terms, basis.clone(), &opts).unwrap();
        let psi = match v {
            Some(Vectors::Real(mut v)) => v.swap_remove(0),
            _ => panic!("a real sector vector"),
        };
        let full: Vec<ether::linalg::C64> = (0..1u64 << n).map(|s| basis.amplitude(&psi, s)).collect();
        let norm: f64 = full.iter().map(|a| a.norm_sqr()).sum();
        assert!((norm - 1.0).abs() < 1e-10, "expansion norm {norm}");
        let dense = StateVector::new(n, full).unwrap();
        let ed = EdState { basis: &basis, psi: &psi };
        for r in regions {
            let (a, b) = (ed.entropy(r).unwrap(), dense.entropy(r).unwrap());
            assert!((a - b).abs() < 1e-10, "{r:?}: {a} vs {b}");
            assert!(a > 1e-3, "{r:?}: the ground state is entangled, S = {a}");
        }
    }
}
