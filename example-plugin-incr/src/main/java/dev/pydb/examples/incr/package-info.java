/**
 * An example action plugin for py_db: the {@code INCR} action ({@link dev.pydb.examples.incr.IncrHandler}).
 * It is built the way an outside author builds a plugin: it depends on {@code pydb-api} only,
 * in {@code provided} scope, and lists its handler in
 * {@code META-INF/services/dev.pydb.api.action.ActionHandler}. Drop its jar into the server's
 * {@code plugins/} folder. See {@code docs/PLUGINS.md}.
 */
package dev.pydb.examples.incr;
