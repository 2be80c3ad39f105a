//! The model check harness (issue 15): every quantum model in `model/` is Hermitian, commutes with the
//! symmetries it declares and with its Gauss-law generators, and its smallest instance equals
//! a matrix written here by hand (from Kronecker products of Pauli and spin matrices, not from
//! the model's own terms).
//!
//! Registering a model is one line in `registry()`: an instance, and its hand-written matrix
//! or `None`. Tolerance 1e-12 relative to max |H|: the matrices are sums of products of 0, ±1,
//! ±½ entries, exact in floating point up to a few roundings.

use ether::lattice::Lattice;
use ether::linalg::C64;
use ether::model::check::{check, Checked, Declared, LocalOp, OpSum, Term};
use ether::model::twisted_rotor::{Twist, TwistedRotorModel, Z2TwistedRotor};
use ether::model::{Heisenberg, QuantumLinkModel, RotorModel, ToricCode, TransverseIsing};

const TOL: f64 = 1e-12;

type M = Vec<C64>;

fn c(x: f64) -> C64 {
    C64::new(x, 0.0)
}

const I2: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, 1.0]];
const X: [[f64; 2]; 2] = [[0.0, 1.0], [1.0, 0.0]];
const Z: [[f64; 2]; 2] = [[1.0, 0.0], [0.0, -1.0]];
/// S^+ raises state 1 (S^z = −½) to state 0 (S^z = +½); S^− the reverse.
const SP: [[f64; 2]; 2] = [[0.0, 1.0], [0.0, 0.0]];
const SM: [[f64; 2]; 2] = [[0.0, 0.0], [1.0, 0.0]];

/// `ops[0] ⊗ … ⊗ ops[n−1]` with qubit 0 the fastest index (the harness's convention).
fn kron(ops: &[[[f64; 2]; 2]]) -> M {
    let n = ops.len();
    let dim = 1 << n;
    let mut m = vec![c(0.0); dim * dim];
    for r in 0..dim {
        for col in 0..dim {
            m[r * dim + col] = c((0..n).map(|i| ops[i][(r >> i) & 1][(col >> i) & 1]).product());
        }
    }
    m
}

/// `X` (or any matrix) on the listed qubits of `n`, identity elsewhere.
fn on(n: usize, op: [[f64; 2]; 2], qubits: &[usize]) -> M {
    kron(&(0..n).map(|i| if qubits.contains(&i) { op } else { I2 }).collect::<Vec<_>>())
}

fn add(a: &M, b: &M, s: f64) -> M {
    a.iter().zip(b).map(|(x, y)| x + y * s).collect()
}

fn mul(a: &M, b: &M) -> M {
    let n = (a.len() as f64).sqrt() as usize;
    let mut out = vec![c(0.0); n * n];
    for i in 0..n {
        for k in 0..n {
            for j in 0..n {
                out[i * n + j] += a[i * n + k] * b[k * n + j];
            }
        }
    }
    out
}

fn dagger(a: &M) -> M {
    let n = (a.len() as f64).sqrt() as usize;
    (0..n * n).map(|i| a[(i % n) * n + i / n].conj()).collect()
}

fn sum(n: usize, terms: &[(f64, M)]) -> M {
    let dim = 1usize << n;
    terms.iter().fold(vec![c(0.0); dim * dim], |acc, (s, m)| add(&acc, m, *s))
}

/// The toric code on one open plaquette (2x2 sites): links q0 = (0,0)→(1,0), q1 = (0,0)→(0,1),
/// q2 = (1,0)→(1,1), q3 = (0,1)→(1,1). Stars: the four corners, two links each; the plaquette
/// Z0 Z1 Z2 Z3; the field on every link.
fn toric_code_by_hand(je: f64, jm: f64, h: f64) -> M {
    let n = 4;
    let mut t = vec![];
    for s in [[0, 1], [0, 2], [1, 3], [2, 3]] {
        t.push((-je, on(n, X, &s)));
    }
    t.push((-jm, on(n, Z, &[0, 1, 2, 3])));
    for q in 0..4 {
        t.push((-h, on(n, Z, &[q])));
    }
    sum(n, &t)
}

/// The two-site open chain: −J Z0 Z1 − h (X0 + X1).
fn ising_by_hand(j: f64, h: f64) -> M {
    #[rustfmt::skip]
    let m = [
        [-j, -h, -h, 0.0],
        [-h, j, 0.0, -h],
        [-h, 0.0, j, -h],
        [0.0, -h, -h, -j],
    ];
    m.iter().flatten().map(|&x| c(x)).collect()
}

/// The quantum link model on one open plaquette: U = S+_0 S+_2 S-_3 S-_1 (boundary order
/// +q0, +q2, −q3, −q1), H = −J (U + U†) + λ (U U† + U† U).
fn quantum_link_by_hand(j: f64, lambda: f64) -> M {
    let u = kron(&[SP, SM, SP, SM]);
    let ud = dagger(&u);
    sum(4, &[(-j, u.clone()), (-j, ud.clone()), (lambda, mul(&u, &ud)), (lambda, mul(&ud, &u))])
}

/// The Z2 twisted rotor model on one open plaquette (2x2x1). The tournament on the legs
/// (+x, +y, +z, −x, −y, −z) gives, at the four corners, T(q0) = {q2}, T(q1) = {q0, q3},
/// T(q2) = {q3}, T(q3) = {} (worked out by hand: at (0,0) q0 (+x) precedes q1 (+y); at (1,0)
/// q2 (+y) precedes q0 (−x); at (0,1) q3 (+x) precedes q1 (−y); at (1,1) q3 (−x) precedes q2
/// (−y)). The plaquette is the ordered product h_q0 h_q2 h_q3 h_q1 with h_l = X_l Z_T(l); the
/// charge parities are Z0 Z1 (corner (0,0)), Z0 Z2, Z1 Z3, Z2 Z3.
fn twisted_by_hand(g: f64, u: f64) -> M {
    let hop = |l: usize, t: &[usize]| mul(&on(4, X, &[l]), &on(4, Z, t));
    let b =
        [hop(0, &[2]), hop(2, &[3]), hop(3, &[]), hop(1, &[0, 3])].iter().skip(1).fold(hop(0, &[2]), |a, h| mul(&a, h));
    let id = on(4, I2, &[]);
    let mut t = vec![(-g, b.clone()), (-g, dagger(&b))];
    for s in [[0, 1], [0, 2], [1, 3], [2, 3]] {
        t.push((0.5 * u, id.clone()));
        t.push((-0.5 * u, on(4, Z, &s)));
    }
    sum(4, &t)
}

/// The spin-½ Heisenberg model on the periodic 2-site chain: its two bonds (0,1) and (1,0)
/// give 2J S0·S1 = 2J [¼ Z0 Z1 + ½ (S+_0 S-_1 + S-_0 S+_1)]; basis |↑↑⟩, |↓↑⟩, |↑↓⟩, |↓↓⟩
/// (site 0 fastest).
fn heisenberg_by_hand(j: f64) -> M {
    #[rustfmt::skip]
    let m = [
        [0.5 * j, 0.0, 0.0, 0.0],
        [0.0, -0.5 * j, j, 0.0],
        [0.0, j, -0.5 * j, 0.0],
        [0.0, 0.0, 0.0, 0.5 * j],
    ];
    m.iter().flatten().map(|&x| c(x)).collect()
}

fn lat(s: &str) -> Lattice {
    Lattice::parse(s).unwrap()
}

fn open(e: &[usize]) -> Lattice {
    Lattice::open(e).unwrap()
}

fn twisted(l: Lattice, twist: Twist, g: f64, u: f64) -> Z2TwistedRotor {
    Z2TwistedRotor(TwistedRotorModel { rotor: RotorModel::new_3d(l, u, g, 1.0).unwrap(), twist })
}

/// One registered instance: the model and, for its smallest instance, the matrix by hand.
struct Case {
    model: Box<dyn Checked>,
    by_hand: Option<M>,
}

fn case(model: impl Checked + 'static, by_hand: Option<M>) -> Case {
    Case { model: Box::new(model), by_hand }
}

/// Every model of `model/` with a quantum Hamiltonian on a small instance. Add a line per model.
fn registry() -> Vec<Case> {
    vec![
        case(ToricCode::new(open(&[2, 2]), 1.0, 0.7, 0.3).unwrap(), Some(toric_code_by_hand(1.0, 0.7, 0.3))),
        case(ToricCode::new(lat("2x2"), 1.0, 0.7, 0.3).unwrap(), None),
        case(ToricCode::new(lat("2x2"), 0.8, 1.0, 0.0).unwrap(), None),
        case(TransverseIsing::new(open(&[2]), 1.0, 0.6).unwrap(), Some(ising_by_hand(1.0, 0.6))),
        case(Heisenberg::new(lat("2"), 0.5, 0.8).unwrap(), Some(heisenberg_by_hand(0.8))),
        case(Heisenberg::new(lat("3x2"), 0.5, -1.0).unwrap(), None),
        case(Heisenberg::new(lat("4"), 1.0, 1.0).unwrap(), None),
        case(TransverseIsing::new(lat("3x3"), 1.0, 0.6).unwrap(), None),
        case(QuantumLinkModel::new(open(&[2, 2]), 1.0, 0.4).unwrap(), Some(quantum_link_by_hand(1.0, 0.4))),
        case(QuantumLinkModel::new(lat("2x2"), 1.0, 0.4).unwrap(), None),
        case(twisted(open(&[2, 2, 1]), Twist::Twisted, 1.5, 0.5), Some(twisted_by_hand(1.5, 0.5))),
        case(twisted(open(&[3, 2, 1]), Twist::Twisted, 1.5, 0.5), None),
        case(twisted(open(&[3, 2, 1]), Twist::Untwisted, 1.5, 0.5), None),
    ]
}

#[test]
fn every_registered_model_passes_the_check_and_matches_its_matrix_by_hand() {
    let mut hand_written = 0;
    for Case { model, by_hand } in registry() {
        let r = check(model.as_ref()).unwrap();
        let failures = r.failures(TOL);
        assert!(failures.is_empty(), "{failures:?}");
        if let Some(m) = by_hand {
            assert_eq!(m.len(), r.hamiltonian.len(), "{}: dimension", r.label);
            let dev = m.iter().zip(&r.hamiltonian).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
            assert!(dev <= TOL * r.scale, "{}: differs from the matrix by hand by {dev:.3e}", r.label);
            hand_written += 1;
        }
    }
    assert_eq!(hand_written, 5, "each model's smallest instance is written by hand");
}

/// The harness has teeth: a non-Hermitian term, a field that breaks a declared conservation
/// law, and a declared "symmetry" that is a multiple of the identity are all reported.
#[test]
fn the_check_catches_broken_models() {
    struct Broken {
        h: OpSum,
        declared: Vec<Declared>,
    }
    impl Checked for Broken {
        fn label(&self) -> String {
            "broken".into()
        }
        fn hamiltonian(&self) -> ether::Result<OpSum> {
            Ok(self.h.clone())
        }
        fn gauss_law(&self) -> ether::Result<Vec<Declared>> {
            Ok(self.declared.clone())
        }
    }
    // S^+ alone is not Hermitian.
    let mut h = OpSum::qubits(1);
    h.add(Term::new(1.0, vec![(0, LocalOp::s_plus())]));
    let r = check(&Broken { h, declared: vec![] }).unwrap();
    assert!(r.failures(TOL).iter().any(|f| f.contains("not Hermitian")), "{:?}", r.failures(TOL));
    // The toric code with a transverse field sigma^x on one link: its flux B_p is no longer
    // conserved, and the check says so.
    let tc = ToricCode::new(open(&[2, 2]), 1.0, 1.0, 0.0).unwrap();
    let mut h = tc.hamiltonian().unwrap();
    h.add(Term::new(0.3, vec![(0, LocalOp::x())]));
    let r = check(&Broken { h, declared: tc.gauss_law().unwrap() }).unwrap();
    assert!(
        r.failures(TOL).iter().any(|f| f.contains("flux B_p") && f.contains("does not commute")),
        "{:?}",
        r.failures(TOL)
    );
    // A declared operator equal to 2 * identity makes a vacuous check.
    let mut id = OpSum::qubits(4);
    id.add(Term::new(2.0, vec![]));
    let r = check(&Broken { h: tc.hamiltonian().unwrap(), declared: vec![Declared { name: "two".into(), op: id }] })
        .unwrap();
    assert!(r.failures(TOL).iter().any(|f| f.contains("vacuous")), "{:?}", r.failures(TOL));
}
