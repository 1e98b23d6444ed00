package dev.pydb.engine.server;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.plugin.PluginLoader;
import dev.pydb.engine.plugin.PluginSource;
import java.time.Clock;
import java.time.Duration;

/**
 * The parts {@link PydbServer} composes that are chosen by the caller: the production ones come
 * from the command line, tests pass fakes.
 *
 * @param plugins        loads the plugins folder
 * @param authenticators creates the authenticator
 * @param transports     creates the network transport
 * @param clock          the clock for tokens and statistics
 * @param shutdownGrace  how long in-flight requests may take to finish at shutdown
 */
public record ServerComponents(
        PluginSource plugins,
        AuthenticatorFactory authenticators,
        TransportFactory transports,
        Clock clock,
        Duration shutdownGrace) {
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

    /**
     * The production parts: plugins from the plugins folder, the env file's users, the
     * {@link TransportFactory#production() TCP transport} (NIO event loops, or blocking with TLS). Tests that embed a real server use this too, with their own clock and grace.
     */
    public static ServerComponents production(Clock clock, Duration shutdownGrace) {
        return new ServerComponents(new PluginLoader(), AuthenticatorFactory.standard(), TransportFactory.production(), clock, shutdownGrace);
    }

    public ServerComponents {
        requireNonNull(plugins, "plugins is null");
        requireNonNull(authenticators, "authenticators is null");
        requireNonNull(transports, "transports is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(shutdownGrace, "shutdownGrace is null");
    }
}
