#!/bin/sh
# HEALTHCHECK of the py_db image.
# - PYDB_HEALTHCHECK_URL set (e.g. http://127.0.0.1:9441/health, with server.metrics enabled):
#   succeeds if that URL answers 200 (the server answers 503 while starting or stopping).
#   Uses wget (busybox in the local base image), curl, or bash's /dev/tcp.
# - otherwise: sends one PING frame to 127.0.0.1:$PYDB_HEALTHCHECK_PORT (default 9440) and
#   succeeds if the answer contains "PONG". Uses nc (busybox) or, without nc, bash's /dev/tcp.
set -u

if [ -n "${PYDB_HEALTHCHECK_URL:-}" ]; then
  url=$PYDB_HEALTHCHECK_URL
  if command -v wget >/dev/null 2>&1; then
    wget -q -T 2 -O /dev/null "$url" && exit 0
  elif command -v curl >/dev/null 2>&1; then
    curl -fsS -m 2 -o /dev/null "$url" && exit 0
  elif command -v bash >/dev/null 2>&1; then
    # http://HOST:PORT/PATH only
    status=$(URL="$url" timeout 2 bash -c '
      rest=${URL#http://}; hostport=${rest%%/*}; path=/${rest#*/}
      exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" &&
      printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$path" "$hostport" >&3 && head -n 1 <&3' 2>/dev/null || true)
    case $status in
      *' 200 '*|*' 200') exit 0 ;;
    esac
  else
    echo "healthcheck: none of wget, curl or bash is available" >&2
    exit 1
  fi
  echo "healthcheck: $url did not answer 200" >&2
  exit 1
fi

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
