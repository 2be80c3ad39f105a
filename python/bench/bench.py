"""Speed of the Python layer (issue 16's goals): the calling overhead per call on small problems
(goal: below 1 ms), and one ED run and one dynamics run from Python against the CLI on the same
parameters (goal: no more than 2 % slower).

    python python/bench/bench.py                    # everything that is bound
    python python/bench/bench.py --repeat 5 --cli target/release/ether

Overhead = the call's wall time minus the run's own wall time inside the library (what the
bridge adds: keyword arguments to JSON, parameters, GIL release, observer, record to numpy and
the Result). Figures taken while other work shares the machine are provisional.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

import ether
from ether import _chapters


def overhead(command, params, n):
    """Median call time and median bridge overhead of `n` calls, in seconds."""
    calls, over = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        r = _chapters.run(command, params, True)
        dt = time.perf_counter() - t0
        calls.append(dt)
        over.append(dt - r.wall_time)
    return statistics.median(calls), statistics.median(over)


def against_cli(cli, command, params, flags, repeat):
    """Median wall time of the Python call and of `ether COMMAND FLAGS --json` (a process)."""
    py, sh = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        _chapters.run(command, params, True)
        py.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([cli, "--quiet", command, *flags, "--json"], check=True, stdout=subprocess.DEVNULL)
        sh.append(time.perf_counter() - t0)
    return statistics.median(py), statistics.median(sh)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2000, help="calls for the overhead figure")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each long comparison (median)")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--cli", default=os.path.join(here, "..", "..", "target", "release", "ether"))
    a = ap.parse_args()
    print(f"ether {ether.__version__} ({ether.git_revision}), Python {platform.python_version()}, "
          f"{os.cpu_count()} cpus, {platform.machine()}")
    call, over = overhead("_selftest", {"steps": 0}, a.calls)
    print(f"overhead, bridge self-test (3 arrays, 2 claims): call {call * 1e6:.0f} us, bridge {over * 1e6:.0f} us "
          f"(goal < 1000 us) over {a.calls} calls")
    bound = ether.experiments()
    small = {"ed": {"model": "heisenberg", "lattice": "8", "nev": 1}}
    for command, params in small.items():
        if command in bound:
            call, over = overhead(command, params, max(a.calls // 10, 20))
            print(f"overhead, {command} {params}: call {call * 1e6:.0f} us, bridge {over * 1e6:.0f} us (goal < 1000 us)")
        else:
            print(f"overhead, {command}: not bound in this build")
    long = [
        ("ed", {"model": "heisenberg", "lattice": "28", "sector": "sz=0,k=0,parity=1,spinflip=1", "nev": 1},
         ["--model", "heisenberg", "--lattice", "28", "--sector", "sz=0,k=0,parity=1,spinflip=1", "--nev", "1"]),
        ("spinwave", {"model": "antiferro", "lattice": "32x32", "method": "dynamics", "seed": 7},
         ["--model", "antiferro", "--lattice", "32x32", "--method", "dynamics", "--seed", "7"]),
    ]
    for command, params, flags in long:
        if command not in bound:
            print(f"python vs cli, {command}: not bound in this build")
            continue
        if not os.path.isfile(a.cli):
            print(f"python vs cli: no CLI at {a.cli} (cargo build --release -p ether-cli)")
            break
        py, sh = against_cli(a.cli, command, params, flags, a.repeat)
        print(f"python vs cli, {command} {' '.join(flags)}: python {py:.3f} s, cli {sh:.3f} s, "
              f"ratio {py / sh:.4f} (goal <= 1.02), median of {a.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
