#!/usr/bin/env bash
# Link updates per second of the gauge Monte Carlo, ether against the public C code yang-mills
# (C. Bonati, https://github.com/claudio-bonati/yang-mills, commit 4641247: the last with U(1)).
# Same lattice, same action (isotropic 4D Wilson, beta = 1.1), same sweep (1 heat bath + 3
# overrelaxation passes over every link), on one core (taskset -c 0) for 8^4, 12^4 and 16^4, plus
# ether on two threads (taskset -c 0,1). Every heat-bath and every overrelaxation update of a link
# counts as one link update. Rounds alternate the programs so that a drifting machine hits all alike;
# the summary gives medians. Rates are per wall-clock second and per CPU second (user + system).
#
# yang-mills is cloned and built outside this repository, in $YM_DIR (default /work/peers/yang-mills)
# from $YM_REPO (default the GitHub address above), with its own flags (-std=c99 -O2) minus -Werror
# (new compilers warn more) plus -fcommon (it defines globals in headers, which GCC >= 10 rejects).
# Usage: bench/mc_gauge.sh [ROUNDS]   (default 3; about 40 s per round on an idle machine)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
ym_dir="${YM_DIR:-/work/peers/yang-mills}"
ym_repo="${YM_REPO:-https://github.com/claudio-bonati/yang-mills}"
ym="$ym_dir/yang_mills_local"
if [ ! -x "$ym" ]; then
  echo "# building yang-mills 4641247 in $ym_dir" >&2
  [ -d "$ym_dir/.git" ] || git clone -q "$ym_repo" "$ym_dir"
  (cd "$ym_dir" && git checkout -q 4641247 && autoreconf -fi >/dev/null 2>&1 \
    && ./configure Gauge_Group=SuN N_c=1 ST_dim=4 >/dev/null \
    && make -j2 yang_mills_local AM_CFLAGS="-std=c99 -O2 -fcommon" >/dev/null)
fi
cargo build --release --example mc_sweep_rate -p ether -q
rate=target/release/examples/mc_sweep_rate
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "# machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); commit $(git rev-parse --short HEAD); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# yang-mills: one JSON line like mc_sweep_rate's (its init, a random start, is inside the timing;
# it is under 1% of these runs)
ym_run() {
  local l=$1 sweeps=$2
  cat > "$work/in.txt" <<EOF
size $l $l $l $l
beta 1.1
theta 0
sample    $sweeps
thermal   0
overrelax 3
measevery $sweeps
monomeas  0
start                   1
saveconf_back_every     0
saveconf_analysis_every 0
coolsteps  0
coolrepeat 0
conf_file  $work/conf.dat
data_file  $work/data.dat
mon_file   $work/mon.dat
log_file   $work/log.dat
randseed 1
EOF
  rm -f "$work/data.dat"
  # time's report goes to a file: a 2>/dev/null on the timed command would silence time itself
  /usr/bin/time -o "$work/time.txt" -f "%e %U %S" taskset -c 0 "$ym" "$work/in.txt" >/dev/null 2>&1
  local t plaq
  t=$(tail -1 "$work/time.txt")
  # data_file columns 1 and 2: the mean spatial and temporal plaquettes; their mean
  plaq=$(tail -1 "$work/data.dat" | awk '{print ($1 + $2) / 2}')
  python3 -c "
import sys
wall, user, sys_ = map(float, '$t'.split())
n = $sweeps * 4 * 4 * $l**4
print('{\"lattice\": \"${l}x${l}x${l}x${l}\", \"program\": \"yang-mills\", \"threads\": 1, \"sweeps\": $sweeps, \"seconds\": %.4f, \"cpu_seconds\": %.3f, \"link_updates_per_second\": %.4e, \"link_updates_per_cpu_second\": %.4e, \"plaquette\": $plaq}' % (wall, user + sys_, n / wall, n / max(user + sys_, 1e-9)))
"
}

for _ in $(seq "$rounds"); do
  for spec in 8:400 12:80 16:25; do
    l="${spec%%:*}" sweeps="${spec##*:}"
    ym_run "$l" "$sweeps"
    taskset -c 0 "$rate" "${l}x${l}x${l}x${l}" 1 "$sweeps" | sed 's/{/{"program": "ether", /'
    taskset -c 0,1 "$rate" "${l}x${l}x${l}x${l}" 2 "$sweeps" | sed 's/{/{"program": "ether", /'
  done
done > "$work/all.jsonl"
python3 - "$work/all.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
for r in rows:
    print("%12s %10s %d thr: %7.2f M/s wall, %7.2f M/s per CPU s, plaquette %.4f" % (
        r["lattice"], r["program"], r["threads"], r["link_updates_per_second"] / 1e6,
        r["link_updates_per_cpu_second"] / 1e6, r["plaquette"]))
by = {}
for r in rows:
    by.setdefault((r["lattice"], r["program"], r["threads"]), []).append(r)
def med(rs, k):
    return statistics.median(x[k] for x in rs)
for lat in sorted({r["lattice"] for r in rows}, key=lambda s: int(s.split("x")[0])):
    ym, e1, e2 = (by.get((lat, p, t), []) for p, t in [("yang-mills", 1), ("ether", 1), ("ether", 2)])
    if not (ym and e1 and e2):
        continue
    w = lambda rs: med(rs, "link_updates_per_second")
    c = lambda rs: med(rs, "link_updates_per_cpu_second")
    print("# %s: yang-mills %.2f M/s; ether 1 thread %.2f M/s (x%.2f of yang-mills; per CPU second x%.2f); "
          "ether 2 threads %.2f M/s (x%.2f of 1 thread); medians of %d rounds" % (
              lat, w(ym) / 1e6, w(e1) / 1e6, w(e1) / w(ym), c(e1) / c(ym), w(e2) / 1e6, w(e2) / w(e1), len(e1)))
PY
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
