package dev.pydb.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipelined TCP connection to a py_db server. {@link #send} gives each request the next
 * {@code id}, queues it for the writer thread and returns a future of the whole response body; the
 * reader thread completes the futures in request order. Any failure (broken socket, malformed or
 * unmatched response, a request timing out) closes the connection and fails every request still
 * waiting: {@link OutcomeUnknownException} if it was already handed to the socket, otherwise
 * {@link ConnectionFailedException}.
 */
final class Connection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final Pattern HEADER = Pattern.compile("(?i)QUERY_LENGTH:[ \\t]*(\\d{1,10})");
    private static final int MAX_HEADER_BYTES = 1024;
    /** The bytes {@code \r\n\r\n} as one int. */
    private static final int HEADER_END = 0x0D0A0D0A;
    private static final int MAX_BODY_BYTES = Integer.MAX_VALUE - 8;
    private static final AtomicInteger NUMBERS = new AtomicInteger();

    private final Socket socket;
    private final String name;
    private final ObjectMapper json;
    private final ScheduledExecutorService timer;
    private final Duration requestTimeout;
    private final Object lock = new Object();
    private final ConcurrentLinkedQueue<Pending> awaitingResponse = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<Pending> toWrite = new LinkedBlockingQueue<>();
    private final AtomicInteger loginGeneration = new AtomicInteger();
    private final Object loginLock = new Object();
    private final Thread writer;
    private final Thread reader;
    private long lastId;
    private boolean closed;

    private Connection(Socket socket, ObjectMapper json, ScheduledExecutorService timer, Duration requestTimeout)
            throws IOException {
        this.socket = socket;
        this.name = "pydb-connection-" + NUMBERS.incrementAndGet();
        this.json = json;
        this.timer = timer;
        this.requestTimeout = requestTimeout;
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.writer = Thread.ofVirtual().name(name + "-writer").unstarted(() -> writeLoop(out));
        this.reader = Thread.ofVirtual().name(name + "-reader").unstarted(() -> readLoop(in));
    }

    /** Opens a connection and starts its writer and reader; throws {@link ConnectionFailedException}. */
    static Connection open(String host, int port, Duration connectTimeout, Duration requestTimeout, ObjectMapper json,
            ScheduledExecutorService timer) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE)));
            Connection connection = new Connection(socket, json, timer, requestTimeout);
            connection.writer.start();
            connection.reader.start();
            LOG.debug("{} opened to {}:{}", connection.name, host, port);
            return connection;
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new ConnectionFailedException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sends a request (its {@code id} is set here) and returns a future of the response body. The
     * future fails with {@link ConnectionFailedException}, {@link OutcomeUnknownException} or
     * {@link RequestTimeoutException}; it is completed on the reader or timer thread.
     */
    CompletableFuture<ObjectNode> send(ObjectNode request) {
        requireNonNull(request, "request is null");
        Pending pending;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new ConnectionFailedException(name + " is closed", null));
            }
            long id = ++lastId;
            ObjectNode body = request.deepCopy().put("id", id);
            byte[] frame;
            try {
                frame = frame(json.writeValueAsBytes(body));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("request cannot be encoded: " + e, e));
            }
            pending = new Pending(id, frame);
            Pending timed = pending;
            try {
                pending.timeout = timer.schedule(() -> timedOut(timed), requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedFuture(new ConnectionFailedException("the client is closed", e));
            }
            awaitingResponse.add(pending);
            toWrite.add(pending);
        }
        return pending.response;
    }

    /** Whether requests can still be sent. */
    boolean isOpen() {
        synchronized (lock) {
            return !closed;
        }
    }

    /** Counts the logins of this connection; a request remembers it to re-log in at most once per expiry. */
    int loginGeneration() {
        return loginGeneration.get();
    }

    /**
     * Logs in (blocking) unless another request re-logged in since {@code seenGeneration}. Throws
     * the server's error or a connection failure.
     */
    void login(String username, String password, int seenGeneration) {
        synchronized (loginLock) {
            if (loginGeneration.get() != seenGeneration) {
                return;
            }
            ObjectNode request = json.createObjectNode().put("action", "LOGIN").put("username", username)
                    .put("password", password);
            ObjectNode response = Futures.await(send(request));
            if (!response.path("ok").asBoolean(false)) {
                throw ServerErrors.of(errorOf(response));
            }
            loginGeneration.incrementAndGet();
        }
    }

    /** The {@code error} object of a failed response (a synthetic one if the server sent none). */
    static ObjectNode errorOf(ObjectNode response) {
        JsonNode error = response.get("error");
        if (error instanceof ObjectNode object) {
            return object;
        }
        return response.objectNode().put("code", "INTERNAL").put("message", "response without error: " + response);
    }

    @Override
    public void close() {
        fail(new IOException("connection closed by the client"));
    }

    private void timedOut(Pending pending) {
        if (pending.response.completeExceptionally(new RequestTimeoutException(
                "no response within " + requestTimeout.toMillis() + " ms; the request may or may not have been applied"))) {
            fail(new IOException("request " + pending.id + " timed out"));
        }
    }

    private void writeLoop(OutputStream out) {
        try {
            while (true) {
                Pending pending = toWrite.take();
                pending.written = true;
                out.write(pending.frame);
                if (toWrite.isEmpty()) {
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void readLoop(InputStream in) {
        try {
            while (true) {
                ObjectNode response = readResponse(in);
                Pending pending = awaitingResponse.peek();
                if (pending == null) {
                    throw new IOException("response without a request: " + response);
                }
                JsonNode id = response.get("id");
                if (id != null && !id.isNull() && !(id.canConvertToLong() && id.asLong() == pending.id)) {
                    throw new IOException("response id " + id + " does not match request id " + pending.id);
                }
                awaitingResponse.poll();
                pending.response.complete(response);
                pending.timeout.cancel(false);
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Exception cause) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        LOG.debug("{} closed: {}", name, cause.toString());
        closeQuietly(socket);
        writer.interrupt();
        Pending pending;
        while ((pending = awaitingResponse.poll()) != null) {
            pending.timeout.cancel(false);
            pending.response.completeExceptionally(pending.written
                    ? new OutcomeUnknownException("connection lost after the request was sent (" + cause.getMessage()
                            + "); it may or may not have been applied", cause)
                    : new ConnectionFailedException("connection lost before the request was sent: " + cause.getMessage(),
                            cause));
        }
        toWrite.clear();
    }

    private ObjectNode readResponse(InputStream in) throws IOException {
        String header = readHeader(in);
        Matcher matcher = HEADER.matcher(header);
        if (!matcher.matches()) {
            throw new IOException("malformed response header: " + header);
        }
        long length = Long.parseLong(matcher.group(1));
        if (length > MAX_BODY_BYTES) {
            throw new IOException("response too large: " + length + " bytes");
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new EOFException("connection closed after " + body.length + " of " + length + " body bytes");
        }
        JsonNode node = json.readTree(body);
        if (!(node instanceof ObjectNode object)) {
            throw new IOException("response body is not a JSON object");
        }
        return object;
    }

    private static String readHeader(InputStream in) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        int lastFour = 0;
        while (header.size() < MAX_HEADER_BYTES) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
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

    private static byte[] frame(byte[] body) {
        byte[] header = ("QUERY_LENGTH: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[header.length + body.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(body, 0, frame, header.length, body.length);
        return frame;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** A request between {@link #send} and its response. */
    private static final class Pending {
        final long id;
        final byte[] frame;
        final CompletableFuture<ObjectNode> response = new CompletableFuture<>();
        volatile boolean written;
        ScheduledFuture<?> timeout;

        Pending(long id, byte[] frame) {
            this.id = id;
            this.frame = frame;
        }
    }
}
