package dev.pydb.engine.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.engine.config.ServerConfig;
import dev.pydb.engine.config.TlsConfig;
import dev.pydb.engine.stats.ServerStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Every transport behaviour over TLS on the NIO loops (TLS is a stage of the connection, not
 * another server), plus what only TLS has: the handshake bounded by the frame timeout, TLS 1.2
 * renegotiation refused, responses spanning many TLS records.
 */
class NioTcpServerTlsTest extends TransportBehaviourTest {
    private static final SSLContext CLIENT = clientContext();

    @Override
    protected Transport newTransport(ServerConfig config, RequestProcessor processor, ServerStats stats) {
        return new NioTcpServer(config.withTls(serverTls()), processor, stats, 2);
    }

    @Override
    protected Socket openSocket(int port) throws IOException {
        SSLSocket socket = (SSLSocket) CLIENT.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    @Test
    void aHandshakeTrickledByteByByteIsClosedAtTheFrameTimeout() throws Exception {
        Transport server = start(config(10, 30, 1), new UppercaseProcessor());
        byte[] clientHello = clientHello();

        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            long started = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < clientHello.length - 1 && !closed; i++) {
                try {
                    out.write(clientHello[i]);
                    out.flush();
                    Thread.sleep(200);
                } catch (IOException reset) {
                    closed = true;
                }
                if (System.nanoTime() - started > 8_000_000_000L) {
                    break;
                }
            }
            if (!closed) {
                assertThat(drainUntilClosed(raw.getInputStream())).isTrue();
            }
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertThat(seconds).as("closed after the 1 s frame timeout, not the 30 s idle timeout").isLessThan(5);
        }
        try (FrameClient healthy = connect(server.port())) {
            assertThat(healthy.call("after")).isEqualTo("AFTER");
        }
    }

    @Test
    void aSilentClientThatNeverStartsTheHandshakeIsClosedAtTheFrameTimeout() throws Exception {
        Transport server = start(config(10, 30, 1), new UppercaseProcessor());

        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            raw.setSoTimeout(10_000);
            long started = System.nanoTime();
            assertThat(drainUntilClosed(raw.getInputStream())).isTrue();
            assertThat((System.nanoTime() - started) / 1_000_000L).isBetween(500L, 5_000L);
        }
    }

    @Test
    void renegotiationOfATls12SessionIsRefused() throws Exception {
        Transport server = start(config(10, 30, 30), new UppercaseProcessor());

        try (SSLSocket socket = (SSLSocket) openSocket(server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            FrameClient client = new FrameClient(socket);
            assertThat(client.call("before")).isEqualTo("BEFORE");

            boolean refused;
            try {
                socket.startHandshake();
                client.sendRaw(FrameClient.frames(List.of("after")));
                refused = drainUntilClosed(socket.getInputStream());
            } catch (IOException e) {
                refused = true;
            }
            assertThat(refused).isTrue();
        }
        try (FrameClient healthy = connect(server.port())) {
            assertThat(healthy.call("still serving")).isEqualTo("STILL SERVING");
        }
    }

    @Test
    void answersRequestsAndResponsesThatSpanManyTlsRecords() throws Exception {
        Transport server = start(new ServerConfig("127.0.0.1", 0, 10, 1_000_000, 1_000_000, 1000, 30, 30, 1_000_000,
                false, TlsConfig.DISABLED), new UppercaseProcessor());
        String big = "x".repeat(200_000);

        try (FrameClient client = connect(server.port())) {
            client.sendRaw(FrameClient.frames(List.of(big, "small", big)));
            assertThat(client.readFrame()).isEqualTo(big.toUpperCase());
            assertThat(client.readFrame()).isEqualTo("SMALL");
            assertThat(client.readFrame()).isEqualTo(big.toUpperCase());
        }
    }

    /** Reads until the server closes; true if it did (end of stream or reset) within the socket timeout. */
    private static boolean drainUntilClosed(InputStream in) {
        try {
            byte[] sink = new byte[4096];
            while (in.read(sink) >= 0) {
                // keep reading
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** The first flight of a real TLS client, captured from an SSLEngine. */
    private static byte[] clientHello() throws Exception {
        javax.net.ssl.SSLEngine engine = CLIENT.createSSLEngine("localhost", 9440);
        engine.setUseClientMode(true);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(java.nio.ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    private static TlsConfig serverTls() {
        return new TlsConfig(true, null, null, "PKCS12", resource("cert.pem"), resource("key.pem"));
    }

    private static String resource(String name) {
        try {
            return Path.of(NioTcpServerTlsTest.class.getResource("/tls/" + name).toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext clientContext() {
        try (InputStream cert = NioTcpServerTlsTest.class.getResourceAsStream("/tls/cert.pem")) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(cert));
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
