#!/usr/bin/env bash
# Makes sure a Docker engine answers, idempotently: installs Debian's docker.io when dockerd is missing,
# starts dockerd in the background when nothing answers (there is no systemd here), waits until ready.
set -euo pipefail
engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

if engine_answers; then exit 0; fi
"$(dirname "$0")/ensure-host-packages.sh" dockerd=docker.io
if ! command -v docker >/dev/null 2>&1; then
  echo "ensure-docker: no docker client on PATH after installing docker.io" >&2
  exit 1
fi
if ! engine_answers; then
  echo "ensure-docker: starting dockerd (log: /var/log/mkdev-dockerd.log)" >&2
  rm -f /var/run/docker.pid
  nohup dockerd >/var/log/mkdev-dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    engine_answers && break
    sleep 0.5
  done
fi
if ! engine_answers; then
  echo "ensure-docker: dockerd did not answer within 60 s; last log lines:" >&2
  tail -n 20 /var/log/mkdev-dockerd.log >&2 || true
  exit 1
fi
