/**
 * The kit's in-memory reference storage: {@link dev.pydb.storage.tck.memory.InMemoryStorage}, the
 * storage to test action plugins against, its provider, and
 * {@link dev.pydb.storage.tck.memory.ForwardingStorage} to decorate it in tests. Nothing here is
 * registered as a service, so it never shows up in a server.
 */
package dev.pydb.storage.tck.memory;
