package dev.pydb.engine.dispatch;

import static java.util.Objects.requireNonNull;

import dev.pydb.api.action.ActionHandler;
import dev.pydb.engine.StartupException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The action handlers by action name. Names are matched case-insensitively (stored upper case);
 * two handlers for one name are a start failure naming both classes and where they came from.
 */
public final class ActionRegistry {
    private final Map<String, ActionHandler> handlers;

    private ActionRegistry(Map<String, ActionHandler> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    public static ActionRegistry of(List<ActionRegistration> registrations) {
        requireNonNull(registrations, "registrations is null");
        Map<String, ActionRegistration> byName = new HashMap<>();
        for (ActionRegistration registration : registrations) {
            String name = normalize(registration.handler().action());
            if (name == null || name.isBlank()) {
                throw new StartupException("action handler " + describe(registration) + " has no action name");
            }
            ActionRegistration previous = byName.putIfAbsent(name, registration);
            if (previous != null) {
                throw new StartupException("two handlers for action " + name + ": " + describe(previous)
                        + " and " + describe(registration));
            }
        }
        Map<String, ActionHandler> handlers = new HashMap<>();
        byName.forEach((name, registration) -> handlers.put(name, registration.handler()));
        return new ActionRegistry(handlers);
    }

    /** The handler for {@code action}, matched case-insensitively. */
    public Optional<ActionHandler> find(String action) {
        return action == null ? Optional.empty() : Optional.ofNullable(handlers.get(normalize(action)));
    }

    /** Every registered handler, in no particular order. */
    public java.util.Collection<ActionHandler> handlers() {
        return handlers.values();
    }

    /** The registered action names (upper case), sorted. */
    public SortedSet<String> actions() {
        return new TreeSet<>(handlers.keySet());
    }

    /** The upper-case form of an action name, as it is registered and counted. */
    public static String normalize(String action) {
        return action == null ? null : action.toUpperCase(Locale.ROOT);
    }

    private static String describe(ActionRegistration registration) {
        return registration.handler().getClass().getName() + " (" + registration.origin() + ")";
    }
}
