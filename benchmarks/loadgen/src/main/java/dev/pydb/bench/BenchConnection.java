package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One raw TCP connection with the protocol's framing and nothing else: write pre-built frames,
 * read response bodies. Deliberately not the client library, whose pool and futures would be
 * measured along with the server.
 */
final class BenchConnection implements WireConnection {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] OK_PREFIX = "{\"ok\":true".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEADER_BYTES = 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private byte[] body = new byte[4096];
    private int bodyLength;

    private BenchConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    static BenchConnection open(String host, int port) throws IOException {
        return open(host, port, null);
    }

    /** A connection; over TLS when {@code tls} is not null (handshake done before it returns). */
    static BenchConnection open(String host, int port, SSLSocketFactory tls) throws IOException {
        requireNonNull(host, "host is null");
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            if (tls == null) {
                return new BenchConnection(socket);
            }
            SSLSocket secured = (SSLSocket) tls.createSocket(socket, host, port, true);
            secured.startHandshake();
            return new BenchConnection(secured);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void write(byte[] frames, int length) throws IOException {
        out.write(frames, 0, length);
    }

    @Override
    public String readReply() throws IOException {
        readResponse();
        return lastOk() ? null : lastErrorCode();
    }

    /** Reads the next response body; {@link #lastOk()} and {@link #lastErrorCode()} look at it. */
    void readResponse() throws IOException {
        int length = readHeader();
        if (body.length < length) {
            body = new byte[Math.max(length, body.length * 2)];
        }
        int read = in.readNBytes(body, 0, length);
        if (read < length) {
            throw new EOFException("connection closed in the middle of a response");
        }
        bodyLength = length;
    }

    /** True if the last response was {@code {"ok":true...}}. */
    boolean lastOk() {
        return bodyLength >= OK_PREFIX.length && Arrays.equals(body, 0, OK_PREFIX.length, OK_PREFIX, 0, OK_PREFIX.length)
                || !startsWithOkKey() && parsedLast().path("ok").asBoolean(false);
    }

    /** The error code of the last response, or {@code "?"} if it has none. */
    String lastErrorCode() {
        return parsedLast().path("error").path("code").asText("?");
    }

    /** Sends one request and returns its response; for setup, not for the measured loop. */
    JsonNode call(ObjectNode request) throws IOException {
        byte[] requestBody = JSON.writeValueAsBytes(request);
        out.write(("QUERY_LENGTH: " + requestBody.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(requestBody);
        out.flush();
        readResponse();
        return parsedLast();
    }

    /** Logs this connection in ({@code LOGIN} gives session auth); fails with the server's error code. */
    void login(String user, String password) throws IOException {
        ObjectNode request = JSON.createObjectNode().put("action", "LOGIN").put("username", user).put("password", password);
        JsonNode response = call(request);
        if (!response.path("ok").asBoolean(false)) {
            throw new BenchException("login as '" + user + "' failed: " + response.path("error").path("code").asText("?"));
        }
    }

    static ObjectNode request(String action) {
        return JSON.createObjectNode().put("action", action);
    }

    private boolean startsWithOkKey() {
        return bodyLength >= 5 && body[0] == '{' && body[1] == '"' && body[2] == 'o' && body[3] == 'k' && body[4] == '"';
    }

    private JsonNode parsedLast() {
        try {
            return JSON.readTree(body, 0, bodyLength);
        } catch (IOException e) {
            throw new BenchException("response is not JSON: " + new String(body, 0, Math.min(bodyLength, 200), StandardCharsets.UTF_8));
        }
    }

    private int readHeader() throws IOException {
        // QUERY_LENGTH: <n>\r\n\r\n
        int length = -1;
        int consumed = 0;
        int newlines = 0;
        boolean afterColon = false;
        while (newlines < 2) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (++consumed > MAX_HEADER_BYTES) {
                throw new BenchException("response header longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (b == '\n') {
                newlines++;
            } else if (b == ':') {
                afterColon = true;
            } else if (afterColon && b >= '0' && b <= '9' && newlines == 0) {
                length = (length < 0 ? 0 : length * 10) + (b - '0');
            }
        }
        if (length < 0) {
            throw new BenchException("response header without a length");
        }
        return length;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
