package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ConfigException;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.UserConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Protected mode: a server that listens on a non-loopback address refuses to start while any
 * user has a plain-text {@code password}, unless {@code server.allow_plaintext_passwords_on_network}
 * is true. Loopback means every address {@code server.host} resolves to is a loopback address.
 */
final class ProtectedMode {
    static final String OPT_IN_KEY = "server.allow_plaintext_passwords_on_network";

    private ProtectedMode() {}

    /** @throws ConfigException naming the users and the opt-in key */
    static void check(EnvConfig config) {
        requireNonNull(config, "config is null");
        if (config.server().allowPlaintextPasswordsOnNetwork() || isLoopback(config.server().host())) {
            return;
        }
        List<String> plainText = config.auth().users().stream()
                .filter(UserConfig::hasPlainTextPassword)
                .map(UserConfig::username)
                .toList();
        if (!plainText.isEmpty()) {
            throw new ConfigException(OPT_IN_KEY, "protected mode: server.host " + config.server().host()
                    + " is not a loopback address and these users have a plain-text password: "
                    + String.join(", ", plainText) + ". Give them a password_hash (bin/pydb hash-password), listen on "
                    + "127.0.0.1, or set " + OPT_IN_KEY + " to true");
        }
    }

    static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
