#!/usr/bin/env bash
# The fresh machine itself, shared by the fresh-machine check (scripts/fresh-machine.sh) and the cold-pull
# bench (scripts/fresh-machine/cold-machine.sh): the outer image, the Docker-in-Docker container with its
# own engine volume and cgroup, the engine's registry mirror, and their removal. Sourced, not run.
#
# machine_names <id> sets the names; the caller may set before sourcing: prefix (the offline set's,
# default mkdev-offline), registry_storage, mode (registry|offline, default registry), work (a scratch
# directory). Everything created on the host engine is named fresh-machine-*.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="${prefix:-${MKDEV_OFFLINE_PREFIX:-mkdev-offline}}"
if [ "$prefix" = mkdev-offline ]; then map="$root/images/offline-image-map.yaml"; else
  map="$root/.cache/offline-image-map.$prefix.yaml"; fi
# The machine's, not the checkout's: CI clones afresh each run, and an unchanged set is not pushed again.
registry_storage="${registry_storage:-${MKDEV_FRESH_MACHINE_REGISTRY:-/var/cache/mkdev/fresh-machine-registry}}"
mode="${mode:-registry}"
# Debian's .debs, kept between runs (what apt downloads, not what it installs): allowed to be cached.
apt_volume=fresh-machine-apt-archives
host_image=fresh-machine-host:trixie

machine_names() {
  container="fresh-machine-$1"
  # The outer container and every inner one (FRESH_MACHINE_CGROUP/inner) live below this cgroup: its CPU
  # counter is the CPU time used in there, whatever else runs on the machine.
  cgroup="fresh-machine-$1"
  docker_volume="fresh-machine-$1-docker"
}

# Stops the inner engine (it stops its containers first), removes the container, its engine's volume
# and the cgroups the host engine made for it (empty by then; innermost first).
teardown() {
  if docker container inspect "$container" >/dev/null 2>&1; then
    timeout 60 docker exec "$container" bash /root/mkdev/scripts/fresh-machine/inside.sh stop-engine || true
    docker rm -f "$container" >/dev/null
  fi
  find /sys/fs/cgroup/*/"$cgroup" /sys/fs/cgroup/"$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null || true
  if docker volume inspect "$docker_volume" >/dev/null 2>&1; then docker volume rm "$docker_volume" >/dev/null; fi
}

# CPU seconds used so far below the machine's cgroup (cgroup v1 cpuacct or v2 cpu.stat), "" if unknown.
cpu_used() {
  if [ -r "/sys/fs/cgroup/cpuacct/$cgroup/cpuacct.usage" ]; then
    awk '{ printf "%.1f", $1 / 1e9 }' "/sys/fs/cgroup/cpuacct/$cgroup/cpuacct.usage"
  elif [ -r "/sys/fs/cgroup/$cgroup/cpu.stat" ]; then
    awk '$1 == "usage_usec" { printf "%.1f", $2 / 1e6 }' "/sys/fs/cgroup/$cgroup/cpu.stat"
  fi
}

# The steps inside the container (inside.sh), from the mkdev tree at /root/mkdev in there.
inside() { docker exec "$container" bash /root/mkdev/scripts/fresh-machine/inside.sh "$@"; }

build_host_image() {
  local context="$work/host-image"
  mkdir -p "$context"
  cp "$root/scripts/fresh-machine/Dockerfile" "$context/"
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$context/host-ca-bundle.crt"
  docker build -t "$host_image" --label dev.mkdev.fresh-machine=host \
    --build-arg "BASE_IMAGE=$prefix/debian:trixie" "$context"
}

# The registry mirror's storage holds this offline set under the official names (not with --offline).
seed_registry() { "$root/scripts/fresh-machine/seed-registry.sh" "$registry_storage" "$map"; }

# start_container [docker run options...]: the container, running, its engine not yet started; the
# options add to the fixed ones (e.g. how the mkdev tree comes to /root/mkdev).
start_container() {
  local storage_mount=()
  [ "$mode" = offline ] || storage_mount=(-v "$registry_storage:/var/lib/fresh-machine-registry:ro")
  docker volume create --label dev.mkdev.fresh-machine=engine "$docker_volume" >/dev/null
  # Docker in Docker without --privileged (refused here: no cap_sys_resource), as ENVIRONMENT.md has it.
  # --init: an init as PID 1 reaps the engine once it exits (dockerd is started by a `docker exec` that
  # has returned long before); under `sleep` it stayed a zombie, and stop-engine waited its 30 s for it.
  docker run -d --init --name "$container" --label dev.mkdev.fresh-machine=container \
    --cgroup-parent "/$cgroup" -e "FRESH_MACHINE_CGROUP=$cgroup" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
    --cgroupns host -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
    -v "$docker_volume:/var/lib/docker" -v "$apt_volume:/var/cache/apt/archives" \
    "${storage_mount[@]}" "$@" "$host_image" >/dev/null
}
