#!/usr/bin/env bash
# Sets up and runs every test: a private PostgreSQL in .local/pg-test (durability off, a fresh database each run),
# then all test projects. Ends with the line "N passed, N failed". Extra arguments go to dotnet test.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source deploy/lib.sh
set -e

data="$root/.local/pg-test"
port=${WAGECLUE_TEST_PG_PORT:-55433}
results="$root/.local/test-results"

ensure_tools browser
started=0
if pg_start "$data" "$port" fast; then started=1; fi
stop_db() { [ "$started" = 1 ] && pg_stop "$data"; return 0; }
trap stop_db EXIT

pg_psql "$port" "DROP DATABASE IF EXISTS wageclue_test WITH (FORCE)"
pg_psql "$port" "CREATE DATABASE wageclue_test"
export WAGECLUE_TEST_DB="Host=127.0.0.1;Port=$port;Database=wageclue_test;Username=postgres"
# The browser tests drive Debian's Chromium and save a screenshot of each main page with the results.
export WAGECLUE_CHROMIUM=$(command -v chromium)
export WAGECLUE_SCREENSHOTS="$results/screenshots"

rm -rf "$results"
set +e
# Build everything first: dotnet test builds only test projects, and the benchmark's short run needs the
# benchmark program too.
if ! dotnet build WageClue.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  say "the build failed; no test ran"
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test WageClue.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
rc=$?
set -e

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$passed" -eq 0 ] && [ "$rc" -eq 0 ]; then rc=1; say "no test ran"; fi
echo "$passed passed, $failed failed"
exit $rc
