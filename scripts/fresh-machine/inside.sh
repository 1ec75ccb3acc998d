#!/usr/bin/env bash
# One step of the fresh-machine check, run inside its container (scripts/fresh-machine.sh runs each with
# `docker exec` and times it). The clone under test is /root/mkdev; the user's project /root/project.
#   inside.sh configure registry|offline, or up|status|pulled|built|down|test-setup|unit-tests|stop-engine
set -euo pipefail
mkdev=/root/mkdev
project=/root/project
registry_storage=/var/lib/fresh-machine-registry
# The official image references mkdev uses: the left-hand side of the offline image map.
read -r -a official_images <<<"$(sed -nE 's/^  ([^:#[:space:]]+:[^:[:space:]]+): .*/\1/p' \
  "$mkdev/images/offline-image-map.yaml" | tr '\n' ' ')"

fail() {
  echo "fresh-machine: $*" >&2
  exit 1
}

with_node() { PATH="$("$mkdev/scripts/ensure-node.sh"):$PATH" "$@"; }

mkdev_cli() { (cd "$project" && with_node node "$mkdev/bin/mkdev.js" "$@"); }

# The project's containers as "service image" lines (one-shot ones included).
project_containers() {
  docker ps -a --filter label=dev.mkdev.project=project \
    --format '{{.Label "dev.mkdev.service"}} {{.Image}}'
}

# HTTP status of GET http://127.0.0.1:$1$2, with bash alone (this machine has no curl yet).
http_status() {
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  head -n 1 <&3 | cut -d' ' -f2
  exec 3<&-
}

case "${1:-}" in
  configure)
    # The engine is not started here: up.sh starts it (scripts/ensure-docker.sh), as on a user's machine.
    # Its containers go below the check's own cgroup, so the check can count the CPU time it used.
    mkdir -p /etc/docker
    mirrors=""
    if [ "${2:-}" = registry ]; then
      # Docker Hub's images come through a registry mirror, by their official names: Debian's
      # docker-registry on this machine's loopback (no TLS needed there), serving the storage seeded on
      # the host, read-only.
      mkdir -p /etc/fresh-machine
      cat >/etc/fresh-machine/registry.yml <<EOF
version: 0.1
log:
  formatter: text
storage:
  filesystem:
    rootdirectory: $registry_storage
  maintenance:
    readonly:
      enabled: true
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:5000
EOF
      nohup docker-registry serve /etc/fresh-machine/registry.yml >/var/log/fresh-machine-registry.log 2>&1 \
        </dev/null &
      mirrors='"registry-mirrors": ["http://127.0.0.1:5000"], '
    fi
    echo "{ $mirrors\"cgroup-parent\": \"/$FRESH_MACHINE_CGROUP/inner\" }" >/etc/docker/daemon.json
    [ "${2:-}" = registry ] || exit 0
    for _ in $(seq 1 50); do
      [ "$(http_status 5000 /v2/ 2>/dev/null)" = 200 ] && exit 0
      sleep 0.2
    done
    tail -n 20 /var/log/fresh-machine-registry.log >&2
    fail "the registry did not answer on 127.0.0.1:5000"
    ;;
  up)
    mkdir -p "$project"
    cd "$project"
    "$mkdev/scripts/up.sh"
    ;;
  status)
    mkdev_cli status
    ;;
  pulled)
    # Every service ran its official image, pulled from a registry (a pulled image has a repo digest;
    # a built or loaded one has none), and nothing was built on the up.sh path.
    containers="$(project_containers)"
    echo "$containers"
    [ -n "$containers" ] || fail "no container of the project"
    while read -r service image; do
      [[ " ${official_images[*]} " == *" $image "* ]] || fail "$service runs $image, not an official image"
      digests="$(docker image inspect --format '{{join .RepoDigests " "}}' "$image")"
      [ -n "$digests" ] || fail "$image has no repo digest: it was not pulled"
      echo "$service: $image pulled ($digests)"
    done <<<"$containers"
    built="$(docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^mkdev-offline/' || true)"
    [ -z "$built" ] || fail "offline images were built on the up.sh path: $built"
    ;;
  built)
    # No registry: up.sh built the offline set and every service runs an image of it.
    containers="$(project_containers)"
    echo "$containers"
    [ -n "$containers" ] || fail "no container of the project"
    while read -r service image; do
      [[ "$image" == mkdev-offline/* ]] || fail "$service runs $image, not an image of the offline set"
    done <<<"$containers"
    ;;
  down)
    mkdev_cli down -v
    left="$(project_containers)$(docker volume ls -q --filter label=dev.mkdev.project=project)"
    left+="$(docker network ls -q --filter label=dev.mkdev.project=project)"
    [ -z "$left" ] || fail "down -v left resources of the project: $left"
    ;;
  test-setup)
    "$mkdev/scripts/prepare-tests.sh"
    ;;
  unit-tests)
    # No engine at all, so a test that needs one fails here instead of passing by accident.
    cd "$mkdev"
    DOCKER_HOST=unix:///run/fresh-machine-no-engine.sock with_node npm run --silent test:unit
    ;;
  stop-engine)
    # dockerd stops its containers on SIGTERM; the outer container is removed afterwards.
    pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
    [ -n "$pid" ] || exit 0
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    fail "dockerd did not stop within 30 s"
    ;;
  *)
    fail "unknown step '${1:-}' (configure|up|status|pulled|built|down|test-setup|unit-tests|stop-engine)"
    ;;
esac
