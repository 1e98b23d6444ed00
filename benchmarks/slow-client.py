import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
frame = b"QUERY_LENGTH: 40\r\n\r\n" + b'{"action": "PING", "pad": "xxxxxxxxxx"}'
sent = 0
try:
    for b in frame:
        s.send(bytes([b])); sent += 1
        time.sleep(1)
except OSError as e:
    print(f"slow client closed by server after {sent} bytes: {e}", flush=True)
    sys.exit(0)
print(f"slow client sent all {sent} bytes", flush=True)
