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
  export MKDEV_IMAGES="$MKDEV_ROOT/images/offline-image-map.yaml"
fi
cd "$here"
exec node "$MKDEV_ROOT/bin/mkdev.js" up "$@"
