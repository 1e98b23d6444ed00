/** Real PostgreSQL servers for tests: {@link dev.pydb.storage.postgres.cluster.LocalPostgres}. */
package dev.pydb.storage.postgres.cluster;
