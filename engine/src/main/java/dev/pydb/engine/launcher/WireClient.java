package dev.pydb.engine.launcher;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A minimal protocol client for {@code bin/pydb backup}: one connection, one request at a time. */
final class WireClient implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int MAX_HEADER = 1024;
    private static final String HEADER = "QUERY_LENGTH:";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ObjectMapper json;

    private WireClient(Socket socket, ObjectMapper json) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.json = json;
    }

    /** Connects to {@code host:port}, over TLS if {@code tls} is not null. */
    static WireClient connect(String host, int port, SSLContext tls, ObjectMapper json) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
                secure.startHandshake();
                socket = secure;
            }
            return new WireClient(socket, json);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code request} and returns the whole response ({@code ok}, {@code result} or {@code error}). */
    JsonNode call(ObjectNode request) throws IOException {
        byte[] body = json.writeValueAsBytes(request);
        out.write(("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(US_ASCII));
        out.write(body);
        out.flush();
        return json.readTree(in.readNBytes(readLength()));
    }

    private int readLength() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection");
            }
            header.write(b);
            if (header.size() > MAX_HEADER) {
                throw new IOException("the server's frame header is too long");
            }
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = header.toString(US_ASCII).trim();
        if (!text.toUpperCase(Locale.ROOT).startsWith(HEADER)) {
            throw new IOException("not a py_db frame header: " + text);
        }
        return Integer.parseInt(text.substring(HEADER.length()).trim());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
