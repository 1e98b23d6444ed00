package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.ErrorCode;
import dev.pydb.api.PydbException;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.Storage;
import dev.pydb.storage.tck.SmallTmpfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the store on a 16 MiB tmpfs with a 64 MiB map, four writers until the disk is
 * full. Every write that fails gets {@code LIMIT_EXCEEDED} "disk full" (LMDB answers ENOSPC, or
 * EIO when a page write was cut short by the full disk) and leaves nothing behind; every
 * acknowledged write stays readable, live and after a restart; writes succeed again once space is
 * freed, without a restart. Needs root to mount the tmpfs (CI runs as root).
 */
final class DiskFullTest {
    private static final int WRITERS = 4;
    private static final int FAILURES_PER_WRITER = 25;

    @TempDir
    Path tempDir;

    private SmallTmpfs tmpfs;
    private Path volume;

    @BeforeEach
    void mountTmpfs() throws Exception {
        tmpfs = SmallTmpfs.mountOrSkip(tempDir.resolve("volume"), 16 << 20);
        volume = tmpfs.path();
    }

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    @Test
    void fillingTheDiskLosesNoAcknowledgedWriteAndWritesResumeOnceThereIsRoom() throws Exception {
        Path filler = Files.write(volume.resolve("filler"), new byte[2 << 20]);
        Path path = volume.resolve("data");
        Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        try (LogCapture log = LogCapture.of(GroupCommitWriter.class);
                LmdbStorage storage = LmdbTestStorages.open(path, LmdbTestStorages.options().put("map_size_bytes", 64L << 20))) {
            storage.createDatabase("d");
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    int failedHere = 0;
                    for (int i = 0; failedHere < FAILURES_PER_WRITER; i++) {
                        String key = "w" + writer + "-" + i;
                        byte[] body = body(key);
                        try {
                            storage.insert("d", key, body);
                            acknowledged.put(key, body);
                        } catch (PydbException e) {
                            failedHere++;
                            failed.add(key);
                            failures.merge(e.code() + " " + e.getMessage().replaceAll("\\d+ bytes usable", "N bytes usable"),
                                    1, Integer::sum);
                        }
                    }
                }));
            }
            for (Thread writer : writers) {
                writer.join(TimeUnit.MINUTES.toMillis(5));
                assertThat(writer.isAlive()).as("a writer still running after 5 minutes").isFalse();
            }

            String dataFile = path.toRealPath().resolve("data.mdb").toString();
            assertThat(failures.keySet()).as("every failure").allSatisfy(failure -> assertThat(failure).matches(
                    ErrorCode.LIMIT_EXCEEDED + " lmdb: disk full: " + java.util.regex.Pattern.quote(dataFile)
                    + " \\(IOException: LMDB's commit failed with (ENOSPC \\(28\\)|EIO \\(5\\)), N bytes usable on the file"
                    + " system\\); nothing of this write was stored; writes succeed again once there is room"));
            assertThat(acknowledged).isNotEmpty();
            assertThat(failed).hasSize(WRITERS * FAILURES_PER_WRITER);
            assertThat(lost(storage, acknowledged, failed)).as("acknowledged writes lost while the disk is full").isZero();
            long enospc = log.lines().stream().filter(line -> line.contains("ENOSPC")).count();
            long eio = log.lines().stream().filter(line -> line.contains("EIO")).count();

            Files.delete(filler);
            storage.insert("d", "after-freeing", body("after-freeing"));
            acknowledged.put("after-freeing", body("after-freeing"));
            System.out.printf("disk full on a 16 MiB tmpfs, %d writers: %d acknowledged, %d failed (LIMIT_EXCEEDED; the writer logged"
                    + " ENOSPC %d times, EIO %d times), 0 lost; a write after freeing 2 MiB succeeded%n",
                    WRITERS, acknowledged.size() - 1, failed.size(), enospc, eio);
        }
        try (LmdbStorage reopened = LmdbTestStorages.open(path, LmdbTestStorages.options().put("map_size_bytes", 64L << 20))) {
            assertThat(lost(reopened, acknowledged, failed)).as("acknowledged writes lost after the restart").isZero();
            System.out.printf("after the restart: %d acknowledged writes, 0 lost, none of the %d failed ones present%n",
                    acknowledged.size(), failed.size());
        }
    }

    /** Checks every acknowledged document and that no failed one exists; returns the number lost. */
    private static long lost(Storage storage, Map<String, byte[]> acknowledged, Set<String> failed) {
        Map<String, Document> stored = storage.scan("d", null, Integer.MAX_VALUE).stream()
                .collect(Collectors.toMap(Document::key, d -> d));
        assertThat(storage.count("d")).isEqualTo(stored.size());
        assertThat(failed).as("failed writes that were applied anyway").noneMatch(stored::containsKey);
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
        return acknowledged.entrySet().stream()
                .filter(e -> !stored.containsKey(e.getKey()) || !java.util.Arrays.equals(stored.get(e.getKey()).body(), e.getValue()))
                .count();
    }

    private static byte[] body(String key) {
        return ("{\"key\":\"" + key + "\",\"pad\":\"" + "d".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
