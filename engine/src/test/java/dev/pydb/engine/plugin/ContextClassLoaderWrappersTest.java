package dev.pydb.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pydb.api.action.ActionHandler;
import dev.pydb.api.storage.Indexes;
import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageProvider;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The wrappers are the one place that swaps the context class loader, so they must cover every SPI method. */
class ContextClassLoaderWrappersTest {
    @Test
    void theStorageWrapperOverridesEveryMethodOfStorage() {
        assertOverridesAll(Storage.class, ContextClassLoaderStorage.class);
    }

    @Test
    void theProviderWrapperOverridesEveryMethodOfStorageProvider() {
        assertOverridesAll(StorageProvider.class, ContextClassLoaderStorageProvider.class);
    }

    @Test
    void theActionWrapperOverridesEveryMethodOfActionHandler() {
        assertOverridesAll(ActionHandler.class, ContextClassLoaderActionHandler.class);
    }

    @Test
    void capabilitiesAreCalledWithThePluginLoaderAsContextLoader() throws Exception {
        try (URLClassLoader pluginLoader = new URLClassLoader("test-plugin", new URL[0], getClass().getClassLoader())) {
            AtomicReference<ClassLoader> seen = new AtomicReference<>();
            Indexes indexes = ContextClassLoaderProxy.wrap(Indexes.class, new Indexes() {
                @Override
                public dev.pydb.api.storage.IndexInfo create(String db, dev.pydb.api.storage.IndexSpec spec) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void drop(String db, dev.pydb.api.query.FieldPath field) {
                    throw new IllegalStateException("dropped " + db);
                }

                @Override
                public List<dev.pydb.api.storage.IndexInfo> list(String db) {
                    seen.set(Thread.currentThread().getContextClassLoader());
                    return List.of();
                }
            }, pluginLoader);

            ClassLoader before = Thread.currentThread().getContextClassLoader();
            assertThat(indexes.list("db")).isEmpty();
            assertThat(seen.get()).isSameAs(pluginLoader);
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> indexes.drop("db", dev.pydb.api.query.FieldPath.parse("a", "test")))
                    .isInstanceOf(IllegalStateException.class).hasMessage("dropped db");
        }
    }

    private static void assertOverridesAll(Class<?> api, Class<?> wrapper) {
        List<String> missing = Arrays.stream(api.getMethods())
                .filter(method -> !Modifier.isStatic(method.getModifiers()))
                .filter(method -> !declares(wrapper, method))
                .map(Method::toString)
                .toList();
        assertThat(missing).as("methods of %s that %s does not override (they would run without the plugin's loader,"
                + " or lose the plugin's capability)", api.getSimpleName(), wrapper.getSimpleName()).isEmpty();
    }

    private static boolean declares(Class<?> type, Method method) {
        try {
            type.getDeclaredMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}
