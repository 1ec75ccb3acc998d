#!/usr/bin/env bash
# The test command on a fresh machine: set everything up (engine, Node, deps, offline images), then
# type-check, lint and run every test against the real engine. Extra arguments go to vitest.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
npm run --silent images:offline
npx tsc --noEmit -p .
npx biome check .
export MKDEV_IMAGES="$MKDEV_ROOT/images/offline-image-map.yaml"
export TESTCONTAINERS_RYUK_DISABLED=true
results="$(mktemp)"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
set -e
# One plain closing line, readable by any CI: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || true
rm -f "$results"
exit "$status"
