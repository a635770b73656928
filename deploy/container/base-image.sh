#!/bin/bash
# Makes the Containerfile's base image from Debian's own packages, for a machine that reaches a
# Debian mirror but no container registry (the CI box): debootstrap's minbase of bookworm, trimmed
# the way the official debian:bookworm-slim is, imported into podman under that image's name so
# the unchanged Containerfile builds on it with `--pull=never`. Does nothing when the image is
# already there: podman's image store is the cache.
#
#   deploy/container/base-image.sh [image name]     (root; needs debootstrap and podman)
#
# DEBIAN_MIRROR picks the mirror (default http://deb.debian.org/debian).
set -euo pipefail
name=${1:-docker.io/library/debian:bookworm-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if podman image exists "$name"; then
  echo "base-image: $name is already there"
  exit 0
fi

work=$(mktemp -d /var/tmp/serendip-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
echo "base-image: debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}

# As the official slim image: later package installs skip documentation, manuals and
# translations too, and what debootstrap already put there goes.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
DPKG
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,linda}/* "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log \
  "$rootfs"/var/cache/ldconfig/aux-cache
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -f "$rootfs/etc/apt/sources.list"
: >"$rootfs/etc/hostname"
: >"$rootfs/etc/resolv.conf"

echo "base-image: importing $(du -sh "$rootfs" | cut -f1) as $name"
tar --numeric-owner -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --change 'LABEL org.opencontainers.image.description="debian:bookworm-slim made locally by deploy/container/base-image.sh (debootstrap minbase, trimmed)"' \
  - "$name" >/dev/null
echo "base-image: $name ready"
