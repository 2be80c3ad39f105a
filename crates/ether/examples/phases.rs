//! Chapter 4, "Coulomb or confined", from the public library API: the path integral of the rotor
//! model is 4D compact U(1) lattice gauge theory. Deep in the confined phase (β = 0.5) the mean
//! plaquette follows the strong-coupling series ⟨cos Θ_P⟩ = u + 4u⁵ + O(u⁷), u = I₁(β)/I₀(β)
//! (Balian, Drouffe and Itzykson, Phys. Rev. D 11, 2104 (1975)); u is summed here from the Bessel
//! series, independently of the library. The tolerance is four standard errors of the Monte Carlo
//! mean (τ_int-corrected) plus the O(u⁷) remainder (~ 30 u⁷ = 1.5e-3 at β = 0.5).
//!
//! `cargo run --release -p ether --example phases` (a few seconds).

use ether::experiment::{Experiment, Quiet};
use ether::experiments::phases::{Params, Phases, Starts};

/// I_n(x) = Σ_m (x/2)^(2m+n) / (m! (m+n)!)
fn bessel_i(n: u32, x: f64) -> f64 {
    let (mut term, mut sum) = ((x / 2.0).powi(n as i32) / (1..=n).map(f64::from).product::<f64>(), 0.0);
    for m in 0..60 {
        sum += term;
        term *= (x / 2.0).powi(2) / (f64::from(m + 1) * f64::from(m + 1 + n));
    }
    sum
}

fn main() -> ether::Result<()> {
    let beta = 0.5;
    let p = Params {
        lattice: "4x4x4x4".into(),
        beta: vec![beta],
        start: Starts::Hot,
        therm: 50,
        sweeps: 400,
        ..Default::default()
    };
    let rec = Phases::run(&p, &mut Quiet)?;
    let m = &rec.measurements[0];
    let u = bessel_i(1, beta) / bessel_i(0, beta);
    let series = u + 4.0 * u.powi(5);
    println!(
        "β = {beta}: ⟨cos Θ_P⟩ = {:.5} ± {:.5}, strong coupling u + 4u⁵ = {series:.5}",
        m.plaquette, m.plaquette_error
    );
    let tol = 4.0 * m.plaquette_error + 30.0 * u.powi(7);
    assert!((m.plaquette - series).abs() < tol, "{} vs {series} (tol {tol})", m.plaquette);
    println!("verdict: {}", rec.verdict);
    Ok(())
}
