package dev.pydb.engine.transport;

import dev.pydb.engine.session.Session;

/**
 * The boundary between the transport (sockets, framing) and everything above it. The transport
 * hands over each complete, length-checked frame body and writes back the returned body in a
 * frame. Implementations never throw: every failure becomes an error response body.
 * Called from many threads at once; calls for one session are sequential and in request order.
 *
 * <p>A blocking transport calls {@link #process}; an event-loop transport calls {@link #prepare}
 * on its loop and runs the {@link PreparedRequest} on the loop or on a worker, as it says.
 * For one session, a request is prepared only after the previous one has been executed.
 */
public interface RequestProcessor {
    /**
     * @param session the connection's session (remote address, login state)
     * @param body    the frame body, exactly as received
     * @return the response body (UTF-8 JSON)
     */
    byte[] process(Session session, byte[] body);

    /**
     * The first, non-blocking step of {@link #process}: parse and check the request without
     * running it. The default defers everything to {@link #process} and says it may block.
     */
    default PreparedRequest prepare(Session session, byte[] body) {
        return PreparedRequest.blocking(() -> process(session, body));
    }
}
