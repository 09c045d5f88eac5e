#!/usr/bin/env bash
# The container image's files, gathered from a built `prax`:
#   tools/container-rootfs.sh [BINARY] [OUT]
# BINARY defaults to target/release/prax, OUT to .container/image (both in the repository;
# paths given are taken from the current directory); OUT is emptied first. OUT gets:
#   rootfs/   the image's root filesystem:
#     usr/local/bin/prax              the binary (built-in skills and the web UI are embedded)
#     the shared libraries `ldd` names and the dynamic loader, at the paths the binary asks for
#     etc/ssl/certs/ca-certificates.crt   for HTTPS to providers and registries
#     etc/passwd, etc/group           root and `prax` (uid/gid 10001), the user the image runs as
#     etc/nsswitch.conf               /etc/hosts before DNS (glibc has files and dns built in)
#     tmp/                            mode 1777
#   data/     an empty directory, the image's /data: kept apart because only a COPY --chown
#             that creates its destination makes it the user's (COPY makes files root's)
# The Dockerfile's rootfs-build stage runs this inside the build image; to build the image
# from a binary built here, without pulling anything:
#   tools/container-rootfs.sh target/release/prax .container/image
#   podman build --format docker --build-arg ROOTFS=rootfs-local -f Dockerfile -t praximous .container/image
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=${1:-${CARGO_TARGET_DIR:-$root/target}/release/prax}
out=${2:-$root/.container/image}
certs=${CA_CERTIFICATES:-/etc/ssl/certs/ca-certificates.crt}
uid=10001

[ -x "$binary" ] || { echo "container-rootfs: $binary is not an executable; build it first (make build)" >&2; exit 1; }
[ -s "$certs" ] || { echo "container-rootfs: no CA bundle at $certs; install ca-certificates (apt-get install ca-certificates)" >&2; exit 1; }
command -v ldd >/dev/null || { echo "container-rootfs: ldd is missing (Debian package libc-bin)" >&2; exit 1; }
[ -n "$out" ] && [ "$out" != / ] || { echo "container-rootfs: OUT must be a directory of its own" >&2; exit 1; }

# Never empty something that is not ours: OUT is either absent, empty, or one we made.
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/rootfs/usr/local/bin/prax" ]; then
    echo "container-rootfs: $out exists and is not one this script made; give another OUT" >&2
    exit 1
fi
# COPY keeps each file's mode: a umask of 077 would make /usr and /etc unreadable to the user.
umask 022
rm -rf "$out"
fs=$out/rootfs
mkdir -p "$out/data" "$fs/usr/local/bin" "$fs/etc/ssl/certs" "$fs/tmp"
install -m 0755 "$binary" "$fs/usr/local/bin/prax"

# `ldd` lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and the loader,
# "/lib64/ld-linux-x86-64.so.2 (0x...)". Each is copied (symlinks resolved) to the path named,
# which is where the loader looks. A static binary has none: "not a dynamic executable".
libraries=$(ldd "$binary" 2>/dev/null | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }
    $1 ~ /^\// { print $1 }' | sort -u) || true
for library in $libraries; do
    mkdir -p "$fs$(dirname "$library")"
    cp -L "$library" "$fs$library"
done

cp -L "$certs" "$fs/etc/ssl/certs/ca-certificates.crt"
printf '%s\n' "root:x:0:0:root:/root:/sbin/nologin" \
    "prax:x:$uid:$uid:Praximous:/data:/sbin/nologin" >"$fs/etc/passwd"
printf '%s\n' "root:x:0:" "prax:x:$uid:" >"$fs/etc/group"
printf '%s\n' "passwd: files" "group: files" "hosts: files dns" >"$fs/etc/nsswitch.conf"
chmod 0644 "$fs/etc/ssl/certs/ca-certificates.crt" "$fs/etc/passwd" "$fs/etc/group" "$fs/etc/nsswitch.conf"
chmod 1777 "$fs/tmp"

count=$(printf '%s\n' $libraries | grep -c . || true)
echo "container-rootfs: $fs ($(du -sh "$fs" | cut -f1), $count libraries) and $out/data"
