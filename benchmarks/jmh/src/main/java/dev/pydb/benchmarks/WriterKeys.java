package dev.pydb.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Per writer thread: a stream of keys no other thread (and no preloaded document) uses. */
@State(Scope.Thread)
public class WriterKeys {
    private static final AtomicInteger NEXT_WRITER = new AtomicInteger();

    private String prefix;
    private long next;

    @Setup
    public void setUp() {
        prefix = "w" + NEXT_WRITER.getAndIncrement() + "-";
    }

    public String next() {
        return prefix + next++;
    }

    public long sequence() {
        return next;
    }
}
