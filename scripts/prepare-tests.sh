#!/usr/bin/env bash
# The test command's set-up, idempotent (scripts/test.sh sources it; run it alone to set a machine up
# for tests, as the fresh-machine check does): scripts/prepare.sh (engine, Node, deps, build), the host
# packages the tests use, the offline image set; exports MKDEV_IMAGES (the map of the set just built).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
# One apt-get for all of them (scripts/ensure-host-packages.sh): docker-compose, because the export
# tests check that `mkdev export compose` output loads in Compose v1 (Debian's 1.29); kubectl
# (kubernetes-client), because the Kubernetes export tests render the manifests with `kubectl
# kustomize` (offline; no cluster); chromium, for the dashboard's browser tests (test/ui-browser.test.ts).
"$MKDEV_ROOT/scripts/ensure-host-packages.sh" \
  docker-compose=docker-compose kubectl=kubernetes-client /usr/bin/chromium=chromium
if [ ! -x "$MKDEV_ROOT/.cache/docker-registry/usr/bin/docker-registry" ]; then
  # A real registry (Debian's docker-registry, unpacked, not installed as a service) for the test
  # that pushes `mkdev export kubernetes --push` images to one.
  "$MKDEV_ROOT/scripts/ensure-host-packages.sh" --unpack docker-registry "$MKDEV_ROOT/.cache/docker-registry"
fi
npm run --silent images:offline
# The map of the set just built: the committed one, or .cache's for a set under another prefix
# (MKDEV_OFFLINE_PREFIX, so work on changed image recipes does not retag the shared set).
prefix="${MKDEV_OFFLINE_PREFIX:-mkdev-offline}"
if [ "$prefix" = mkdev-offline ]; then
  export MKDEV_IMAGES="$MKDEV_ROOT/images/offline-image-map.yaml"
else
  export MKDEV_IMAGES="$MKDEV_ROOT/.cache/offline-image-map.$prefix.yaml"
fi
export TESTCONTAINERS_RYUK_DISABLED=true
