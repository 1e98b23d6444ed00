package dev.pydb.engine.session;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection's state: its id, remote address and, after a LOGIN on it, the token it
 * is logged in with (session auth, like Redis {@code AUTH}), and whether it has ever authenticated. The token is re-validated on every
 * request, so expiry and LOGOUT apply to sessions too. Thread-safe.
 */
public final class Session {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id;
    private final String remoteAddress;
    private volatile String token;
    private volatile boolean authenticated;

    public Session(String remoteAddress) {
        this.id = IDS.incrementAndGet();
        this.remoteAddress = requireNonNull(remoteAddress, "remoteAddress is null");
    }

    public long id() {
        return id;
    }

    public String remoteAddress() {
        return remoteAddress;
    }

    /** The token this connection logged in with, if any. */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** Called by LOGIN: later requests without {@code auth} use this token. */
    public void bindToken(String token) {
        this.token = requireNonNull(token, "token is null");
        this.authenticated = true;
    }

    /**
     * Whether any request on this connection has authenticated (a LOGIN, or a live
     * {@code auth.token}). Until then the connection gets the small pre-authentication limits;
     * once set it stays set for the life of the connection, also after LOGOUT.
     */
    public boolean authenticated() {
        return authenticated;
    }

    /** Called when a request on this connection carried a live token. */
    public void markAuthenticated() {
        this.authenticated = true;
    }

    /** Called by LOGOUT or when the bound token turns out dead. */
    public void clearToken() {
        this.token = null;
    }

    @Override
    public String toString() {
        return "Session[" + id + ", " + remoteAddress + "]";
    }
}
