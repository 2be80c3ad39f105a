#!/usr/bin/env bash
# Two threads against one for the spin step, measured as alternating runs so that the VM's
# drifting speed hits every variant alike. Each round runs: 1 thread; 2 threads (one team); and,
# as the host's own yardstick, two independent 1-thread processes side by side (their summed rate
# over the single run is the best a 2-thread team could do on this host at that moment).
# Prints each round and the medians per lattice.
# Usage: bench/spin_scaling.sh [ROUNDS]   (default 6; ~3 s per round and lattice)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-6}"
cargo build --release --examples -p ether -q
rate=target/release/examples/spin_step_rate
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for spec in 128x128:12000 64x64x64:600; do
  lat="${spec%%:*}" steps="${spec##*:}"
  for _ in $(seq "$rounds"); do
    one=$($rate "$lat" 1 "$steps")
    two=$($rate "$lat" 2 "$steps")
    pair=$( ($rate "$lat" 1 "$steps" & $rate "$lat" 1 "$steps"; wait) | tr '\n' ' ')
    echo "$one|$two|$pair"
  done
done | python3 -c '
import json, statistics, sys
by = {}
for line in sys.stdin:
    one, two, pair = line.strip().split("|")
    a, b = json.loads(one), json.loads(two)
    procs = [json.loads(x + "}") for x in pair.strip().rstrip("}").split("} ")]
    lat, isa, u1, u2 = a["lattice"], a["isa"], a["updates_per_second"] / 1e6, b["updates_per_second"] / 1e6
    up = sum(p["updates_per_second"] for p in procs) / 1e6
    by.setdefault(lat, []).append((u2 / u1, up / u1))
    print(f"{lat:>9} {isa}: 1 thread {u1:6.1f} M/s, 2 threads {u2:6.1f} M/s (x{u2 / u1:.3f}); two processes {up:6.1f} M/s (x{up / u1:.3f})")
for lat, rs in by.items():
    team, procs = [r[0] for r in rs], [r[1] for r in rs]
    print(f"# {lat}: 2 threads / 1 thread median {statistics.median(team):.3f} (range {min(team):.3f}-{max(team):.3f}); "
          f"two processes / one median {statistics.median(procs):.3f}; {len(rs)} rounds")
'
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
