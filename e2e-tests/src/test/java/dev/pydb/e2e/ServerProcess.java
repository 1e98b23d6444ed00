package dev.pydb.e2e;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A py_db server started as a real process with {@code bin/pydb}, its stdout and stderr in
 * files. {@link #close()} kills it if it still runs.
 */
final class ServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ServerProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs {@code <home>/bin/pydb <args>} with JAVA_HOME set to this JVM's home; output goes to {@code outputDir}. */
    static ServerProcess start(Path home, Path outputDir, List<String> args) {
        requireNonNull(home, "home is null");
        try {
            Files.createDirectories(outputDir);
            Path stdout = Files.createTempFile(outputDir, "stdout-", ".txt");
            Path stderr = Files.createTempFile(outputDir, "stderr-", ".txt");
            ProcessBuilder builder = new ProcessBuilder();
            builder.command().add(home.resolve("bin").resolve("pydb").toString());
            builder.command().addAll(args);
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().remove("PYDB_JAVA_OPTS");
            builder.directory(outputDir.toFile());
            builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.redirectOutput(stdout.toFile());
            builder.redirectError(stderr.toFile());
            return new ServerProcess(builder.start(), stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until PING on {@code 127.0.0.1:port} answers PONG; fails at once if the process exits. */
    ServerProcess awaitPing(int port) {
        await("PING on 127.0.0.1:" + port)
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .failFast("the server exited during start", () -> !process.isAlive())
                .until(() -> {
                    try (RawWireClient client = RawWireClient.connect("127.0.0.1", port)) {
                        return "PONG".equals(client.ping());
                    }
                });
        return this;
    }

    /** Sends SIGTERM ({@link Process#destroy()}) and returns the exit code. */
    int stop() {
        process.destroy();
        return awaitExit();
    }

    /** Kills the server with SIGKILL ({@link Process#destroyForcibly()}), like a crash, and waits for it. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** Waits for the process to end by itself and returns the exit code. */
    int awaitExit() {
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the server did not exit within " + STOP_TIMEOUT + "\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    long pid() {
        return process.pid();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** Both streams, for assertion messages. */
    String output() {
        return "--- stdout ---\n" + stdout() + "\n--- stderr ---\n" + stderr();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
