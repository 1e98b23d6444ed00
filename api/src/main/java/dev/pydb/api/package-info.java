/**
 * The py_db API: what storage and action plugins compile against. It depends on Jackson and
 * SLF4J only, and those are the only libraries the server shares with plugins.
 * {@link dev.pydb.api.ErrorCode} lists the protocol's error codes and
 * {@link dev.pydb.api.PydbException} carries one.
 */
package dev.pydb.api;
