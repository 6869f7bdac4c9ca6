# Shared by deploy/run.sh and deploy/test.sh: installs what a fresh machine lacks and runs a private PostgreSQL
# cluster as the postgres user (the server refuses to run as root), bound to 127.0.0.1 only.
# shellcheck shell=bash

say() { printf '[wageclue] %s\n' "$*"; }
die() { printf '[wageclue] error: %s\n' "$*" >&2; exit 1; }

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# Usage: ensure_tools [browser]   ("browser" adds Debian's Chromium, which the browser tests drive)
ensure_tools() {
  command -v dotnet >/dev/null || die "the .NET SDK 10 is not installed (dotnet is not on PATH)"
  command -v npm >/dev/null || die "Node.js and npm are not installed (the build takes ECharts and mermaid from npm)"
  local missing=()
  if [ "${1:-}" = browser ]; then
    command -v chromium >/dev/null || missing+=(chromium)
    # Chinese glyphs for the screenshots the browser tests save (users' own browsers bring their fonts).
    [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
  fi
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v psql >/dev/null || missing+=(postgresql-client)
  id postgres >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root, or install them: apt-get install -y ${missing[*]}"
    say "installing ${missing[*]} from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The postgres user must be able to reach the data folder inside the checkout. A checkout under a private
# folder (a mktemp -d folder, /root) blocks it: give that user search permission (x, not read) on the way down.
grant_traverse() {
  local dir path="" part
  dir=$(dirname "$1")
  # Top down, so that a folder is only changed when it is the one in the way.
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if ! runuser -u postgres -- test -x "$path" 2>/dev/null; then
      if command -v setfacl >/dev/null; then setfacl -m u:postgres:x "$path"; else chmod o+x "$path"; fi
      say "gave the postgres user search permission on $path (to reach the database folder)"
    fi
  done
}

# pg_start DATA_DIR PORT [fast]  — creates the cluster on first use; "fast" turns durability off (tests only).
pg_start() {
  local data=$1 port=$2 mode=${3:-durable} bin
  bin=$(pg_bindir)
  mkdir -p "$data"
  grant_traverse "$data"
  chown postgres:postgres "$data"
  chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $data"
    # Sorting stays bytewise (C); the character type is UTF-8, so pg_trgm makes trigrams of Chinese text (search).
    (cd /tmp && runuser -u postgres -- "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C --lc-ctype=C.UTF-8 >/dev/null)
  fi
  if (cd /tmp && runuser -u postgres -- "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1); then
    say "PostgreSQL already running on 127.0.0.1:$port"
    return 1
  fi
  local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
  [ "$mode" = fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  (cd /tmp && runuser -u postgres -- "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 -o "$opts" start >/dev/null) \
    || die "PostgreSQL did not start; see $data/server.log (is port $port taken? set WAGECLUE_PG_PORT)"
  say "PostgreSQL started on 127.0.0.1:$port"
}

pg_stop() {
  local data=$1
  [ -f "$data/postmaster.pid" ] || return 0
  (cd /tmp && runuser -u postgres -- "$(pg_bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null) && say "PostgreSQL stopped"
}

# pg_psql PORT SQL — as the cluster's superuser over TCP.
pg_psql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"; }

# The local mail catcher (smtp4dev, a dotnet tool pinned in .config/dotnet-tools.json), bound to 127.0.0.1 only:
# without these flags it would listen on every interface on ports 25, 143, 110 and 5000. It keeps no mail on disk.
mail_start() {
  local pidfile=$1 web_port=$2 smtp_port=$3
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "mail catcher already running on http://127.0.0.1:$web_port"
    return 0
  fi
  dotnet tool restore >/dev/null
  mkdir -p "$(dirname "$pidfile")"
  nohup dotnet tool run smtp4dev -- --urls="http://127.0.0.1:$web_port" --bindaddress=127.0.0.1 --smtpport="$smtp_port" \
    --imapport=$((smtp_port + 1)) --pop3port=$((smtp_port + 2)) --db= >"$(dirname "$pidfile")/smtp4dev.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 60); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; then say "mail catcher on http://127.0.0.1:$web_port"; return 0; fi
    sleep 0.5
  done
  say "the mail catcher did not start; see $(dirname "$pidfile")/smtp4dev.log"
  return 1
}

mail_stop() {
  local pidfile=$1
  if [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null; then say "mail catcher stopped"; fi
  rm -f "$pidfile"
}
