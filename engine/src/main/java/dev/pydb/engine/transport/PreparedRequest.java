package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * A request the {@link RequestProcessor} has parsed and checked, ready to run. An event-loop
 * transport runs it on the loop thread if it cannot block, and on a worker thread otherwise.
 */
public interface PreparedRequest {
    /**
     * Whether {@link #execute()} may block (a durable write waiting for its commit, password
     * hashing, code the engine does not know): such requests must not run on an event loop.
     */
    boolean mayBlock();

    /** Runs the request and returns the response body (UTF-8 JSON). Called at most once. */
    byte[] execute();

    /** A request already answered while preparing it (for example a parse or authentication error). */
    static PreparedRequest answered(byte[] response) {
        requireNonNull(response, "response is null");
        return new PreparedRequest() {
            @Override
            public boolean mayBlock() {
                return false;
            }

            @Override
            public byte[] execute() {
                return response;
            }
        };
    }

    /** A request whose whole work happens in {@code work}, which may block. */
    static PreparedRequest blocking(Supplier<byte[]> work) {
        requireNonNull(work, "work is null");
        return new PreparedRequest() {
            @Override
            public boolean mayBlock() {
                return true;
            }

            @Override
            public byte[] execute() {
                return work.get();
            }
        };
    }
}
