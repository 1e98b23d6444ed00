package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static dev.pydb.storage.lmdb.LmdbTestStorages.bodyOfSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/** A full map fails the writes that do not fit with LIMIT_EXCEEDED, applies nothing of them, and keeps working. */
final class MapFullTest {
    private static final long MAP_SIZE = 1 << 20;
    private static final String DB = "full";

    @TempDir
    Path tempDir;

    @Test
    void aBatchLargerThanTheMapFailsWholeAndTheStoreKeepsWorking() throws Exception {
        Path path = tempDir.resolve("data");
        try (LmdbStorage storage = LmdbTestStorages.open(path, LmdbTestStorages.options().put("map_size_bytes", MAP_SIZE))) {
            storage.createDatabase(DB);
            storage.put(DB, "before", body("{\"n\":1}"), Storage.ANY_REVISION);
            List<WriteOp> ops = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ops.add(WriteOp.Put.of("big-" + i, bodyOfSize(40_000)));
            }
            ops.add(new WriteOp.Delete("before", Storage.ANY_REVISION));

            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.write(DB, ops));

            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(e.getMessage()).isEqualTo("map full: the lmdb map of " + path.toRealPath().resolve("data.mdb")
                    + " is full (map_size_bytes=" + MAP_SIZE + "); nothing of this write was applied; delete documents,"
                    + " or raise storage.options.map_size_bytes and restart");
            assertThat(storage.count(DB)).isEqualTo(1);
            assertThat(storage.get(DB, "big-0")).isEmpty();
            assertThat(storage.scan(DB, null, 100)).extracting(d -> d.key()).containsExactly("before");
            assertThat(storage.put(DB, "after", body("{\"n\":2}"), Storage.ANY_REVISION)).isEqualTo(1);
        }
        try (LmdbStorage reopened = LmdbTestStorages.open(path, LmdbTestStorages.options().put("map_size_bytes", MAP_SIZE))) {
            assertThat(reopened.scan(DB, null, 100)).extracting(d -> d.key()).containsExactly("after", "before");
            assertThat(reopened.count(DB)).isEqualTo(2);
        }
    }

    @Test
    void fillingTheMapFailsOnlyTheWriteThatDoesNotFit() {
        try (LmdbStorage storage = LmdbTestStorages.open(tempDir.resolve("data"),
                LmdbTestStorages.options().put("map_size_bytes", MAP_SIZE))) {
            storage.createDatabase(DB);
            int stored = 0;
            PydbException full = null;
            while (full == null && stored < 1000) {
                try {
                    storage.insert(DB, "doc-" + stored, bodyOfSize(20_000));
                    stored++;
                } catch (PydbException e) {
                    full = e;
                }
            }
            assertThat(full).isNotNull();
            assertThat(full.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
            assertThat(stored).isPositive();
            assertThat(storage.count(DB)).isEqualTo(stored);
            assertThat(storage.get(DB, "doc-" + stored)).isEmpty();
            assertThat(storage.scan(DB, null, 1000)).hasSize(stored);
            // deleting makes room again
            storage.delete(DB, "doc-0", 1);
            storage.delete(DB, "doc-1", 1);
            assertThat(storage.insert(DB, "doc-" + stored, bodyOfSize(20_000))).isEqualTo(1);
            assertThat(storage.count(DB)).isEqualTo(stored - 1);
        }
    }

    @Test
    void aGroupThatDoesNotFitIsCommittedOneBatchAtATime() throws Exception {
        Path path = tempDir.resolve("env");
        Files.createDirectories(path);
        try (Env<ByteBuffer> env = Env.create().setMapSize(MAP_SIZE).setMaxDbs(LmdbTables.DBI_COUNT)
                .open(path.toFile(), EnvFlags.MDB_NOTLS)) {
            LmdbTables tables;
            try (Txn<ByteBuffer> txn = env.txnWrite()) {
                tables = LmdbTables.open(env, txn, path.resolve("data.mdb"));
                tables.prepareCreateDatabase(txn, DB).apply(txn);
                txn.commit();
            }
            GroupCommitWriter writer = new GroupCommitWriter(env, new WriteFailures(path.resolve("data.mdb"), MAP_SIZE),
                    "test-writer");
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                List<WriteOp> huge = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    huge.add(WriteOp.Put.of("huge-" + i, bodyOfSize(40_000)));
                }
                CompletableFuture<List<WriteResult>> small1 = submit(callers, writer, tables,
                        List.of(WriteOp.Put.of("small-1", body("{\"n\":1}"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> writer.queuedCount() == 1);
                CompletableFuture<List<WriteResult>> tooBig = submit(callers, writer, tables, huge);
                await().atMost(Duration.ofSeconds(10)).until(() -> writer.queuedCount() == 2);
                CompletableFuture<List<WriteResult>> small2 = submit(callers, writer, tables,
                        List.of(WriteOp.Put.of("small-2", body("{\"n\":2}"))));
                await().atMost(Duration.ofSeconds(10)).until(() -> writer.queuedCount() == 3);

                writer.start();

                assertThat(small1.get(10, TimeUnit.SECONDS)).containsExactly(WriteResult.written("small-1", 1));
                assertThat(small2.get(10, TimeUnit.SECONDS)).containsExactly(WriteResult.written("small-2", 1));
                PydbException e = catchThrowableOfType(PydbException.class, () -> {
                    try {
                        tooBig.get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException ee) {
                        throw ee.getCause();
                    }
                });
                assertThat(e).isNotNull();
                assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                assertThat(writer.commitCount()).as("the group failed as a whole, then two single commits").isEqualTo(2);
            } finally {
                writer.close();
                callers.shutdownNow();
            }
            ReadContext read = ReadContext.open(env);
            try {
                assertThat(tables.count(read, DB)).isEqualTo(2);
                assertThat(tables.get(read, DB, "huge-0")).isEmpty();
                assertThat(tables.scan(read, DB, null, 100)).extracting(d -> d.key()).containsExactly("small-1", "small-2");
            } finally {
                read.close();
            }
        }
    }

    private static CompletableFuture<List<WriteResult>> submit(ExecutorService callers, GroupCommitWriter writer,
            LmdbTables tables, List<WriteOp> ops) {
        return CompletableFuture.supplyAsync(() -> writer.execute(txn -> tables.prepareWrite(txn, DB, ops)), callers);
    }
}
