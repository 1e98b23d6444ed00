package dev.pydb.storage.toolkit.wal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.PydbException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The smallest backend: a register holding a number. A request sets it to a new value if it holds
 * the expected one, checked against the pending value (requests prepared and not yet durable);
 * readers see the published value. It records every publish and abort, with the durable end of
 * the log at the moment of publishing.
 */
final class RecordingBackend {
    final List<Long> published = new CopyOnWriteArrayList<>();
    final List<Long> aborted = new CopyOnWriteArrayList<>();
    final List<Thread> publishers = new CopyOnWriteArrayList<>();
    final ConcurrentHashMap<Long, Long> durableEndAtPublish = new ConcurrentHashMap<>();
    final List<String> replayed = new ArrayList<>();
    private volatile long publishedValue;
    private long pendingValue;
    private LongSupplier durableEnd = () -> -1;

    void watchDurableEnd(LongSupplier durableEnd) {
        this.durableEnd = durableEnd;
    }

    long value() {
        return publishedValue;
    }

    /** Sets the register to {@code value} if it holds {@code expected} (pending requests included). */
    Preparer<Long> set(long expected, long value) {
        return sequence -> {
            if (pendingValue != expected) {
                throw PydbException.badRequest("register holds " + pendingValue + ", not " + expected);
            }
            long before = pendingValue;
            pendingValue = value;
            return prepared(sequence, "set " + value, () -> publishedValue = value, () -> pendingValue = before);
        };
    }

    /** A request that always passes, logging {@code text}. */
    Preparer<Long> append(String text) {
        return sequence -> prepared(sequence, text, () -> {}, () -> {});
    }

    private Prepared<Long> prepared(long sequence, String text, Runnable onPublish, Runnable onAbort) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return new Prepared<>() {
            @Override
            public ByteBuffer payload() {
                return ByteBuffer.wrap(payload);
            }

            @Override
            public Long publish() {
                durableEndAtPublish.put(sequence, durableEnd.getAsLong());
                onPublish.run();
                published.add(sequence);
                publishers.add(Thread.currentThread());
                return sequence;
            }

            @Override
            public void abort() {
                onAbort.run();
                aborted.add(sequence);
            }
        };
    }

    RecordHandler replayInto() {
        return record -> replayed.add(record.sequence() + ":" + new String(record.payload(), StandardCharsets.UTF_8));
    }

    static void assertContiguousFromOne(List<Long> sequences) {
        List<Long> expected = new ArrayList<>();
        for (long i = 1; i <= sequences.size(); i++) {
            expected.add(i);
        }
        assertThat(sequences).isEqualTo(expected);
    }
}
