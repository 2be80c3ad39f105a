#!/usr/bin/env bash
# Side by side, in one run: ether's Landau-Lifshitz step (sublattice splitting) and Spirit's LLG
# (Depondt solver, serial PyPI wheel) on the same lattices and step counts, plus a STREAM-style
# triad for the memory-bandwidth bound. Figures go to docs/performance.md.
# Usage: bench/spin_dynamics.sh   (installs Spirit into the git-ignored bench/.venv if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x bench/.venv/bin/python ] || ! bench/.venv/bin/python -c "import spirit" 2>/dev/null; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q spirit
fi
cargo build --release --examples -p ether -q
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 2; do target/release/examples/stream_triad "$t"; done
for t in 1 2; do target/release/examples/spin_step_rate 128x128 "$t" 3000; done
bench/.venv/bin/python bench/spirit_llg.py 128 128 1 3000 2>/dev/null | tail -1
for t in 1 2; do target/release/examples/spin_step_rate 64x64x64 "$t" 200; done
bench/.venv/bin/python bench/spirit_llg.py 64 64 64 200 2>/dev/null | tail -1
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
