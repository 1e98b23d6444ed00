package dev.pydb.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pydb-bench}: a load generator in the spirit of {@code redis-benchmark}, for py_db or (with
 * {@code --target redis}) for Redis, so both servers can be measured by the same client. It (re)creates a
 * database, preloads its key space, then runs an operation mix over N raw connections with
 * pipelining for a duration or a request count, printing a progress line each second and, at
 * the end, throughput and latency percentiles (text, or JSON with {@code --json}).
 * Exit codes: 0 done without errors, 1 done with error responses, 2 usage error, 3 the run failed.
 */
@Command(name = "pydb-bench", sortOptions = false, usageHelpAutoWidth = true,
        description = "Load a py_db server (or, for comparison, a Redis server) like redis-benchmark does: N connections, pipelining, an operation mix.",
        footer = {"", "The password comes from PYDB_PASSWORD. The user needs the admin role (the database is dropped and created).",
                "--target redis sends GET key / SET key value (value = the same document bytes py_db stores) over RESP2, without login.",
                "Exit codes: 0 no errors, 1 some requests answered with an error, 2 usage error, 3 the run failed."})
public final class PydbBench implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_ERRORS = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)?");

    /** The server kind and so the protocol: py_db's framed JSON or Redis's RESP2. */
    enum Target {
        PYDB, REDIS
    }

    @Option(names = "--target", defaultValue = "pydb",
            description = "server to load: pydb, or redis (RESP2; get and put only, --db and -u ignored) (default: pydb)")
    Target target;

    @Option(names = {"-h", "--host"}, defaultValue = "127.0.0.1", description = "server host (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "9440", description = "server port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-u", "--user"}, defaultValue = "admin", description = "user to log in as (default: ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--db", defaultValue = "bench", description = "database to use (default: ${DEFAULT-VALUE})")
    String db;

    @Option(names = "-c", defaultValue = "50", description = "connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "-P", defaultValue = "1", description = "pipeline depth: requests written before reading (default: ${DEFAULT-VALUE})")
    int pipeline;

    @Option(names = "--mix", defaultValue = "get=100",
            description = "operation mix, e.g. get=80,put=20 (ops: get, put, insert, find, batch; default: ${DEFAULT-VALUE})")
    String mix;

    @Option(names = "-d", defaultValue = "100", description = "value size in bytes of each document (default: ${DEFAULT-VALUE})")
    int valueBytes;

    @Option(names = "-r", defaultValue = "100000", description = "key space: keys k0 .. k(r-1) (default: ${DEFAULT-VALUE})")
    long keySpace;

    @Option(names = "--batch-size", defaultValue = "10", description = "PUTs per BATCH (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--duration", description = "run for this long: 30s, 500ms, 2m (default: 10s unless -n is given)")
    String duration;

    @Option(names = "-n", defaultValue = "0", description = "run for this many requests (with --duration: whichever ends first)")
    long requests;

    @Option(names = "--no-preload", description = "keep the database as it is: create it if missing, write no keys first")
    boolean noPreload;

    @Option(names = "--tls", description = "connect to py_db with TLS, trusting any server certificate "
            + "(for measuring TLS cost only; never use this for real data)")
    boolean tls;

    @Option(names = "--json", description = "print the summary as one JSON object (progress lines still go to stderr)")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "no progress lines")
    boolean quiet;

    @Option(names = "--help", usageHelp = true, description = "show this help and exit")
    boolean help;

    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    private BenchSummary lastSummary;

    PydbBench(Map<String, String> environment, PrintStream out, PrintStream err) {
        this.environment = Map.copyOf(requireNonNull(environment, "environment is null"));
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
    }

    public static void main(String[] args) {
        System.exit(execute(System.getenv(), System.out, System.err, args));
    }

    /** Parses {@code args} and runs; returns the exit code. */
    static int execute(Map<String, String> environment, PrintStream out, PrintStream err, String... args) {
        return commandLine(new PydbBench(environment, out, err)).execute(args);
    }

    static CommandLine commandLine(PydbBench bench) {
        CommandLine commandLine = new CommandLine(bench);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(bench.out, true));
        commandLine.setErr(new PrintWriter(bench.err, true));
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            bench.err.println("pydb-bench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof IllegalArgumentException ? EXIT_USAGE : EXIT_FAILED;
        });
        return commandLine;
    }

    /** The summary of the last completed run, for tests. */
    BenchSummary lastSummary() {
        return lastSummary;
    }

    @Override
    public Integer call() throws Exception {
        OperationMix operations = OperationMix.parse(mix);
        long durationNanos = parseDuration(duration == null && requests <= 0 ? "10s" : duration);
        check(connections >= 1 && connections <= 10_000, "-c must be 1..10000");
        check(pipeline >= 1 && pipeline <= 10_000, "-P must be 1..10000");
        check(valueBytes >= 0 && valueBytes <= 1_000_000, "-d must be 0..1000000");
        check(keySpace >= 1 && keySpace < 10_000_000_000L, "-r must be 1..9999999999");
        check(batchSize >= 1 && batchSize <= 1000, "--batch-size must be 1..1000");
        Wire wire = wire();
        check(wire.operations().containsAll(operations.weights().keySet()),
                "--target " + target.name().toLowerCase(Locale.ROOT) + " supports only the operations " + wire.operations());

        wire.prepare(host, port, !noPreload);
        Map<Operation, RequestTemplate> templates = new EnumMap<>(Operation.class);
        for (Operation operation : wire.operations()) {
            templates.put(operation, wire.template(operation));
        }
        long preloaded = 0;
        if (!noPreload) {
            progressLine("preloading " + keySpace + " keys");
            BenchSummary preload = run(wire, templates, OperationMix.only(Operation.PUT), KeyChooser.sequential(),
                    Math.max(pipeline, 64), keySpace, 0, "preload");
            if (preload.errors() > 0) {
                throw new BenchException("the preload failed: " + preload.errorCodes());
            }
            preloaded = keySpace;
        }
        BenchSummary summary = run(wire, templates, operations, KeyChooser.uniform(keySpace), pipeline,
                requests, durationNanos, operations.toString());
        lastSummary = new BenchSummary(target.name().toLowerCase(Locale.ROOT), host, port, db, connections, pipeline, operations.toString(), valueBytes, keySpace,
                preloaded, summary.requests(), summary.errors(), summary.errorCodes(), summary.durationSeconds(),
                summary.requestsPerSecond(), summary.latency());
        out.print(json ? JSON.writeValueAsString(lastSummary) + System.lineSeparator() : lastSummary.toText());
        out.flush();
        return lastSummary.errors() == 0 ? EXIT_OK : EXIT_ERRORS;
    }

    private Wire wire() {
        return switch (target) {
            case PYDB -> {
                String password = environment.get("PYDB_PASSWORD");
                check(password != null, "set PYDB_PASSWORD to the password of '" + user + "'");
                yield new PydbWire(new PydbWire.Credentials(user, password), db, valueBytes, batchSize,
                        tls ? TrustingTls.socketFactory() : null);
            }
            case REDIS -> new RespWire(valueBytes);
        };
    }

    private BenchSummary run(Wire wire, Map<Operation, RequestTemplate> templates,
                             OperationMix operations, KeyChooser keys, int depth, long maxRequests, long durationNanos,
                             String label) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch start = new CountDownLatch(1);
        LoadWorker.Progress progress = new LoadWorker.Progress();
        RunLimit[] limit = new RunLimit[1];
        List<LoadWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            LoadWorker worker = new LoadWorker(wire, host, port, templates, operations, keys, depth, progress,
                    ready, start, () -> limit[0], 0x9E3779B97F4A7C15L * (i + 1));
            workers.add(worker);
            threads.add(Thread.ofPlatform().name("bench-" + i).daemon().start(worker));
        }
        ready.await();
        for (LoadWorker worker : workers) {
            if (worker.failure() != null) {
                start.countDown();
                throw new BenchException("connection failed before the run: " + describe(worker.failure()));
            }
        }
        long startNanos = System.nanoTime();
        limit[0] = new RunLimit(maxRequests, durationNanos, startNanos);
        start.countDown();
        long lastCompleted = 0;
        long lastNanos = startNanos;
        for (Thread thread : threads) {
            while (!thread.join(Duration.ofMillis(Math.max(1, 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastNanos))))) {
                long now = System.nanoTime();
                if (now - lastNanos >= 1_000_000_000L) {
                    long completed = progress.completed.sum();
                    progressLine(String.format(Locale.ROOT, "%s: %.0f s, %.0f requests/s, %d done, %d errors", label,
                            (now - startNanos) / 1e9, (completed - lastCompleted) * 1e9 / (now - lastNanos), completed,
                            progress.errors.sum()));
                    lastCompleted = completed;
                    lastNanos = now;
                }
            }
        }
        long elapsedNanos = System.nanoTime() - startNanos;
        Histogram latencies = new Histogram(3_600_000_000_000L, 3);
        Map<String, Long> errorCodes = new HashMap<>();
        for (LoadWorker worker : workers) {
            if (worker.failure() != null) {
                throw new BenchException("a connection failed during the run: " + describe(worker.failure()));
            }
            latencies.add(worker.latencyNanos());
            worker.errorCodes().forEach((code, count) -> errorCodes.merge(code, count, Long::sum));
        }
        long total = latencies.getTotalCount();
        double seconds = elapsedNanos / 1e9;
        BenchSummary.Latency latency = new BenchSummary.Latency(millis(latencies.getMean()),
                millis(latencies.getValueAtPercentile(50)), millis(latencies.getValueAtPercentile(99)),
                millis(latencies.getValueAtPercentile(99.9)), millis(latencies.getMaxValue()));
        return new BenchSummary(target.name().toLowerCase(Locale.ROOT), host, port, db, connections, depth, label, valueBytes, keySpace, 0, total,
                errorCodes.values().stream().mapToLong(Long::longValue).sum(), errorCodes, seconds,
                total / seconds, latency);
    }

    private void progressLine(String line) {
        if (!quiet) {
            err.println(line);
        }
    }

    private static double millis(double nanos) {
        return Math.round(nanos / 1_000.0) / 1_000.0;
    }

    private static String describe(Throwable failure) {
        return failure.getMessage() == null ? failure.toString() : failure.getMessage();
    }

    static long parseDuration(String text) {
        if (text == null) {
            return 0;
        }
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--duration must look like 30s, 500ms or 2m, got '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> TimeUnit.MILLISECONDS.toNanos(amount);
            case "m" -> TimeUnit.MINUTES.toNanos(amount);
            default -> TimeUnit.SECONDS.toNanos(amount);
        };
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
