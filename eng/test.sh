#!/usr/bin/env bash
# Runs Baton's whole test suite: every test project of the solution, on real SQLite files, real processes and real
# loopback HTTP. Prints one closing line "tests: N passed, N failed, N skipped" and exits non-zero on any failure.
# Extra arguments go to `dotnet test` (for example: --configuration Release).
set -uo pipefail
cd "$(dirname "$0")/.."

# Anything the tests need beyond the .NET SDK is installed or started by eng/prepare-test-machine.sh.
bash eng/prepare-test-machine.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test --solution Baton.slnx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The Microsoft.Testing.Platform summary ends with total / failed / succeeded / skipped for the whole run.
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '/Test run summary/ { s = 1 } s')
total=$(echo "$summary" | awk '$1 == "total:" { print $2 }' | tail -1)
failed=$(echo "$summary" | awk '$1 == "failed:" { print $2 }' | tail -1)
passed=$(echo "$summary" | awk '$1 == "succeeded:" { print $2 }' | tail -1)
skipped=$(echo "$summary" | awk '$1 == "skipped:" { print $2 }' | tail -1)
if [ -z "$total" ]; then
  echo "tests: 0 passed, 1 failed, 0 skipped (no test summary: the build or the test host failed)"
  exit 1
fi
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
  exit 1
fi
