#!/bin/sh
# HEALTHCHECK of the py_db image.
# - PYDB_HEALTHCHECK_URL set (e.g. http://127.0.0.1:9441/health, with server.metrics enabled):
#   succeeds if that URL answers 200 (the server answers 503 while starting or stopping).
#   Uses nc (busybox in the local base image), curl, or bash's /dev/tcp.
# - otherwise: sends one PING frame to 127.0.0.1:$PYDB_HEALTHCHECK_PORT (default 9440) and
#   succeeds if the answer contains "PONG". Uses nc (busybox) or, without nc, bash's /dev/tcp.
set -u

if [ -n "${PYDB_HEALTHCHECK_URL:-}" ]; then
  url=$PYDB_HEALTHCHECK_URL
  # http://HOST:PORT/PATH; one HTTP/1.0 GET, success on a 200 status line. nc (busybox) first:
  # busybox-static's wget crashes in the local base image.
  rest=${url#http://}
  hostport=${rest%%/*}
  path=/${rest#*/}
  [ "$path" = "/$rest" ] && path=/
  host=${hostport%:*}
  port=${hostport##*:}
  request=$(printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport")
  if command -v nc >/dev/null 2>&1; then
    status=$(printf '%s' "$request" | timeout 2 nc "$host" "$port" 2>/dev/null | head -n 1)
  elif command -v curl >/dev/null 2>&1; then
    status=$(curl -sS -m 2 -o /dev/null -w 'HTTP/1.1 %{http_code} \n' "$url" 2>/dev/null)
  elif command -v bash >/dev/null 2>&1; then
    status=$(REQUEST="$request" HOST_="$host" PORT_="$port" timeout 2 bash -c \
      'exec 3<>"/dev/tcp/$HOST_/$PORT_" && printf "%s" "$REQUEST" >&3 && head -n 1 <&3' 2>/dev/null || true)
  else
    echo "healthcheck: none of nc, curl or bash is available" >&2
    exit 1
  fi
  case $status in
    'HTTP/1.'?' 200 '*) exit 0 ;;
  esac
  echo "healthcheck: $url did not answer 200 (${status:-no answer})" >&2
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
