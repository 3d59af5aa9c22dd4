#!/usr/bin/env bash
# Starts a SECOND Debian docker-registry that requires a login (`auth: htpasswd`, bcrypt), the
# way a team's registry does, on 127.0.0.1:${CONVEYOR_REGISTRY_PORT:-5001} with its storage and
# htpasswd file under ${CONVEYOR_REGISTRY_DIR:-$CONVEYOR_STATE_DIR/registry-auth}; prints its address.
#
#   CONVEYOR_REGISTRY_USERNAME=ci CONVEYOR_REGISTRY_PASSWORD=… scripts/registry-auth.sh
#
# The password is hashed with `htpasswd -B` (apache2-utils, installed by scripts/setup.sh) and
# never printed. The registry's pid is in <dir>/registry.pid (the tests stop it with that pid).
# A registry already answering on the port is reused only when it asks for a login.
# With CONVEYOR_REGISTRY_TOKEN_REALM (+ _SERVICE, _ISSUER, _CERT: the PEM certificate that signs the
# tokens) it uses `auth: token` instead: clients get a Bearer challenge and fetch tokens from the realm.
source "$(dirname "$0")/lib.sh"
port="${CONVEYOR_REGISTRY_PORT:-5001}"
addr="127.0.0.1:$port"
dir="${CONVEYOR_REGISTRY_DIR:-$STATE/registry-auth}"
user="${CONVEYOR_REGISTRY_USERNAME:?set CONVEYOR_REGISTRY_USERNAME}"
password="${CONVEYOR_REGISTRY_PASSWORD:?set CONVEYOR_REGISTRY_PASSWORD}"
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$addr/v2/" 2>/dev/null || true; }
case "$(status)" in
  401) echo "$addr"; exit 0 ;;
  000) ;;
  *) die "something else answers on $addr without asking for a login" ;;
esac
bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
[ -x "$bin" ] || die "docker-registry is not installed (scripts/setup.sh installs it)"
command -v htpasswd >/dev/null || die "htpasswd is not installed (apt-get install apache2-utils; scripts/setup.sh does)"
mkdir -p "$dir/data"
if [ -n "${CONVEYOR_REGISTRY_TOKEN_REALM:-}" ]; then
  # Token auth: the registry trusts JWTs signed by the token service's certificate.
  kind=token
  auth="auth:
  token:
    realm: $CONVEYOR_REGISTRY_TOKEN_REALM
    service: ${CONVEYOR_REGISTRY_TOKEN_SERVICE:?set CONVEYOR_REGISTRY_TOKEN_SERVICE}
    issuer: ${CONVEYOR_REGISTRY_TOKEN_ISSUER:?set CONVEYOR_REGISTRY_TOKEN_ISSUER}
    rootcertbundle: ${CONVEYOR_REGISTRY_TOKEN_CERT:?set CONVEYOR_REGISTRY_TOKEN_CERT}"
else
  kind=htpasswd
  auth="auth:
  htpasswd:
    realm: conveyor-test
    path: $dir/htpasswd"
fi
# -i reads the password from stdin, so it never shows in the process list.
printf '%s' "$password" | htpasswd -niB "$user" >"$dir/htpasswd" 2>/dev/null
chmod 600 "$dir/htpasswd"
cat >"$dir/config.yml" <<YAML
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
$auth
http:
  addr: $addr
  headers:
    X-Content-Type-Options: [nosniff]
YAML
log "starting a registry with $kind logins on $addr (storage $dir/data)"
nohup setsid "$bin" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
echo $! >"$dir/registry.pid"
for _ in $(seq 1 50); do [ "$(status)" = 401 ] && { echo "$addr"; exit 0; }; sleep 0.2; done
tail -n 20 "$dir/registry.log" >&2
die "the registry did not answer on $addr in 10 s"
