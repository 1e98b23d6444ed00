# Sourced by bin/pydb and bin/pydb-cli (not run on its own): finds a Java 21+ runtime.
#
# Java: $JAVA_HOME/bin/java if it is 21+, else `java` on the PATH if 21+, else the newest
# 21+ runtime under /usr/lib/jvm/* (PYDB_JVM_DIR overrides that folder).
# `pydb_find_java_or_exit NAME STATUS` sets JAVA (the java binary) and JAVA_MAJOR (its major
# version), or prints why it cannot to stderr, prefixed with NAME, and exits with STATUS.

# Prints the major Java version of the given java binary (e.g. 21), or nothing.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^[[:space:]]*java\.specification\.version = \([0-9][0-9]*\)[[:space:]]*$/\1/p'
}

# Sets JAVA and JAVA_MAJOR if the given file is an executable java of version 21 or newer.
use_if_java_21_or_newer() {
  [ -n "$1" ] && [ -x "$1" ] || return 1
  major=$(java_major "$1")
  [ -n "$major" ] && [ "$major" -ge 21 ] || return 1
  JAVA=$1
  JAVA_MAJOR=$major
}

find_java() {
  if [ -n "${JAVA_HOME:-}" ] && use_if_java_21_or_newer "$JAVA_HOME/bin/java"; then
    return 0
  fi
  if use_if_java_21_or_newer "$(command -v java 2>/dev/null || true)"; then
    return 0
  fi
  JAVA_MAJOR=0
  for candidate in "${PYDB_JVM_DIR:-/usr/lib/jvm}"/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$JAVA_MAJOR" ]; then
      JAVA=$candidate
      JAVA_MAJOR=$major
    fi
  done
  [ "$JAVA_MAJOR" -ge 21 ]
}

pydb_find_java_or_exit() {
  if ! find_java; then
    echo "$1: Java 21 or newer is needed and none was found (looked at \$JAVA_HOME, java on the PATH and ${PYDB_JVM_DIR:-/usr/lib/jvm}/*). Install a JDK or JRE 21+ or set JAVA_HOME to one." >&2
    exit "$2"
  fi
}
