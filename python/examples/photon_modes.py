"""The photon's two transverse polarizations from the lattice alone (chapter 2, the modes figure).

The rotor model H = U Σ Q² + J Σ L² − g Σ_p 2 cos Φ_p, linearized about its ground state, is
H ≈ J Σ L² + g Σ_p Φ_p² with Φ = curl θ: its modes are those of the matrix CᵀC (C the lattice
curl), with ω² = 4 g J λ. On a torus CᵀC has, at every momentum k ≠ 0, the eigenvalue
|K|² = Σ_a 4 sin²(k_a/2) twice (two transverse polarizations: light) and 0 once (the
longitudinal, pure-gauge direction, which Gauss's law removes); at k = 0 all three vanish.

This script builds CᵀC column by column with ether.Lattice.curl / curl_t on numpy vectors,
checks that spectrum exactly, and draws ω against |K|: one line of slope c = 2√(gJ).

    python python/examples/photon_modes.py [--lattice 6x6x6] [--out photon_modes.png]
"""

import argparse
import sys

import numpy as np

import ether


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lattice", default="6x6x6")
    ap.add_argument("--g", type=float, default=1.0)
    ap.add_argument("--J", type=float, default=0.1)
    ap.add_argument("--out", default="photon_modes.png")
    a = ap.parse_args()
    lat = ether.Lattice(a.lattice)
    if lat.dim != 3:
        print("give a 3D lattice, e.g. --lattice 6x6x6", file=sys.stderr)
        return 2
    n = lat.n_links
    ctc = np.empty((n, n))
    unit = np.zeros(n)
    for i in range(n):
        unit[i] = 1.0
        ctc[:, i] = lat.curl_t(lat.curl(unit))
        unit[i] = 0.0
    lam = np.linalg.eigvalsh(ctc)

    k = lat.momenta()
    k2 = (4 * np.sin(k / 2) ** 2).sum(axis=1)
    nonzero = k2 > 1e-12
    expected = np.sort(np.concatenate([k2[nonzero], k2[nonzero], np.zeros(lat.n_sites + 2)]))
    err = np.max(np.abs(np.sort(lam) - expected))
    print(f"{lat}: {n} link modes; spectrum of CᵀC = two transverse |K|² per k ≠ 0 plus "
          f"{lat.n_sites + 2} zero modes, max deviation {err:.2e}")
    assert err < 1e-9, err

    c = 2 * np.sqrt(a.g * a.J)
    omega = c * np.sqrt(np.clip(lam, 0, None))
    kabs = np.sqrt(np.sort(expected))
    print(f"photon speed c = 2√(gJ) = {c:.6f}: ω = c |K| for every transverse mode")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install 'ether[plot]'): no figure drawn")
        return 0
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(kabs, np.sort(omega), "o", ms=3, label="modes of the linearized rotor model")
    kk = np.linspace(0, kabs.max(), 50)
    ax.plot(kk, c * kk, "-", lw=1, label=f"ω = 2√(gJ) |K| (c = {c:.4f})")
    ax.set_xlabel("|K| = (Σ 4 sin²(k/2))^½ [1/a]")
    ax.set_ylabel("ω [units of the couplings]")
    ax.set_title(f"Photons on a {lat} torus: 2 transverse polarizations")
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=150)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
