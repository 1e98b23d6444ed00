package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Wraps an object a plugin returns through an interface of the api (a storage capability such as
 * {@code Indexes} or {@code StorageSnapshot}) so that every call into it runs with the plugin's
 * class loader as the thread context class loader, as {@link ContextClassLoaderStorage} does for
 * the storage itself. Exceptions pass through unchanged.
 */
final class ContextClassLoaderProxy {
    private ContextClassLoaderProxy() {}

    /** {@code target} seen through {@code type}, called with {@code classLoader} as the context loader. */
    static <T> T wrap(Class<T> type, T target, ClassLoader classLoader) {
        requireNonNull(type, "type is null");
        requireNonNull(target, "target is null");
        requireNonNull(classLoader, "classLoader is null");
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type + " is not an interface");
        }
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> target + " (context class loader " + classLoader + ")";
                };
            }
            try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.swap(classLoader)) {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
        return type.cast(proxy);
    }
}
