package dev.pydb.engine.transport;

import dev.pydb.engine.session.Session;

/**
 * The boundary between the transport (sockets, framing) and everything above it. The transport
 * hands over each complete, length-checked frame body and writes back the returned body in a
 * frame. Implementations never throw: every failure becomes an error response body.
 * Called from many threads at once; calls for one session are sequential and in request order.
 */
public interface RequestProcessor {
    /**
     * @param session the connection's session (remote address, login state)
     * @param body    the frame body, exactly as received
     * @return the response body (UTF-8 JSON)
     */
    byte[] process(Session session, byte[] body);
}
