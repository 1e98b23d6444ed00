package dev.pydb.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal py_db client for tests, speaking the raw protocol: {@code QUERY_LENGTH: <n>\r\n\r\n}
 * followed by n bytes of UTF-8 JSON, in both directions. After {@link #login} every request
 * without {@code auth} carries the token.
 */
final class RawWireClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final Pattern HEADER = Pattern.compile("(?i)QUERY_LENGTH:[ \\t]*(\\d{1,10})");
    private static final int MAX_HEADER_BYTES = 1024;
    /** The bytes {@code \r\n\r\n} as one int. */
    private static final int HEADER_END = 0x0D0A0D0A;
    private static final int TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private String token;

    private RawWireClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static RawWireClient connect(String host, int port) throws IOException {
        requireNonNull(host, "host is null");
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            return new RawWireClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A request body with {@code action} set. */
    static ObjectNode request(String action) {
        return JSON.createObjectNode().put("action", requireNonNull(action, "action is null"));
    }

    /** Sends one request and returns the whole response body; adds an {@code id} and the token. */
    ObjectNode call(ObjectNode request) throws IOException {
        ObjectNode body = request.deepCopy();
        long id = ids.incrementAndGet();
        body.put("id", id);
        if (!body.has("auth")) {
            ObjectNode auth = body.putObject("auth");
            if (token != null) {
                auth.put("token", token);
            }
        }
        send(JSON.writeValueAsBytes(body));
        ObjectNode response = receive();
        JsonNode echoed = response.get("id");
        if (echoed == null || echoed.asLong() != id) {
            throw new IOException("response id " + echoed + " does not match request id " + id + ": " + response);
        }
        return response;
    }

    /** Sends one request and returns its {@code result}, failing if the response is not ok. */
    JsonNode ok(ObjectNode request) throws IOException {
        ObjectNode response = call(request);
        if (!response.path("ok").asBoolean(false)) {
            throw new AssertionError("expected ok for " + request.path("action").asText() + ", got " + response);
        }
        return response.get("result");
    }

    /** Sends one request and returns its error code, failing if the response is ok. */
    String errorCode(ObjectNode request) throws IOException {
        ObjectNode response = call(request);
        if (response.path("ok").asBoolean(true)) {
            throw new AssertionError("expected an error for " + request.path("action").asText() + ", got " + response);
        }
        return response.path("error").path("code").asText();
    }

    /** Logs in; later requests carry the token. */
    JsonNode login(String username, String password) throws IOException {
        JsonNode result = ok(request("LOGIN").put("username", username).put("password", password));
        token = result.path("token").asText();
        return result;
    }

    /** Sends PING and returns the result, e.g. {@code "PONG"}. */
    String ping() throws IOException {
        return ok(request("PING")).asText();
    }

    void send(byte[] body) throws IOException {
        out.write(("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    ObjectNode receive() throws IOException {
        String header = readHeader();
        Matcher matcher = HEADER.matcher(header);
        if (!matcher.matches()) {
            throw new IOException("malformed response header: " + header);
        }
        long length = Long.parseLong(matcher.group(1));
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException("response too large: " + length);
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        JsonNode json = JSON.readTree(body);
        if (!(json instanceof ObjectNode object)) {
            throw new IOException("response body is not a JSON object: " + json);
        }
        return object;
    }

    private String readHeader() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int lastFour = 0;
        while (header.size() < MAX_HEADER_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed while reading a response header");
            }
            header.write(b);
            lastFour = (lastFour << 8) | b;
            if (lastFour == HEADER_END) {
                String text = header.toString(StandardCharsets.US_ASCII);
                return text.substring(0, text.length() - 4);
            }
        }
        throw new IOException("response header longer than " + MAX_HEADER_BYTES + " bytes");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
