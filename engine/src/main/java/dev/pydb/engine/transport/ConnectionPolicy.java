package dev.pydb.engine.transport;

import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.session.Session;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every transport does around each request, whatever its I/O model: the frame limit that
 * fits the session's login state, and the guard around a call into the {@link RequestProcessor}.
 */
final class ConnectionPolicy {
    private static final Logger log = LoggerFactory.getLogger(ConnectionPolicy.class);

    private static final byte[] FALLBACK_INTERNAL =
            "{\"ok\":false,\"error\":{\"code\":\"INTERNAL\",\"message\":\"internal error\"}}".getBytes(StandardCharsets.UTF_8);

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

    /**
     * What a call into the processor gave: its response, or, if it broke its contract (threw
     * anything, errors included, or returned null), an {@code INTERNAL} body with an incident id
     * that is logged with the stack trace; then the connection is closed after writing it.
     */
    record Outcome(byte[] body, boolean closeAfter) {
        static Outcome failed(Session session, String what, Throwable failure) {
            String incident = UUID.randomUUID().toString();
            if (failure != null) {
                log.error("incident {}: session {} from {}: {}; closing the connection", incident, session.id(),
                        session.remoteAddress(), what, failure);
            } else {
                log.error("incident {}: session {} from {}: {}; closing the connection", incident, session.id(),
                        session.remoteAddress(), what);
            }
            return new Outcome(internalBody(incident), true);
        }
    }

    /** The processor's response, or a failure {@link Outcome} if it threw or returned null. Never throws. */
    static Outcome guardedCall(Session session, Supplier<byte[]> call) {
        try {
            byte[] response = call.get();
            if (response == null) {
                return Outcome.failed(session, "the request processor returned null", null);
            }
            return new Outcome(response, false);
        } catch (Throwable e) {
            return Outcome.failed(session, "the request processor threw", e);
        }
    }

    private static byte[] internalBody(String incident) {
        try {
            return ErrorFrames.internal(incident);
        } catch (Throwable e) {
            return FALLBACK_INTERNAL;
        }
    }
}
