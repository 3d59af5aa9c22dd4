#!/usr/bin/env bash
# Builds the minimal image notebook steps run in, offline (no image registry is reachable):
# a Debian bookworm minbase rootfs made by debootstrap from the machine's apt mirror, Python with
# ipykernel, papermill and nbformat in a venv, a non-root user, no setuid binaries, no caches.
# The image carries its Debian and Python package lists as labels (io.conveyor.packages.*).
#
#   images/base/build.sh            build unless an image of this exact recipe exists
#   images/base/build.sh --force    build again
#   images/base/build.sh --lock     resolve the packages afresh and write debian.lock and
#                                   requirements.lock (what images/lock.sh base runs)
#
# Builds install exactly what the locks say: the apt packages at their debian.lock versions, the
# Python ones with `pip install --require-hashes --no-deps -r requirements.lock`; the build fails
# when the installed Debian or Python set differs from the locks (the mirror moved).
#
# The tag is conveyor/base:<version>-b<build id>, the build id being the recipe's content hash,
# so the same recipe never produces two tags and an edited recipe never reuses one. The last line
# printed is the image reference; conveyor/base:dev is moved to it for local development.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
IMAGES_DIR=$(dirname "$here")
source "$IMAGES_DIR/lock-lib.sh"
version=$(cat "$here/VERSION")
mode=${1:-}
apt_packages=(python3 python3-venv ca-certificates tini)
build_id=$( (cat "$here"/build.sh "$here"/VERSION "$here"/requirements.txt "$here"/requirements.lock "$here"/debian.lock 2>/dev/null || true) | sha256sum | cut -c1-12)
ref="conveyor/base:${version}-b${build_id}"
log() { printf '[base-image] %s\n' "$*" >&2; }

if [[ -z "$mode" ]] && docker image inspect "$ref" >/dev/null 2>&1; then
  log "$ref already present, skipping build"
  docker tag "$ref" conveyor/base:dev
  echo "$ref"
  exit 0
fi

mirror=${CONVEYOR_APT_MIRROR:-$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
  grep -E 'debian/?$' | awk 'NR==1 {print $2}' || true)}
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/conveyor-base.XXXXXX)
rootfs="$work/rootfs"
cleanup() {
  for m in proc sys dev/pts; do umount "$rootfs/$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

start=$(date +%s)
log "1/5 debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
if [[ "$mode" == --lock ]]; then
  pins=("${apt_packages[@]}")
else
  pins=(); for p in "${apt_packages[@]}"; do pins+=("$(debian_pin "$here/debian.lock" "$p")"); done
fi
log "2/5 apt: ${pins[*]}"
in_root apt-get install -y --no-install-recommends "${pins[@]}" >"$work/apt.log" 2>&1 ||
  { tail -n 30 "$work/apt.log" >&2
    [[ "$mode" == --lock ]] || log "apt could not install the locked versions (the mirror moved?): run images/lock.sh base"
    exit 1; }
in_root dpkg-query -W -f '${Package}=${Version}\n' >"$work/debian.txt"
# The machine may reach PyPI through a TLS-inspecting proxy whose CA only the host trusts: lend the
# host's bundle for the build (removed with /tmp below; the image keeps Debian's own CAs).
cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$rootfs/tmp/host-ca.crt"
in_root python3 -m venv /opt/conveyor/venv

if [[ "$mode" == --lock ]]; then
  log "3/3 pip: resolving $(tr '\n' ' ' <"$here/requirements.txt")"
  { echo "# Every Debian package of the base rootfs (debootstrap minbase + ${apt_packages[*]})."
    echo "# Do not edit: run images/lock.sh base."
    sort "$work/debian.txt"; } >"$here/debian.lock"
  cp "$here/requirements.txt" "$IMAGES_DIR/lock-report.py" "$rootfs/tmp/"
  in_root PIP_CERT=/tmp/host-ca.crt /opt/conveyor/venv/bin/pip install --disable-pip-version-check -q --dry-run --ignore-installed \
    --report /tmp/report.json -r /tmp/requirements.txt >"$work/pip.log" 2>&1 || { tail -n 30 "$work/pip.log" >&2; exit 1; }
  { echo "# Every Python distribution of the base image's venv, resolved by images/lock.sh base"
    echo "# ($(in_root python3 --version)). Do not edit: run images/lock.sh base."
    in_root /opt/conveyor/venv/bin/python /tmp/lock-report.py /tmp/report.json; } >"$here/requirements.lock.new"
  mv "$here/requirements.lock.new" "$here/requirements.lock"
  umount "$rootfs/proc"
  log "wrote images/base/debian.lock ($(grep -vc '^#' "$here/debian.lock") packages) and images/base/requirements.lock ($(lock_pins "$here/requirements.lock" | wc -l) distributions) in $(( $(date +%s) - start )) s"
  exit 0
fi
verify_debian "$work/debian.txt" "$here/debian.lock" base

log "3/5 pip: $(lock_pins "$here/requirements.lock" | wc -l) locked distributions ($(tr '\n' ' ' <"$here/requirements.txt"))"
cp "$here/requirements.lock" "$rootfs/tmp/requirements.lock"
in_root PIP_CERT=/tmp/host-ca.crt /opt/conveyor/venv/bin/pip install --no-cache-dir --disable-pip-version-check -q \
  --require-hashes --no-deps -r /tmp/requirements.lock >"$work/pip.log" 2>&1 ||
  { tail -n 30 "$work/pip.log" >&2; exit 1; }
in_root /opt/conveyor/venv/bin/pip freeze --all >"$work/python.txt"
verify_python "$work/python.txt" "$here/requirements.lock" base
in_root /opt/conveyor/venv/bin/python -m ipykernel install --sys-prefix --name python3 >/dev/null

log "4/5 harden: user conveyor (1000), no setuid binaries, no caches"
in_root groupadd --gid 1000 conveyor
in_root useradd --uid 1000 --gid 1000 --create-home --home-dir /home/conveyor --shell /bin/bash conveyor
in_root sh -c 'mkdir -p /opt/conveyor/packages &&
  dpkg-query -W -f "\${Package}=\${Version}\n" > /opt/conveyor/packages/debian.txt &&
  /opt/conveyor/venv/bin/pip freeze --all > /opt/conveyor/packages/python.txt'
umount "$rootfs/proc"
find "$rootfs" -xdev -type f -perm /6000 -exec chmod a-s {} +
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/root/.cache "$rootfs"/tmp/* "$rootfs"/var/log/*.log "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
: >"$rootfs/etc/resolv.conf"

log "5/5 docker import as $ref"
# The package lists as labels too, so a registry client can show and search them without pulling.
deb=$(paste -sd, "$rootfs/opt/conveyor/packages/debian.txt")
py=$(paste -sd, "$rootfs/opt/conveyor/packages/python.txt")
tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /home/conveyor' \
  --change 'ENV PATH=/opt/conveyor/venv/bin:/usr/local/bin:/usr/bin:/bin HOME=/home/conveyor LANG=C.UTF-8' \
  --change 'ENTRYPOINT ["/usr/bin/tini", "--"]' \
  --change 'CMD ["python3"]' \
  --change "LABEL io.conveyor.image=base io.conveyor.version=$version io.conveyor.build-id=$build_id" \
  --change "LABEL io.conveyor.packages.debian=\"$deb\" io.conveyor.packages.python=\"$py\"" \
  - "$ref" >/dev/null
docker tag "$ref" conveyor/base:dev
size=$(docker image inspect -f '{{.Size}}' "$ref")
log "built $ref in $(( $(date +%s) - start )) s, $(( size / 1024 / 1024 )) MiB"
echo "$ref"
