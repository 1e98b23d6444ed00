package dev.pydb.engine.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The {@code server.tls} section: {@code enabled} (default false) and the server's key and
 * certificate, either a key store ({@code key_store}, {@code key_store_password},
 * {@code key_store_type}, default {@code PKCS12}) or a PEM pair ({@code certificate}: X.509
 * certificate chain, {@code private_key}: unencrypted PKCS#8 key). Paths are relative to the home
 * folder until {@link #resolvedAgainst} makes them absolute. When enabled, exactly one of the two
 * forms is given. {@link #toString} never shows the password.
 */
public record TlsConfig(
        boolean enabled,
        String keyStore,
        String keyStorePassword,
        String keyStoreType,
        String certificate,
        String privateKey) {
    public static final String DEFAULT_KEY_STORE_TYPE = "PKCS12";
    /** TLS off. */
    public static final TlsConfig DISABLED = new TlsConfig(false, null, null, DEFAULT_KEY_STORE_TYPE, null, null);

    public TlsConfig {
        requireNonNull(keyStoreType, "keyStoreType is null");
        if (enabled) {
            boolean store = keyStore != null;
            boolean pem = certificate != null || privateKey != null;
            if (store == pem) {
                throw new IllegalArgumentException("give either key_store or certificate + private_key");
            }
            if (pem && (certificate == null || privateKey == null)) {
                throw new IllegalArgumentException("certificate and private_key go together");
            }
        }
    }

    /** Whether the key comes from a key store (else from a PEM pair). */
    public boolean usesKeyStore() {
        return keyStore != null;
    }

    /** This configuration with its relative paths resolved against {@code home}. */
    public TlsConfig resolvedAgainst(Path home) {
        requireNonNull(home, "home is null");
        return new TlsConfig(enabled, resolve(home, keyStore), keyStorePassword, keyStoreType,
                resolve(home, certificate), resolve(home, privateKey));
    }

    private static String resolve(Path home, String path) {
        return path == null ? null : home.resolve(path).normalize().toString();
    }

    @Override
    public String toString() {
        return "TlsConfig[enabled=" + enabled + ", keyStore=" + keyStore + ", keyStoreType=" + keyStoreType
                + ", certificate=" + certificate + ", privateKey=" + privateKey + "]";
    }
}
