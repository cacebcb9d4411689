#!/usr/bin/env bash
# First-run set-up for `make run`: migrates the SQLite database and, the first time, loads the
# demo data and creates an admin, a manager and a technician token. Tokens are kept in
# var/tokens.env next to the database they belong to, so a second `make run` reuses both and
# prints the same ready-to-paste tokens and requests.
set -euo pipefail
bin=$1 db=$2 addr=$3
mkdir -p var
tokens=var/tokens.env
export REFURBQA_DSN=$db

if [ ! -f "$db" ] || [ ! -s "$tokens" ] || ! grep -q "^DB=$db\$" "$tokens"; then
  rm -f "$db" "$db-wal" "$db-shm" "$tokens" var/demo.txt
  "$bin" migrate
  if "$bin" demo --help >/dev/null 2>&1; then
    echo "Loading demo data (first run only)…"
    "$bin" demo | tee var/demo.txt
  fi
  {
    echo "DB=$db"
    echo "ADMIN=$("$bin" keys create --role admin --name "make run admin")"
    echo "MANAGER=$("$bin" keys create --role manager --name "make run manager")"
    echo "TECH=$("$bin" keys create --role technician --name "make run technician")"
    # A seller's view: a key of the first demo seller worth a look.
    demo_seller=$(grep -oE '^  sl_[0-9a-z]+' var/demo.txt 2>/dev/null | head -1 | tr -d ' ' || true)
    if [ -n "$demo_seller" ]; then
      echo "SELLER_ID=$demo_seller"
      echo "SELLER=$("$bin" keys create --role seller --seller "$demo_seller" --name "make run seller")"
    fi
  } > "$tokens.tmp"
  mv "$tokens.tmp" "$tokens"
else
  "$bin" migrate
fi

# shellcheck disable=SC1090
. "$tokens"
cat <<TXT

refurbqa is starting on http://$addr (database $db). Tokens (also in $tokens):

  export ADMIN=$ADMIN
  export MANAGER=$MANAGER
  export TECH=$TECH
TXT
if [ -n "${SELLER:-}" ]; then
  cat <<TXT
  export SELLER=$SELLER   # the seller key of demo seller $SELLER_ID
TXT
fi
cat <<TXT

Try, in another terminal after the exports above:

  curl -s http://$addr/healthz
  curl -s -H "Authorization: Bearer \$MANAGER" http://$addr/api/v1/sellers?limit=5
  curl -s -H "Authorization: Bearer \$TECH" http://$addr/api/v1/protocols/smartphone
  curl -s -H "Authorization: Bearer \$MANAGER" http://$addr/api/v1/charter
  curl -s http://$addr/api/v1/openapi.json | head -c 300
TXT
if [ -n "${SELLER:-}" ]; then
  cat <<TXT
  curl -s -H "Authorization: Bearer \$SELLER" "http://$addr/api/v1/sellers/$SELLER_ID/scorecards?limit=1"
  curl -s -H "Authorization: Bearer \$SELLER" "http://$addr/api/v1/corrective-actions?status=open"
TXT
fi
echo
if [ -s var/demo.txt ]; then
  echo "Demo sellers worth a look (from var/demo.txt):"
  grep -E '^  ' var/demo.txt | head -20 || true
  echo
fi
