"""The antiferromagnet's S(k, ω) from classical dynamics (chapter 1's figure): the intensity
follows the linear spin-wave dispersion ω = zJS √(1 − γ_k²), linear at small k.

    python python/examples/spin_waves.py [--lattice 32x32] [--seed 7] [--out spin_waves.png]
"""

import argparse
import sys

import numpy as np

import ether


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lattice", default="32x32")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="spin_waves.png")
    a = ap.parse_args()
    if "spinwave" not in ether.experiments():
        print("this build of ether does not bind the spinwave chapter yet", file=sys.stderr)
        return 2
    r = ether.spinwave(model="antiferro", lattice=a.lattice, method="dynamics", seed=a.seed)
    print(r)
    p = r.json["exponent"]
    print(f"ω ~ k^{p:.3f} (linear-spin-wave theory: 1)")
    assert abs(p - 1) < 0.1, p
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install 'ether[plot]'): no figure drawn")
        return 0
    skw = r.skw
    k_axis, w_axis = r.axes("skw")
    keep = w_axis.values >= 0
    fig, ax = plt.subplots(figsize=(7, 4.5))
    mesh = ax.pcolormesh(
        k_axis.values, w_axis.values[keep], np.log10(skw[:, keep].T + 1e-12), shading="nearest", cmap="viridis"
    )
    fig.colorbar(mesh, ax=ax, label=f"log10 S(k, ω) [{r.info('skw').unit}]")
    if k_axis.labels:
        ticks = [i for i, s in enumerate(k_axis.labels) if s]
        ax.set_xticks([k_axis.values[i] for i in ticks], [k_axis.labels[i] for i in ticks])
    ax.set_xlabel(f"{k_axis.name} [{k_axis.unit}]")
    ax.set_ylabel(f"{w_axis.name} [{w_axis.unit}]")
    ax.set_title(f"Antiferromagnet {a.lattice}: S(k, ω) from Landau-Lifshitz dynamics")
    fig.tight_layout()
    fig.savefig(a.out, dpi=150)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
