#!/usr/bin/env bash
# Builds a Debian bookworm base image from Debian's own packages (debootstrap + docker import), for
# machines that cannot pull from Docker Hub. Does nothing when the tag already exists.
# Usage: scripts/build-base-image.sh [tag]   (default: local/debian:bookworm-slim)
set -euo pipefail
tag="${1:-${SRETL_BASE_IMAGE:-local/debian:bookworm-slim}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

rootfs="$(mktemp -d /tmp/sretl-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
# what debian:bookworm-slim drops too: apt lists, docs, man pages, locales
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' \
  "$mirror" "$mirror" >"$rootfs/etc/apt/sources.list"
# CAs this machine trusts beyond Debian's (e.g. a TLS-inspecting proxy): Debian's ca-certificates
# package adds /usr/local/share/ca-certificates/*.crt to the bundle when an image installs it.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$rootfs/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
fi
tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "built base image $tag ($(docker image inspect -f '{{.Size}}' "$tag") bytes)"
