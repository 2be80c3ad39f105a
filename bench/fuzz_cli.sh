#!/usr/bin/env bash
# The command-line fuzz at benchmark size: 10^5 generated command lines (every command, every
# flag its --help lists) against the real binary, each under `prlimit --as` and a time limit.
# Prints the throughput, the per-case time distribution, every distinct failure shrunk to a
# one-line reproducer, and the wall time. The default test run does the same with 3000 cases.
#
# Usage: bench/fuzz_cli.sh [CASES] [WORKERS] [SEED]   (defaults 100000, nproc, 1)
# Cost: about 25 cases/s per core on an idle machine when nothing fails (shrinking a failure
# adds up to 40 s), so 10^5 cases take about 35 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-100000}"
workers="${2:-$(nproc)}"
seed="${3:-1}"
command -v prlimit >/dev/null || { echo "prlimit (util-linux) is needed" >&2; exit 2; }
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# commit $(git rev-parse --short=12 HEAD); $cases cases, $workers workers, seed $seed"
cargo test --release -q -p ether-cli --test fuzz --no-run
start=$(date +%s)
ETHER_FUZZ_CASES="$cases" ETHER_FUZZ_WORKERS="$workers" ETHER_FUZZ_SEED="$seed" ETHER_FUZZ_TIMEOUT=10 \
    cargo test --release -q -p ether-cli --test fuzz generated_command_lines -- --nocapture --test-threads 1 2>&1 \
    | grep -v '^\s*[0-9]*: \|^\s*at \|^stack backtrace\|^note: Some details' || true
echo "# wall time $(( $(date +%s) - start )) s"
