package dev.pydb.storage.tck;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The stdout of a child process the crash test kills, read line by line on its own thread to the
 * end: every line the child wrote before it died is delivered, including those still in the pipe
 * when it was killed.
 *
 * <p>That is why {@link #kill()} signals the child through its {@link ProcessHandle}:
 * {@link Process#destroyForcibly()} also closes the parent's end of the child's stdout right
 * after the signal, so a reader that lags behind the child (a loaded machine) loses the lines
 * still in the pipe, and with them acknowledgements.
 */
final class CrashChildOutput {
    private final Process process;
    private final Thread reader;
    private volatile IOException failure;

    private CrashChildOutput(Process process, String threadName, Consumer<String> lines) {
        this.process = process;
        this.reader = Thread.ofPlatform().name(threadName).unstarted(() -> readAll(lines));
    }

    /** Starts reading {@code process}'s stdout, passing each line to {@code lines} on a thread named {@code threadName}. */
    static CrashChildOutput start(Process process, String threadName, Consumer<String> lines) {
        requireNonNull(process, "process is null");
        requireNonNull(threadName, "threadName is null");
        requireNonNull(lines, "lines is null");
        CrashChildOutput output = new CrashChildOutput(process, threadName, lines);
        output.reader.start();
        return output;
    }

    private void readAll(Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.accept(line);
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    /**
     * Kills the child with SIGKILL (if it still runs) and waits up to {@code timeoutSeconds} for it
     * to end, leaving its stdout open so that {@link #awaitEnd} still reads every line it wrote.
     */
    void kill(long timeoutSeconds) throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the child process " + process.pid() + " did not end within " + timeoutSeconds
                    + " s of SIGKILL");
        }
    }

    /**
     * Waits up to {@code timeoutSeconds} until every line of the ended child's stdout was passed on;
     * fails if reading failed or did not reach the end, since lines (acknowledgements) would be missing.
     */
    void awaitEnd(long timeoutSeconds) throws InterruptedException {
        reader.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
        if (reader.isAlive()) {
            throw new AssertionError("the stdout of child process " + process.pid() + " was not read to its end within "
                    + timeoutSeconds + " s; acknowledgements would be missing");
        }
        if (failure != null) {
            throw new AssertionError("reading the stdout of child process " + process.pid()
                    + " failed; acknowledgements would be missing", failure);
        }
    }
}
