package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.action.Permission;
import dev.pydb.api.action.RequestContext;

/** A plugin's {@link ActionHandler} called with the plugin's class loader as the thread context class loader. */
public final class ContextClassLoaderActionHandler implements ActionHandler {
    private final ActionHandler delegate;
    private final ClassLoader classLoader;

    private ContextClassLoaderActionHandler(ActionHandler delegate, ClassLoader classLoader) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.classLoader = requireNonNull(classLoader, "classLoader is null");
    }

    /** {@code handler}, called with {@code classLoader} as the context class loader. */
    public static ActionHandler wrap(ActionHandler handler, ClassLoader classLoader) {
        return new ContextClassLoaderActionHandler(handler, classLoader);
    }

    /** The plugin's own handler. */
    public ActionHandler delegate() {
        return delegate;
    }

    @Override
    public String action() {
        return ContextClassLoaderSwap.with(classLoader, delegate::action);
    }

    @Override
    public Permission permission() {
        return ContextClassLoaderSwap.with(classLoader, delegate::permission);
    }

    @Override
    public JsonNode handle(RequestContext context, ObjectNode request) {
        return ContextClassLoaderSwap.with(classLoader, () -> delegate.handle(context, request));
    }

    @Override
    public void close() {
        ContextClassLoaderSwap.run(classLoader, delegate::close);
    }

    @Override
    public String toString() {
        return delegate.getClass().getName() + " (context class loader " + classLoader + ")";
    }
}
