package dev.pydb.bench;

import java.io.IOException;
import java.util.Set;

/**
 * The protocol pydb-bench speaks to its target, chosen once per run: which operations it can
 * send, the pre-built request for each, how a load connection is opened (and logged in), and
 * what happens to the server before the preload.
 */
interface Wire {
    /** The operations this wire can send. */
    Set<Operation> operations();

    /** The request template for {@code operation}, one of {@link #operations()}. */
    RequestTemplate template(Operation operation);

    /** Opens one load connection, ready for requests (logged in where the protocol needs it). */
    WireConnection open(String host, int port) throws IOException;

    /** Gets the server ready for a run: {@code fresh} if the key space is about to be preloaded. */
    void prepare(String host, int port, boolean fresh) throws IOException;
}
