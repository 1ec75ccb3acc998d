#!/usr/bin/env bash
# The test command on a fresh machine: set everything up (engine, Node, deps, offline images), then
# type-check, lint and run every test against the real engine. Extra arguments go to vitest.
# Every check runs even when an earlier one fails, so one run reports everything; the exit code is
# non-zero when any failed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
if ! command -v docker-compose >/dev/null 2>&1; then
  # The export tests check that `mkdev export compose` output loads in Compose v1 (Debian's 1.29).
  echo "test: installing Debian's docker-compose" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
fi
if ! command -v kubectl >/dev/null 2>&1; then
  # The Kubernetes export tests render the manifests with `kubectl kustomize` (offline; no cluster).
  echo "test: installing Debian's kubernetes-client (kubectl)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubernetes-client >/dev/null; }
fi
if [ ! -x "$MKDEV_ROOT/.cache/docker-registry/usr/bin/docker-registry" ]; then
  # A real registry (Debian's docker-registry, unpacked, not installed as a service) for the test
  # that pushes `mkdev export kubernetes --push` images to one.
  echo "test: unpacking Debian's docker-registry into .cache/" >&2
  deb_dir="$(mktemp -d)"
  (cd "$deb_dir" && { apt-get download -qq docker-registry 2>/dev/null ||
    { apt-get update -qq && apt-get download -qq docker-registry; }; }) &&
    mkdir -p "$MKDEV_ROOT/.cache/docker-registry" &&
    dpkg-deb -x "$deb_dir"/docker-registry_*.deb "$MKDEV_ROOT/.cache/docker-registry"
  rm -rf "$deb_dir"
fi
if ! [ -x /usr/bin/chromium ]; then
  # The dashboard's browser tests (test/ui-browser.test.ts) drive Debian's headless Chromium.
  echo "test: installing Debian's chromium" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
fi
npm run --silent images:offline
failed=()
npx tsc --noEmit -p . || failed+=("tsc")
npx tsc --noEmit -p src/ui/page || failed+=("tsc (ui page)")
npx biome check . || failed+=("biome")
# The map of the set just built: the committed one, or .cache's for a set under another prefix
# (MKDEV_OFFLINE_PREFIX, so work on changed image recipes does not retag the shared set).
prefix="${MKDEV_OFFLINE_PREFIX:-mkdev-offline}"
if [ "$prefix" = mkdev-offline ]; then
  export MKDEV_IMAGES="$MKDEV_ROOT/images/offline-image-map.yaml"
else
  export MKDEV_IMAGES="$MKDEV_ROOT/.cache/offline-image-map.$prefix.yaml"
fi
export TESTCONTAINERS_RYUK_DISABLED=true
results="$(mktemp)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || failed+=("vitest")
# One plain closing line, readable by any CI: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || true
rm -f "$results"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test: failed: ${failed[*]}" >&2
  exit 1
fi
