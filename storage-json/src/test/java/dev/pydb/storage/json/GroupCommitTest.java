package dev.pydb.storage.json;

import static dev.pydb.storage.json.JsonTesting.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.toolkit.wal.FaultInjectingChannels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers that arrive while a group is being synced share the next sync, and are checked against what is not durable yet. */
final class GroupCommitTest {
    private static final String DB = "db";

    @TempDir
    Path tempDir;

    @Test
    void writersWaitingTogetherShareOneFsync() throws Exception {
        FaultInjectingChannels channels = new FaultInjectingChannels();
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try (JsonStorage storage = JsonTesting.open(tempDir.resolve("data"), JsonStorageOptions.from(StorageOptions.empty()), channels)) {
            storage.createDatabase(DB);
            channels.holdForces();
            Future<Long> first = pool.submit(() -> storage.put(DB, "first", body("{}"), Storage.ANY_REVISION));
            assertThat(channels.awaitForceEntered()).isTrue();
            long syncsBefore = storage.log().syncCount();
            List<Future<Long>> writers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String key = "k" + i;
                writers.add(pool.submit(() -> storage.put(DB, key, body("{}"), 0)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> storage.log().queuedRequests() == 10);
            assertThat(storage.count(DB)).as("nothing is visible before it is durable").isZero();
            channels.openForces();
            assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            for (Future<Long> writer : writers) {
                assertThat(writer.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            }
            assertThat(storage.log().syncCount() - syncsBefore).as("one fsync for the first, one for the ten").isEqualTo(2);
            assertThat(storage.count(DB)).isEqualTo(11);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }

    @Test
    void aWriteIsCheckedAgainstTheWritesBeforeItThatAreNotDurableYet() throws Exception {
        FaultInjectingChannels channels = new FaultInjectingChannels();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (JsonStorage storage = JsonTesting.open(tempDir.resolve("data"), JsonStorageOptions.from(StorageOptions.empty()), channels)) {
            storage.createDatabase(DB);
            channels.holdForces();
            Future<Long> created = pool.submit(() -> storage.put(DB, "k", body("{\"v\":1}"), 0));
            assertThat(channels.awaitForceEntered()).isTrue();
            Future<Long> updated = pool.submit(() -> storage.put(DB, "k", body("{\"v\":2}"), 1)); // rev 1 is not durable yet
            await().atMost(Duration.ofSeconds(30)).until(() -> storage.log().queuedRequests() == 1);
            assertThat(storage.get(DB, "k")).as("readers see durable writes only").isEmpty();
            channels.openForces();
            assertThat(created.get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(updated.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(storage.get(DB, "k").orElseThrow().rev()).isEqualTo(2);
        } finally {
            channels.openForces();
            pool.shutdownNow();
        }
    }
}
