package dev.pydb.engine.plugin;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * Sets the current thread's context class loader and restores the previous one on
 * {@link #close()}; use it with try-with-resources:
 * <pre>{@code
 * try (ContextClassLoaderSwap ignored = ContextClassLoaderSwap.swap(pluginLoader)) {
 *     handler.handle(context, request);
 * }
 * }</pre>
 * Close it on the thread that opened it.
 */
public final class ContextClassLoaderSwap implements AutoCloseable {
    private final Thread thread;
    private final ClassLoader previous;

    private ContextClassLoaderSwap(Thread thread, ClassLoader previous) {
        this.thread = thread;
        this.previous = previous;
    }

    /** Makes {@code loader} the current thread's context class loader until the swap is closed. */
    public static ContextClassLoaderSwap swap(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        return new ContextClassLoaderSwap(thread, previous);
    }

    /** Runs {@code action} with {@code loader} as the context class loader and returns its result. */
    public static <T> T with(ClassLoader loader, Supplier<T> action) {
        requireNonNull(action, "action is null");
        try (ContextClassLoaderSwap ignored = swap(loader)) {
            return action.get();
        }
    }

    /** Runs {@code action} with {@code loader} as the context class loader. */
    public static void run(ClassLoader loader, Runnable action) {
        requireNonNull(action, "action is null");
        try (ContextClassLoaderSwap ignored = swap(loader)) {
            action.run();
        }
    }

    /** Restores the context class loader that was set before {@link #swap}. */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a context class loader swap must be closed on the thread that opened it");
        }
        thread.setContextClassLoader(previous);
    }
}
