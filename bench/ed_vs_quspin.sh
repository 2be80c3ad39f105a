#!/usr/bin/env bash
# Exact diagonalization vs QuSpin: ground state of the periodic spin-1/2 Heisenberg chain in
# the sector Sz=0, k=0, parity=+1, spinflip=+1, tolerance 1e-10, on 2 threads.
# Wall time and peak resident memory from /usr/bin/time -v. QuSpin comes from PyPI into the
# git-ignored bench/.venv:  python3 -m venv bench/.venv && bench/.venv/bin/pip install quspin
# Usage: bench/ed_vs_quspin.sh [N ...]   (default 20 24 26 28)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-20 24 26 28}")
[ $# -eq 0 ] && sizes=(20 24 26 28)
cargo build --release -p ether-cli >/dev/null 2>&1
ETHER=target/release/ether
PY=bench/.venv/bin/python
mkdir -p bench/out
printf "%-4s %-10s %-20s %-9s %-10s %-20s %-9s %-16s %-10s\n" N dim ether_E0 ether_s ether_MiB quspin_E0 quspin_s "quspin_s(no import)" quspin_MiB
for n in "${sizes[@]}"; do
  /usr/bin/time -v "$ETHER" -q --threads 2 ed --lattice "$n" --sector sz=0,k=0,parity=1,spinflip=1 --tol 1e-10 --json \
    >bench/out/ether_$n.json 2>bench/out/ether_$n.time
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2 /usr/bin/time -v "$PY" bench/ed_quspin.py "$n" 1e-10 \
    >bench/out/quspin_$n.json 2>bench/out/quspin_$n.time
  python3 - "$n" <<'PY'
import json, re, sys
n = sys.argv[1]
def rss(f):
    t = open(f).read()
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)
    w = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t)
    parts = [float(x) for x in w.group(1).split(":")]
    secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return int(m.group(1)) / 1024, secs
e = json.load(open(f"bench/out/ether_{n}.json")); q = json.loads(open(f"bench/out/quspin_{n}.json").read().strip().splitlines()[-1])
em, es = rss(f"bench/out/ether_{n}.time"); qm, qs = rss(f"bench/out/quspin_{n}.time")
assert e["dimension"] == q["dimension"], (e["dimension"], q["dimension"])
assert abs(e["energies"][0] - q["e0"]) < 1e-8, (e["energies"][0], q["e0"])
inproc = q["build_s"] + q["eigsh_s"]
print(f"{n:<4} {e['dimension']:<10} {e['energies'][0]:<20.12f} {es:<9.2f} {em:<10.1f} {q['e0']:<20.12f} {qs:<9.2f} {inproc:<16.2f} {qm:<10.1f}")
PY
done
