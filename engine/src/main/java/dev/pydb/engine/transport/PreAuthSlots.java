package dev.pydb.engine.transport;

import static java.util.Objects.requireNonNull;

import dev.pydb.engine.config.PreAuthConfig;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slots of connections that have not authenticated yet: at most
 * {@code max_unauthenticated_connections} in all and
 * {@code max_unauthenticated_connections_per_address} per client address (an IPv4 address, or an
 * IPv6 /64: one host usually has a whole /64). A connection takes a {@link Slot} when it is
 * accepted and gives it back when a request on it authenticates or when it closes, whichever
 * comes first; so logged-in connections are counted by {@code max_connections} only. Thread-safe.
 */
final class PreAuthSlots {
    private static final Logger log = LoggerFactory.getLogger(PreAuthSlots.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final int max;
    private final int maxPerAddress;
    private final Map<Object, Integer> perAddress = new HashMap<>();
    private int taken;
    private long refusedSinceLog;
    private long lastLog = System.nanoTime() - LOG_INTERVAL_NANOS;

    PreAuthSlots(PreAuthConfig config) {
        requireNonNull(config, "config is null");
        this.max = config.maxConnections();
        this.maxPerAddress = config.maxConnectionsPerAddress();
    }

    /** A slot, or why there is none (the refusal's message). */
    record Admission(Slot slot, String refusal) {}

    /** Takes a slot for a new connection from {@code remote}. */
    Admission admit(SocketAddress remote, String printable) {
        Object key = addressKey(remote);
        String refusal;
        synchronized (this) {
            int fromAddress = perAddress.getOrDefault(key, 0);
            if (taken >= max) {
                refusal = "too many unauthenticated connections (max_unauthenticated_connections=" + max + ")";
            } else if (fromAddress >= maxPerAddress) {
                refusal = "too many unauthenticated connections from this address "
                        + "(max_unauthenticated_connections_per_address=" + maxPerAddress + ")";
            } else {
                taken++;
                perAddress.put(key, fromAddress + 1);
                return new Admission(new Slot(key), null);
            }
            refusedSinceLog++;
            long now = System.nanoTime();
            if (now - lastLog < LOG_INTERVAL_NANOS) {
                return new Admission(null, refusal);
            }
            lastLog = now;
            long refused = refusedSinceLog;
            refusedSinceLog = 0;
            // Logged at most every 10 s, so a flood of strangers does not flood the log too.
            log.warn("refused connection from {}: {}; {} refused for pre-authentication limits in the last {} s",
                    printable, refusal, refused, TimeUnit.NANOSECONDS.toSeconds(LOG_INTERVAL_NANOS));
        }
        return new Admission(null, refusal);
    }

    /** Slots taken now. */
    synchronized int taken() {
        return taken;
    }

    private synchronized void release(Object key) {
        taken--;
        perAddress.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }

    /** The per-address key: the IPv4 address, or the /64 network of an IPv6 address. */
    static Object addressKey(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress address = inet.getAddress();
            if (address instanceof Inet6Address) {
                byte[] bytes = address.getAddress();
                long prefix = 0;
                for (int i = 0; i < 8; i++) {
                    prefix = prefix << 8 | (bytes[i] & 0xFF);
                }
                return prefix;
            }
            return address;
        }
        return String.valueOf(remote);
    }

    /** One connection's pre-authentication slot; {@link #release} is idempotent. Thread-safe. */
    final class Slot {
        private final Object key;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Object key) {
            this.key = key;
        }

        /** Gives the slot back: the connection authenticated, or closed. */
        void release() {
            if (released.compareAndSet(false, true)) {
                PreAuthSlots.this.release(key);
            }
        }

        boolean released() {
            return released.get();
        }
    }
}
