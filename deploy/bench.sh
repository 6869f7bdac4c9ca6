#!/usr/bin/env bash
# The benchmark (README, "Benchmark"): its own PostgreSQL with production durability in .local/pg-bench, the
# server built in Release as its own process, an SMTP sink and the load generator in the benchmark process.
# Prints a table and writes every figure to .local/bench/results-<time>.json (and latest.json).
# Usage: deploy/bench.sh [--short | --province | --existing]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source deploy/lib.sh

data="$root/.local/pg-bench"
port=${WAGECLUE_BENCH_PG_PORT:-55434}
out="$root/.local/bench"

ensure_tools
started=0
# Durable on purpose (fsync, synchronous_commit and full_page_writes as shipped), unlike the test cluster.
if pg_start "$data" "$port"; then started=1; fi
stop_db() { [ "$started" = 1 ] && pg_stop "$data"; return 0; }
trap stop_db EXIT

say "building in Release"
dotnet build tests/WageClue.Benchmark -c Release -nologo -v quiet -clp:ErrorsOnly
# Each run from a copy of the build of its own, so that building, testing (deploy/test.sh builds Release into the
# same bin folders) or another bench.sh meanwhile cannot replace the dlls of a run that lasts an hour or more.
mkdir -p "$out"
build=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$build"; stop_db' EXIT
cp -r tests/WageClue.Benchmark/bin/Release/net10.0 "$build/bench"
cp -r src/WageClue.Server/bin/Release/net10.0 "$build/server"
file="$out/results-$(date -u +%Y%m%dT%H%M%SZ).json"
set +e
# The key ring's certificate stays beside the cluster it sealed data in (see ServerProcess.KeyRingCertificate).
dotnet "$build/bench/WageClue.Benchmark.dll" \
  --connection "Host=127.0.0.1;Port=$port;Database=postgres;Username=postgres" \
  --server "$build/server/WageClue.Server.dll" --keyring "$out/keyring.pfx" --out "$file" "$@"
rc=$?
set -e
[ -f "$file" ] && cp "$file" "$out/latest.json"
exit $rc
