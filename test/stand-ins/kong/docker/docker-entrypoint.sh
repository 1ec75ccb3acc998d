#!/usr/bin/env bash
# Like Kong/docker-kong's docker-entrypoint.sh: `kong docker-start` prepares the prefix and runs Kong in
# the foreground as the container's main process; any other command is executed as given.
set -Eeo pipefail

if [[ "$1" == "kong" ]]; then
  export KONG_PREFIX="${KONG_PREFIX:-/usr/local/kong}"
  if [[ "$2" == "docker-start" ]]; then
    shift 2
    mkdir -p "$KONG_PREFIX/pids" "$KONG_PREFIX/logs"
    rm -f "$KONG_PREFIX/pids/nginx.pid"
    exec kong docker-start "$@"
  fi
fi

exec "$@"
