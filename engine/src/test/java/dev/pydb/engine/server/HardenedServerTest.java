package dev.pydb.engine.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.ConfigException;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.codec.DecodeResult;
import dev.pydb.engine.codec.FrameDecoder;
import dev.pydb.engine.codec.FrameEncoder;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.EnvConfigBinder;
import dev.pydb.engine.plugin.LoadedPlugin;
import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.storage.tck.memory.InMemoryStorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole server over real sockets: TLS, protected mode, the LOGIN throttle and pre-login limits. */
class HardenedServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USERS = """
            "auth": {"users": [{"username": "admin", "password": "secret", "roles": ["admin"]}]}""";

    @TempDir
    Path home;

    private final List<PydbServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(PydbServer::close);
    }

    @Test
    void servesLoginAndCrudOverTlsWithAPkcs12KeyStore() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0, "tls": {"enabled": true, "key_store": "%s", "key_store_password": "test-only"}},
                """.formatted(resource("server.p12")));
        try (SSLSocket socket = tlsSocket(server.port())) {
            loginAndCrud(socket);
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
        }
    }

    @Test
    void servesOverTlsWithAPemCertificateAndPkcs8Key() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0, "tls": {"enabled": true, "certificate": "%s", "private_key": "%s"}},
                """.formatted(resource("cert.pem"), resource("key.pem")));
        try (SSLSocket socket = tlsSocket(server.port())) {
            loginAndCrud(socket);
        }
    }

    @Test
    void aPlainTextClientOnTheTlsPortIsRefusedAndTheServerCarriesOn() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0, "tls": {"enabled": true, "certificate": "%s", "private_key": "%s"}},
                """.formatted(resource("cert.pem"), resource("key.pem")));
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            plain.setSoTimeout(10_000);
            plain.getOutputStream().write(FrameEncoder.encode("{\"action\":\"PING\"}".getBytes(UTF_8)));
            InputStream in = plain.getInputStream();
            byte[] answer = in.readNBytes(4096);
            assertThat(new String(answer, UTF_8)).doesNotContain("PONG");
        } catch (java.net.SocketException reset) {
            // A reset is a clean refusal too.
        }
        try (SSLSocket socket = tlsSocket(server.port())) {
            assertThat(call(socket, "{\"action\":\"PING\"}").get("result").asText()).isEqualTo("PONG");
        }
    }

    @Test
    void tlsOnlyOffersTls12AndNewer() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0, "tls": {"enabled": true, "certificate": "%s", "private_key": "%s"}},
                """.formatted(resource("cert.pem"), resource("key.pem")));
        try (SSLSocket socket = tlsSocket(server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThatThrownBy(() -> call(socket, "{\"action\":\"PING\"}")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aBadKeyStorePasswordFailsTheStartNamingTheKey() throws Exception {
        assertThatThrownBy(() -> start("""
                "server": {"port": 0, "tls": {"enabled": true, "key_store": "%s", "key_store_password": "nope"}},
                """.formatted(resource("server.p12"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.tls.key_store")
                .hasMessageNotContaining("nope");
    }

    @Test
    void protectedModeRefusesANetworkAddressWhileAUserHasAPlainTextPassword() {
        assertThatThrownBy(() -> start("""
                "server": {"host": "0.0.0.0", "port": 0},
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.allow_plaintext_passwords_on_network")
                .hasMessageContaining("admin");
        PydbServer allowed = start("""
                "server": {"host": "0.0.0.0", "port": 0, "allow_plaintext_passwords_on_network": true},
                """);
        assertThat(allowed.port()).isPositive();
    }

    @Test
    void loopbackNamesAreNotANetwork() {
        assertThat(ProtectedMode.isLoopback("127.0.0.1")).isTrue();
        assertThat(ProtectedMode.isLoopback("localhost")).isTrue();
        assertThat(ProtectedMode.isLoopback("::1")).isTrue();
        assertThat(ProtectedMode.isLoopback("0.0.0.0")).isFalse();
    }

    @Test
    void wrongPasswordsOverTheWireAreThrottled() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0},
                """);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            String last = "";
            for (int i = 0; i < 6; i++) {
                last = call(socket, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"wrong\"}").at("/error/message").asText();
            }
            assertThat(last).startsWith("too many failed logins");
            assertThat(call(socket, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"secret\"}").at("/error/code")
                    .asText()).isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void beforeLoginDeepJsonIsRefusedAndAfterLoginItIsAccepted() throws Exception {
        PydbServer server = start("""
                "server": {"port": 0},
                """);
        String deep = "{\"action\":\"PING\",\"x\":" + "[".repeat(20) + "]".repeat(20) + "}";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            assertThat(call(socket, deep).at("/error/code").asText()).isEqualTo("BAD_JSON");
            assertThat(call(socket, "{\"action\":\"LIST_DBS\"}").at("/error/code").asText()).isEqualTo("UNAUTHENTICATED");
            call(socket, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"secret\"}");
            assertThat(call(socket, deep).get("result").asText()).isEqualTo("PONG");
        }
    }

    private void loginAndCrud(Socket socket) throws IOException {
        assertThat(call(socket, "{\"action\":\"LOGIN\",\"username\":\"admin\",\"password\":\"secret\"}").get("ok").asBoolean())
                .isTrue();
        assertThat(call(socket, "{\"action\":\"CREATE_DB\",\"db\":\"shop\"}").get("ok").asBoolean()).isTrue();
        assertThat(call(socket, "{\"action\":\"PUT\",\"db\":\"shop\",\"key\":\"k\",\"doc\":{\"n\":1}}").at("/result/rev").asInt())
                .isEqualTo(1);
        assertThat(call(socket, "{\"action\":\"UPDATE\",\"db\":\"shop\",\"key\":\"k\",\"patch\":{\"m\":2}}").at("/result/rev")
                .asInt()).isEqualTo(2);
        assertThat(call(socket, "{\"action\":\"GET\",\"db\":\"shop\",\"key\":\"k\"}").at("/result/doc"))
                .isEqualTo(JSON.readTree("{\"n\":1,\"m\":2}"));
        assertThat(call(socket, "{\"action\":\"DELETE\",\"db\":\"shop\",\"key\":\"k\"}").at("/result/deleted").asBoolean()).isTrue();
    }

    private static JsonNode call(Socket socket, String body) throws IOException {
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

    private static SSLSocket tlsSocket(int port) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        try (InputStream cert = HardenedServerTest.class.getResourceAsStream("/tls/cert.pem")) {
            trusted.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(cert));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String resource(String name) throws URISyntaxException {
        return Path.of(HardenedServerTest.class.getResource("/tls/" + name).toURI()).toString();
    }

    private PydbServer start(String serverSection) {
        EnvConfig config;
        try {
            config = EnvConfigBinder.bind((ObjectNode) JSON.readTree("{" + serverSection + """
                    "storage": {"provider": "hardened-memory"},
                    """ + USERS + "}"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        InMemoryStorageProvider provider = new InMemoryStorageProvider("hardened-memory");
        ServerComponents components = new ServerComponents(
                dir -> List.of(PluginLoader.classPath(), new LoadedPlugin("memory", dir.resolve("memory"), HardenedServerTest.class.getClassLoader(),
                        List.of(provider), List.of())),
                DefaultAuthenticator::new, TransportFactory.production(), Clock.systemUTC(), Duration.ofSeconds(1));
        PydbServer server = PydbServer.start(config, home, components, Optional.empty());
        servers.add(server);
        return server;
    }
}
