package dev.pydb.engine.fakes;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;

/** One request frame over a socket to a real server, and its response, read byte by byte. */
public final class FrameCalls {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FrameCalls() {}

    /** Sends {@code body} as one frame and returns the next response frame as JSON. */
    public static JsonNode call(Socket socket, String body) throws IOException {
        socket.getOutputStream().write(FrameEncoder.encode(body.getBytes(UTF_8)));
        socket.getOutputStream().flush();
        FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);
        InputStream in = socket.getInputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed by the server");
            }
            if (decoder.decode(ByteBuffer.wrap(new byte[] {(byte) b})) instanceof DecodeResult.Frame frame) {
                return JSON.readTree(frame.body());
            }
        }
    }
}
