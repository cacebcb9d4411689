#!/usr/bin/env bash
# First-run set-up for `make run`: migrates the database and, the first time, loads the demo
# data (into an empty database only), creates an admin, a manager and a technician token, and
# one console user per role (the seller user bound to a demo seller). Tokens and passwords are
# kept in var/tokens.env (mode 0600) with the database they belong to, so a second `make run`
# reuses them and prints the same ready-to-paste tokens, sign-ins and requests. It never deletes a
# database: `make clean` does, for the default one.
#
# Usage: first-run.sh BIN DB DSN ADDR   (DB is sqlite or postgres; ADDR is what serve listens on)
set -euo pipefail
bin=$1 driver=$2 dsn=$3 addr=$4
mkdir -p var
tokens=var/tokens.env
export REFURBQA_DB=$driver REFURBQA_DSN=$dsn
# The tokens file starts with this line; any other database gets tokens of its own.
owner="# database: $driver $dsn"

# The address requests go to: serve listens on ADDR, but a client cannot connect to an
# unspecified host (":9000", "0.0.0.0:9000", "[::]:9000"); the loopback address of its
# family reaches the same server.
host=${addr%:*} port=${addr##*:}
case $host in
  "" | 0.0.0.0) host=127.0.0.1 ;;
  "[::]") host="[::1]" ;;
esac
url=http://$host:$port

if [ -s "$tokens" ] && [ "$(head -1 "$tokens")" = "$owner" ] && { [ "$driver" != sqlite ] || [ -f "$dsn" ]; }; then
  "$bin" migrate
else
  rm -f "$tokens" var/demo.txt
  "$bin" migrate
  if "$bin" demo --help >/dev/null 2>&1; then
    echo "Loading demo data (first run only)…"
    # demo refuses a database that already has sellers: say so and go on with its data.
    if ! "$bin" demo > var/demo.txt; then
      echo "No demo data loaded (see above): the database is used as it is."
      rm -f var/demo.txt
    fi
    if [ -s var/demo.txt ]; then cat var/demo.txt; fi
  fi
  umask 077
  {
    echo "$owner"
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
fi

# shellcheck disable=SC1090
. "$tokens"

# The console users, once per database (a tokens file of an earlier version has none).
if [ -z "${TECH_PASSWORD:-}" ]; then
  # A console user: created, or, when the database already has that email, given a new
  # password. Prints the password.
  user() { # EMAIL NAME ROLE [SELLER]
    "$bin" users create --email "$1" --name "$2" --role "$3" ${4:+--seller "$4"} 2>/dev/null ||
      "$bin" users reset-password "$1"
  }
  {
    echo "ADMIN_PASSWORD=$(user admin@refurbqa.example "Demo admin" admin)"
    echo "MANAGER_PASSWORD=$(user manager@refurbqa.example "Demo manager" manager)"
    echo "TECH_PASSWORD=$(user technician@refurbqa.example "Demo technician" technician)"
    if [ -n "${SELLER_ID:-}" ]; then
      echo "SELLER_PASSWORD=$(user seller@refurbqa.example "Demo seller" seller "$SELLER_ID")"
    fi
  } >> "$tokens"
  chmod 600 "$tokens"
  # shellcheck disable=SC1090
  . "$tokens"
fi
where="$driver database"
if [ "$driver" = sqlite ]; then where="database $dsn"; fi
cat <<TXT

refurbqa is starting on $url ($where). Tokens (also in $tokens):

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

The console: open $url/console/ and sign in as

  technician@refurbqa.example  ${TECH_PASSWORD:-}   (bench tests, mystery orders)
  manager@refurbqa.example     ${MANAGER_PASSWORD:-}   (reviews and scorecards)
  admin@refurbqa.example       ${ADMIN_PASSWORD:-}   (users and API keys)
TXT
if [ -n "${SELLER_PASSWORD:-}" ]; then
  cat <<TXT
  seller@refurbqa.example      $SELLER_PASSWORD   (demo seller $SELLER_ID's results)
TXT
fi
cat <<TXT

Try, in another terminal after the exports above:

  curl -s $url/healthz
  curl -s -H "Authorization: Bearer \$MANAGER" "$url/api/v1/sellers?limit=5"
  curl -s -H "Authorization: Bearer \$TECH" $url/api/v1/protocols/smartphone
  curl -s -H "Authorization: Bearer \$MANAGER" $url/api/v1/charter
  curl -s $url/api/v1/openapi.json | head -c 300
TXT
if [ -n "${SELLER:-}" ]; then
  cat <<TXT
  curl -s -H "Authorization: Bearer \$SELLER" "$url/api/v1/sellers/$SELLER_ID/scorecards?limit=1"
  curl -s -H "Authorization: Bearer \$SELLER" "$url/api/v1/corrective-actions?status=open"
TXT
fi
echo
if [ -s var/demo.txt ]; then
  echo "Demo sellers worth a look (from var/demo.txt):"
  grep -E '^  ' var/demo.txt | head -20 || true
  echo
fi
