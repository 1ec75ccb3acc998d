#!/usr/bin/env bash
# The fresh-machine check (docs/fresh-machine.md): a clean clone of HEAD in a new Debian 13 container
# that has nothing of ours — its own Docker engine (Docker in Docker), apt from Debian's mirror, no Node,
# no debootstrap, no images, no npm cache — runs the README's main command (`./scripts/up.sh` in a new
# project directory), `mkdev status`, `mkdev down -v`, the test command's set-up
# (scripts/prepare-tests.sh) and the tests that need no engine (`npm run test:unit`).
#
# By default the inner engine's registry mirror is a registry on the container's loopback serving the
# offline set under the official names (seeded from this machine's set), so `mkdev up` runs with no
# image map and pulls every image by its official name; the check asserts it did. With --offline there
# is no registry: up.sh must build the offline set, as on our build machines.
#
#   scripts/fresh-machine.sh [--offline] [--keep] [--verbose]
#     --keep     leave the container (fresh-machine-<id>) and its volume for a look inside
#     --verbose  stream every step's output (by default: into a log, its last lines on failure)
#
# Prints each step's duration; on the first failure, exits 1 naming the step, with its last log lines.
# Everything it creates on this machine's engine is named fresh-machine-*; it publishes no port.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode=registry keep=0 verbose=0
for arg in "$@"; do
  case "$arg" in
    --offline) mode=offline ;;
    --keep) keep=1 ;;
    --verbose) verbose=1 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-machine: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

id="$(date +%Y%m%d-%H%M%S)-$$"
work="$(mktemp -d /tmp/fresh-machine.XXXXXX)"
# shellcheck source=scripts/fresh-machine/machine.sh
. "$root/scripts/fresh-machine/machine.sh"
machine_names "$id"
steps=() started=$SECONDS

cleanup() {
  local status=$?
  if [ "$keep" = 1 ]; then
    echo "fresh-machine: kept container $container (volume $docker_volume, cgroup /$cgroup); remove with:" >&2
    echo "  docker rm -f $container && docker volume rm $docker_volume &&" \
      "find /sys/fs/cgroup/*/$cgroup -depth -type d -exec rmdir {} +" >&2
  else
    teardown >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() {
  local line
  echo "fresh-machine: step durations (s; CPU: seconds of CPU time used inside the container)"
  for line in "${steps[@]}"; do echo "  $line"; done
}

# step <name> <timeout s> <command...>: runs one step (a function of this script or a command) in its
# own bash, so `set -e` holds in it and the timeout ends its whole process group; records its duration
# and, once the container runs, the CPU time used in it.
# On failure, says which step failed and shows the last lines of its output, then exits 1.
step() {
  local name="$1" limit="$2" log t0 seconds cpu0 cpu rc=0
  shift 2
  log="$work/step-${#steps[@]}.log"
  echo "fresh-machine: $name ..."
  cpu0="$(cpu_used)"
  t0=$EPOCHREALTIME
  if [ "$verbose" = 1 ]; then
    timeout "$limit" bash -c 'set -euo pipefail; "$@"' step "$@" 2>&1 | tee "$log" | sed 's/^/  | /' ||
      rc=${PIPESTATUS[0]}
  else
    timeout "$limit" bash -c 'set -euo pipefail; "$@"' step "$@" >"$log" 2>&1 || rc=$?
  fi
  seconds="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
  cpu="$(cpu_used)"
  [ -n "$cpu0" ] && [ -n "$cpu" ] && cpu="CPU $(awk -v a="$cpu0" -v b="$cpu" 'BEGIN { printf "%.1f", b - a }')" ||
    cpu=""
  steps+=("$(printf '%-36s %7s  %-10s%s' "$name" "$seconds" "$cpu" "$([ "$rc" = 0 ] || echo '  FAILED')")")
  if [ "$rc" != 0 ]; then
    [ "$rc" != 124 ] || echo "fresh-machine: '$name' did not finish within $limit s" >&2
    echo "fresh-machine: FAILED at step '$name' (exit $rc) after ${seconds}s; its last lines:" >&2
    tail -n 40 "$log" | sed 's/^/  | /' >&2
    summary >&2
    exit 1
  fi
  echo "fresh-machine: $name done in ${seconds}s"
}

host_setup() {
  # This machine's Node, dependencies and offline set: the outer image's base and the registry's content.
  . "$root/scripts/prepare.sh"
  npm run --silent images:offline
}

clone_head() {
  local commit
  commit="$(git -C "$root" rev-parse HEAD)"
  git -C "$root" status --porcelain | grep -q . &&
    echo "fresh-machine: uncommitted changes in $root are not part of the check (it tests $commit)" >&2
  git clone -q --no-checkout "$root" "$work/mkdev"
  git -C "$work/mkdev" checkout -q --detach "$commit"
  git -C "$work/mkdev" log -1 --format='fresh-machine: testing %h %s'
}

# The clone, not the work tree, is the mkdev under test in there.
start_with_clone() {
  start_container
  docker cp "$work/mkdev" "$container:/root/mkdev"
}

# The steps run in their own bash (see step): they see these functions and settings.
export -f host_setup build_host_image seed_registry clone_head start_container start_with_clone inside teardown
export root mode container cgroup docker_volume apt_volume host_image work prefix map registry_storage

echo "fresh-machine: mode $mode, container $container"
step "host: set-up (prepare, offline set)" 1800 host_setup
export PATH="$("$root/scripts/ensure-node.sh"):$PATH"
step "host: outer image" 900 build_host_image
[ "$mode" = offline ] ||
  step "host: seed registry" 900 seed_registry
step "host: clone HEAD" 120 clone_head
step "host: start container" 120 start_with_clone
step "configure engine ($mode)" 60 inside configure "$mode"
step "./scripts/up.sh (fresh project)" 1800 inside up
step "mkdev status" 120 inside status
if [ "$mode" = offline ]; then
  step "offline set used" 60 inside built
else
  step "images pulled by official name" 60 inside pulled
fi
step "mkdev down -v" 300 inside down
step "test set-up (prepare-tests.sh)" 1800 inside test-setup
step "unit tests, no engine" 900 inside unit-tests
cpu_total="$(cpu_used)"
[ "$keep" = 1 ] || step "teardown (engine, container, volume)" 300 teardown
summary
echo "fresh-machine: passed in $((SECONDS - started)) s ($mode)${cpu_total:+, CPU $cpu_total s in the container}"
