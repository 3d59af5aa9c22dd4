#!/usr/bin/env bash
# Builds one of Conveyor's image recipes and pushes it to shared/<name> in the registry:
#
#   images/build.sh base | notebook | datascience | deeplearning [--no-push]
#
# base is built offline by images/base/build.sh; the others are a Dockerfile FROM the base that
# installs exactly images/<name>/requirements.lock (pip --require-hashes --no-deps; images/lock.sh
# writes it), and the build fails when the image's Python or Debian packages differ from the locks.
# conveyor/<name>:dev is moved to the image built. The tag
# is <version>-b<build id>, the build id hashing the recipe folder (locks included) and the base image id, so the
# same recipe gives the same tag and an edited one a new tag. Tags are immutable: when the registry
# already has the tag the push is skipped, never overwritten. Progress lines go to stderr; the last
# line on stdout is the registry reference (or the local one with --no-push).
# Environment: CONVEYOR_REGISTRY (default 127.0.0.1:5000), PIP_CERT (CA bundle lent to pip).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
IMAGES_DIR=$here
source "$here/lock-lib.sh"
name=${1:?usage: images/build.sh <base|notebook|datascience|deeplearning> [--no-push]}
push=1; [[ "${2:-}" == "--no-push" ]] && push=0
registry=${CONVEYOR_REGISTRY:-127.0.0.1:5000}
log() { printf '[image %s] %s\n' "$name" "$*" >&2; }
[ -d "$here/$name" ] || { log "no recipe images/$name"; exit 2; }
start=$(date +%s)

if [[ "$name" == base ]]; then
  ref=$("$here/base/build.sh")
  tag=${ref##*:}
else
  base=$("$here/base/build.sh")
  base_id=$(docker image inspect -f '{{.Id}}' "$base")
  version=$(cat "$here/$name/VERSION")
  [ -f "$here/$name/requirements.lock" ] || { log "no images/$name/requirements.lock: run images/lock.sh $name"; exit 1; }
  # Recipes that ship Conveyor itself (`COPY conveyor-wheel/`: the workspace image) get the wheel
  # scripts/setup.sh built (CONVEYOR_WHEEL_DIR, default .conveyor-test/wheel); its hash is in the build id.
  wheel=""
  if grep -q 'COPY conveyor-wheel/' "$here/$name/Dockerfile"; then
    wheel=$(ls "${CONVEYOR_WHEEL_DIR:-${CONVEYOR_STATE_DIR:-$here/../.conveyor-test}/wheel}"/jupyterlab_conveyor-*.whl 2>/dev/null | head -1 || true)
    [ -n "$wheel" ] || { log "no jupyterlab_conveyor wheel: scripts/setup.sh builds it (or set CONVEYOR_WHEEL_DIR)"; exit 1; }
  fi
  build_id=$( (cd "$here/$name" && cat Dockerfile VERSION requirements.txt requirements.lock; echo "$base_id"; [ -z "$wheel" ] || cat "$wheel") | sha256sum | cut -c1-12)
  tag="${version}-b${build_id}"
  ref="conveyor/$name:$tag"
  if docker image inspect "$ref" >/dev/null 2>&1; then
    log "$ref already present, skipping build"
  else
    ctx=$(mktemp -d /var/tmp/conveyor-image.XXXXXX)
    trap 'rm -rf "$ctx"' EXIT
    cp "$here/$name/Dockerfile" "$here/$name/requirements.lock" "$ctx/"
    cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/host-ca.crt"
    if [ -n "$wheel" ]; then mkdir -p "$ctx/conveyor-wheel" && cp "$wheel" "$ctx/conveyor-wheel/"; fi
    if grep -q 'COPY wheels/' "$here/$name/Dockerfile"; then
      mkdir -p "$ctx/wheels"
      # The wheels pip would take from its find-links folder (e.g. the PyTorch CPU wheel).
      links=${PIP_FIND_LINKS:-$(pip config get global.find-links 2>/dev/null || echo /opt/wheels)}
      for d in $links; do cp "$d"/*.whl "$ctx/wheels/" 2>/dev/null || true; done
    fi
    log "1/3 docker build FROM $base: $(lock_pins "$here/$name/requirements.lock" | wc -l) locked distributions ($(tr '\n' ' ' <"$here/$name/requirements.txt"))"
    docker build --network host --build-arg "BASE=$base" -t "conveyor/$name:stage-$build_id" "$ctx" 2>&1 |
      sed -u "s/^/[image $name]   /" >&2
    [ "${PIPESTATUS[0]}" = 0 ] || { log "build failed"; exit 1; }
    log "2/3 check the packages against the locks; labels: the Debian and Python package lists"
    docker run --rm --network none --entrypoint cat "conveyor/$name:stage-$build_id" /opt/conveyor/packages/debian.txt >"$ctx/debian.txt"
    docker run --rm --network none --entrypoint cat "conveyor/$name:stage-$build_id" /opt/conveyor/packages/python.txt >"$ctx/python.txt"
    checked=0
    (verify_debian "$ctx/debian.txt" "$here/base/debian.lock" "$name" && verify_python "$ctx/python.txt" "$here/$name/requirements.lock" "$name") && checked=1
    [ $checked = 1 ] || { docker rmi "conveyor/$name:stage-$build_id" >/dev/null; exit 1; }
    deb=$(paste -sd, "$ctx/debian.txt")
    py=$(paste -sd, "$ctx/python.txt")
    printf 'FROM conveyor/%s:stage-%s\nLABEL io.conveyor.image="%s" io.conveyor.version="%s" io.conveyor.build-id="%s" io.conveyor.packages.debian="%s" io.conveyor.packages.python="%s"\n' \
      "$name" "$build_id" "$name" "$version" "$build_id" "$deb" "$py" | docker build -q -t "$ref" - >/dev/null 2>&1 ||
      { log "adding the labels failed"; exit 1; }
    docker rmi "conveyor/$name:stage-$build_id" >/dev/null
  fi
  docker tag "$ref" "conveyor/$name:dev"
  size=$(docker image inspect -f '{{.Size}}' "$ref")
  log "built $ref in $(( $(date +%s) - start )) s, $(( size / 1024 / 1024 )) MiB"
fi

if [[ $push == 0 ]]; then echo "$ref"; exit 0; fi
remote="$registry/shared/$name:$tag"
if curl -fsS -o /dev/null -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
     "http://$registry/v2/shared/$name/manifests/$tag" 2>/dev/null; then
  log "3/3 $remote already in the registry (tags are immutable): not pushed again"
else
  log "3/3 push $remote"
  docker tag "$ref" "$remote"
  docker push "$remote" 2>&1 | sed -u "s/^/[image $name]   /" >&2
  [ "${PIPESTATUS[0]}" = 0 ] || { log "push failed"; exit 1; }
  docker rmi "$remote" >/dev/null 2>&1 || true
fi
log "done in $(( $(date +%s) - start )) s"
echo "$remote"
