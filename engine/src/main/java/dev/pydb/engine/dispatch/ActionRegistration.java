package dev.pydb.engine.dispatch;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.ActionHandler;

/** A handler and where it came from ({@code "class path"} or {@code "plugin <path>"}), for error messages. */
public record ActionRegistration(ActionHandler handler, String origin) {
    public ActionRegistration {
        requireNonNull(handler, "handler is null");
        requireNonNull(origin, "origin is null");
    }
}
