package dev.pydb.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Redis's RESP2: GET is {@code GET key}, PUT is {@code SET key value} with the same document
 * bytes py_db stores as its value, so both servers get equal keys and equal payloads. No login,
 * no database: the preload overwrites keys {@code k0 .. k(r-1)} and deletes nothing.
 */
final class RespWire implements Wire {
    private final int valueBytes;

    RespWire(int valueBytes) {
        this.valueBytes = valueBytes;
    }

    @Override
    public Set<Operation> operations() {
        return EnumSet.of(Operation.GET, Operation.PUT);
    }

    @Override
    public RequestTemplate template(Operation operation) {
        return switch (operation) {
            case GET -> command("GET", RequestTemplate.KEY_SLOT);
            case PUT -> command("SET", RequestTemplate.KEY_SLOT, RequestTemplate.document(valueBytes));
            default -> throw new IllegalArgumentException("--target redis cannot send " + operation);
        };
    }

    /** A RESP array of bulk strings; a {@link RequestTemplate#KEY_SLOT} argument stands for the key. */
    static RequestTemplate command(String... arguments) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String argument : arguments) {
            byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(bytes);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return RequestTemplate.withKeySlots(out.toByteArray(), 0);
    }

    @Override
    public WireConnection open(String host, int port) throws IOException {
        return RespConnection.open(host, port);
    }

    @Override
    public void prepare(String host, int port, boolean fresh) throws IOException {
        try (RespConnection connection = RespConnection.open(host, port)) {
            byte[] ping = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
            connection.write(ping, ping.length);
            String error = connection.readReply();
            if (error != null) {
                throw new BenchException("Redis answered PING with " + error);
            }
        }
    }
}
