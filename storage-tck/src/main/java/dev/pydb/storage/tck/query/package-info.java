/**
 * Property-test tools for storages that evaluate queries themselves: {@link
 * dev.pydb.storage.tck.query.RandomQueries} (random documents and filters) and {@link
 * dev.pydb.storage.tck.query.ScanReference} (the engine's scan, the expected answer).
 */
package dev.pydb.storage.tck.query;
