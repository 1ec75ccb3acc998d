#!/usr/bin/env bash
# The test command on a fresh machine: set everything up (scripts/prepare-tests.sh: engine, Node, deps,
# host packages, offline images), then type-check, lint and run every test against the real engine.
# Extra arguments go to vitest.
# Every check runs even when an earlier one fails, so one run reports everything; the exit code is
# non-zero when any failed.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/prepare-tests.sh"
failed=()
npx tsc --noEmit -p . || failed+=("tsc")
npx tsc --noEmit -p src/ui/page || failed+=("tsc (ui page)")
npx biome check . || failed+=("biome")
results="$(mktemp)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || failed+=("vitest")
# The ten slowest files, then one plain closing line, readable by any CI: "N passed, N failed" (a
# file that failed as a whole counts as failed: scripts/test-summary.ts).
node scripts/test-summary.ts "$results" || true
rm -f "$results"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test: failed: ${failed[*]}" >&2
  exit 1
fi
