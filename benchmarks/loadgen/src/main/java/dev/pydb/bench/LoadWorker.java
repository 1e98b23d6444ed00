package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * One connection's load loop, on its own thread: write up to {@code pipeline} requests in one
 * write, then read as many responses; each response's latency is measured from the write of
 * its slice (as redis-benchmark does). Latencies go to this worker's own histogram, merged
 * by the caller after the run; completed requests also go to shared counters for the progress line.
 */
final class LoadWorker implements Runnable {
    private final Wire wire;
    private final String host;
    private final int port;
    private final Map<Operation, RequestTemplate> templates;
    private final OperationMix mix;
    private final KeyChooser keys;
    private final int pipeline;
    private final Progress progress;
    private final CountDownLatch ready;
    private final CountDownLatch start;
    private final RunLimitSupplier limit;
    private final SplittableRandom random;
    private final Histogram latencyNanos = new Histogram(3_600_000_000_000L, 3);
    private final Map<String, Long> errorCodes = new HashMap<>();
    private volatile Throwable failure;

    /** The run limit is known only once every connection is ready. */
    interface RunLimitSupplier {
        RunLimit get();
    }

    /** Counters shared by all workers, read once a second for the progress line. */
    static final class Progress {
        final LongAdder completed = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    LoadWorker(Wire wire, String host, int port, Map<Operation, RequestTemplate> templates,
               OperationMix mix, KeyChooser keys, int pipeline, Progress progress,
               CountDownLatch ready, CountDownLatch start, RunLimitSupplier limit, long seed) {
        this.wire = requireNonNull(wire, "wire is null");
        this.host = requireNonNull(host, "host is null");
        this.port = port;
        this.templates = new EnumMap<>(templates);
        this.mix = requireNonNull(mix, "mix is null");
        this.keys = requireNonNull(keys, "keys is null");
        this.pipeline = pipeline;
        this.progress = requireNonNull(progress, "progress is null");
        this.ready = requireNonNull(ready, "ready is null");
        this.start = requireNonNull(start, "start is null");
        this.limit = requireNonNull(limit, "limit is null");
        this.random = new SplittableRandom(seed);
    }

    @Override
    public void run() {
        boolean counted = false;
        try (WireConnection connection = wire.open(host, port)) {
            ready.countDown();
            counted = true;
            start.await();
            loop(connection, limit.get());
        } catch (IOException | RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!counted) {
                ready.countDown();
            }
        }
    }

    private void loop(WireConnection connection, RunLimit runLimit) throws IOException {
        int maxFrame = templates.values().stream().mapToInt(RequestTemplate::length).max().orElseThrow();
        byte[] frames = new byte[maxFrame * pipeline];
        while (true) {
            int count = runLimit.claim(pipeline);
            if (count == 0) {
                return;
            }
            int length = 0;
            for (int i = 0; i < count; i++) {
                length = templates.get(mix.next(random)).writeTo(frames, length, keys.next(random));
            }
            long sentAt = System.nanoTime();
            connection.write(frames, length);
            for (int i = 0; i < count; i++) {
                String errorCode = connection.readReply();
                latencyNanos.recordValue(Math.min(System.nanoTime() - sentAt, latencyNanos.getHighestTrackableValue()));
                if (errorCode != null) {
                    errorCodes.merge(errorCode, 1L, Long::sum);
                    progress.errors.increment();
                }
            }
            progress.completed.add(count);
        }
    }

    /** Latencies in nanoseconds; read after the thread has ended. */
    Histogram latencyNanos() {
        return latencyNanos;
    }

    /** Error code to count; read after the thread has ended. */
    Map<String, Long> errorCodes() {
        return errorCodes;
    }

    /** Why this connection stopped early, or null. */
    Throwable failure() {
        return failure;
    }
}
