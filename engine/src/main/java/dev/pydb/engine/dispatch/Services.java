package dev.pydb.engine.dispatch;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.RequestContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The server's shared services by type (the {@code Authenticator}, {@code ServerStats},
 * {@code ServerInfo}, …), offered to actions through {@code RequestContext.service}. Immutable.
 */
public final class Services {
    private final Map<Class<?>, Object> byType;

    private Services(Map<Class<?>, Object> byType) {
        this.byType = Map.copyOf(byType);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The engine service a built-in action depends on, or {@link IllegalStateException} (an
     * {@code INTERNAL} error) if the engine did not register it.
     */
    public static <T> T require(RequestContext context, Class<T> type) {
        return context.service(type).orElseThrow(
                () -> new IllegalStateException("no " + type.getSimpleName() + " service is registered"));
    }

    public <T> Optional<T> get(Class<T> type) {
        requireNonNull(type, "type is null");
        return Optional.ofNullable(byType.get(type)).map(type::cast);
    }

    /** Collects services; one instance per type. */
    public static final class Builder {
        private final Map<Class<?>, Object> byType = new HashMap<>();

        private Builder() {}

        public <T> Builder add(Class<T> type, T service) {
            requireNonNull(type, "type is null");
            requireNonNull(service, "service is null");
            if (byType.putIfAbsent(type, type.cast(service)) != null) {
                throw new IllegalArgumentException("a service of type " + type.getName() + " is already registered");
            }
            return this;
        }

        public Services build() {
            return new Services(byType);
        }
    }
}
