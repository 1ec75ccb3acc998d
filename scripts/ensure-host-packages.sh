#!/usr/bin/env bash
# Installs the Debian packages mkdev's scripts need on the host, one apt-get at a time: every script
# that installs host packages (ensure-docker.sh, ensure-node.sh, prepare-tests.sh, the offline image
# build's debootstrap) goes through here and takes one lock first. Two apt-gets at once lose: the second
# stops at apt's lists lock ("Could not get lock /var/lib/apt/lists/lock"); on a bare machine the two
# offline base builds each installed debootstrap in parallel and five images failed.
#
#   ensure-host-packages.sh <probe>=<package>...
#       installs each <package> whose <probe> is missing (a command on PATH or in sbin, or an absolute
#       path), all in one apt-get; with the current package lists first, `apt-get update` only if that fails.
#   ensure-host-packages.sh --unpack <package> <dir>
#       fetches <package>'s .deb and unpacks it into <dir> without installing it (no service started).
#
# Messages go to stderr; on failure, apt's last lines. MKDEV_HOST_PACKAGES_LOCK names the lock file.
set -euo pipefail
lock="${MKDEV_HOST_PACKAGES_LOCK:-/run/lock/mkdev-host-packages.lock}"
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

present() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
  esac
}

# apt-get with the output kept for the error message; waits for dpkg's lock if something else holds it.
apt_get() { apt-get -q -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1; }

fail() {
  echo "ensure-host-packages: $1; apt-get's last lines:" >&2
  tail -n 20 "$log" | sed 's/^/  | /' >&2
  exit 1
}

take_lock() {
  mkdir -p "$(dirname "$lock")"
  exec 9>"$lock"
  if ! flock -n 9; then
    echo "ensure-host-packages: waiting for another mkdev script's apt-get (lock $lock)" >&2
    flock -w 900 9 || { echo "ensure-host-packages: still locked after 900 s: $lock" >&2; exit 1; }
  fi
}

if [ "${1:-}" = --unpack ]; then
  [ $# -eq 3 ] || { echo "usage: ensure-host-packages.sh --unpack <package> <dir>" >&2; exit 2; }
  package="$2" dir="$3"
  take_lock
  debs="$(mktemp -d)"
  trap 'rm -f "$log"; rm -rf "$debs"' EXIT
  echo "ensure-host-packages: unpacking Debian's $package into $dir" >&2
  (cd "$debs" && apt_get download "$package") || { apt_get update && (cd "$debs" && apt_get download "$package"); } ||
    fail "could not download $package"
  mkdir -p "$dir"
  dpkg-deb -x "$debs"/"${package}"_*.deb "$dir"
  exit 0
fi

missing() {
  local pair wanted=()
  for pair in "$@"; do present "${pair%%=*}" || wanted+=("${pair#*=}"); done
  # One package may cover several probes: name it once.
  [ ${#wanted[@]} -eq 0 ] || printf '%s\n' "${wanted[@]}" | sort -u | tr '\n' ' '
}

for pair in "$@"; do
  case "$pair" in *=?*) ;; *) echo "ensure-host-packages: expected <probe>=<package>, got '$pair'" >&2; exit 2 ;; esac
done
[ -n "$(missing "$@")" ] || exit 0
take_lock
# Another script may have installed them while this one waited.
read -r -a packages <<<"$(missing "$@")"
[ ${#packages[@]} -gt 0 ] || exit 0
echo "ensure-host-packages: installing ${packages[*]} from Debian" >&2
apt_get install -y "${packages[@]}" || { apt_get update && apt_get install -y "${packages[@]}"; } ||
  fail "could not install ${packages[*]}"
read -r -a still <<<"$(missing "$@")"
[ ${#still[@]} -eq 0 ] || fail "installed ${packages[*]}, but still missing: ${still[*]}"
