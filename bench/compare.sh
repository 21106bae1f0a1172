#!/usr/bin/env bash
# Compares two builds of the bench in balanced rounds: each round runs A, B, B, A, each run a fresh process, so that
# neither build always runs first or second. On the project's VM two short series, each in one fixed order, disagreed
# about a change by about as much as the change itself (bench/RESULTS.md, push 17).
#
#   bench/compare.sh A_DIR B_DIR ROUNDS -- drt --n 20000 --c 1000
#
# A_DIR and B_DIR hold a Release build each (a copy of bench/Baton.Bench/bin/Release/net10.0). Prints every run's result
# line, prefixed with its round and build, then each build's median throughput (and, for completion-load, the client's p99
# and the server's own at the last offered load), over all runs and over the runs with a steal of at most 3%. Each run's
# line carries the host's CPU steal in its measured window (`steal=`): a run with several times the others' steal was most
# likely slowed by the host, not by its build.
# Runs at nice -10 with Server GC, the setting of the DRT figures in RESULTS.md (DOTNET_gcServer=0 in the caller's
# environment overrides it).
set -euo pipefail
if [[ $# -lt 5 || $4 != "--" ]]; then
  echo "usage: $0 A_DIR B_DIR ROUNDS -- SCENARIO [OPTIONS...]" >&2
  exit 2
fi
a=$(cd "$1" && pwd); b=$(cd "$2" && pwd); rounds=$3; shift 4
for dir in "$a" "$b"; do
  [[ -x $dir/Baton.Bench ]] || { echo "no Baton.Bench in $dir" >&2; exit 2; }
done
results=$(mktemp)
trap 'rm -f "$results"' EXIT
gc=${DOTNET_gcServer:-1}
for round in $(seq 1 "$rounds"); do
  for which in A B B A; do
    dir=$a; [[ $which == B ]] && dir=$b
    output=$(cd "$dir" && DOTNET_gcServer=$gc nice -n -10 ./Baton.Bench "$@" 2>&1 || true)
    # The scenario's result line (with --runs, the median line comes last); for completion-load, also the server's own p99
    # at the last offered load (its level line; the result line has the client's only).
    line=$(grep -E '^(DRT|COMPLETE|TIMERS|LONG|OPEN) ' <<<"$output" | tail -1 || true)
    server=$(grep -E '^  offered=' <<<"$output" | tail -1 | grep -oE '(server_p99|steal)=[0-9.?]+(ms|%)?' | tr '\n' ' ' || true)
    echo "$round $which $line $server" | tee -a "$results"
  done
done
median() {
  sort -n | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The values of one figure (e.g. throughput) on one build's lines; none when its lines do not carry it.
values() { awk -v w="$1" '$2 == w' "$results" | { grep -oE "(^| )$2=[0-9.]+" || true; } | cut -d= -f2; }
# One build's lines from runs in which the host stole at most 3% of a core (a run's steal= figure); on this project's VM
# the others were about twice as slow at the tail whatever the build (bench/RESULTS.md, push 19).
quiet_lines() {
  awk -v w="$1" '$2 == w && match($0, /steal=[0-9.]+%/) && substr($0, RSTART + 6, RLENGTH - 7) + 0 <= 3' "$results"
}
quiet_values() { quiet_lines "$1" | { grep -oE "(^| )$2=[0-9.]+" || true; } | cut -d= -f2; }
for which in A B; do
  echo "median $which: throughput=$(values "$which" throughput | median)/s" \
    "sustained_p99=$(values "$which" sustained_p99 | median)ms server_p99=$(values "$which" server_p99 | median)ms"
done
for which in A B; do
  echo "median $which, steal <= 3%: runs=$(quiet_lines "$which" | wc -l) throughput=$(quiet_values "$which" throughput | median)/s" \
    "sustained_p99=$(quiet_values "$which" sustained_p99 | median)ms server_p99=$(quiet_values "$which" server_p99 | median)ms"
done
