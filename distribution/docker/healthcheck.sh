#!/bin/sh
# HEALTHCHECK of the py_db image: sends one PING frame to 127.0.0.1:$PYDB_HEALTHCHECK_PORT
# (default 9440) and succeeds if the answer contains "PONG". Uses nc (busybox in the local base
# image) or, without nc, bash's /dev/tcp.
set -u
port=${PYDB_HEALTHCHECK_PORT:-9440}
ping='{"action":"PING"}'
request=$(printf 'QUERY_LENGTH: %s\r\n\r\n%s' "${#ping}" "$ping")

if command -v nc >/dev/null 2>&1; then
  # The server keeps the connection open: stop reading after 2 seconds.
  answer=$(printf '%s' "$request" | timeout 2 nc 127.0.0.1 "$port" 2>/dev/null || true)
elif command -v bash >/dev/null 2>&1; then
  answer=$(REQUEST="$request" PORT="$port" timeout 2 bash -c \
    'exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf "%s" "$REQUEST" >&3 && cat <&3' 2>/dev/null || true)
else
  echo "healthcheck: neither nc nor bash is available" >&2
  exit 1
fi

case $answer in
  *'"PONG"'*) exit 0 ;;
  *) echo "healthcheck: no PONG from 127.0.0.1:$port" >&2; exit 1 ;;
esac
