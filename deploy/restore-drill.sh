#!/usr/bin/env bash
# The restore drill: restores a backup made by deploy/backup.sh into a fresh PostgreSQL cluster of its own (a
# temporary folder, a free loopback port), checks it against the backup's manifest (the row count of every table
# and the newest clue), reports how long it took, and removes the cluster. Exit 0 only when everything matches.
#
#   deploy/restore-drill.sh BACKUP.dump
#
# Run it after every change to the backup job and on a schedule (monthly), on a machine like the one you would
# restore to. Needs root (the cluster runs as the postgres user, as deploy/lib.sh sets it up).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: deploy/restore-drill.sh BACKUP.dump"
dump=$(readlink -f "$1")
manifest="${dump%.dump}.manifest"
[ -f "$dump" ] || die "no backup at $1"
[ -f "$manifest" ] || die "no manifest beside the backup ($manifest)"
bin=$(pg_bindir)

data=$(mktemp -d /tmp/wageclue-restore-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { pg_stop "$data/pg" >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT

started=$(date +%s.%N)
pg_start "$data/pg" "$port" >/dev/null
pg_psql "$port" "CREATE DATABASE wageclue_restored"
"$bin/pg_restore" --exit-on-error --no-owner -h 127.0.0.1 -p "$port" -U postgres -d wageclue_restored "$dump"
restored=$(date +%s.%N)

# The same questions the backup asked, of the restored copy.
actual=$(psql -X -At -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d wageclue_restored <<'SQL'
SET TIME ZONE 'UTC';
SELECT format('SELECT %L || ''|'' || count(*) FROM %I.%I', schemaname || '.' || tablename, schemaname, tablename) FROM pg_tables WHERE schemaname IN ('wageclue', 'hangfire') ORDER BY schemaname, tablename \gexec
SELECT 'newest clue|' || coalesce((SELECT id || ' ' || tracking_code || ' ' || received_at FROM wageclue.clues ORDER BY id DESC LIMIT 1), 'none');
SQL
)
if ! differences=$(diff <(cat "$manifest") <(echo "$actual")); then
  say "restore drill FAILED: the restored database differs from the backup's manifest (< manifest, > restored):"
  echo "$differences"
  exit 1
fi
clues=$(grep '^wageclue.clues|' "$manifest" | cut -d'|' -f2)
tables=$(grep -c '^[a-z_]*\.[a-z_]*|' "$manifest")
say "restore drill passed: $tables tables with the manifest's row counts ($clues clues), newest clue $(grep '^newest clue|' "$manifest" | cut -d'|' -f2)"
say "restored $(du -h "$dump" | cut -f1) in $(awk "BEGIN { printf \"%.1f\", $restored - $started }") s (cluster created, pg_restore)"
