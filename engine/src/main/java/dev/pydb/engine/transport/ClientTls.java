package dev.pydb.engine.transport;

import dev.pydb.engine.config.TlsConfig;
import javax.net.ssl.SSLContext;

/** TLS for the server's own command-line tools that connect to it ({@code bin/pydb backup}). */
public final class ClientTls {
    private ClientTls() {}

    /** A context trusting exactly the certificate of the enabled {@code server.tls} section (paths absolute). */
    public static SSLContext trustingServer(TlsConfig config) {
        return ServerTls.clientTrustingServer(config);
    }
}
