package dev.pydb.storage.postgres.cluster;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, started from Debian's binaries ({@code /usr/lib/postgresql/N/bin},
 * the newest N) as the {@code postgres} user: {@code initdb} in a fresh temporary folder,
 * {@code pg_ctl start} on 127.0.0.1 and a free port, the socket in the same folder; a streaming
 * replica from {@code pg_basebackup -R}. The primary commits synchronously to its replica once one
 * is attached ({@code synchronous_standby_names = '*'}), so a promoted replica has every
 * acknowledged commit. Test databases use an ICU collation (en-US), so string order that depends on
 * {@code COLLATE "C"} is really tested.
 *
 * <p>{@link #unavailableBecause()} says whether this can work here (binaries present, running as root or
 * {@code postgres}); {@link #requireAvailable()} is what tests call: it fails when the environment
 * variable {@code CI} is {@code true} and skips (JUnit assumption) otherwise.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "pydb";
    public static final String PASSWORD = "pydb-test-password";
    public static final String DATABASE = "pydb";
    private static final Path BINARIES_ROOT = Path.of("/usr/lib/postgresql");

    private final Path folder;
    private final Path data;
    private final int port;
    private final Path bin;
    private final boolean replica;
    private boolean running;

    private LocalPostgres(Path folder, Path data, int port, Path bin, boolean replica) {
        this.folder = folder;
        this.data = data;
        this.port = port;
        this.bin = bin;
        this.replica = replica;
    }

    /** Why this machine cannot run PostgreSQL for tests, or empty when it can. */
    public static Optional<String> unavailableBecause() {
        if (binaries().isEmpty()) {
            return Optional.of("no PostgreSQL binaries under " + BINARIES_ROOT + " (apt-get install postgresql)");
        }
        String user = System.getProperty("user.name");
        if (!user.equals("root") && !user.equals("postgres")) {
            return Optional.of("the tests start PostgreSQL as the postgres user, which needs root (running as " + user + ")");
        }
        return Optional.empty();
    }

    /** Fails in CI ({@code CI=true}) and skips elsewhere when PostgreSQL cannot be started here. */
    public static void requireAvailable() {
        Optional<String> reason = unavailableBecause();
        if (reason.isPresent()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL is required in CI: " + reason.get());
            }
            org.junit.jupiter.api.Assumptions.abort(reason.get());
        }
    }

    /**
     * Starts a new primary with the role {@link #USER} and the database {@link #DATABASE};
     * {@link IllegalStateException} when {@link #unavailableBecause()} has a reason (tests call
     * {@link #requireAvailable()} first).
     */
    public static LocalPostgres startPrimary() {
        unavailableBecause().ifPresent(reason -> {
            throw new IllegalStateException("cannot start PostgreSQL here: " + reason);
        });
        Path bin = binaries().orElseThrow();
        Path folder = newFolder("pydb-pg-primary-");
        Path data = folder.resolve("data");
        int port = freePort();
        LocalPostgres server = new LocalPostgres(folder, data, port, bin, false);
        server.asPostgres(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres",
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"));
        appendConfig(data, String.join("\n",
                "listen_addresses = '127.0.0.1'",
                "max_connections = 300",
                "shared_buffers = 64MB",
                "wal_level = replica",
                "max_wal_senders = 5",
                "hot_standby = on",
                "fsync = on",
                "synchronous_commit = on",
                "log_min_messages = warning",
                ""));
        writeString(data.resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host replication postgres 127.0.0.1/32 trust",
                "host all postgres 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                ""));
        server.start();
        server.psql("postgres", "CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
        server.psql("postgres", "CREATE DATABASE " + DATABASE + " OWNER " + USER + " TEMPLATE template0"
                + " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
        return server;
    }

    /**
     * Starts a streaming replica of this primary and makes the primary's commits wait for it
     * (synchronous replication), so nothing acknowledged is lost when the replica is promoted.
     */
    public LocalPostgres startReplica() {
        Path folder = newFolder("pydb-pg-replica-");
        Path replicaData = folder.resolve("data");
        int replicaPort = freePort();
        LocalPostgres standby = new LocalPostgres(folder, replicaData, replicaPort, bin, true);
        standby.asPostgres(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "postgres", "-D", replicaData.toString(), "-R", "-X", "stream", "-c", "fast"));
        // once promoted, the replica has no standby of its own: it must not wait for one
        appendConfig(replicaData, "synchronous_standby_names = ''\n");
        standby.start();
        psql("postgres", "ALTER SYSTEM SET synchronous_standby_names = '*'");
        psql("postgres", "SELECT pg_reload_conf()");
        return standby;
    }

    /** Promotes this replica to a primary and waits until it accepts writes. */
    public void promote() {
        if (!replica) {
            throw new IllegalStateException("not a replica");
        }
        asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "promote"));
    }

    /** Stops the server: {@code fast} (clean) or {@code immediate} (as a crash: no shutdown checkpoint). */
    public void stop(String mode) {
        if (running) {
            asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "-t", "60", "stop"));
            running = false;
        }
    }

    public void start() {
        asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", folder.resolve("server.log").toString(),
                "-o", "-p " + port + " -k " + folder, "-w", "-t", "60", "start"));
        running = true;
    }

    public int port() {
        return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/pydb}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Runs SQL as the superuser in {@code database}; returns psql's unaligned output. */
    public String psql(String database, String sql) {
        return asPostgres(List.of(bin.resolve("psql").toString(), "-h", folder.toString(), "-p", Integer.toString(port),
                "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql));
    }

    /** The tail of the server log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(folder.resolve("server.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server (immediately) and deletes its folder. */
    @Override
    public void close() {
        try {
            stop("immediate");
        } finally {
            deleteRecursively(folder);
        }
    }

    private String asPostgres(List<String> command) {
        List<String> full = new ArrayList<>();
        if (!System.getProperty("user.name").equals("postgres")) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).directory(folder.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + full);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("exit " + process.exitValue() + " from " + full + ":\n" + text
                        + "\nserver log:\n" + logTail());
            }
            return text.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Optional<Path> binaries() {
        if (!Files.isDirectory(BINARIES_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(BINARIES_ROOT)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")) && Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparing(bin -> versionNumber(bin.getParent().getFileName().toString())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int versionNumber(String name) {
        try {
            return Integer.parseInt(name.replaceAll("\\..*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Path newFolder(String prefix) {
        try {
            Path folder = Files.createTempDirectory(prefix);
            UserPrincipalLookupService users = folder.getFileSystem().getUserPrincipalLookupService();
            if (!System.getProperty("user.name").equals("postgres")) {
                Files.setOwner(folder, users.lookupPrincipalByName("postgres"));
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendConfig(Path data, String lines) {
        try {
            Files.writeString(data.resolve("postgresql.conf"), lines, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path folder) {
        requireNonNull(folder, "folder is null");
        try (Stream<Path> walk = Files.walk(folder)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }
}
