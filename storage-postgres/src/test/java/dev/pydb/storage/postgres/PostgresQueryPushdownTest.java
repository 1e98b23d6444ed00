package dev.pydb.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.query.FieldPath;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.storage.Document;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.WriteOp;
import dev.pydb.storage.tck.query.RandomQueries;
import dev.pydb.storage.tck.query.ScanReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pushdown agrees with the engine's scan ({@link ScanReference}) on random documents and
 * random filters ({@link RandomQueries}): the same documents in the same order, the same
 * {@code next}, the same counts; with and without admin indexes.
 */
final class PostgresQueryPushdownTest {
    private static final String DB = "q";
    private static final int DOCUMENTS = 400;
    private static final int FILTERS = 300;

    @TempDir
    Path tempDir;
    private Storage storage;
    private final long seed = Long.getLong("pydb.seed", System.nanoTime());

    @BeforeEach
    void open() {
        storage = PostgresTestStorages.openNew(tempDir.resolve("node"), "pushdown");
        storage.createDatabase(DB);
        RandomQueries random = new RandomQueries(seed);
        List<WriteOp> batch = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            batch.add(WriteOp.Put.of(random.key(i), random.document()));
        }
        storage.write(DB, batch);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void randomFiltersFindAndCountWhatTheScanFinds() {
        checkRandomFilters(seed);
    }

    @Test
    void randomFiltersAgreeWithIndexesInPlace() {
        for (String field : List.of("a", "n", "s", "o.n", "o.s")) {
            storage.indexes().orElseThrow().create(DB, IndexSpec.on(FieldPath.parse(field, "test")));
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> storage.indexes().orElseThrow().list(DB).stream()
                .allMatch(info -> info.state() == IndexInfo.State.READY));
        checkRandomFilters(seed + 1);
    }

    private void checkRandomFilters(long filterSeed) {
        RandomQueries random = new RandomQueries(filterSeed);
        Random choices = new Random(filterSeed);
        List<Document> all = storage.scan(DB, null, DOCUMENTS + 1);
        for (int i = 0; i < FILTERS; i++) {
            Filter filter = random.filter();
            String after = choices.nextInt(4) == 0 ? all.get(choices.nextInt(all.size())).key() : null;
            int limit = 1 + choices.nextInt(choices.nextBoolean() ? 5 : 60);
            Query query = Query.of(filter, after, limit);
            String context = "seed " + seed + "/" + filterSeed + ", filter #" + i + " " + filter + ", after " + after
                    + ", limit " + limit;
            FindResult found = storage.find(DB, query).orElseThrow();
            ScanReference.Page expected = ScanReference.find(storage, DB, query);
            assertThat(found.documents()).as(context).isEqualTo(expected.documents());
            assertThat(found.next()).as(context).isEqualTo(expected.next());
            assertThat(storage.countMatching(DB, filter, false).orElseThrow().count()).as(context)
                    .isEqualTo(ScanReference.count(storage, DB, filter));
            if (i % 10 == 0) {
                assertThat(pageThrough(filter, limit)).as("all pages of " + context)
                        .isEqualTo(ScanReference.find(storage, DB, Query.of(filter, null, DOCUMENTS + 1)).documents());
            }
        }
    }

    private List<Document> pageThrough(Filter filter, int limit) {
        List<Document> documents = new ArrayList<>();
        String after = null;
        do {
            FindResult page = storage.find(DB, Query.of(filter, after, limit)).orElseThrow();
            documents.addAll(page.documents());
            after = page.next();
        } while (after != null);
        return documents;
    }
}
