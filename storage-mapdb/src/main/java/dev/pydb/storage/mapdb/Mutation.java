package dev.pydb.storage.mapdb;

import java.util.function.Supplier;

/**
 * One write request, in two phases so that a failing request leaves nothing applied:
 * {@link #prepare()} checks it against the current state (including the requests applied before
 * it in the same commit) and changes nothing; the returned supplier applies it and returns the
 * result.
 */
@FunctionalInterface
interface Mutation<R> {
    /** Validates; throws (typically a {@link dev.pydb.api.PydbException}) to refuse, changing nothing. */
    Supplier<R> prepare();
}
