#!/usr/bin/env bash
# Starts Conveyor's image registry (Debian's docker-registry, the CNCF distribution server) on
# 127.0.0.1:${CONVEYOR_REGISTRY_PORT:-5000} with its storage under
# ${CONVEYOR_REGISTRY_DIR:-$CONVEYOR_STATE_DIR/registry}, and prints its address (host:port).
# Idempotent: a registry already answering on that port is reused. The Docker engine pushes to
# and pulls from it over plain HTTP, which it allows for 127.0.0.0/8 without configuration.
source "$(dirname "$0")/lib.sh"
port="${CONVEYOR_REGISTRY_PORT:-5000}"
addr="127.0.0.1:$port"
dir="${CONVEYOR_REGISTRY_DIR:-$STATE/registry}"
answers() { curl -fsS -o /dev/null --max-time 2 "http://$addr/v2/" 2>/dev/null; }
if answers; then echo "$addr"; exit 0; fi
bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
[ -x "$bin" ] || die "docker-registry is not installed (scripts/setup.sh installs it)"
mkdir -p "$dir/data"
cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $addr
  headers:
    X-Content-Type-Options: [nosniff]
EOF
log "starting the image registry on $addr (storage $dir/data, log $dir/registry.log)"
nohup setsid "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
echo $! >"$dir/registry.pid"
for _ in $(seq 1 50); do answers && { echo "$addr"; exit 0; }; sleep 0.2; done
tail -n 20 "$dir/registry.log" >&2
die "the registry did not answer on $addr in 10 s"
