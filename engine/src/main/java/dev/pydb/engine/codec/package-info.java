/**
 * The wire framing {@code QUERY_LENGTH: <n>\r\n\r\n<n bytes>}, without I/O: an incremental
 * {@link dev.pydb.engine.codec.FrameDecoder} (one per connection, not thread-safe) and the
 * stateless {@link dev.pydb.engine.codec.FrameEncoder}. Framing errors are values
 * ({@link dev.pydb.engine.codec.FrameError}), not exceptions: a hostile byte stream is normal input.
 */
package dev.pydb.engine.codec;
