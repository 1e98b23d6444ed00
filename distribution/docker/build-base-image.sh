#!/usr/bin/env bash
# Builds the local base image for the py_db Docker image without any registry:
# a jlink'ed Java runtime from a local JDK, the shared libraries it needs, a static
# busybox (a shell for HEALTHCHECK and debugging) and a non-root user "pydb" (uid 10001).
# Every `java` in the image carries the JVM flags lmdbjava needs (jlink --add-options).
#
# Usage: build-base-image.sh [--force]
#   --force   rebuild even if the tag exists
# Environment:
#   PYDB_BASE_IMAGE  tag to build        (default pydb-base-jre:25)
#   PYDB_BASE_JDK    JDK to jlink from   (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   PYDB_BUSYBOX     static busybox      (default /bin/busybox, Debian package busybox-static)
set -euo pipefail

tag="${PYDB_BASE_IMAGE:-pydb-base-jre:25}"
jdk="${PYDB_BASE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
busybox="${PYDB_BUSYBOX:-/bin/busybox}"
force=false

for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (use --force or --help)" >&2; exit 2 ;;
  esac
done

# The runtime's modules (jdeps misses reflection): a generous set, plus jdk.httpserver for the
# metrics endpoint (server.metrics). The image carries this list (ENV PYDB_BASE_MODULES): an image
# made from another list is rebuilt.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.instrument,jdk.unsupported,jdk.crypto.cryptoki,jdk.management,jdk.zipfs,jdk.naming.dns,jdk.httpserver

if [ "$force" = false ] && docker image inspect "$tag" >/dev/null 2>&1; then
  built_with=$(docker image inspect --format '{{ range .Config.Env }}{{ println . }}{{ end }}' "$tag" 2>/dev/null |
    sed -n 's/^PYDB_BASE_MODULES=//p')
  if [ "$built_with" = "$modules" ]; then
    echo "Base image $tag exists; skipping (use --force to rebuild)."
    exit 0
  fi
  echo "Base image $tag was built with other modules ($built_with); rebuilding."
fi

[ -x "$jdk/bin/jlink" ] || { echo "no jlink in $jdk (set PYDB_BASE_JDK to a JDK 21+)" >&2; exit 1; }
[ -x "$busybox" ] || { echo "no static busybox at $busybox (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then
  echo "$busybox is dynamically linked; a static busybox is needed (apt-get install busybox-static)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"

echo "jlink from $jdk"
"$jdk/bin/jlink" \
  --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files \
  --generate-cds-archive \
  --add-options="--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
  --output "$rootfs/opt/java"

echo "copying shared libraries"
copy_lib() {
  local lib="$1"
  [ -e "$lib" ] || return 0
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
}
{
  find "$rootfs/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -print0 |
    xargs -0 ldd 2>/dev/null |
    awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }'
  # libgcc_s is loaded with dlopen (thread cancellation), so ldd does not list it.
  ldconfig -p | awk '/libgcc_s\.so\.1 .*x86-64/ { print $NF }'
} | sort -u | while read -r lib; do copy_lib "$lib"; done
# Keep the loader where binaries expect it (/lib64 is a symlink on merged-/usr systems).
if [ -L /lib64 ] && [ ! -e "$rootfs/lib64" ]; then
  ln -s "$(readlink /lib64)" "$rootfs/lib64"
fi

echo "adding busybox, /tmp, users"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/home/pydb"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
chmod 1777 "$rootfs/tmp"
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
pydb:x:10001:10001:py_db:/home/pydb:/bin/sh
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
pydb:x:10001:
GROUP
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
chown 10001:10001 "$rootfs/home/pydb"

echo "importing as $tag"
tar --numeric-owner -C "$rootfs" -c . |
  docker import \
    -c 'ENV PATH=/opt/java/bin:/bin' \
    -c 'ENV JAVA_HOME=/opt/java' \
    -c 'ENV LANG=C.UTF-8' \
    -c "ENV PYDB_BASE_MODULES=$modules" \
    - "$tag"
docker image prune -f >/dev/null
echo "smoke test: java -version and busybox sh inside $tag"
docker run --rm --user 10001:10001 "$tag" sh -c 'java -version && nc --help 2>&1 | head -n 1'
echo "Built $tag: $(docker image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%d MB", $1 / 1000000 }')"
