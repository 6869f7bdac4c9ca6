#!/usr/bin/env bash
# Makes the secrets deploy/compose.yaml reads, once: a random database password (and its pgpass line for the
# nodes) and the certificate that encrypts the Data Protection key ring, with its password in deploy/.env (which
# docker compose reads). None of them is committed (.gitignore); keep copies in the bureau's secret store.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
secrets="$here/compose/secrets"
mkdir -p "$secrets"
umask 077
if [ ! -f "$secrets/postgres-password" ]; then
  password=$(openssl rand -hex 24)
  printf '%s' "$password" >"$secrets/postgres-password"
  printf 'postgres:5432:wageclue:wageclue:%s\n' "$password" >"$secrets/pgpass"
fi
if [ ! -f "$secrets/keyring.pfx" ]; then
  keyring_password=$(openssl rand -hex 24)
  work=$(mktemp -d)
  openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=wageclue-keyring -keyout "$work/k.pem" -out "$work/c.pem" 2>/dev/null
  openssl pkcs12 -export -inkey "$work/k.pem" -in "$work/c.pem" -out "$secrets/keyring.pfx" -passout "pass:$keyring_password"
  rm -rf "$work"
  printf 'WAGECLUE_KEYRING_PASSWORD=%s\n' "$keyring_password" >"$here/.env"
fi
# The containers' users (postgres, app) read the secret files.
chmod 644 "$secrets"/*
echo "secrets in $secrets; the key ring's password in $here/.env"
