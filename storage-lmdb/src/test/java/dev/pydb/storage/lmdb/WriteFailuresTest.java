package dev.pydb.storage.lmdb;

import static dev.pydb.storage.lmdb.LmdbTestStorages.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.WriteOp;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbErrors;

/**
 * The writer's answer to failing transactions (errnos injected as lmdbjava throws them): no space
 * is {@code LIMIT_EXCEEDED} and the next write goes through; an I/O error with room on the disk
 * (a failed page write or fdatasync) or {@code MDB_PANIC} refuses every later write until a
 * restart, while reads go on. A real full disk: {@link DiskFullTest}.
 */
final class WriteFailuresTest {
    private static final int ENOSPC = 28;
    private static final int EIO = 5;
    private static final int MDB_PANIC = -30795;

    @TempDir
    Path tempDir;

    private Env<ByteBuffer> env;
    private GroupCommitWriter writer;
    private LmdbTables tables;
    private Path dataFile;

    @BeforeEach
    void open() throws Exception {
        Path path = Files.createDirectories(tempDir.resolve("env"));
        dataFile = path.resolve("data.mdb");
        env = Env.create().setMapSize(1 << 24).setMaxDbs(LmdbTables.DBI_COUNT).open(path.toFile(), EnvFlags.MDB_NOTLS);
        writer = new GroupCommitWriter(env, new WriteFailures(dataFile, 1 << 24), "test-writer");
        writer.start();
        tables = writer.execute(txn -> writeTxn -> {
            LmdbTables opened = LmdbTables.open(env, writeTxn, dataFile);
            opened.prepareCreateDatabase(writeTxn, "db").apply(writeTxn);
            return opened;
        });
        put("before");
    }

    @AfterEach
    void close() {
        writer.close();
        env.close();
    }

    @Test
    void noSpaceIsLimitExceededAndTheNextWriteGoesThrough() {
        PydbException e = failWith(ENOSPC);

        assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
        assertThat(e.getMessage()).startsWith("lmdb: disk full: " + dataFile + " (IOException: LMDB's commit failed with"
                + " ENOSPC (28), ").endsWith(" bytes usable on the file system); nothing of this write was stored; writes"
                + " succeed again once there is room");
        put("after");
        assertThat(keys()).containsExactly("after", "before");
    }

    @Test
    void anIoErrorWithRoomOnTheDiskRefusesLaterWritesButNotReads() {
        PydbException e = failWith(EIO);

        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).startsWith("the lmdb commit to " + dataFile + " failed with EIO (5) while its file system has ")
                .endsWith("a page write or fdatasync failed, so the page cache can no longer be trusted; writes are refused"
                        + " until the server is restarted");
        PydbException later = catchThrowableOfType(PydbException.class, () -> put("after"));
        assertThat(later.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(later.getMessage()).startsWith("writes are refused since an earlier commit failed: the lmdb commit to ");
        assertThat(keys()).containsExactly("before");
    }

    @Test
    void aPanicRefusesLaterWrites() {
        PydbException e = failWith(MDB_PANIC);

        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.getMessage()).contains("(MDB_PANIC); restart the server");
        assertThat(catchThrowableOfType(PydbException.class, () -> put("after")).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    private PydbException failWith(int resultCode) {
        PydbException e = catchThrowableOfType(PydbException.class, () -> writer.execute(txn -> writeTxn -> {
            tables.prepareWrite(writeTxn, "db", List.of(WriteOp.Put.of("lost", body("{}")))).apply(writeTxn);
            throw LmdbErrors.of(resultCode);
        }));
        assertThat(e).isNotNull();
        return e;
    }

    private void put(String key) {
        writer.execute(txn -> tables.prepareWrite(txn, "db", List.of(WriteOp.Put.of(key, body("{}")))));
    }

    private List<String> keys() {
        ReadContext read = ReadContext.open(env);
        try {
            return tables.scan(read, "db", null, 10).stream().map(d -> d.key()).toList();
        } finally {
            read.close();
        }
    }
}
