#!/bin/sh
# Mirrors hashicorp/consul's .release/docker/docker-entrypoint.sh (minus dumb-init/su-exec and the
# consul user: the stand-in runs as root and handles signals itself).
set -e

# CONSUL_BIND_INTERFACE / CONSUL_CLIENT_INTERFACE name an interface whose first IPv4 becomes -bind / -client.
CONSUL_BIND=
if [ -n "$CONSUL_BIND_INTERFACE" ]; then
  CONSUL_BIND_ADDRESS=$(ip -o -4 addr list "$CONSUL_BIND_INTERFACE" | head -n 1 | awk '{print $4}' | cut -d/ -f1)
  if [ -z "$CONSUL_BIND_ADDRESS" ]; then
    echo "Could not find IP for interface '$CONSUL_BIND_INTERFACE', exiting"
    exit 1
  fi
  CONSUL_BIND="-bind=$CONSUL_BIND_ADDRESS"
  echo "==> Found address '$CONSUL_BIND_ADDRESS' for interface '$CONSUL_BIND_INTERFACE', setting bind option..."
fi

CONSUL_CLIENT=
if [ -n "$CONSUL_CLIENT_INTERFACE" ]; then
  CONSUL_CLIENT_ADDRESS=$(ip -o -4 addr list "$CONSUL_CLIENT_INTERFACE" | head -n 1 | awk '{print $4}' | cut -d/ -f1)
  if [ -z "$CONSUL_CLIENT_ADDRESS" ]; then
    echo "Could not find IP for interface '$CONSUL_CLIENT_INTERFACE', exiting"
    exit 1
  fi
  CONSUL_CLIENT="-client=$CONSUL_CLIENT_ADDRESS"
  echo "==> Found address '$CONSUL_CLIENT_ADDRESS' for interface '$CONSUL_CLIENT_INTERFACE', setting client option..."
fi

CONSUL_DATA_DIR=/consul/data
CONSUL_CONFIG_DIR=/consul/config

# CONSUL_LOCAL_CONFIG holds JSON written to the config dir, as in the official image.
if [ -n "$CONSUL_LOCAL_CONFIG" ]; then
  echo "$CONSUL_LOCAL_CONFIG" > "$CONSUL_CONFIG_DIR/local.json"
fi

# A first argument that is a flag means "consul <flags>".
case "$1" in
  -*) set -- consul "$@" ;;
esac

if [ "$1" = 'agent' ]; then
  shift
  # shellcheck disable=SC2086
  set -- consul agent \
    -data-dir="$CONSUL_DATA_DIR" \
    -config-dir="$CONSUL_CONFIG_DIR" \
    $CONSUL_BIND \
    $CONSUL_CLIENT \
    "$@"
elif [ "$1" = 'version' ]; then
  set -- consul "$@"
elif consul --help "$1" 2>&1 | grep -q "consul $1"; then
  set -- consul "$@"
fi

exec "$@"
