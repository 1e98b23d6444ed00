package dev.pydb.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.mapdb.MapdbStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One storage per benchmark run: the backend named by {@link #provider}, found with
 * {@link ServiceLoader} as the server finds it, opened with default options in a fresh temporary
 * directory ({@code -Dpydb.bench.dir} chooses its parent) with the {@link #options} given, holding one database of
 * {@value #DOCUMENTS} documents.
 */
@State(Scope.Benchmark)
public class OpenStorage {
    public static final String DB = "bench";
    public static final int DOCUMENTS = 10_000;
    private static final int LOAD_BATCH = 500;

    @Param({"json", "mapdb", "lmdb"})
    public String provider;

    /** The backend's {@code storage.options} as a JSON object, e.g. {@code -p options='{"write_map":true}'}. */
    @Param({"{}"})
    public String options;

    Storage storage;
    /** Durable puts made in the current iteration (all threads). */
    final LongAdder puts = new LongAdder();
    private Path directory;
    private long commitsAtIterationStart;

    @Setup(Level.Trial)
    public void open() throws IOException {
        StorageProvider found = find(provider);
        String parent = System.getProperty("pydb.bench.dir", System.getProperty("java.io.tmpdir"));
        Path home = Files.createTempDirectory(Path.of(parent), "pydb-bench-" + provider + "-");
        directory = home.resolve("data");
        StorageOptions storageOptions = StorageOptions.of((ObjectNode) new ObjectMapper().readTree(options));
        storage = found.open(new StorageConfig(directory.toAbsolutePath(), storageOptions), new Context(home.toAbsolutePath()));
        storage.createDatabase(DB);
        for (int from = 0; from < DOCUMENTS; from += LOAD_BATCH) {
            List<WriteOp> batch = new ArrayList<>(LOAD_BATCH);
            for (int i = from; i < from + LOAD_BATCH; i++) {
                batch.add(WriteOp.Put.of(key(i), body(i)));
            }
            storage.write(DB, batch);
        }
        List<Document> all = storage.scan(DB, null, DOCUMENTS);
        if (all.size() != DOCUMENTS || storage.count(DB) != DOCUMENTS) {
            throw new IllegalStateException(provider + ": loaded " + DOCUMENTS + " documents but scan found " + all.size()
                    + " and count " + storage.count(DB));
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        puts.reset();
        commitsAtIterationStart = commits();
    }

    /**
     * Evidence of group commit for the {@code mapdb} backend: how many acknowledged puts each
     * commit (one fsync) carried in this iteration, printed into JMH's log.
     */
    @TearDown(Level.Iteration)
    public void reportWritesPerCommit() {
        long commits = commits() - commitsAtIterationStart;
        long writes = puts.sum();
        if (writes > 0 && commits > 0) {
            System.out.printf("(%s: %d puts in %d commits, %.1f puts per commit) ", provider, writes, commits,
                    (double) writes / commits);
        }
    }

    private long commits() {
        return storage instanceof MapdbStorage mapdb ? mapdb.commits() : 0;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        if (storage != null) {
            storage.close();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory.getParent())) {
                files.sorted(Comparator.reverseOrder()).forEach(OpenStorage::delete);
            }
        }
    }

    /** The key of the {@code i}-th preloaded document. */
    public static String key(int i) {
        return String.format("doc-%05d", i);
    }

    /** A document of about 200 bytes. */
    public static byte[] body(long i) {
        return ("{\"id\":" + i + ",\"name\":\"user " + i + "\",\"email\":\"user" + i + "@example.com\","
                + "\"tags\":[\"a\",\"b\",\"c\"],\"address\":{\"city\":\"Berlin\",\"zip\":\"10115\"},"
                + "\"score\":" + (i % 1000) / 10.0 + ",\"active\":true,\"note\":\"" + "n".repeat(60) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static StorageProvider find(String name) {
        List<String> names = new ArrayList<>();
        for (StorageProvider candidate : ServiceLoader.load(StorageProvider.class)) {
            if (candidate.name().equals(name)) {
                return candidate;
            }
            names.add(candidate.name());
        }
        throw new IllegalStateException("no storage provider '" + name + "' on the class path (found: " + names
                + "); run only the backends that are built, e.g. -p provider=mapdb");
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Context(Path homeDirectory) implements StorageContext {
        @Override
        public String serverVersion() {
            return "benchmark";
        }
    }
}
