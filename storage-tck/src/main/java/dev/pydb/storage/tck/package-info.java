/**
 * The storage compliance kit: {@link dev.pydb.storage.tck.StorageComplianceTest}, one JUnit 5
 * suite every storage backend extends in its tests, and {@link dev.pydb.storage.tck.CrashWriter},
 * the child process of its crash test. It lives in {@code src/main/java} so that backends can
 * depend on it in {@code test} scope.
 */
package dev.pydb.storage.tck;
