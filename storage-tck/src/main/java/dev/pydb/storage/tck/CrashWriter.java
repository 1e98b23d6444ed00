package dev.pydb.storage.tck;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.StorageProvider;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * The child process of the compliance kit's crash test. It opens a storage by provider name
 * (found with {@link ServiceLoader}) and writes from {@value #THREADS} threads until it is
 * killed: puts of distinct keys and compare-and-set increments of {@value #COUNTERS} counters.
 * After each write has returned it prints one line to stdout and flushes:
 * <pre>
 * READY
 * PUT &lt;key&gt; &lt;rev&gt;
 * CTR &lt;key&gt; &lt;value&gt;
 * </pre>
 * One more thread creates and drops databases {@code r<round>-db<n>} one after the other,
 * printing {@code DBC <name>} after a create returned, {@code DBX <name>} before a drop starts
 * and {@code DBD <name>} after it returned.
 * Anything else written to {@code System.out} (e.g. console logging) goes to stderr.
 * Arguments: {@code <provider> <storage path> <options JSON> <round>}. It stops by itself after
 * {@value #MAX_RUN_SECONDS} seconds, so a lost parent never leaves it running.
 */
public final class CrashWriter {
    public static final String DATABASE = "crash";
    public static final String PUT = "PUT";
    public static final String COUNTER = "CTR";
    public static final String CREATED = "DBC";
    public static final String DROPPING = "DBX";
    public static final String DROPPED = "DBD";
    public static final int THREADS = 8;
    public static final int COUNTERS = 3;
    public static final int COUNTER_THREADS = 2;
    static final long MAX_RUN_SECONDS = 60;

    private final Storage storage;
    private final int round;
    private final PrintStream out;

    private CrashWriter(Storage storage, int round, PrintStream out) {
        this.storage = storage;
        this.round = round;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: CrashWriter <provider> <storage path> <options JSON> <round>");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false,
                StandardCharsets.UTF_8);
        System.setOut(System.err); // stdout carries acknowledgements only; logging goes to stderr
        StorageProvider provider = findProvider(args[0]);
        StorageOptions options = StorageOptions.of((ObjectNode) new ObjectMapper().readTree(args[2]));
        Path path = Path.of(args[1]);
        Storage storage = provider.open(new StorageConfig(path, options), KitStorageContext.at(path.getParent()));
        if (!storage.databaseExists(DATABASE)) {
            storage.createDatabase(DATABASE);
        }
        new CrashWriter(storage, Integer.parseInt(args[3]), out).run();
    }

    /** The key the {@code n}-th put of {@code thread} in {@code round} writes. */
    public static String putKey(int round, int thread, long n) {
        return "r" + round + "-t" + thread + "-" + n;
    }

    /** The body the put of {@code key} writes. */
    public static byte[] putBody(String key) {
        return Bodies.json("{\"key\":\"" + key + "\",\"payload\":\"" + "x".repeat(100) + "\"}");
    }

    public static String counterKey(int counter) {
        return "counter-" + counter;
    }

    private void run() throws InterruptedException {
        ack("READY");
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            threads[t] = new Thread(() -> {
                try {
                    if (thread < COUNTER_THREADS) {
                        incrementCounters(thread);
                    } else {
                        putKeys(thread);
                    }
                } catch (RuntimeException e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            }, "crash-writer-" + t);
            threads[t].setDaemon(true);
            threads[t].start();
        }
        Thread.ofPlatform().name("crash-writer-databases").daemon(true).start(() -> {
            try {
                createAndDropDatabases();
            } catch (RuntimeException e) {
                e.printStackTrace();
                System.exit(3);
            }
        });
        Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_RUN_SECONDS));
        System.err.println("CrashWriter was not killed within " + MAX_RUN_SECONDS + " s; exiting");
        System.exit(4);
    }

    private void putKeys(int thread) {
        for (long n = 0; ; n++) {
            String key = putKey(round, thread, n);
            long rev = storage.put(DATABASE, key, putBody(key), Storage.ANY_REVISION);
            ack(PUT + " " + key + " " + rev);
        }
    }

    /** The n-th database the create/drop thread of {@code round} uses. */
    public static String databaseName(int round, long n) {
        return "r" + round + "-db" + n;
    }

    private void createAndDropDatabases() {
        for (long n = 0; ; n++) {
            String name = databaseName(round, n);
            storage.createDatabase(name);
            ack(CREATED + " " + name);
            storage.put(name, "k", Bodies.number(n), Storage.ANY_REVISION);
            ack(DROPPING + " " + name);
            storage.dropDatabase(name);
            ack(DROPPED + " " + name);
        }
    }

    private void incrementCounters(int thread) {
        for (long n = thread; ; n++) {
            String key = counterKey((int) (n % COUNTERS));
            while (true) {
                Optional<Document> current = storage.get(DATABASE, key);
                long value = current.map(d -> Bodies.numberOf(d.body())).orElse(0L) + 1;
                long expectedRev = current.map(Document::rev).orElse(0L);
                try {
                    storage.put(DATABASE, key, Bodies.number(value), expectedRev);
                    ack(COUNTER + " " + key + " " + value);
                    break;
                } catch (PydbException e) {
                    if (e.code() != ErrorCode.CONFLICT) {
                        throw e;
                    }
                }
            }
        }
    }

    private void ack(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static StorageProvider findProvider(String name) {
        for (StorageProvider provider : ServiceLoader.load(StorageProvider.class)) {
            if (provider.name().equals(name)) {
                return provider;
            }
        }
        throw new IllegalArgumentException("no StorageProvider named '" + name + "' on the class path");
    }
}
