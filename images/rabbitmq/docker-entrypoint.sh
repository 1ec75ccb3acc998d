#!/usr/bin/env bash
# Entrypoint of mkdev-offline/rabbitmq:<minor>: environment -> config, cookie, then the server in the
# foreground as the rabbitmq user.
set -Eeuo pipefail

if [ "$1" != 'rabbitmq-server' ]; then
  exec "$@"
fi

cookie="${HOME:-/var/lib/rabbitmq}/.erlang.cookie"

if [ "$(id -u)" = '0' ]; then
  mkdir -p /var/lib/rabbitmq /etc/rabbitmq/conf.d
  # Default user/vhost from the environment (applied by RabbitMQ when its database is new).
  conf=/etc/rabbitmq/conf.d/20-default-user.conf
  : >"$conf"
  [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && printf 'default_user = %s\n' "$RABBITMQ_DEFAULT_USER" >>"$conf"
  [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] && printf 'default_pass = %s\n' "$RABBITMQ_DEFAULT_PASS" >>"$conf"
  [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ] && printf 'default_vhost = %s\n' "$RABBITMQ_DEFAULT_VHOST" >>"$conf"
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then
    # The official image grants the configured user administrator rights (management UI/API).
    printf 'default_user_tags.administrator = true\n' >>"$conf"
  fi
  # The Erlang cookie lives on the data volume, so a re-created container on the same volume keeps
  # talking to its node; RABBITMQ_ERLANG_COOKIE pins it explicitly.
  if [ -n "${RABBITMQ_ERLANG_COOKIE:-}" ]; then
    printf '%s' "$RABBITMQ_ERLANG_COOKIE" >"$cookie"
  elif [ ! -s "$cookie" ]; then
    head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 40 | tr 'a-f' 'A-F' >"$cookie"
  fi
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /etc/rabbitmq
  chmod 400 "$cookie"
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# RABBITMQ_NODENAME stays unset unless the user sets it: RabbitMQ then uses rabbit@<short hostname>
# for the server and for CLI tools run with `docker exec` alike, so the node name and its data
# directory (/var/lib/rabbitmq/mnesia/rabbit@<hostname>) follow the container hostname.
exec "$@"
