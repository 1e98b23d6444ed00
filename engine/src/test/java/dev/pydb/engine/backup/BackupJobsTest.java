package dev.pydb.engine.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.engine.json.JsonSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupJobsTest {
    @TempDir
    Path temp;

    private final SnapshotMemoryStorage storage = new SnapshotMemoryStorage(true);
    private final BackupJobs jobs = new BackupJobs(storage, JsonSupport.mapper(1 << 20), "0.2.0", "memory", Clock.systemUTC());

    @Test
    void a_backup_runs_in_the_background_one_at_a_time_and_ends_done() {
        storage.createDatabase("shop");
        for (int i = 0; i < 10; i++) {
            storage.put("shop", "k" + i, "{}".getBytes(UTF_8), -1);
        }
        CountDownLatch gate = new CountDownLatch(1);
        storage.scanGate = gate;
        BackupJobs.Status started = jobs.start(temp.resolve("one"));
        assertThat(started.state()).isEqualTo(BackupJobs.State.RUNNING);

        assertThatThrownBy(() -> jobs.start(temp.resolve("two")))
                .isInstanceOfSatisfying(PydbException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE))
                .hasMessageContaining("is running");
        storage.put("shop", "after-the-snapshot", "{}".getBytes(UTF_8), -1);
        gate.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.status(started.id()).orElseThrow().state() != BackupJobs.State.RUNNING);
        BackupJobs.Status done = jobs.status(started.id()).orElseThrow();
        assertThat(done.state()).isEqualTo(BackupJobs.State.DONE);
        assertThat(done.documentsDone()).isEqualTo(10);
        assertThat(done.documentsTotal()).isEqualTo(10);
        assertThat(done.databases()).isEqualTo(1);
        assertThat(Files.exists(temp.resolve("one/manifest.json"))).isTrue();
        assertThat(jobs.start(temp.resolve("two")).id()).isEqualTo(started.id() + 1);
        assertThat(jobs.status(99)).isEmpty();
    }

    @Test
    void closing_cancels_a_running_backup_which_then_has_no_manifest() {
        storage.createDatabase("shop");
        storage.put("shop", "k", "{}".getBytes(UTF_8), -1);
        storage.scanGate = new CountDownLatch(1);
        BackupJobs.Status started = jobs.start(temp.resolve("one"));

        jobs.close();

        BackupJobs.Status status = jobs.status(started.id()).orElseThrow();
        assertThat(status.state()).isEqualTo(BackupJobs.State.FAILED);
        assertThat(status.error().code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(Files.exists(temp.resolve("one/manifest.json"))).isFalse();
        assertThatThrownBy(() -> jobs.start(temp.resolve("two"))).hasMessageContaining("stopping");
    }
}
