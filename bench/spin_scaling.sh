#!/usr/bin/env bash
# Two threads against one for the spin step, measured as alternating pairs of runs so that the
# VM's drifting speed hits both sides alike. Prints each pair's ratio and the median per lattice.
# Usage: bench/spin_scaling.sh [PAIRS]   (default 6; ~1 s per run)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-6}"
cargo build --release --examples -p ether -q
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in 128x128:12000 64x64x64:600; do
  lat="${spec%%:*}" steps="${spec##*:}"
  for _ in $(seq "$pairs"); do
    one=$(target/release/examples/spin_step_rate "$lat" 1 "$steps")
    two=$(target/release/examples/spin_step_rate "$lat" 2 "$steps")
    echo "$one"
    echo "$two"
  done
done | python3 -c '
import json, statistics, sys
runs = [json.loads(l) for l in sys.stdin]
by = {}
for a, b in zip(runs[0::2], runs[1::2]):
    r = b["updates_per_second"] / a["updates_per_second"]
    by.setdefault(a["lattice"], []).append(r)
    lat, isa, u1, u2 = a["lattice"], a["isa"], a["updates_per_second"] / 1e6, b["updates_per_second"] / 1e6
    print(f"{lat:>9} {isa}: 1 thread {u1:6.1f} M/s, 2 threads {u2:6.1f} M/s, ratio {r:.3f}")
for lat, rs in by.items():
    print(f"# {lat}: median ratio {statistics.median(rs):.3f} (range {min(rs):.3f}-{max(rs):.3f}, {len(rs)} pairs)")
'
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
