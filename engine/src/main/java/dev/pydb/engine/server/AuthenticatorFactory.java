package dev.pydb.engine.server;

import dev.pydb.api.storage.SessionStore;
import dev.pydb.engine.auth.Authenticator;
import dev.pydb.engine.auth.DefaultAuthenticator;
import dev.pydb.engine.config.AuthConfig;
import java.time.Clock;
import java.util.Optional;

/** Creates the {@link Authenticator} from the {@code auth} section. */
@FunctionalInterface
public interface AuthenticatorFactory {
    Authenticator create(AuthConfig config, Clock clock);

    /**
     * The authenticator of a server whose storage may share sessions between nodes
     * ({@code Storage.sessions()}). Default: {@link #create(AuthConfig, Clock)}, ignoring them.
     */
    default Authenticator create(AuthConfig config, Clock clock, Optional<SessionStore> sessions) {
        return create(config, clock);
    }

    /** The server's own: a {@link DefaultAuthenticator}, keeping its tokens in the shared sessions when there are any. */
    static AuthenticatorFactory standard() {
        return new AuthenticatorFactory() {
            @Override
            public Authenticator create(AuthConfig config, Clock clock) {
                return new DefaultAuthenticator(config, clock);
            }

            @Override
            public Authenticator create(AuthConfig config, Clock clock, Optional<SessionStore> sessions) {
                return sessions.<Authenticator>map(store -> new DefaultAuthenticator(config, clock, store))
                        .orElseGet(() -> create(config, clock));
            }
        };
    }
}
