package dev.pydb.engine.actions;

import dev.pydb.api.action.RequestContext;

/** Looks up the engine services the built-in actions depend on. */
final class Services {
    private Services() {}

    /** The service, or {@link IllegalStateException} (an {@code INTERNAL} error) if the engine did not register it. */
    static <T> T require(RequestContext context, Class<T> type) {
        return context.service(type).orElseThrow(
                () -> new IllegalStateException("no " + type.getSimpleName() + " service is registered"));
    }
}
