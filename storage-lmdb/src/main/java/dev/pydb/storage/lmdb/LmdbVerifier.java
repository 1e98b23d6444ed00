package dev.pydb.storage.lmdb;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageContext;
import dev.pydb.api.storage.StorageVerifier;
import dev.pydb.storage.toolkit.codec.StoredValueCodec;
import dev.pydb.storage.toolkit.codec.StoredValueCodec.CorruptValueException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * {@code bin/pydb verify} for the {@code lmdb} backend: checks a stopped storage's
 * {@code data.mdb} without LMDB and without a memory map, so no damage can crash it, and without
 * writing anything ({@code lock.mdb} is not touched either). First the {@link DataFileCheck} of the
 * meta pages; then every page of every tree is read with positional reads ({@link PageTree}): each
 * page reached must be inside the file and well formed, every document value must pass its
 * checksum (format 2; a 0.1.0 store not upgraded yet has no checksums, its values are checked for
 * shape), every count too, and each database's count must match its documents. Each damaged page,
 * document or count is reported, and the walk goes on.
 */
final class LmdbVerifier implements StorageVerifier {
    /** The engine's lock file in the storage folder ({@code dev.pydb.engine.server.StorageLock}), held by a running server. */
    static final String SERVER_LOCK_FILE = "pydb.lock";

    private final Predicate<Path> openInThisProcess;

    LmdbVerifier(Predicate<Path> openInThisProcess) {
        this.openInThisProcess = requireNonNull(openInThisProcess, "openInThisProcess is null");
    }

    @Override
    public Report verify(StorageConfig config, StorageContext context, Progress progress) {
        requireNonNull(config, "config is null");
        requireNonNull(progress, "progress is null");
        LmdbOptions.from(config.options());
        Path directory = config.path();
        Path dataFile = directory.resolve(LmdbDataFile.NAME);
        if (!Files.isRegularFile(dataFile)) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "no lmdb data to verify: " + dataFile + " does not exist");
        }
        requireStopped(directory);
        progress.begin("header", 1);
        DataFileCheck.Result header = DataFileCheck.check(directory);
        progress.advance(1);
        if (header.newest().isEmpty()) {
            return new Report(0, 0, 0, List.of(new Damage(dataFile.toString(), null, null, 0, header.problem().orElse(
                    "no usable meta page"))));
        }
        try (LmdbDataFile file = LmdbDataFile.open(dataFile)) {
            Walk walk = new Walk(file, header.newest().get(), progress);
            header.problem().ifPresent(problem -> walk.report(null, null, -1, problem));
            return walk.run();
        } catch (IOException e) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot read " + dataFile + ": " + e, e);
        }
    }

    /** Refuses a storage that a server (in this process or another) has open. Takes no lock it keeps, writes nothing. */
    private void requireStopped(Path directory) {
        if (openInThisProcess.test(directory)) {
            throw new PydbException(ErrorCode.UNAVAILABLE, "the lmdb data in " + directory + " is open in this process; stop it first");
        }
        Path lock = directory.resolve(SERVER_LOCK_FILE);
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
            throw new PydbException(ErrorCode.UNAVAILABLE, "cannot check the server lock " + lock + ": " + e, e);
        }
    }

    /** One verification: the walk of every tree as of the newer meta page, and what it found. */
    private static final class Walk implements PageTree.Visitor {
        private final LmdbDataFile file;
        private final MetaPage meta;
        private final Progress progress;
        private final List<Damage> damage = new ArrayList<>();
        private final Map<String, Long> storedCounts = new TreeMap<>();
        private final Map<String, Long> documentsFound = new TreeMap<>();
        private boolean format2Only = true;
        private long documents;

        Walk(LmdbDataFile file, MetaPage meta, Progress progress) {
            this.file = file;
            this.meta = meta;
            this.progress = progress;
        }

        Report run() throws IOException {
            readFormat();
            PageTree pages = new PageTree(file, meta.pageSize(), meta.lastPage());
            pages.walk("free", meta.freeTree().root(), this);
            pages.walk("main", meta.mainTree().root(), this);
            documentsFound.forEach((db, found) -> {
                Long stored = storedCounts.get(db);
                if (stored == null) {
                    report(db, null, -1, found + " documents belong to no database (no entry in 'databases')");
                }
            });
            storedCounts.forEach((db, stored) -> {
                long found = documentsFound.getOrDefault(db, 0L);
                if (stored >= 0 && stored != found) {
                    report(db, null, -1, "the stored document count is " + stored + " but " + found + " documents were found");
                }
            });
            return new Report(storedCounts.size(), documents, 0, damage);
        }

        /** Reads the {@code meta} database first: a store being upgraded from 0.1.0 may hold values without checksums. */
        private void readFormat() throws IOException {
            new PageTree(file, meta.pageSize(), meta.lastPage()).walk("main", meta.mainTree().root(), new PageTree.Visitor() {
                @Override
                public boolean descendInto(String database) {
                    return database.equals("meta");
                }

                @Override
                public void leaf(String tree, PageTree.LeafNode node) {
                    String key = new String(node.key(), StandardCharsets.US_ASCII);
                    if (tree.equals("meta") && (key.equals("upgrade_from_1")
                            || (key.equals("format_version") && ByteBuffer.wrap(node.value()).getLong(0) != LmdbTables.FORMAT_VERSION))) {
                        format2Only = false;
                    }
                }

                @Override
                public void damage(String tree, long page, String problem) {
                    // reported by the full walk
                }
            });
        }

        @Override
        public void leaf(String tree, PageTree.LeafNode node) {
            switch (tree) {
                case "main" -> {
                    if (new String(node.key(), StandardCharsets.US_ASCII).equals("documents")
                            && (node.flags() & PageTree.F_SUBDATA) != 0) {
                        progress.begin("documents", PageTree.entriesOf(node.value()));
                    }
                }
                case "documents" -> document(node);
                case "databases" -> count(node);
                default -> {
                    // the free-page tree and the meta database hold no documents
                }
            }
        }

        private void document(PageTree.LeafNode node) {
            documents++;
            progress.advance(1);
            byte[] recordKey = node.key();
            int separator = indexOf(recordKey, RecordCodec.SEPARATOR);
            String db = separator < 0 ? null : new String(recordKey, 0, separator, StandardCharsets.US_ASCII);
            String key = separator < 0 ? new String(recordKey, StandardCharsets.UTF_8)
                    : new String(recordKey, separator + 1, recordKey.length - separator - 1, StandardCharsets.UTF_8);
            if (db == null) {
                report(null, key, node.valueOffset(), "a record key without the 0x00 after the database name");
                return;
            }
            documentsFound.merge(db, 1L, Long::sum);
            try {
                byte[] value = node.value();
                if (StoredValueCodec.isFormat2(value) || format2Only) {
                    StoredValueCodec.decode(recordKey, value);
                } else {
                    StoredValueCodec.decodeFormat1(value);
                }
            } catch (CorruptValueException e) {
                report(db, key, node.valueOffset(), e.getMessage());
            }
        }

        private void count(PageTree.LeafNode node) {
            String db = new String(node.key(), StandardCharsets.US_ASCII);
            byte[] value = node.value();
            try {
                long count = StoredValueCodec.isFormat2(value) || format2Only
                        ? RecordCodec.countOf(ByteBuffer.wrap(node.key()), ByteBuffer.wrap(value))
                        : ByteBuffer.wrap(value).getLong(0);
                storedCounts.put(db, count);
            } catch (CorruptValueException | IndexOutOfBoundsException e) {
                storedCounts.put(db, -1L);
                report(db, null, node.valueOffset(), "the document count is damaged: " + e.getMessage());
            }
        }

        @Override
        public void damage(String tree, long page, String problem) {
            damage.add(new Damage(file.path().toString(), null, null, page < 0 ? -1 : page * meta.pageSize(),
                    problem + " (in the '" + tree + "' tree; what lies below that page was not checked)"));
        }

        /** A damaged document or count at {@code offset} in the file (-1: not one place). */
        private void report(String db, String key, long offset, String problem) {
            damage.add(new Damage(file.path().toString(), db, key, offset, problem));
        }

        private static int indexOf(byte[] bytes, byte b) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }
}
