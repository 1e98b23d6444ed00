package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.ConfigException;
import dev.pydb.engine.auth.WellKnownPasswords;
import dev.pydb.engine.config.EnvConfig;
import dev.pydb.engine.config.UserConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protected mode: what a server that listens on a non-loopback address refuses. Loopback means
 * every address {@code server.host} resolves to is a loopback address.
 * <ul>
 *   <li>A user with a plain-text {@code password}, unless
 *       {@code server.allow_plaintext_passwords_on_network} is true.</li>
 *   <li>A user that keeps a well-known password ({@link WellKnownPasswords}: the shipped one,
 *       plain or hashed), unless {@code server.allow_default_credentials_on_network} is true;
 *       then every start logs a loud warning instead.</li>
 * </ul>
 */
final class ProtectedMode {
    static final String OPT_IN_KEY = "server.allow_plaintext_passwords_on_network";
    static final String DEFAULT_CREDENTIALS_OPT_IN_KEY = "server.allow_default_credentials_on_network";

    private static final Logger LOG = LoggerFactory.getLogger(ProtectedMode.class);

    private ProtectedMode() {}

    /** @throws ConfigException naming the users and the opt-in key */
    static void check(EnvConfig config) {
        requireNonNull(config, "config is null");
        String host = config.server().host();
        if (isLoopback(host)) {
            return;
        }
        if (!config.server().allowPlaintextPasswordsOnNetwork()) {
            List<String> plainText = config.auth().users().stream()
                    .filter(UserConfig::hasPlainTextPassword)
                    .map(UserConfig::username)
                    .toList();
            if (!plainText.isEmpty()) {
                throw new ConfigException(OPT_IN_KEY, "protected mode: server.host " + host
                        + " is not a loopback address and these users have a plain-text password: "
                        + String.join(", ", plainText) + ". Give them a password_hash (bin/pydb hash-password), listen on "
                        + "127.0.0.1, or set " + OPT_IN_KEY + " to true");
            }
        }
        List<String> wellKnown = WellKnownPasswords.usersKeepingOne(config.auth().users());
        if (wellKnown.isEmpty()) {
            return;
        }
        if (!config.server().allowDefaultCredentialsOnNetwork()) {
            throw new ConfigException(DEFAULT_CREDENTIALS_OPT_IN_KEY, "protected mode: server.host " + host
                    + " is not a loopback address and these users keep the password shipped with py_db (printed in its"
                    + " README): " + String.join(", ", wellKnown) + ". Give them a password of your own (bin/pydb"
                    + " hash-password), listen on 127.0.0.1, or set " + DEFAULT_CREDENTIALS_OPT_IN_KEY + " to true");
        }
        LOG.warn("*** SECURITY WARNING *** server.host {} is not a loopback address and these users keep the password"
                + " shipped with py_db, which anyone can read in its README: {}. Anyone who reaches this port can log in"
                + " as them. {} is true, so the server starts anyway. Give them a password of your own (bin/pydb"
                + " hash-password).", host, String.join(", ", wellKnown), DEFAULT_CREDENTIALS_OPT_IN_KEY);
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
