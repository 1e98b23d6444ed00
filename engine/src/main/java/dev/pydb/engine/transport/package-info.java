/**
 * The TCP transport: {@link dev.pydb.engine.transport.TcpServer} accepts connections and serves
 * each on its own virtual thread, decoding frames with the codec and handing each body to the
 * {@link dev.pydb.engine.transport.RequestProcessor}. Sockets never leave this package. Framing
 * errors, refused connections and timeouts are answered here; everything about the request body
 * is the processor's job.
 */
package dev.pydb.engine.transport;
