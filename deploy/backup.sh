#!/usr/bin/env bash
# Backs up WageClue's database: a pg_dump in custom format and, beside it, a manifest of what it holds (the row count
# of every table and the newest clue), both read from one snapshot so they agree to the row.
#
#   deploy/backup.sh CONNECTION OUT_DIR       e.g. deploy/backup.sh postgresql://backup@db.internal/wageclue /var/backups/wageclue
#
# CONNECTION is any libpq connection string or URI (a password from ~/.pgpass or PGPASSWORD). Prints the dump's path.
# Restore with pg_restore (see README, "Backups and restore"); check a backup with deploy/restore-drill.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: deploy/backup.sh CONNECTION OUT_DIR"
conn=$1 out_dir=$2
bin=$(pg_bindir)
[ -x "$bin/pg_dump" ] || die "pg_dump not found under /usr/lib/postgresql/*/bin"
mkdir -p "$out_dir"
name="wageclue-$(date -u +%Y%m%dT%H%M%SZ)"
dump="$out_dir/$name.dump" manifest="$out_dir/$name.manifest"

# A read-only transaction holds the snapshot that pg_dump is given and that the counts are read in.
coproc SNAP { psql -X -At -q -v ON_ERROR_STOP=1 "$conn" 2>&1; }
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" "SELECT pg_export_snapshot();" >&"${SNAP[1]}"
read -r snapshot <&"${SNAP[0]}" || die "could not open a snapshot on the database"
[[ $snapshot =~ ^[0-9A-F-]+$ ]] || die "could not open a snapshot: $snapshot"

# The manifest: "table|rows" for every table of the service's schemas, then "newest clue|id tracking_code received_at".
printf '%s\n' "SET TIME ZONE 'UTC';" \
  "SELECT format('SELECT %L || ''|'' || count(*) FROM %I.%I', schemaname || '.' || tablename, schemaname, tablename) FROM pg_tables WHERE schemaname IN ('wageclue', 'hangfire') ORDER BY schemaname, tablename \\gexec" \
  "SELECT 'newest clue|' || coalesce((SELECT id || ' ' || tracking_code || ' ' || received_at FROM wageclue.clues ORDER BY id DESC LIMIT 1), 'none');" \
  "SELECT 'end of manifest';" >&"${SNAP[1]}"
: >"$manifest.part"
while read -r line <&"${SNAP[0]}"; do
  [ "$line" = "end of manifest" ] && break
  [[ $line == *"|"* ]] || die "reading the manifest failed: $line"
  echo "$line" >>"$manifest.part"
done

"$bin/pg_dump" --snapshot="$snapshot" --format=custom --compress=6 --file="$dump.part" "$conn"
printf '%s\n' "COMMIT;" >&"${SNAP[1]}"
exec {SNAP[1]}>&-
wait "$SNAP_PID" 2>/dev/null || true

mv "$dump.part" "$dump"
mv "$manifest.part" "$manifest"
say "backup $dump ($(du -h "$dump" | cut -f1), $(grep -c . "$manifest") manifest lines)"
echo "$dump"
