package dev.pydb.storage.json;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.storage.WriteOp;
import dev.pydb.api.storage.WriteResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A change the {@link Committer} thread carries out for a caller, who waits on its {@code result}. */
sealed interface Task {
    /** Completes the task with a failure. */
    void fail(Throwable error);

    /** A batch of writes to one database; Put and Insert bodies are already normalized. */
    record Write(String database, List<WriteOp> ops, CompletableFuture<List<WriteResult>> result) implements Task {
        public Write {
            requireNonNull(database, "database is null");
            ops = List.copyOf(ops);
            requireNonNull(result, "result is null");
        }

        @Override
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    /** Create a database. */
    record Create(String database, CompletableFuture<Void> result) implements Task {
        public Create {
            requireNonNull(database, "database is null");
            requireNonNull(result, "result is null");
        }

        @Override
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    /** Drop a database. */
    record Drop(String database, CompletableFuture<Void> result) implements Task {
        public Drop {
            requireNonNull(database, "database is null");
            requireNonNull(result, "result is null");
        }

        @Override
        public void fail(Throwable error) {
            result.completeExceptionally(error);
        }
    }

    /** Finish the tasks queued before this one, then stop. */
    record Stop() implements Task {
        @Override
        public void fail(Throwable error) {
            // nobody waits for it
        }
    }
}
