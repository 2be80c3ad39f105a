#!/usr/bin/env bash
# Strong scaling of the gauge Monte Carlo on this machine (issue 14): `ether phases` on an L^4
# lattice (default 16^4, isotropic Wilson action at beta = 1.1, cold start, the default sweep of
# one heat bath + 3 overrelaxation passes, only the plaquette measured) run three ways:
#   A  1 rank  x 1 thread      ether --threads 1
#   B  2 ranks x 1 thread      mpirun -n 2 --bind-to core ether --threads 1
#   C  1 rank  x 2 threads     ether --threads 2
# Rounds alternate A, B, C so that a drifting machine hits all alike; the summary gives medians of
# the wall time of the whole process, the ratios A/B (goal >= 1.7), A/C and C/B, and the per-link
# update cost of A. The three JSON outputs must be identical (same seed, same numbers for any
# split), which the script checks.
#
# Builds ether with the mpi feature into $MPI_TARGET (default target/mpi, so the default build in
# target/ is left alone; OpenMPI and libclang from Debian: see .ci/run).
# Usage: bench/mpi_scaling.sh [ROUNDS]   (default 3; L=16 SWEEPS=60 by default, about 15 s a round)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
l="${L:-16}"
sweeps="${SWEEPS:-60}"
therm=1
target="${MPI_TARGET:-target/mpi}"
CARGO_TARGET_DIR="$target" cargo build --release -q -p ether-cli --features mpi
ether="$target/release/ether"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); commit $(git rev-parse --short HEAD); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ${l}^4, $therm + $sweeps sweeps of 1 heat bath + 3 overrelaxation passes; $rounds rounds"
args=(phases --lattice "${l}x${l}x${l}x${l}" --beta 1.1 --start cold --therm "$therm" --sweeps "$sweeps" --measure plaquette --seed 5 --json)
run() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/$name.json"
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l >> "$work/$name.times"
}
for r in $(seq 1 "$rounds"); do
  run A "$ether" -q phases --threads 1 "${args[@]:1}"
  run B mpirun --allow-run-as-root --oversubscribe --bind-to core -n 2 "$ether" -q phases --threads 1 "${args[@]:1}"
  run C "$ether" -q phases --threads 2 "${args[@]:1}"
  echo "round $r: A $(tail -1 "$work/A.times") s, B $(tail -1 "$work/B.times") s, C $(tail -1 "$work/C.times") s"
done
cmp -s "$work/A.json" "$work/B.json" && cmp -s "$work/A.json" "$work/C.json" \
  || { echo "the three runs' JSON differ"; exit 1; }
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
a=$(median "$work/A.times"); b=$(median "$work/B.times"); c=$(median "$work/C.times")
updates=$(echo "($therm + $sweeps) * 4 * 4 * $l^4" | bc)
printf 'median wall: A (1x1) %.3f s, B (2 ranks x 1) %.3f s, C (1 x 2 threads) %.3f s\n' "$a" "$b" "$c"
printf 'A/B %.3f (goal >= 1.7), A/C %.3f, C/B %.3f (>1: ranks faster than threads)\n' \
  "$(echo "$a / $b" | bc -l)" "$(echo "$a / $c" | bc -l)" "$(echo "$c / $b" | bc -l)"
printf 'per link update (A, whole process): %.1f ns over %d updates\n' "$(echo "$a * 1000000000 / $updates" | bc -l)" "$updates"
echo "JSON identical in all three"
