#!/usr/bin/env bash
# Makes sure a Docker engine answers: starts dockerd in the background when none is running.
source "$(dirname "$0")/lib.sh"
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || die "dockerd not installed (scripts/setup.sh installs docker.io)"
log "starting dockerd (log: $STATE/dockerd.log)"
as_root sh -c "nohup setsid dockerd >'$STATE/dockerd.log' 2>&1 &"
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done
tail -n 20 "$STATE/dockerd.log" >&2
die "dockerd did not come up in 30 s"
