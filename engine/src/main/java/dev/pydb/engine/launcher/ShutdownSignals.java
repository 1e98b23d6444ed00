package dev.pydb.engine.launcher;

import static java.util.Objects.requireNonNull;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a graceful stop: the handler runs {@code onSignal} instead of
 * exiting the JVM, so the server can drain and the process can exit with 0. Where a signal
 * cannot be handled (e.g. the JVM runs with {@code -Xrs}), the JVM's default applies and the
 * shutdown hook still stops the server.
 */
final class ShutdownSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private ShutdownSignals() {}

    static void install(Runnable onSignal) {
        requireNonNull(onSignal, "onSignal is null");
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    LOG.info("received SIG{}", signal.getName());
                    onSignal.run();
                });
            } catch (IllegalArgumentException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
