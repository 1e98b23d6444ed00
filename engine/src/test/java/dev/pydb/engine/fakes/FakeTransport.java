package dev.pydb.engine.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.transport.Transport;
import dev.pydb.engine.session.Session;
import dev.pydb.engine.stats.ServerStats;
import dev.pydb.engine.transport.RequestProcessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A transport without sockets: tests send request bodies straight to the processor. */
public final class FakeTransport implements Transport {
    public static final int PORT = 45678;

    private final ServerConfig config;
    private final RequestProcessor processor;
    private final ServerStats stats;
    private final RuntimeException failOnStart;
    private final Session session = new Session("127.0.0.1:40000");
    private final AtomicReference<String> state = new AtomicReference<>("created");

    public FakeTransport(ServerConfig config, RequestProcessor processor, ServerStats stats, RuntimeException failOnStart) {
        this.config = config;
        this.processor = processor;
        this.stats = stats;
        this.failOnStart = failOnStart;
    }

    @Override
    public void start() {
        if (failOnStart != null) {
            throw failOnStart;
        }
        state.set("started");
    }

    @Override
    public int port() {
        return PORT;
    }

    @Override
    public void stop(Duration grace) {
        state.set("stopped");
    }

    @Override
    public void close() {
        state.compareAndSet("stopped", "closed");
        state.compareAndSet("created", "closed");
    }

    public String state() {
        return state.get();
    }

    public ServerConfig config() {
        return config;
    }

    public ServerStats stats() {
        return stats;
    }

    /** Sends one request body on this transport's one session and parses the response. */
    public JsonNode send(String body) {
        try {
            return new ObjectMapper().readTree(processor.process(session, body.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
