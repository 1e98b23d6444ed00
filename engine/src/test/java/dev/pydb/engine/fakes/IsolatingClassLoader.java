package dev.pydb.engine.fakes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/**
 * Defines the named classes itself (from the parent's class files) and delegates everything else
 * to the parent, like a plugin's class loader: the same class, loaded by another loader.
 */
public final class IsolatingClassLoader extends ClassLoader {
    private final Set<String> isolated;

    public IsolatingClassLoader(ClassLoader parent, String... isolatedClassNames) {
        super("isolating", parent);
        this.isolated = Set.of(isolatedClassNames);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!isolated.contains(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = define(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> define(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new instance of {@code type}'s isolated copy, through its public no-argument constructor. */
    public static <T> T newIsolatedInstance(Class<? extends T> type, Class<T> as) {
        try {
            ClassLoader loader = new IsolatingClassLoader(type.getClassLoader(), type.getName());
            return as.cast(loader.loadClass(type.getName()).getConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
