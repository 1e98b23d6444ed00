package dev.pydb.engine.transport;

/** Why a connection ended, as written in its "connection closed" log line. */
enum CloseReason {
    CLIENT_CLOSED("client closed"),
    CLIENT_CLOSED_MID_FRAME("client closed mid-frame"),
    IDLE_TIMEOUT("idle timeout"),
    UNAUTHENTICATED_TIMEOUT("unauthenticated timeout"),
    FRAME_TIMEOUT("frame timeout"),
    BAD_FRAME("BAD_FRAME"),
    FRAME_TOO_LARGE("FRAME_TOO_LARGE"),
    SERVER_STOPPING("server stopping"),
    PROCESSOR_FAILED("processor failed"),
    IO_ERROR("I/O error"),
    TLS_HANDSHAKE_FAILED("TLS handshake failed"),
    TLS_HANDSHAKE_TIMEOUT("TLS handshake timeout"),
    INTERNAL_ERROR("internal error");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
