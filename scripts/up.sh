#!/usr/bin/env bash
# The main job on a fresh machine: set everything up, then `mkdev up` in the current directory's project.
# Where no registry can be reached (our build machines), it builds the offline image set and uses its
# image map, and says so. Extra arguments go to `mkdev up`.
set -euo pipefail
here="$(pwd)"
. "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
if [ -z "${MKDEV_IMAGES:-}" ] && ! node scripts/registry-reachable.mjs; then
  echo "up: no image registry is reachable from this engine: building the offline image set (Debian packages, stand-ins for Kong and Consul) and using its image map" >&2
  npm run --silent images:offline
  # The map of the set just built: the committed one, or .cache's for a set under MKDEV_OFFLINE_PREFIX.
  prefix="${MKDEV_OFFLINE_PREFIX:-mkdev-offline}"
  if [ "$prefix" = mkdev-offline ]; then
    export MKDEV_IMAGES="$MKDEV_ROOT/images/offline-image-map.yaml"
  else
    export MKDEV_IMAGES="$MKDEV_ROOT/.cache/offline-image-map.$prefix.yaml"
  fi
  # Other commands resolve images through the same map, or they see every service as changed.
  echo "up: other mkdev commands on this stack need the same map: export MKDEV_IMAGES=$MKDEV_IMAGES" >&2
fi
cd "$here"
exec node "$MKDEV_ROOT/bin/mkdev.js" up "$@"
