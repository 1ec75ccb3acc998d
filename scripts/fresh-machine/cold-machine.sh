#!/usr/bin/env bash
# A fresh machine for the cold-pull bench (bench/lib/cold-pull.ts): the fresh-machine check's container
# (scripts/fresh-machine/machine.sh, docs/fresh-machine.md) with its own empty Docker engine, whose
# registry mirror serves the offline set under the official names, and Debian's docker-compose. The
# mkdev under test is this work tree, mounted read-only at /root/mkdev (built, with its node_modules and
# Node under .cache/): the bench measures pulls, not a clone's set-up.
#   cold-machine.sh start <id>   prints the container's name (fresh-machine-<id>) once its engine answers
#   cold-machine.sh stop <id>    removes the container, its engine's volume and cgroups
set -euo pipefail
action="${1:-}" id="${2:-}"
[ -n "$id" ] || { echo "usage: cold-machine.sh start|stop <id>" >&2; exit 2; }
work="$(mktemp -d /tmp/cold-machine.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=scripts/fresh-machine/machine.sh
. "$(dirname "${BASH_SOURCE[0]}")/machine.sh"
machine_names "$id"

case "$action" in
  start)
    {
      build_host_image
      seed_registry
      start_container -v "$root:/root/mkdev:ro"
      inside configure registry
      docker exec "$container" /root/mkdev/scripts/ensure-docker.sh
      # Debian's Compose, through the one apt lock; its .debs come from the apt cache volume.
      docker exec "$container" /root/mkdev/scripts/ensure-host-packages.sh docker-compose=docker-compose
    } >&2 || { teardown >&2 || true; exit 1; }
    echo "$container"
    ;;
  stop) teardown ;;
  *) echo "cold-machine: unknown action '$action' (start|stop)" >&2; exit 2 ;;
esac
