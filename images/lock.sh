#!/usr/bin/env bash
# Resolves an image recipe's packages once and writes them down, so builds install exactly these:
#
#   images/lock.sh base | notebook | datascience | deeplearning
#
# base:   images/base/debian.lock (every Debian package of the rootfs, name=version) and
#         images/base/requirements.lock, resolved in a fresh debootstrap rootfs (images/base/build.sh --lock).
# others: images/<name>/requirements.lock, resolved by pip inside the current base image (same
#         Python, same platform): the recipe's requirements.txt plus the base's own pins, so the
#         lock lists every Python distribution in the image, each with --hash=sha256.
# Builds install with `pip install --require-hashes --no-deps -r requirements.lock` and check the
# installed sets against the locks. Run this after editing a requirements.txt, or when a build says
# the mirror moved. Environment: PIP_CERT (CA bundle lent to pip), PIP_FIND_LINKS.
set -euo pipefail
IMAGES_DIR=$(cd "$(dirname "$0")" && pwd)
source "$IMAGES_DIR/lock-lib.sh"
name=${1:?usage: images/lock.sh <base|notebook|datascience|deeplearning>}
log() { printf '[lock %s] %s\n' "$name" "$*" >&2; }
[ -d "$IMAGES_DIR/$name" ] || { log "no recipe images/$name"; exit 2; }
start=$(date +%s)

if [[ "$name" == base ]]; then
  "$IMAGES_DIR/base/build.sh" --lock
  log "done in $(( $(date +%s) - start )) s"
  exit 0
fi

base=$("$IMAGES_DIR/base/build.sh")
work=$(mktemp -d /var/tmp/conveyor-lock.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$IMAGES_DIR/$name/requirements.txt" "$IMAGES_DIR/lock-report.py" "$work/"
cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$work/host-ca.crt"
# The base's pins, except the packages this recipe names itself (its own pin wins).
own=$(grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*' "$work/requirements.txt" | tr 'A-Z_.' 'a-z--' | paste -sd'|' -)
lock_pins "$IMAGES_DIR/base/requirements.lock" | grep -vE "^(${own:-^})==" >"$work/base-pins.txt" || true
sed 's/==.*//' "$work/base-pins.txt" >"$work/base-names.txt"
links=()
if grep -q 'COPY wheels/' "$IMAGES_DIR/$name/Dockerfile"; then
  mkdir -p "$work/wheels"
  for d in ${PIP_FIND_LINKS:-$(pip config get global.find-links 2>/dev/null || echo /opt/wheels)}; do
    cp "$d"/*.whl "$work/wheels/" 2>/dev/null || true
  done
  links=(--find-links /lock/wheels)
fi
resolve() { # base requirement file
  docker run --rm --network host --user root -v "$work:/lock" -e PIP_CERT=/lock/host-ca.crt --entrypoint sh "$base" -c \
    "/opt/conveyor/venv/bin/pip install -q --disable-pip-version-check --dry-run --ignore-installed ${links[*]} \
       --report /lock/report.json -r /lock/requirements.txt -r /lock/$1 >/lock/pip.log 2>&1 &&
     /opt/conveyor/venv/bin/python /lock/lock-report.py /lock/report.json >/lock/requirements.lock
     rc=\$?; chmod a+rw /lock/*; exit \$rc"
}
log "resolving $(tr '\n' ' ' <"$work/requirements.txt")+ the base's $(wc -l <"$work/base-pins.txt") pins in $base"
if ! resolve base-pins.txt; then
  log "the recipe conflicts with a base pin ($(grep -m1 -iE 'conflict|cannot install|ERROR' "$work/pip.log" || true)); resolving the base's packages unpinned"
  resolve base-names.txt || { tail -n 20 "$work/pip.log" >&2; log "pip could not resolve the recipe"; exit 1; }
fi
{
  echo "# Every Python distribution of the $name image, resolved by images/lock.sh $name in $base"
  echo "# ($(docker run --rm --entrypoint python3 "$base" --version)). Do not edit: run images/lock.sh $name."
  cat "$work/requirements.lock"
} >"$IMAGES_DIR/$name/requirements.lock"
log "wrote images/$name/requirements.lock: $(lock_pins "$IMAGES_DIR/$name/requirements.lock" | wc -l) distributions in $(( $(date +%s) - start )) s"
