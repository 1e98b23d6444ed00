/**
 * The TCP transport. {@link dev.pydb.engine.transport.NioTcpServer} serves plain and TLS
 * connections on a few NIO event loops (TLS is a stage of each connection, an {@code SSLEngine}
 * between the socket and the frame decoder), running cheap read-only requests on the loop and
 * requests that may block on virtual worker threads. Connections decode frames with the codec and
 * hand each body to the {@link dev.pydb.engine.transport.RequestProcessor}.
 * Sockets never leave this package. Framing errors, refused connections and timeouts are
 * answered here; everything about the request body is the processor's job.
 */
package dev.pydb.engine.transport;
