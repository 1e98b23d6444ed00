package dev.pydb.storage.mapdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * {@code bin/pydb verify} for the {@code mapdb} backend, on a stopped storage, changing no file:
 * the operation log is read strictly (a damaged record that is not the last is damage; a torn last
 * record is not: it was never acknowledged, and the next start cuts it); the store file is opened
 * read-only with MapDB (on a copy with the redo log applied, if a checkpoint was interrupted);
 * every document's value must pass its checksum (a store not upgraded yet to format 3 has format-1
 * values without one, checked for shape), the values in the log's records too, and each database's
 * count must match its documents. Each damage is reported and the check goes on.
 */
final class MapdbVerifier implements StorageVerifier {
    /** The engine's lock file in the storage folder, held by a running server. */
    static final String SERVER_LOCK_FILE = "pydb.lock";

    @Override
    public Report verify(StorageConfig config, StorageContext context, Progress progress) {
        requireNonNull(config, "config is null");
        requireNonNull(progress, "progress is null");
        MapdbOptions.from(config.options());
        Path directory = config.path();
        Path file = directory.resolve(MapdbStorageProvider.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "no mapdb storage to verify: " + file + " does not exist");
        }
        requireStopped(directory.resolve(SERVER_LOCK_FILE));
        requireStopped(directory.resolve(MapdbStorageProvider.FILE_NAME + ".lock"));
        List<Damage> damage = new ArrayList<>();
        Path temporary = null;
        try {
            Path oplog = directory.resolve(MapdbStorageProvider.FILE_NAME + ".oplog");
            progress.begin("log", -1);
            List<OperationLog.Entry> entries = List.of();
            if (Files.exists(oplog)) {
                try (OperationLog log = OperationLog.openReadOnly(oplog)) {
                    OperationLog.Verified verified = log.verify();
                    if (verified.damagedAt() >= 0 && !verified.tornTail()) {
                        damage.add(new Damage(oplog.toString(), null, null, verified.damagedAt(),
                                "damaged operation-log record: " + verified.problem() + "; the server refuses to start"));
                    }
                    entries = log.readUpToDamage();
                }
            }
            progress.advance(entries.size());
            Path store = file;
            List<RedoLog.Write> redo = RedoLog.readComplete(directory.resolve(MapdbStorageProvider.FILE_NAME + ".redo"));
            if (redo != null) {
                temporary = Files.createTempDirectory("pydb-verify-mapdb");
                store = temporary.resolve(MapdbStorageProvider.FILE_NAME);
                Files.copy(file, store, StandardCopyOption.COPY_ATTRIBUTES);
                apply(redo, store);
            }
            long[] totals = verifyStore(store, file.toString(), entries, damage, progress);
            return new Report(totals[0], totals[1], entries.size(), damage);
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot read the mapdb storage in " + directory + ": " + e, e);
        } finally {
            if (temporary != null) {
                try {
                    dev.pydb.storage.toolkit.file.DurableFiles.deleteRecursively(temporary);
                } catch (IOException ignored) {
                    // a temporary copy
                }
            }
        }
    }

    /** Returns {databases, documents}. */
    private static long[] verifyStore(Path store, String fileName, List<OperationLog.Entry> entries, List<Damage> damage,
            Progress progress) {
        DB db;
        try {
            db = DBMaker.fileDB(store.toFile()).readOnly().fileLockDisable().make();
        } catch (RuntimeException e) {
            damage.add(new Damage(fileName, null, null, -1, "MapDB cannot open the store: " + e));
            return new long[] {0, 0};
        }
        try {
            int format = db.atomicInteger("pydb.format").open().get();
            boolean checksummed = format >= MapdbStore.FORMAT_VERSION;
            BTreeMap<String, Long> databases = db.treeMap("pydb.databases", Serializer.STRING, Serializer.LONG).open();
            BTreeMap<byte[], byte[]> documents = db.treeMap("pydb.documents", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
                    .valuesOutsideNodesEnable().open();
            long checkpointed = db.atomicLong("pydb.checkpoint_sequence").open().get();
            if (checksummed) {
                for (OperationLog.Entry entry : entries) {
                    if (entry.sequence() > checkpointed) {
                        Operations.replay(entry.payload(), new LogValues(fileName + ".oplog", damage));
                    }
                }
            }
            Map<String, Long> counts = new TreeMap<>(databases);
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            progress.begin("documents", total);
            Map<String, Long> found = new TreeMap<>();
            long read = 0;
            for (Map.Entry<byte[], byte[]> entry : documents.entrySet()) {
                byte[] storedKey = entry.getKey();
                int separator = indexOfZero(storedKey);
                String name = separator < 0 ? null : new String(storedKey, 0, separator, StandardCharsets.US_ASCII);
                String key = separator < 0 ? null : KeyCodec.decodeKey(name, storedKey);
                if (name == null || !counts.containsKey(name)) {
                    damage.add(new Damage(fileName, name, key, -1, "a document of no database"));
                } else {
                    found.merge(name, 1L, Long::sum);
                    check(fileName, name, key, storedKey, entry.getValue(), checksummed, damage);
                }
                read++;
                progress.advance(1);
            }
            counts.forEach((name, count) -> {
                long documentsOf = found.getOrDefault(name, 0L);
                if (documentsOf != count) {
                    damage.add(new Damage(fileName, name, null, -1, "the count says " + count + " documents, the store holds "
                            + documentsOf + " (the log may hold later changes)" ));
                }
            });
            return new long[] {counts.size(), read};
        } catch (RuntimeException e) {
            damage.add(new Damage(fileName, null, null, -1, "MapDB cannot read the store: " + e));
            return new long[] {0, 0};
        } finally {
            try {
                db.close();
            } catch (RuntimeException ignored) {
                // read-only
            }
        }
    }

    private static void check(String fileName, String name, String key, byte[] storedKey, byte[] value, boolean checksummed,
            List<Damage> damage) {
        try {
            if (StoredValueCodec.isFormat2(value) || checksummed) {
                StoredValueCodec.decode(storedKey, value);
            } else {
                StoredValueCodec.decodeFormat1(value);
            }
        } catch (StoredValueCodec.CorruptValueException e) {
            damage.add(new Damage(fileName, name, key, -1, e.getMessage()));
        }
    }

    private static int indexOfZero(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Checks the document values in the log's records. */
    private record LogValues(String fileName, List<Damage> damage) implements Operations.Target {
        @Override
        public void putDocument(byte[] storedKey, byte[] value) {
            int separator = indexOfZero(storedKey);
            String name = separator < 0 ? null : new String(storedKey, 0, separator, StandardCharsets.US_ASCII);
            check(fileName, name, name == null ? null : KeyCodec.decodeKey(name, storedKey), storedKey, value, true, damage);
        }

        @Override
        public void removeDocument(byte[] storedKey) {}

        @Override
        public void setCount(String db, long count) {}

        @Override
        public void dropDatabase(String db) {}
    }

    private static void apply(List<RedoLog.Write> writes, Path store) throws IOException {
        try (FileChannel channel = FileChannel.open(store, StandardOpenOption.WRITE)) {
            for (RedoLog.Write write : writes) {
                ByteBuffer data = ByteBuffer.wrap(write.data());
                long position = write.offset();
                while (data.hasRemaining()) {
                    position += channel.write(data, position);
                }
            }
        }
    }

    /** Refuses a storage whose lock a server (in this process or another) holds. Takes no lock it keeps, writes nothing. */
    private static void requireStopped(Path lock) {
        if (!Files.exists(lock)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.READ)) {
            FileLock shared = channel.tryLock(0, Long.MAX_VALUE, true);
            if (shared == null) {
                throw new PydbException(ErrorCode.UNAVAILABLE, "a running server holds " + lock + "; stop it before verifying");
            }
            shared.release();
        } catch (OverlappingFileLockException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "this process holds " + lock + "; stop the server before verifying");
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot check the lock " + lock + ": " + e, e);
        }
    }
}
