package dev.pydb.engine.server;

import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.config.AuthConfig;
import java.time.Clock;

/** Creates the {@link Authenticator} from the {@code auth} section. */
@FunctionalInterface
public interface AuthenticatorFactory {
    Authenticator create(AuthConfig config, Clock clock);
}
