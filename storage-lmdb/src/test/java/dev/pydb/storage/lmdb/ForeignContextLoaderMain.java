package dev.pydb.storage.lmdb;

import dev.pydb.api.storage.Storage;
import dev.pydb.api.storage.StorageConfig;
import dev.pydb.api.storage.StorageOptions;
import dev.pydb.storage.tck.KitStorageContext;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lmdbjava.Env;

/**
 * Run in a fresh JVM by {@link ContextClassLoaderTest}: makes the context class loader one that
 * sees nothing (as a server thread calling into a plugin might have), then opens LMDB, the first
 * time in this JVM. Mode {@code provider} goes through {@link LmdbStorageProvider}; mode
 * {@code raw} calls lmdbjava directly and is expected to fail. Prints {@code OPENED} on success.
 */
public final class ForeignContextLoaderMain {
    private ForeignContextLoaderMain() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path path = Path.of(args[1]);
        Files.createDirectories(path);
        Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0], null));
        if (mode.equals("provider")) {
            try (Storage storage = new LmdbStorageProvider().open(new StorageConfig(path, StorageOptions.empty()),
                    KitStorageContext.at(path.getParent()))) {
                storage.createDatabase("db");
                storage.put("db", "k", "{}".getBytes(StandardCharsets.UTF_8), Storage.ANY_REVISION);
                storage.get("db", "k").orElseThrow();
            }
        } else {
            Env.create().open(path.toFile()).close();
        }
        System.out.println("OPENED");
    }
}
