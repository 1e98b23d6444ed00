package dev.pydb.engine.launcher;

import dev.pydb.api.ConfigException;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.backup.BackupFormat.BackupDamageException;
import dev.pydb.engine.backup.BackupManifest;
import dev.pydb.engine.backup.BackupReader;
import dev.pydb.engine.backup.Restore;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.json.JsonSupport;
import dev.pydb.engine.plugin.PluginLoadException;
import dev.pydb.engine.server.OfflineStorage;
import dev.pydb.engine.server.StorageLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pydb restore --from DIR}: loads a backup ({@code bin/pydb backup}) into the configured
 * storage, which must be empty, of any backend with an importer: also the migration path between
 * backends. Offline: holds the storage's lock, so no server may run on it. Exits 0 when restored,
 * 1 when the backup is damaged or the restore failed, 2 for a usage error.
 */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = "Loads a backup folder into the configured storage, which must be empty (any backend; the server"
                + " must be stopped). Exit 0: restored, 1: failed.")
final class RestoreCommand extends OfflineCommand implements Callable<Integer> {
    static final int RESTORED = 0;
    static final int FAILED = 1;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "The backup folder.")
    Path from;

    @Override
    public Integer call() {
        PrintWriter err = err();
        OfflineStorage target;
        BackupReader backup;
        try {
            EnvConfig env = readEnv();
            target = OfflineStorage.of(env, parent.home(), parent.components().plugins());
            backup = BackupReader.open(from.toAbsolutePath().normalize(), JsonSupport.mapper(env.server().maxQueryLength()));
        } catch (ConfigException | PluginLoadException | StartupException | PydbException | BackupDamageException e) {
            err.println("restore: " + e.getMessage());
            return FAILED;
        } catch (IOException e) {
            err.println("restore: cannot read the backup " + from + ": " + e.getMessage());
            return FAILED;
        }
        BackupManifest manifest = backup.manifest();
        ProgressMeter meter = ProgressMeter.on(err(), "restore");
        long start = System.nanoTime();
        Restore.Summary summary;
        boolean wrote = false;
        try (StorageLock lock = StorageLock.acquire(target.path());
                Storage storage = target.provider().open(target.config(), target.context())) {
            wrote = storage.listDatabases().isEmpty();
            summary = Restore.run(backup, storage, meter);
        } catch (BackupDamageException | PydbException | StartupException e) {
            meter.finish();
            err.println("restore: " + e.getMessage() + partly(wrote, target));
            return FAILED;
        } catch (IOException e) {
            meter.finish();
            err.println("restore: cannot read the backup: " + e.getMessage() + partly(wrote, target));
            return FAILED;
        }
        meter.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        out().println(String.format(Locale.ROOT, "restore: %,d databases, %,d documents, %d indexes from %s (a %s backup"
                        + " of %s) into the %s storage at %s in %.1f s (%,.0f documents/s)", summary.databases(),
                summary.documents(), summary.indexes(), backup.folder(), manifest.provider(), manifest.createdAt(),
                target.provider().name(), target.path(), seconds, summary.documents() / Math.max(seconds, 1e-9)));
        if (!summary.skippedIndexes().isEmpty()) {
            out().println("restore: the " + target.provider().name() + " storage has no secondary indexes; not created: "
                    + String.join(", ", summary.skippedIndexes()));
        }
        return RESTORED;
    }

    private static String partly(boolean wrote, OfflineStorage target) {
        return wrote ? " (the storage at " + target.path() + " may be partly restored: delete its folder before restoring"
                + " again)" : "";
    }
}
