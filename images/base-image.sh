#!/usr/bin/env bash
# Makes a JRE base image for Gantry's images without Docker Hub and without a Docker engine, as a `docker save`-format
# tarball that Jib takes as its base with -Dgantry.image.base=tar:///absolute/path/base.tar (see docs/images.md).
#
#   images/base-image.sh OUT.tar            # Debian bookworm (debootstrap --variant=minbase) + a jlink'ed JRE
#   images/base-image.sh --minimal OUT.tar  # no operating system: the JRE and the host's glibc only; no network
#
# The real base is eclipse-temurin:21-jre (Ubuntu + Temurin JRE under /opt/java/openjdk). This one is laid out the
# same way: the JRE under /opt/java/openjdk, JAVA_HOME set, its bin/ first on PATH, /tmp writable by everyone. Its
# JRE is linked by `jlink` from JAVA_HOME's JDK (so it is that JDK's version: 25 on the build machines; the
# applications are compiled for 21). A JDK without jmods/ links from its own run-time image (JEP 493, JDK 24+).
#
# Needs: root (debootstrap, file ownership in the layers), umoci and skopeo; debootstrap and a Debian mirror
# (GANTRY_DEBIAN_MIRROR, default deb.debian.org) unless --minimal. Takes 1½–3 min with Debian, 10–25 s with --minimal.
set -euo pipefail

minimal=false
if [ "${1:-}" = "--minimal" ]; then minimal=true; shift; fi
[ $# -eq 1 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out=$(realpath -m "$1")
mirror=${GANTRY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${GANTRY_DEBIAN_SUITE:-bookworm}

log() { printf '%s base-image: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (the image's files must be owned by root)"
for tool in umoci skopeo; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"; done
$minimal || command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap), or use --minimal"

jdk=${JAVA_HOME:-}
if [ -z "$jdk" ]; then
  jdk=$(dirname "$(dirname "$(readlink -f "$(command -v javac || command -v jlink)")")")
fi
[ -x "$jdk/bin/jlink" ] || die "no jlink in JAVA_HOME=$jdk: point JAVA_HOME at a JDK 21 or newer"

work=$(mktemp -d "${TMPDIR:-/tmp}/gantry-base.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS

# 1. The JRE: java.se plus the jdk.* modules servers use (the Temurin JRE has them all; these are enough for Quarkus,
#    Netty, Vert.x, Fabric8, SQLite's and PostgreSQL's drivers).
log "jlink from $jdk ($("$jdk/bin/java" -version 2>&1 | head -1))"
"$jdk/bin/jlink" --output "$work/jre" \
  --add-modules java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.zipfs,jdk.crypto.cryptoki,jdk.net,jdk.jfr,jdk.httpserver \
  --strip-debug --no-header-files --no-man-pages --compress zip-6
"$work/jre/bin/java" -version >/dev/null 2>&1 || die "the linked JRE does not run"

# 2. The operating system.
rootfs="$work/rootfs"
if $minimal; then
  log "minimal root file system: the host's glibc and the libraries the JRE links to"
  mkdir -p "$rootfs"/{etc,tmp,lib64,usr/lib/x86_64-linux-gnu,proc,sys,dev} "$rootfs/var/lib"
  chmod 1777 "$rootfs/tmp"
  ln -s usr/lib "$rootfs/lib"
  # Every library the JRE's binaries need (AWT's X11 libraries excepted: headless), plus the dynamic loader.
  find "$work/jre" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | grep -v -e libX -e libxcb -e libasound | sort -u > "$work/libs"
  for lib in $(cat "$work/libs") /lib64/ld-linux-x86-64.so.2; do
    cp -L "$lib" "$rootfs/usr/lib/x86_64-linux-gnu/$(basename "$lib")"
  done
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$rootfs/lib64/ld-linux-x86-64.so.2"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
else
  log "debootstrap --variant=minbase $suite from $mirror"
  debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # What Debian's own container image leaves out: the package cache and lists (apt-get update brings them back).
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
fi
log "root file system ready ($((SECONDS - start)) s): $(du -sh "$rootfs" | cut -f1), JRE $(du -sh "$work/jre" | cut -f1)"

# 3. The image: one layer for the system, one for the JRE (as eclipse-temurin's), and a config like eclipse-temurin's.
layout="$work/layout"
umoci init --layout "$layout"
umoci new --image "$layout:base"
umoci insert --image "$layout:base" --history.created_by "root file system ($($minimal && echo minimal || echo "debian $suite"))" \
  "$rootfs" /
umoci insert --image "$layout:base" --history.created_by "jlink JRE" "$work/jre" /opt/java/openjdk
umoci config --image "$layout:base" --os linux --architecture amd64 \
  --config.env JAVA_HOME=/opt/java/openjdk \
  --config.env PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.env LANG=C.UTF-8 \
  --config.cmd jshell \
  --config.label "org.opencontainers.image.title=gantry-jre-base" \
  --config.label "org.opencontainers.image.description=local JRE base for Gantry's image builds ($($minimal && echo minimal || echo "debian $suite"))"
mkdir -p "$(dirname "$out")"
rm -f "$out"
skopeo copy -q "oci:$layout:base" "docker-archive:$out:gantry-jre-base:local"
log "wrote $out ($(du -h "$out" | cut -f1)) in $((SECONDS - start)) s"
