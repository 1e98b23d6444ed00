/**
 * The storage SPI: a {@link dev.pydb.api.storage.StorageProvider} opens a
 * {@link dev.pydb.api.storage.Storage}.
 *
 * <h2>Lifecycle</h2>
 * The engine creates every provider through {@link java.util.ServiceLoader} (public no-argument
 * constructor, no I/O), picks the one named by {@code storage.provider}, takes a lock file on
 * {@code storage.path}, and calls {@code open} once. The storage serves requests until the
 * server stops; the engine then stops taking requests, waits for in-flight ones, and calls
 * {@link dev.pydb.api.storage.Storage#close()} once. {@code close} is idempotent; any use after
 * it throws {@link dev.pydb.api.storage.StorageClosedException}. Calls into a plugin's storage run
 * with the plugin's class loader as the thread context class loader.
 *
 * <h2>Thread safety and durability</h2>
 * A {@code Storage} is used by many threads at once and must be thread-safe. A write is
 * acknowledged (returns) only once it is durable; see {@link dev.pydb.api.storage.Storage}.
 * Every backend runs the shared compliance kit ({@code pydb-storage-tck}).
 */
package dev.pydb.api.storage;
