package dev.pydb.api.storage;

import static java.util.Objects.requireNonNull;

import java.util.function.UnaryOperator;

/**
 * One write of a {@link Storage#write} batch. {@code expectedRev} is either
 * {@link Storage#ANY_REVISION} (no check), {@code 0} (the key must not exist) or the revision
 * the stored document must have, checked atomically with the write ({@code CONFLICT} otherwise).
 */
public sealed interface WriteOp {
    String key();

    /** Upsert: creates the document at rev 1 or replaces it at rev + 1. */
    record Put(String key, byte[] body, long expectedRev) implements WriteOp {
        public Put {
            requireNonNull(key, "key is null");
            requireNonNull(body, "body is null");
            checkExpectedRev(expectedRev);
        }

        public static Put of(String key, byte[] body) {
            return new Put(key, body, Storage.ANY_REVISION);
        }
    }

    /** Insert-if-absent: {@code KEY_EXISTS} if the key is taken. */
    record Insert(String key, byte[] body) implements WriteOp {
        public Insert {
            requireNonNull(key, "key is null");
            requireNonNull(body, "body is null");
        }
    }

    /**
     * Read-modify-write of an existing document ({@code NOT_FOUND} if absent): {@code change}
     * gets the current body (including earlier writes of the same batch) and returns the new
     * one. It runs inside the storage's atomic section, so it must be quick, side-effect free,
     * and may throw a {@link dev.pydb.api.PydbException} to fail the batch.
     */
    record Update(String key, UnaryOperator<byte[]> change, long expectedRev) implements WriteOp {
        public Update {
            requireNonNull(key, "key is null");
            requireNonNull(change, "change is null");
            checkExpectedRev(expectedRev);
            if (expectedRev == 0) {
                throw new IllegalArgumentException("an update needs an existing document; expectedRev 0 never matches");
            }
        }
    }

    /** Delete: {@code NOT_FOUND} if absent. */
    record Delete(String key, long expectedRev) implements WriteOp {
        public Delete {
            requireNonNull(key, "key is null");
            checkExpectedRev(expectedRev);
        }
    }

    private static void checkExpectedRev(long expectedRev) {
        if (expectedRev < Storage.ANY_REVISION) {
            throw new IllegalArgumentException("expectedRev must be ANY_REVISION (-1), 0 or a revision, was " + expectedRev);
        }
    }
}
