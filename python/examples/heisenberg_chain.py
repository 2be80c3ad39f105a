"""The Heisenberg chain's ground-state energy per site from ED, extrapolated to the infinite
chain (chapter 1's quantum oracle): e(N) = E0/N approaches Hulthén's Bethe-ansatz value
1/4 − ln 2 = −0.443147 (Hulthén 1938) as e(N) ≈ e∞ − π²/(6N²) (conformal finite-size
correction, c = 1: Blöte, Cardy & Nightingale 1986; Affleck 1986).

    python python/examples/heisenberg_chain.py [--sizes 8,10,12,14,16,18,20] [--out chain.png]
"""

import argparse
import math
import sys

import numpy as np

import ether


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="8,10,12,14,16,18,20")
    ap.add_argument("--out", default="heisenberg_chain.png")
    a = ap.parse_args()
    if "ed" not in ether.experiments():
        print("this build of ether does not bind the ed chapter yet", file=sys.stderr)
        return 2
    sizes = [int(s) for s in a.sizes.split(",")]
    e = np.array([ether.ed(model="heisenberg", lattice=str(n), nev=1, quiet=True).json["energies"][0] / n for n in sizes])
    x = 1.0 / np.array(sizes, dtype=float) ** 2
    slope, e_inf = np.polyfit(x, e, 1)
    exact = 0.25 - math.log(2)
    print("N      E0/N")
    for n, v in zip(sizes, e):
        print(f"{n:<6d} {v:.10f}")
    print(f"extrapolated e∞ = {e_inf:.6f} (Bethe ansatz {exact:.6f}), slope {slope:.3f} (−π²/6 = {-math.pi**2 / 6:.3f})")
    # log corrections make the 1/N² fit good to ~1e-3 at these sizes
    assert abs(e_inf - exact) < 2e-3, e_inf
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install 'ether[plot]'): no figure drawn")
        return 0
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(x, e, "o", label="ED, periodic chains")
    xx = np.linspace(0, x.max(), 50)
    ax.plot(xx, e_inf + slope * xx, "-", lw=1, label=f"fit: e∞ = {e_inf:.5f}")
    ax.axhline(exact, ls="--", lw=1, color="k", label="Bethe ansatz 1/4 − ln 2")
    ax.set_xlabel("1/N²")
    ax.set_ylabel("E0/N [J]")
    ax.set_title("Heisenberg chain: ground-state energy per site")
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out, dpi=150)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
