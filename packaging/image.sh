#!/usr/bin/env bash
# Usage: packaging/image.sh RELEASE_TARBALL OCI_ARCHIVE   (make image)
# Builds the microstore image without a registry: a Debian 12 (bookworm) base made by mmdebstrap
# --variant=minbase from Debian's packages, with the user microstore and its data directory added, imported
# into podman; packaging/Containerfile adds the release on it; `podman save --format oci-archive` writes the
# archive. Installs podman, mmdebstrap and runc from Debian when missing. The images it made are removed from
# podman's store again (the archive is the product); IMAGE_TAG names the image (microstore:<version>).
set -euo pipefail
tarball="${1:?usage: image.sh RELEASE_TARBALL OCI_ARCHIVE}"
archive="${2:?usage: image.sh RELEASE_TARBALL OCI_ARCHIVE}"
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

missing=()
for tool in podman:podman mmdebstrap:mmdebstrap runc:runc newuidmap:uidmap; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "image.sh: install ${missing[*]} (Debian packages) as root first" >&2; exit 1; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tmp=$(mktemp -d)
made=()
cleanup() {
  for id in "${made[@]}"; do podman rmi -f "$id" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The base: Debian's minimal system without documentation, manuals and translations (nobody reads them in
# a container), plus the user the image runs as and the data directory it owns (mode 700, as microstore
# creates one).
mmdebstrap --quiet --variant=minbase \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='chroot "$1" useradd --system --uid 10001 --user-group --no-create-home --home-dir /var/lib/microstore --shell /usr/sbin/nologin microstore' \
  --customize-hook='mkdir -m 700 "$1/var/lib/microstore" && chown 10001:10001 "$1/var/lib/microstore"' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$tmp/base.tar" "$mirror"
base=$(podman import --quiet "$tmp/base.tar")
made+=("$base")

mkdir "$tmp/context"
tar -xzf "$tarball" -C "$tmp/context"
release=$(cd "$tmp/context" && echo microstore-*)
version=${release#microstore-}
tag=${IMAGE_TAG:-microstore:$version}
# Docker's format keeps the HEALTHCHECK in the image podman stores; the OCI archive has no place for it
# (the Containerfile says what to do instead).
image=$(podman build --quiet --format docker --build-arg BASE="$base" --build-arg RELEASE="$release" \
  -f "$here/packaging/Containerfile" -t "$tag" "$tmp/context")
made+=("$image")
rm -f "$archive"
podman save --quiet --format oci-archive -o "$archive" "$tag"
echo "$archive: $(du -m "$archive" | cut -f1) MB ($tag)"
