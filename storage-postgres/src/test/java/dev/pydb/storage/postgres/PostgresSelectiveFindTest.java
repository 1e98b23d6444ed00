package dev.pydb.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pydb.api.query.FieldPath;
import dev.pydb.api.query.Filter;
import dev.pydb.api.query.FindResult;
import dev.pydb.api.query.Query;
import dev.pydb.api.query.QueryPlan;
import dev.pydb.api.storage.IndexInfo;
import dev.pydb.api.storage.IndexSpec;
import dev.pydb.api.storage.Storage;
import dev.pydb.storage.postgres.cluster.SharedPostgres;
import dev.pydb.storage.tck.query.RandomQueries;
import dev.pydb.storage.tck.query.ScanReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * FIND with a selective filter on 100,000 documents reads only the matching rows: PostgreSQL's own
 * plan ({@code EXPLAIN ANALYZE}, in the plan's details) shows an index scan returning exactly the
 * matches, and only they cross the network ({@code documentsExamined}). The results equal the
 * engine's scan. The plans are printed, for the docs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
final class PostgresSelectiveFindTest {
    private static final String DB = "big";
    private static final int DOCUMENTS = 100_000;

    private Storage storage;
    private String schema;

    @BeforeAll
    void fill(@TempDir Path tempDir) {
        schema = SharedPostgres.newSchema("selective");
        storage = PostgresTestStorages.open(tempDir.resolve("node"), schema);
        storage.createDatabase(DB);
        // loaded in one statement (the write path is the compliance kit's business): the same bytes a PUT stores
        SharedPostgres.server().psql("pydb", "INSERT INTO " + schema + ".documents (db_id, key, rev, raw, body)"
                + " SELECT b.id, convert_to('k' || lpad(i::text, 6, '0'), 'UTF8'), 1, convert_to(j, 'UTF8'), j::jsonb"
                + " FROM " + schema + ".databases b, generate_series(0, " + (DOCUMENTS - 1) + ") i,"
                + " LATERAL (SELECT format('{\"i\":%s,\"group\":%s,\"name\":\"user-%s\",\"tags\":[\"t%s\"]}',"
                + " i, i % 1000, i, i % 7) AS j) body WHERE b.name = '" + DB + "'");
        assertThat(storage.count(DB)).isEqualTo(DOCUMENTS);
        SharedPostgresAnalyze.analyze();
    }

    @AfterAll
    void close() {
        storage.close();
    }

    @Test
    void anEqualityFilterReadsOnlyItsMatchesThroughTheGinIndex() throws Exception {
        Filter filter = Filter.parse(RandomQueries.MAPPER.readTree("{\"group\": 7}"));
        FindResult result = storage.find(DB, new Query(filter, null, 1000, List.of(), true)).orElseThrow();
        String plan = planText(result.plan());
        System.out.println("FIND {\"group\": 7} on " + DOCUMENTS + " documents:\n" + result.plan().details().get("sql")
                + "\n" + plan);
        assertThat(result.documents()).hasSize(100);
        assertThat(result.plan().kind()).isEqualTo(QueryPlan.Kind.PUSHDOWN);
        assertThat(result.plan().documentsExamined()).isEqualTo(100);
        assertThat(plan).contains("documents_body_gin").doesNotContain("Seq Scan");
        assertThat(result.documents()).isEqualTo(ScanReference.find(storage, DB, Query.of(filter, null, 1000)).documents());
    }

    @Test
    void aRangeFilterUsesTheAdminExpressionIndex() throws Exception {
        storage.indexes().orElseThrow().create(DB, IndexSpec.on(FieldPath.parse("i", "test")));
        Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> storage.indexes().orElseThrow().list(DB).stream()
                .allMatch(info -> info.state() == IndexInfo.State.READY));
        SharedPostgresAnalyze.analyze();
        Filter filter = Filter.parse(RandomQueries.MAPPER.readTree("{\"i\": {\"$gte\": 500, \"$lt\": 520}}"));
        FindResult result = storage.find(DB, new Query(filter, null, 100, List.of(), true)).orElseThrow();
        String plan = planText(result.plan());
        System.out.println("FIND {\"i\": {\"$gte\": 500, \"$lt\": 520}} on " + DOCUMENTS + " documents:\n" + plan);
        assertThat(result.documents()).hasSize(20);
        assertThat(result.plan().documentsExamined()).isEqualTo(20);
        assertThat(plan).contains("pydb_ix_").doesNotContain("Seq Scan");
        assertThat(result.documents()).isEqualTo(ScanReference.find(storage, DB, Query.of(filter, null, 100)).documents());
        assertThat(storage.countMatching(DB, filter, false).orElseThrow().count()).isEqualTo(20);
    }

    private static String planText(QueryPlan plan) {
        StringBuilder text = new StringBuilder();
        for (JsonNode line : plan.details().get("postgres_plan")) {
            text.append(line.textValue()).append('\n');
        }
        return text.toString();
    }
}
