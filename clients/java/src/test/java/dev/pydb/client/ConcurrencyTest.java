package dev.pydb.client;

import static dev.pydb.client.EngineEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelining on one connection and the pool under many threads, against a real server. */
class ConcurrencyTest {
    @TempDir
    Path home;

    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(home);
        try (PydbClient admin = server.client("admin")) {
            admin.createDb("shop");
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_thousand_async_requests_on_one_connection_all_complete_with_their_own_results() {
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(1).build())) {
            List<CompletableFuture<Written>> writes = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                writes.add(client.putAsync("shop", "k" + i, json("{\"n\": " + i + "}")));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
            for (int i = 0; i < 1000; i++) {
                assertThat(writes.get(i).join()).isEqualTo(new Written("k" + i, 1));
            }

            List<CompletableFuture<Doc>> reads = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                reads.add(client.getAsync("shop", "k" + i));
            }
            for (int i = 0; i < 1000; i++) {
                assertThat(reads.get(i).join().doc().path("n").asInt()).isEqualTo(i);
            }
            assertThat(client.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void sixteen_threads_share_the_pool_and_lose_no_compare_and_set_increment() throws Exception {
        int threads = 16;
        int incrementsPerThread = 20;
        try (PydbClient client = PydbClient.connect(server.config("app").poolSize(4).build())) {
            client.put("shop", "counter", json("{\"n\": 0}"));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> conflicts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    conflicts.add(pool.submit(() -> incrementWithCas(client, incrementsPerThread)));
                }
                for (Future<Integer> future : conflicts) {
                    future.get();
                }
            } finally {
                pool.shutdown();
            }
            Doc counter = client.get("shop", "counter");
            assertThat(counter.doc().path("n").asInt()).isEqualTo(threads * incrementsPerThread);
            assertThat(counter.rev()).isEqualTo(1 + threads * incrementsPerThread);
            assertThat(client.openConnections()).isEqualTo(4);
        }
    }

    private static int incrementWithCas(PydbClient client, int increments) {
        int conflicts = 0;
        for (int done = 0; done < increments; ) {
            Doc doc = client.get("shop", "counter");
            try {
                client.put("shop", "counter", json("{\"n\": " + (doc.doc().path("n").asInt() + 1) + "}"), doc.rev());
                done++;
            } catch (ConflictException e) {
                conflicts++;
            }
        }
        return conflicts;
    }
}
