//! Run-time choice of the vector instruction set for the hot kernels.
//!
//! ether is built for plain x86-64 (2-wide SSE2), so that one binary runs on any x86-64
//! machine. The few kernels that dominate long runs (the fused rotor step, the spin step) are
//! compiled three times by `multiversion!`: for the baseline, for x86-64-v3 (AVX2) and for
//! x86-64-v4 (AVX-512), and each call picks the widest version the CPU has ([`Isa::detect`]).
//!
//! The versions compute the same numbers bit for bit: Rust never fuses a multiplication and an
//! addition into one rounding unless asked (`mul_add`), and the kernels sum in a fixed order,
//! so a wider vector only does more of the same IEEE operations at once. The tests run every
//! version the test machine has against the baseline and compare bits.
//!
//! This is the one place that needs `unsafe`: calling a function compiled for instructions the
//! CPU may lack is undefined behaviour, so the call is made only after the CPU reported them
//! (`is_x86_feature_detected!`).

use std::fmt;
use std::sync::OnceLock;

/// A vector instruction set a multiversioned kernel can run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Isa {
    /// The build target's baseline (SSE2 on x86-64; whatever the target has elsewhere).
    Portable,
    /// x86-64-v3: AVX2, FMA, BMI1/2 (4 doubles per vector).
    Avx2,
    /// x86-64-v4: AVX-512 F/BW/CD/DQ/VL (8 doubles per vector).
    Avx512,
}

impl Isa {
    /// Every instruction set, narrowest first.
    pub const ALL: [Isa; 3] = [Isa::Portable, Isa::Avx2, Isa::Avx512];

    /// The widest instruction set this CPU has (asked once, then cached: the kernels ask at
    /// every call). The sets are nested, so every narrower one is supported too.
    fn widest() -> Isa {
        static WIDEST: OnceLock<Isa> = OnceLock::new();
        *WIDEST.get_or_init(|| Isa::ALL.into_iter().rev().find(|isa| isa.cpu_has()).unwrap_or(Isa::Portable))
    }

    /// Whether this CPU can run kernels compiled for `self`.
    pub fn is_supported(self) -> bool {
        self <= Isa::widest()
    }

    /// Ask the CPU (`is_x86_feature_detected!`) whether it has every feature of `self`.
    fn cpu_has(self) -> bool {
        match self {
            Isa::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                    && std::arch::is_x86_feature_detected!("bmi1")
                    && std::arch::is_x86_feature_detected!("bmi2")
                    && std::arch::is_x86_feature_detected!("lzcnt")
                    && std::arch::is_x86_feature_detected!("popcnt")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                Isa::Avx2.cpu_has()
                    && std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512bw")
                    && std::arch::is_x86_feature_detected!("avx512cd")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                    && std::arch::is_x86_feature_detected!("avx512vl")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The widest instruction set this CPU supports. The environment variable
    /// `ETHER_ISA=portable|avx2|avx512` caps it (for comparisons; a value the CPU lacks falls
    /// back to the widest it has below it).
    pub fn detect() -> Isa {
        let cap = std::env::var("ETHER_ISA").ok().and_then(|v| v.parse::<Isa>().ok()).unwrap_or(Isa::Avx512);
        cap.supported_cap()
    }

    /// The widest supported instruction set not wider than `self`.
    pub fn supported_cap(self) -> Isa {
        self.min(Isa::widest())
    }

    /// The instruction sets this CPU supports, narrowest first.
    pub fn supported() -> Vec<Isa> {
        Isa::ALL.into_iter().filter(|isa| isa.is_supported()).collect()
    }

    /// The name used in manifests and in `ETHER_ISA`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Portable => "portable",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Isa {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Isa::ALL
            .into_iter()
            .find(|isa| isa.name() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown instruction set {s:?}: use portable, avx2 or avx512"))
    }
}

/// Define `fn NAME(isa: Isa, args...) -> R` (const generics allowed) that runs `body` compiled
/// for `isa`, clamped to what the CPU supports, so any `Isa` is safe to pass.
///
/// The body is an `#[inline(always)]` function; everything it calls that should be vectorized
/// must be `#[inline(always)]` as well, so that it is compiled into each version.
macro_rules! multiversion {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident $(<$(const $g:ident: $gt:ty),*>)? ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block
    ) => {
        $(#[$meta])*
        $vis fn $name $(<$(const $g: $gt),*>)? (isa: $crate::simd::Isa, $($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body $(<$(const $g: $gt),*>)? ($($arg: $ty),*) $(-> $ret)? $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                fn v4 $(<$(const $g: $gt),*>)? ($($arg: $ty),*) $(-> $ret)? {
                    body $(::<$($g),*>)? ($($arg),*)
                }
                #[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt")]
                fn v3 $(<$(const $g: $gt),*>)? ($($arg: $ty),*) $(-> $ret)? {
                    body $(::<$($g),*>)? ($($arg),*)
                }
                match isa.supported_cap() {
                    // SAFETY: the CPU reported every feature `v4` is compiled for.
                    #[allow(unsafe_code)]
                    $crate::simd::Isa::Avx512 => return unsafe { v4 $(::<$($g),*>)? ($($arg),*) },
                    // SAFETY: the CPU reported every feature `v3` is compiled for.
                    #[allow(unsafe_code)]
                    $crate::simd::Isa::Avx2 => return unsafe { v3 $(::<$($g),*>)? ($($arg),*) },
                    $crate::simd::Isa::Portable => {}
                }
            }
            let _ = isa;
            body $(::<$($g),*>)? ($($arg),*)
        }
    };
}
pub(crate) use multiversion;

#[cfg(test)]
mod tests {
    use super::*;

    // A kernel with the operations the real ones use (products, sums, a reduction in order),
    // compiled three ways: every version must give the baseline's bits.
    multiversion! {
        fn axpy_sum(x: &[f64], y: &mut [f64], a: f64) -> f64 {
            for (y, x) in y.iter_mut().zip(x) {
                *y += a * x * x - 0.25 * x;
            }
            y.iter().sum()
        }
    }

    #[test]
    fn every_supported_version_gives_the_baseline_bits() {
        let x: Vec<f64> = (0..1003).map(|i| (i as f64 * 0.731).sin() * 1e3).collect();
        let run = |isa| {
            let mut y: Vec<f64> = (0..1003).map(|i| (i as f64 * 0.377).cos()).collect();
            let s = axpy_sum(isa, &x, &mut y, 1.0 / 3.0);
            (y, s)
        };
        let (y0, s0) = run(Isa::Portable);
        for isa in Isa::supported() {
            let (y, s) = run(isa);
            assert_eq!(s.to_bits(), s0.to_bits(), "{isa}");
            assert!(y.iter().zip(&y0).all(|(a, b)| a.to_bits() == b.to_bits()), "{isa}");
        }
    }

    #[test]
    fn names_round_trip_and_detection_is_supported() {
        for isa in Isa::ALL {
            assert_eq!(isa.name().parse::<Isa>(), Ok(isa));
        }
        assert!("sse9".parse::<Isa>().unwrap_err().contains("portable, avx2 or avx512"));
        assert!(Isa::detect().is_supported());
        assert_eq!(Isa::supported()[0], Isa::Portable);
    }
}
