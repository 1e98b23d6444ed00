/**
 * The storage toolkit: ordinary code that several storage backends share, bundled by each backend
 * in its own plugin folder (like Trino's plugin toolkit). It is not part of the api: the server
 * never sees these classes, and a third-party backend may use them or not. It depends on the api,
 * Jackson and SLF4J only, which the server provides.
 */
package dev.pydb.storage.toolkit;
