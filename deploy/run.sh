#!/usr/bin/env bash
# Sets up and runs WageClue locally: a private PostgreSQL in .local/pg-run (kept between runs), migrations,
# demo data, and the service on http://127.0.0.1:5080.   Usage: deploy/run.sh [stop]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source deploy/lib.sh

data="$root/.local/pg-run"
port=${WAGECLUE_PG_PORT:-55432}
http_port=${WAGECLUE_HTTP_PORT:-5080}

if [ "${1:-}" = stop ]; then pg_stop "$data"; exit 0; fi

ensure_tools
pg_start "$data" "$port" || true
pg_psql "$port" "SELECT 1" >/dev/null
if ! psql -X -tA -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'wageclue'" | grep -q 1; then
  pg_psql "$port" "CREATE DATABASE wageclue"
fi

export ConnectionStrings__WageClue="Host=127.0.0.1;Port=$port;Database=wageclue;Username=postgres"
export DemoData__Enabled=true
export ASPNETCORE_ENVIRONMENT=Development

say "building"
dotnet build src/WageClue.Server -c Release -nologo -v quiet -clp:ErrorsOnly
cat <<TXT

  WageClue       http://127.0.0.1:$http_port
  API reference  http://127.0.0.1:$http_port/scalar      (OpenAPI: /openapi/v1.json)
  Health         http://127.0.0.1:$http_port/health

  Demo users, password WageClue-demo-2026 for all:
    admin (系统管理员)  zhangmin, liqiang (张店区经办人)  wangfang (张店区负责人)
    zhaolei (淄川区经办人)  sunli (淄川/博山负责人)  chenju (局领导)  hotline (12345 接口账号)
  Get a token:  curl -s -X POST http://127.0.0.1:$http_port/api/auth/token -H 'Content-Type: application/json' \\
                  -d '{"username":"zhangmin","password":"WageClue-demo-2026"}'

  Ctrl+C stops the service; the database keeps running with its data (deploy/run.sh stop stops it).

TXT
exec dotnet run --project src/WageClue.Server -c Release --no-build --no-launch-profile --urls "http://127.0.0.1:$http_port"
