package dev.pydb.engine.transport;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import dev.pydb.api.ConfigException;
import dev.pydb.engine.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/**
 * The listener's TLS, built with the JDK only: an {@link SSLContext} from a key store or from a
 * PEM certificate chain and unencrypted PKCS#8 private key, and server engines limited to
 * {@link #PROTOCOLS TLS 1.2 and 1.3}. Every problem with the key material is a
 * {@link ConfigException} naming the {@code server.tls} key.
 */
final class ServerTls {
    /** The only protocol versions offered. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Pattern PRIVATE_KEY_PEM = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");

    private final SSLContext context;

    private ServerTls(SSLContext context) {
        this.context = context;
    }

    /** Loads the key material of an enabled {@code server.tls} section (paths already absolute). */
    static ServerTls load(TlsConfig config) {
        requireNonNull(config, "config is null");
        if (!config.enabled()) {
            throw new IllegalArgumentException("TLS is not enabled");
        }
        KeyStore keyStore = config.usesKeyStore() ? readKeyStore(config) : keyStoreFromPem(config);
        char[] password = config.usesKeyStore() ? passwordOf(config) : PEM_STORE_PASSWORD;
        try {
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, new SecureRandom());
            return new ServerTls(context);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(config.usesKeyStore() ? "server.tls.key_store" : "server.tls.private_key",
                    "cannot use the key: " + e.getMessage());
        }
    }

    /**
     * A client context for the server's own tools ({@code bin/pydb backup}) on the same machine: it
     * trusts exactly the server's certificate, read from the same key material.
     */
    static SSLContext clientTrustingServer(TlsConfig config) {
        KeyStore keyStore = config.usesKeyStore() ? readKeyStore(config) : keyStoreFromPem(config);
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            int n = 0;
            for (String alias : java.util.Collections.list(keyStore.aliases())) {
                Certificate certificate = keyStore.getCertificate(alias);
                if (certificate != null) {
                    trusted.setCertificateEntry("server-" + n++, certificate);
                }
            }
            javax.net.ssl.TrustManagerFactory trust =
                    javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("server.tls", "cannot trust the server's certificate: " + e.getMessage());
        }
    }

    /** A server-side engine for one connection: TLS 1.2+ only, no client certificate. */
    SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(parameters(engine.getSSLParameters()));
        return engine;
    }

    /** The server side of TLS over an accepted, blocking {@code socket} (for a refusal frame); closes it when closed. */
    Socket serverSocketOver(Socket socket) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        tls.setUseClientMode(false);
        tls.setSSLParameters(parameters(tls.getSSLParameters()));
        return tls;
    }

    private static SSLParameters parameters(SSLParameters parameters) {
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setNeedClientAuth(false);
        return parameters;
    }

    private static final char[] PEM_STORE_PASSWORD = new char[0];

    private static char[] passwordOf(TlsConfig config) {
        return config.keyStorePassword() == null ? new char[0] : config.keyStorePassword().toCharArray();
    }

    private static KeyStore readKeyStore(TlsConfig config) {
        Path file = Path.of(config.keyStore());
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(config.keyStoreType());
            store.load(in, passwordOf(config));
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("server.tls.key_store", "cannot read the " + config.keyStoreType()
                    + " key store " + file + ": " + e.getMessage());
        }
    }

    private static KeyStore keyStoreFromPem(TlsConfig config) {
        Certificate[] chain = readCertificates(Path.of(config.certificate()));
        PrivateKey key = readPrivateKey(Path.of(config.privateKey()));
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, PEM_STORE_PASSWORD, chain);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("server.tls.private_key", "the private key does not fit the certificate: "
                    + e.getMessage());
        }
    }

    private static Certificate[] readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ConfigException("server.tls.certificate", "no certificate in " + file);
            }
            return certificates.toArray(Certificate[]::new);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("server.tls.certificate", "cannot read the PEM certificate " + file + ": "
                    + e.getMessage());
        }
    }

    private static PrivateKey readPrivateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, US_ASCII);
        } catch (IOException e) {
            throw new ConfigException("server.tls.private_key", "cannot read " + file + ": " + e.getMessage());
        }
        Matcher matcher = PRIVATE_KEY_PEM.matcher(pem);
        if (!matcher.find()) {
            throw new ConfigException("server.tls.private_key", file + " holds no unencrypted PKCS#8 key "
                    + "(-----BEGIN PRIVATE KEY-----); convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out "
                    + "key.pkcs8.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(1));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("server.tls.private_key", file + " is not valid Base64: " + e.getMessage());
        }
        try {
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
            for (String algorithm : KEY_ALGORITHMS) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
                    // Try the next algorithm.
                }
            }
            throw new ConfigException("server.tls.private_key", file + " holds a key of none of the algorithms "
                    + KEY_ALGORITHMS);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }
}
