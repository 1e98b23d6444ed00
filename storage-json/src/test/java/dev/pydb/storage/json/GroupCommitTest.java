package dev.pydb.storage.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import dev.pydb.storage.tck.KitStorageContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers that arrive while the committer is busy share one fsync. */
final class GroupCommitTest {
    private static final String DB = "db";

    @TempDir
    Path tempDir;

    @Test
    void writersWaitingTogetherShareOneFsync() throws Exception {
        StorageOptions options = StorageOptions.of(JsonNodeFactory.instance.objectNode());
        try (JsonStorage storage = (JsonStorage) new JsonStorageProvider().open(
                new StorageConfig(tempDir.resolve("data"), options), KitStorageContext.at(tempDir))) {
            storage.createDatabase(DB);
            storage.put(DB, "gate", body("{}"), Storage.ANY_REVISION);
            CountDownLatch committerBusy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(11);
            try {
                // An update function runs on the committer thread: this one holds it until released.
                Future<List<WriteResult>> blocker = pool.submit(() -> storage.write(DB, List.of(new WriteOp.Update("gate", body -> {
                    committerBusy.countDown();
                    awaitUninterruptibly(release);
                    return body;
                }, Storage.ANY_REVISION))));
                assertThat(committerBusy.await(10, TimeUnit.SECONDS)).isTrue();
                long syncsBefore = storage.logSyncs();
                List<Future<Long>> writers = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String key = "k" + i;
                    writers.add(pool.submit(() -> storage.put(DB, key, body("{}"), 0)));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> storage.queuedTasks() == 10);
                release.countDown();
                assertThat(blocker.get(10, TimeUnit.SECONDS)).hasSize(1);
                for (Future<Long> writer : writers) {
                    assertThat(writer.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                }
                assertThat(storage.logSyncs() - syncsBefore).as("one fsync for the blocker, one for the ten").isEqualTo(2);
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
            assertThat(storage.count(DB)).isEqualTo(11);
        }
    }

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // keep the committer blocked until released
            }
        }
    }
}
