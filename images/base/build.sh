#!/usr/bin/env bash
# Builds the minimal image notebook steps run in, offline (no image registry is reachable):
# a Debian bookworm minbase rootfs made by debootstrap from the machine's apt mirror, Python with
# ipykernel, papermill and nbformat in a venv, a non-root user, no setuid binaries, no caches.
# The image carries its Debian and Python package lists as labels (io.conveyor.packages.*).
#
#   images/base/build.sh            build unless an image of this exact recipe exists
#   images/base/build.sh --force    build again
#
# The tag is conveyor/base:<version>-b<build id>, the build id being the recipe's content hash,
# so the same recipe never produces two tags and an edited recipe never reuses one. The last line
# printed is the image reference; conveyor/base:dev is moved to it for local development.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(cat "$here/VERSION")
build_id=$(cat "$here"/build.sh "$here"/VERSION "$here"/requirements.txt | sha256sum | cut -c1-12)
ref="conveyor/base:${version}-b${build_id}"
log() { printf '[base-image] %s\n' "$*" >&2; }

if [[ "${1:-}" != "--force" ]] && docker image inspect "$ref" >/dev/null 2>&1; then
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

log "2/5 apt: python3, venv, certificates"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
in_root() { chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
in_root apt-get install -y --no-install-recommends python3 python3-venv ca-certificates tini >"$work/apt.log" 2>&1 ||
  { tail -n 30 "$work/apt.log" >&2; exit 1; }

log "3/5 pip: $(tr '\n' ' ' <"$here/requirements.txt")"
cp "$here/requirements.txt" "$rootfs/tmp/requirements.txt"
# The machine may reach PyPI through a TLS-inspecting proxy whose CA only the host trusts: lend the
# host's bundle for the build (removed with /tmp below; the image keeps Debian's own CAs).
cp "${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}" "$rootfs/tmp/host-ca.crt"
in_root python3 -m venv /opt/conveyor/venv
in_root PIP_CERT=/tmp/host-ca.crt /opt/conveyor/venv/bin/pip install --no-cache-dir --disable-pip-version-check -q -r /tmp/requirements.txt >"$work/pip.log" 2>&1 ||
  { tail -n 30 "$work/pip.log" >&2; exit 1; }
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
