#!/usr/bin/env bash
# Fills a registry storage directory with the offline image set under the official names, as Docker
# Hub serves them (library/postgres:17, hashicorp/consul:1.20, prom/prometheus:v2.55.1, ...): the
# fresh-machine check's registry mirror serves it read-only. The pushes go through Debian's
# docker-registry run here on 127.0.0.1 (a port it picks; the engine pushes to a loopback registry
# without TLS), stopped afterwards; the temporary tags are removed again.
#   seed-registry.sh <storage dir> <image map>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
storage="$1"
map="$2"
registry="$root/.cache/docker-registry/usr/bin/docker-registry"
[ -x "$registry" ] || "$root/scripts/ensure-host-packages.sh" --unpack docker-registry "$root/.cache/docker-registry"

work="$(mktemp -d)"
registry_pid=""
pushed=()
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  [ ${#pushed[@]} -eq 0 ] || docker rmi "${pushed[@]}" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# `  <official reference>: <offline image>` lines of the image map.
entries="$(sed -nE 's/^  ([^:#[:space:]]+:[^:[:space:]]+): ([^[:space:]]+)$/\1 \2/p' "$map")"
[ -n "$entries" ] || { echo "seed-registry: no images in $map" >&2; exit 1; }

# Exactly this commit's set. The storage outlives a clone (its path is the machine's, not the
# checkout's): when it holds the very images of this set (the same official names, the same image
# IDs, written by a seeding that finished), it is kept; anything else is wiped and pushed again.
stamp="$storage.set"
wanted="$(while read -r official offline; do
  echo "$official $(docker image inspect --format '{{.Id}}' "$offline")"
done <<<"$entries" | sort)"
if [ -d "$storage" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "seed-registry: the registry already holds this set (same names, same image IDs): kept"
  exit 0
fi
rm -rf "$storage" "$stamp"
mkdir -p "$storage"
cat >"$work/config.yml" <<EOF
version: 0.1
log:
  formatter: text
storage:
  filesystem:
    rootdirectory: $storage
http:
  addr: 127.0.0.1:0
EOF
"$registry" serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$work/registry.log" | head -n 1 | cut -d: -f2 || true)"
  [ -z "$port" ] || break
  kill -0 "$registry_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "seed-registry: docker-registry did not start; its log:" >&2
  sed 's/^/  | /' "$work/registry.log" >&2
  exit 1
fi

# Two waves: first, per base image (an image's bottom layer), the largest image on it; then the rest.
# An engine compresses each layer it pushes, once per push: pushed after their base is in the registry,
# the images FROM it only check that its layers exist there instead of compressing them again.
declare -A base_taken=()
first=() second=()
while read -r official offline; do
  base="$(docker image inspect --format '{{index .RootFS.Layers 0}}' "$offline")"
  if [ -z "${base_taken[$base]:-}" ]; then base_taken[$base]=1; first+=("$official $offline"); else
    second+=("$official $offline"); fi
done < <(while read -r official offline; do
  echo "$(docker image inspect --format '{{.Size}}' "$offline") $official $offline"
done <<<"$entries" | sort -rn | cut -d' ' -f2-)
pids=()
push_wave() {
  local entry official offline repo target
  local start=${#pids[@]}
  for entry in "$@"; do
    read -r official offline <<<"$entry"
    repo="${official%%:*}"
    case "$repo" in */*) ;; *) repo="library/$repo" ;; esac
    target="127.0.0.1:$port/$repo:${official#*:}"
    docker tag "$offline" "$target"
    pushed+=("$target")
    echo "seed-registry: $offline -> $repo:${official#*:}"
    docker push -q "$target" >"$work/push-${#pids[@]}.log" 2>&1 &
    pids+=($!)
  done
  local i
  for ((i = start; i < ${#pids[@]}; i++)); do
    if ! wait "${pids[$i]}"; then
      echo "seed-registry: pushing ${pushed[$i]} failed:" >&2
      sed 's/^/  | /' "$work/push-$i.log" >&2
      failed=1
    fi
  done
}
failed=0
push_wave "${first[@]}"
[ "$failed" = 1 ] || [ ${#second[@]} -eq 0 ] || push_wave "${second[@]}"
[ "$failed" = 1 ] || echo "$wanted" >"$stamp"
exit "$failed"
