package dev.pydb.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextClassLoaderSwapTest {
    private final ClassLoader original = Thread.currentThread().getContextClassLoader();
    private final ClassLoader first = new URLClassLoader("first", new URL[0], null);
    private final ClassLoader second = new URLClassLoader("second", new URL[0], null);

    @AfterEach
    void restore() {
        Thread.currentThread().setContextClassLoader(original);
    }

    @Test
    void setsTheLoaderAndRestoresThePreviousOneOnClose() {
        try (ContextClassLoaderSwap outer = ContextClassLoaderSwap.swap(first)) {
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(first);
            try (ContextClassLoaderSwap inner = ContextClassLoaderSwap.swap(second)) {
                assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(second);
            }
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(first);
        }
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }

    @Test
    void withRestoresThePreviousLoaderWhenTheActionThrows() {
        assertThatThrownBy(() -> ContextClassLoaderSwap.with(first, () -> {
            throw new IllegalStateException("failed");
        })).hasMessage("failed");

        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }

    @Test
    void withReturnsTheResultComputedUnderTheLoader() {
        assertThat(ContextClassLoaderSwap.with(first, () -> Thread.currentThread().getContextClassLoader()))
                .isSameAs(first);
    }

    @Test
    void closingOnAnotherThreadFails() {
        ContextClassLoaderSwap swap = ContextClassLoaderSwap.swap(first);

        assertThat(CompletableFuture.supplyAsync(() -> {
            try {
                swap.close();
                return "closed";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        }).join()).contains("thread that opened it");
        swap.close();
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }
}
