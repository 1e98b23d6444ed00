package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.tck.SmallTmpfs;
import dev.pydb.storage.toolkit.wal.FaultInjectingChannels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk fails writes with LIMIT_EXCEEDED and they resume by themselves once there is room;
 * a failed fsync refuses every later write with UNAVAILABLE until a restart; reads go on; nothing
 * acknowledged is lost and nothing failed appears. (Filling a real tmpfs with concurrent writers is the
 * kit's {@code DataSafety} test, which runs for json.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
final class JsonDiskFailureTest {
    private static final String DB = "shop";

    @TempDir
    Path tempDir;

    @Test
    void aFullDiskFailsTheWriteAndWritesResumeOnceThereIsRoom() {
        Path root = tempDir.resolve("data");
        FaultInjectingChannels channels = new FaultInjectingChannels();
        try (Storage storage = JsonTesting.open(root, JsonStorageOptions.from(StorageOptions.empty()), channels)) {
            storage.createDatabase(DB);
            storage.put(DB, "kept", body("{\"v\":1}"), Storage.ANY_REVISION);
            channels.spaceLeft.set(5);
            for (Runnable write : List.<Runnable>of(() -> storage.put(DB, "lost", body("{}"), Storage.ANY_REVISION),
                    () -> storage.delete(DB, "kept", Storage.ANY_REVISION))) {
                PydbException e = catchThrowableOfType(PydbException.class, write::run);
                assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                assertThat(e.getMessage()).contains("disk full").contains(root.resolve("wal").toString());
            }
            assertThat(storage.get(DB, "kept")).as("reads go on").isPresent();
            assertThat(storage.get(DB, "lost")).isEmpty();
            channels.spaceLeft.set(-1);
            assertThat(storage.put(DB, "after", body("{}"), 0)).as("no restart needed").isEqualTo(1);
            storage.delete(DB, "kept", Storage.ANY_REVISION);
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.get(DB, "lost")).isEmpty();
            assertThat(storage.get(DB, "kept")).isEmpty();
            assertThat(storage.get(DB, "after")).isPresent();
        }
    }

    @Test
    void aFailedFsyncRefusesEveryLaterWriteUntilARestart() {
        Path root = tempDir.resolve("data");
        FaultInjectingChannels channels = new FaultInjectingChannels();
        try (Storage storage = JsonTesting.open(root, JsonStorageOptions.from(StorageOptions.empty()), channels)) {
            storage.createDatabase(DB);
            storage.put(DB, "kept", body("{}"), Storage.ANY_REVISION);
            channels.failingForces.set(1);
            PydbException e = catchThrowableOfType(PydbException.class, () -> storage.put(DB, "failed", body("{}"), Storage.ANY_REVISION));
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).contains("fsync").contains("restart");
            for (Runnable write : List.<Runnable>of(() -> storage.put(DB, "later", body("{}"), Storage.ANY_REVISION),
                    () -> storage.createDatabase("other"), () -> storage.dropDatabase(DB))) {
                assertThat(catchThrowableOfType(PydbException.class, write::run).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            }
            assertThat(storage.get(DB, "kept")).as("reads go on").isPresent();
            assertThat(storage.get(DB, "failed")).isEmpty();
        }
        try (Storage storage = JsonTesting.open(root)) {
            assertThat(storage.get(DB, "kept")).isPresent();
            assertThat(storage.get(DB, "failed")).isEmpty();
            assertThat(storage.put(DB, "after-restart", body("{}"), 0)).isEqualTo(1);
        }
    }

    @Test
    void creatingADatabaseOnAFullDiskIsLimitExceededAndLeavesNothing() throws Exception {
        try (SmallTmpfs tmpfs = SmallTmpfs.mountOrSkip(tempDir.resolve("tmpfs"), 256 << 10)) {
            Path root = tmpfs.path().resolve("data");
            try (Storage storage = JsonTesting.open(root)) {
                tmpfs.fill("filler");
                PydbException e = catchThrowableOfType(PydbException.class, () -> storage.createDatabase(DB));
                assertThat(e.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
                assertThat(e.getMessage()).contains("disk full");
                assertThat(storage.listDatabases()).isEmpty();
                Files.delete(tmpfs.path().resolve("filler"));
                storage.createDatabase(DB);
            }
            try (Storage storage = JsonTesting.open(root)) {
                assertThat(storage.listDatabases()).containsExactly(DB);
            }
        }
    }
}
