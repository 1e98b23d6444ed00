package dev.pydb.engine.transport;

import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.session.Session;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every transport does around each request, whatever its I/O model: the frame limit that
 * fits the session's login state, and the guard around a call into the {@link RequestProcessor}.
 */
final class ConnectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPolicy.class);

    private ConnectionPolicy() {}

    /**
     * Until a request on this connection has authenticated, frames are limited to
     * {@code max_unauthenticated_query_length}; the full limit applies from the next frame on.
     */
    static void applyFrameLimit(FrameDecoder decoder, Session session, int maxQueryLength,
                                int maxUnauthenticatedQueryLength) {
        if (session.authenticated() || maxUnauthenticatedQueryLength >= maxQueryLength) {
            decoder.setMaxBodyLength(maxQueryLength, "max_query_length");
        } else {
            decoder.setMaxBodyLength(maxUnauthenticatedQueryLength, "max_unauthenticated_query_length");
        }
    }

    /** The processor's response, or null if it broke its contract (threw or returned null). */
    static byte[] guardedCall(Session session, Supplier<byte[]> call) {
        try {
            byte[] response = call.get();
            if (response == null) {
                log.error("session {}: the request processor returned null; closing the connection", session.id());
            }
            return response;
        } catch (RuntimeException e) {
            log.error("session {}: the request processor threw; closing the connection", session.id(), e);
            return null;
        }
    }
}
