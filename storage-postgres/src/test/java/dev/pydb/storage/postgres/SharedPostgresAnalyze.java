package dev.pydb.storage.postgres;

import dev.pydb.storage.postgres.cluster.SharedPostgres;

/** Refreshes the planner's statistics of the shared test server after a bulk load. */
final class SharedPostgresAnalyze {
    private SharedPostgresAnalyze() {}

    static void analyze() {
        SharedPostgres.server().psql("pydb", "ANALYZE");
    }
}
