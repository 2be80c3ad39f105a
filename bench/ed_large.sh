#!/usr/bin/env bash
# The large ED runs of issue 4 (long: run in the background with nohup):
#   bench/ed_large.sh chain36   the N = 36 Heisenberg chain ground state (sz=0,k=0,parity=1,spinflip=1)
#   bench/ed_large.sh square6   the 6x6 square-lattice Heisenberg ground state (same quantum numbers)
# Wall time and peak memory from /usr/bin/time -v into bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
case "${1:-chain36}" in
  chain36) lat=36; sec="sz=0,k=0,parity=1,spinflip=1" ;;
  square6) lat=6x6; sec="sz=0,k=0:0,parity=1,spinflip=1" ;;
  *) echo "usage: $0 chain36|square6" >&2; exit 2 ;;
esac
/usr/bin/time -v target/release/ether --threads 2 ed --lattice "$lat" --sector "$sec" --tol 1e-10 --json \
  >"bench/out/large_$1.json" 2>"bench/out/large_$1.log"
grep -E "Elapsed|Maximum resident" "bench/out/large_$1.log"
head -c 400 "bench/out/large_$1.json"
