#!/usr/bin/env bash
# Sets up and runs WageClue locally: a private PostgreSQL in .local/pg-run (kept between runs), migrations,
# demo data, a mail catcher (smtp4dev) that receives the escalation emails, and the service on http://127.0.0.1:5080.
# Usage: deploy/run.sh [stop]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source deploy/lib.sh

data="$root/.local/pg-run"
port=${WAGECLUE_PG_PORT:-55432}
http_port=${WAGECLUE_HTTP_PORT:-5080}
mail_web_port=${WAGECLUE_MAIL_WEB_PORT:-5081}
mail_smtp_port=${WAGECLUE_MAIL_SMTP_PORT:-2525}
mail_pid="$root/.local/smtp4dev.pid"

if [ "${1:-}" = stop ]; then mail_stop "$mail_pid"; pg_stop "$data"; exit 0; fi

ensure_tools
pg_start "$data" "$port" || true
mail_start "$mail_pid" "$mail_web_port" "$mail_smtp_port"
pg_psql "$port" "SELECT 1" >/dev/null
if ! psql -X -tA -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'wageclue'" | grep -q 1; then
  pg_psql "$port" "CREATE DATABASE wageclue"
fi

export ConnectionStrings__WageClue="Host=127.0.0.1;Port=$port;Database=wageclue;Username=postgres"
export DemoData__Enabled=true
export ASPNETCORE_ENVIRONMENT=Development
export Email__Smtp__Host=127.0.0.1 Email__Smtp__Port=$mail_smtp_port Email__Smtp__Security=None
export Email__FromAddress=wageclue@zibo-rsj.local Email__BaseUrl="http://127.0.0.1:$http_port"

say "building"
dotnet build src/WageClue.Server -c Release -nologo -v quiet -clp:ErrorsOnly
cat <<TXT

  WageClue       http://127.0.0.1:$http_port          (log in with a demo user below)
  API reference  http://127.0.0.1:$http_port/scalar      (OpenAPI: /openapi/v1.json)
  Health         http://127.0.0.1:$http_port/health
  Mail catcher   http://127.0.0.1:$mail_web_port      (every email the service sends lands here; SMTP on port $mail_smtp_port)
  Jobs           http://127.0.0.1:$http_port/hangfire    (log in as admin)

  The SLA sweep runs every minute: within a minute of start the demo's overdue letter is escalated and the
  emails appear in the mail catcher.

  Demo users, password WageClue-demo-2026 for all:
    admin (系统管理员)  zhangmin, liqiang (张店区经办人)  wangfang (张店区负责人)
    zhaolei (淄川区经办人)  sunli (淄川/博山负责人)  chenju (局领导)  hotline (12345 接口账号)
  Get a token:  curl -s -X POST http://127.0.0.1:$http_port/api/auth/token -H 'Content-Type: application/json' \\
                  -d '{"username":"zhangmin","password":"WageClue-demo-2026"}'

  Ctrl+C stops the service; the database and the mail catcher keep running (deploy/run.sh stop stops them).

TXT
exec dotnet run --project src/WageClue.Server -c Release --no-build --no-launch-profile --urls "http://127.0.0.1:$http_port"
