#!/usr/bin/env bash
# Entrypoint of mkdev-offline/postgres:<major>: a compact version of the official postgres image's.
set -Eeuo pipefail

# Arguments that start with "-" are options for postgres.
if [ "${1:0:1}" = '-' ]; then
  set -- postgres "$@"
fi

if [ "$1" != 'postgres' ]; then
  exec "$@"
fi

# Started as root: fix ownership of the data/socket directories, then step down to postgres.
if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA" || :
  chmod 3777 /var/run/postgresql || :
  find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' + 2>/dev/null || :
  chown postgres:postgres /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
POSTGRES_HOST_AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-}"
export POSTGRES_USER POSTGRES_DB

log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S UTC') [entrypoint] $*"; }

init_database() {
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
    cat >&2 <<-'EOERR'
	Error: Database is uninitialized and superuser password is not specified.
	       You must specify POSTGRES_PASSWORD to a non-empty value for the
	       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

	       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
	       connections without a password. This is *not* recommended.
	EOERR
    exit 1
  fi
  local auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
  log "initializing database in $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a word list on purpose, like upstream.
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    --auth-local=trust --auth-host="$auth" --encoding=UTF8 --locale=C.UTF-8 \
    ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA" >/dev/null
  {
    echo
    echo "# mkdev: any host may connect with the configured credentials"
    echo "host all all all $auth"
  } >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  # A temporary server on the socket only, for creating the database and running init scripts.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w -s start
  export PGPASSWORD="${POSTGRES_PASSWORD:-}"
  local psql=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    "${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" -q <<-'EOSQL'
	CREATE DATABASE :"db";
	EOSQL
  fi
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then log "running $f"; "$f"; else log "sourcing $f"; . "$f"; fi
        ;;
      *.sql) log "running $f"; "${psql[@]}" --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) log "running $f"; gunzip -c "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *.sql.xz) log "running $f"; xzcat "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *.sql.zst) log "running $f"; zstd -dc "$f" | "${psql[@]}" --dbname "$POSTGRES_DB" ;;
      *) [ -e "$f" ] && log "ignoring $f" ;;
    esac
  done
  unset PGPASSWORD
  pg_ctl -D "$PGDATA" -m fast -w -s stop
  log "initialization complete; ready for start up"
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  init_database
fi

# postgres treats SIGTERM as a "smart" shutdown that waits for clients; forward both SIGTERM and
# SIGINT as SIGINT ("fast" shutdown) so `docker stop` is quick whatever the stop signal.
"$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null' QUIT
status=0
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && status=0 || status=$?
done
exit "$status"
