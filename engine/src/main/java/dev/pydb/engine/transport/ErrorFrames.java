package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pydb.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The error bodies the transport answers itself, before a request reaches the processor:
 * {@code {"ok": false, "error": {"code": "...", "message": "..."}}}.
 */
final class ErrorFrames {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ErrorFrames() {}

    /** {@code INTERNAL} with the incident id that the server log names too. */
    static byte[] internal(String incident) {
        return body(ErrorCode.INTERNAL, "internal error; the server log has the details under incident " + incident,
                incident);
    }

    static byte[] body(ErrorCode code, String message) {
        return body(code, message, null);
    }

    private static byte[] body(ErrorCode code, String message, String incident) {
        requireNonNull(code, "code is null");
        requireNonNull(message, "message is null");
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + message.length());
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeBooleanField("ok", false);
            json.writeObjectFieldStart("error");
            json.writeStringField("code", code.name());
            json.writeStringField("message", message);
            if (incident != null) {
                json.writeStringField("incident", incident);
            }
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to memory", e);
        }
        return out.toByteArray();
    }
}
