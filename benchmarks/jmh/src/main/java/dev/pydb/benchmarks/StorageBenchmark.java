package dev.pydb.benchmarks;

import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * Every storage backend through the SPI, as the server uses it: point reads, durable writes
 * (each {@link Storage#put} returns only once its commit is on disk), and a scan of the whole
 * preloaded database. Throughput in operations per second; for {@link #scan10k} one operation
 * reads all {@value OpenStorage#DOCUMENTS} documents.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class StorageBenchmark {
    @Benchmark
    @Threads(1)
    public Optional<Document> get1Thread(OpenStorage state) {
        return randomGet(state);
    }

    @Benchmark
    @Threads(16)
    public Optional<Document> get16Threads(OpenStorage state) {
        return randomGet(state);
    }

    @Benchmark
    @Threads(1)
    public long durablePut1Writer(OpenStorage state, WriterKeys keys) {
        return durablePut(state, keys);
    }

    @Benchmark
    @Threads(16)
    public long durablePut16Writers(OpenStorage state, WriterKeys keys) {
        return durablePut(state, keys);
    }

    @Benchmark
    @Threads(1)
    public List<Document> scan10k(OpenStorage state) {
        return state.storage.scan(OpenStorage.DB, null, OpenStorage.DOCUMENTS);
    }

    private static Optional<Document> randomGet(OpenStorage state) {
        String key = OpenStorage.key(ThreadLocalRandom.current().nextInt(OpenStorage.DOCUMENTS));
        return state.storage.get(OpenStorage.DB, key);
    }

    private static long durablePut(OpenStorage state, WriterKeys keys) {
        state.puts.increment();
        return state.storage.put(OpenStorage.DB, keys.next(), OpenStorage.body(keys.sequence()), Storage.ANY_REVISION);
    }
}
