#!/bin/sh
# Entry point of the py_db image: checks that an environment file is mounted, then execs the
# launcher (which execs java), so the JVM is PID 1 and receives SIGTERM from docker stop.
set -eu

env_file=/opt/pydb/conf/env.json
for arg in "$@"; do
  case $arg in
    -h|--help|-V|--version) exec /opt/pydb/bin/pydb "$@" ;;
    -e|--e-file) env_file= ;;
  esac
done

if [ -n "$env_file" ] && [ ! -f "$env_file" ]; then
  echo "pydb: no environment file at $env_file. The image has no default user or password:" >&2
  echo "mount yours, e.g. -v \"\$PWD/env.json:/opt/pydb/conf/env.json:ro\"" >&2
  echo "(/opt/pydb/conf/env.json.example shows one that binds 0.0.0.0 and logs to stdout)." >&2
  exit 1
fi

exec /opt/pydb/bin/pydb "$@"
