#!/usr/bin/env bash
# Shared set-up for the two entry points (scripts/up.sh and scripts/test.sh), idempotent:
# a Docker engine that answers, Node >= 22 first on PATH, dependencies installed, mkdev built.
# Source it: `. scripts/prepare.sh`.
set -euo pipefail
MKDEV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MKDEV_ROOT
"$MKDEV_ROOT/scripts/ensure-docker.sh"
node_bin="$("$MKDEV_ROOT/scripts/ensure-node.sh")"
export PATH="$node_bin:$PATH"
cd "$MKDEV_ROOT"
# npm ci only when the lockfile changed since the last install: a warm re-run costs nothing.
stamp="node_modules/.mkdev-lock-hash"
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "prepare: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$stamp"
fi
npm run --silent build
