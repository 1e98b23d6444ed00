package dev.pydb.engine.launcher;

import dev.pydb.api.ConfigException;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.api.storage.StorageVerifier.Damage;
import dev.pydb.api.storage.StorageVerifier.Report;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.plugin.PluginLoadException;
import dev.pydb.engine.server.OfflineStorage;
import dev.pydb.engine.server.StorageLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code pydb verify}: checks the files of the configured storage of a stopped server through its
 * provider's {@link StorageVerifier}: every record, checksum and log record. Prints a summary and
 * each damaged place; exits 0 clean, 1 damage found, 2 could not read (no storage, a running server,
 * a provider without a verifier, unreadable files).
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = "Checks every record, checksum and log record of the configured storage of a stopped server."
                + " Exit 0: clean, 1: damage found, 2: could not read.")
final class VerifyCommand extends OfflineCommand implements Callable<Integer> {
    static final int CLEAN = 0;
    static final int DAMAGED = 1;
    static final int CANNOT_READ = 2;

    @Override
    public Integer call() {
        PrintWriter out = out();
        PrintWriter err = err();
        OfflineStorage storage;
        try {
            EnvConfig env = readEnv();
            storage = OfflineStorage.of(env, parent.home(), parent.components().plugins());
        } catch (ConfigException | PluginLoadException | StartupException | PydbException e) {
            err.println("verify: " + e.getMessage());
            return CANNOT_READ;
        }
        Optional<StorageVerifier> verifier = storage.provider().verifier();
        if (verifier.isEmpty()) {
            err.println("verify: the storage provider '" + storage.provider().name() + "' cannot verify its files");
            return CANNOT_READ;
        }
        Path path = storage.path();
        if (!Files.isDirectory(path)) {
            err.println("verify: there is no storage at " + path);
            return CANNOT_READ;
        }
        Optional<String> running = runningServer(path);
        if (running.isPresent()) {
            err.println("verify: " + running.get());
            return CANNOT_READ;
        }
        ProgressMeter meter = ProgressMeter.on(err(), "verify");
        long start = System.nanoTime();
        Report report;
        try {
            report = verifier.get().verify(storage.config(), storage.context(), meter);
        } catch (PydbException e) {
            meter.finish();
            err.println("verify: cannot read the " + storage.provider().name() + " storage at " + path + ": "
                    + e.getMessage());
            return CANNOT_READ;
        } catch (RuntimeException e) {
            meter.finish();
            err.println("verify: cannot read the " + storage.provider().name() + " storage at " + path + ": " + e);
            return CANNOT_READ;
        }
        meter.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println(summary(storage.provider().name(), path, report, seconds));
        for (Damage damage : report.damage()) {
            out.println("  " + describe(damage));
        }
        out.flush();
        return report.clean() ? CLEAN : DAMAGED;
    }

    static String summary(String provider, Path path, Report report, double seconds) {
        return String.format(Locale.ROOT, "verify: %s storage at %s: %,d databases, %,d documents, %,d log records"
                        + " checked in %.1f s: %s", provider, path, report.databases(), report.documents(),
                report.logRecords(), seconds,
                report.clean() ? "clean" : report.damage().size() + " damaged " + (report.damage().size() == 1 ? "place" : "places"));
    }

    static String describe(Damage damage) {
        StringBuilder line = new StringBuilder("DAMAGED ").append(damage.file());
        if (damage.offset() >= 0) {
            line.append(" at offset ").append(damage.offset());
        }
        if (damage.database() != null) {
            line.append(" database '").append(damage.database()).append('\'');
        }
        if (damage.key() != null) {
            line.append(" key '").append(damage.key()).append('\'');
        }
        return line.append(": ").append(damage.problem()).toString();
    }

    /**
     * A message if a server holds the storage's lock. Probes with a shared lock that is released at
     * once (the verifiers check it themselves too) and writes nothing.
     */
    static Optional<String> runningServer(Path path) {
        Path lock = path.resolve(StorageLock.FILE_NAME);
        if (!Files.exists(lock)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return Optional.of("a running server uses " + path + "; stop it first (verify reads a stopped server's files)");
            }
            probe.release();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("cannot check the lock " + lock + ": " + e.getMessage());
        }
    }
}
