package dev.pydb.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.storage.SessionStore;
import dev.pydb.api.storage.SessionStore.LoginFailures;
import dev.pydb.api.storage.Storage;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes (two storages on one schema) share sessions and login failure counters. */
final class PostgresSessionStoreTest {
    @TempDir
    Path tempDir;
    private Storage nodeA;
    private Storage nodeB;

    @BeforeEach
    void open() {
        String schema = SharedPostgres.newSchema("sessions");
        nodeA = PostgresTestStorages.open(tempDir.resolve("a"), schema);
        nodeB = PostgresTestStorages.open(tempDir.resolve("b"), schema);
    }

    @AfterEach
    void close() {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void aSessionStoredByOneNodeIsSeenAndRevokedByTheOther() {
        Instant now = Instant.parse("2026-11-24T03:00:00Z");
        SessionStore a = nodeA.sessions().orElseThrow();
        SessionStore b = nodeB.sessions().orElseThrow();
        a.put("digest-1", "app", now.plusSeconds(60));
        assertThat(b.lookup("digest-1", now)).contains(new SessionStore.StoredSession("app", now.plusSeconds(60)));
        assertThat(b.lookup("digest-1", now.plusSeconds(60))).as("expired").isEmpty();
        assertThat(b.revoke("digest-1", now)).isTrue();
        assertThat(a.lookup("digest-1", now)).isEmpty();
        assertThat(a.revoke("digest-1", now)).isFalse();
        a.put("digest-2", "app", now.plusSeconds(1));
        assertThat(b.purgeExpired(now.plusSeconds(2))).isEqualTo(1);
    }

    @Test
    void concurrentFailureUpdatesFromTwoNodesLoseNoCount() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                SessionStore store = (t % 2 == 0 ? nodeA : nodeB).sessions().orElseThrow();
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        store.updateLoginFailures("u:app", f -> new LoginFailures(f == null ? 1 : f.failures() + 1, 0,
                                Instant.EPOCH, Instant.EPOCH));
                    }
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(nodeB.sessions().orElseThrow().loginFailures("u:app").orElseThrow().failures()).isEqualTo(200);
        nodeA.sessions().orElseThrow().clearLoginFailures("u:app");
        assertThat(nodeB.sessions().orElseThrow().loginFailures("u:app")).isEmpty();
    }
}
