package dev.pydb.storage.mapdb;

import dev.pydb.api.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CrashRecoveryTest}: writes documents from four threads forever,
 * printing {@code acked <key>} after each write returns, until the parent kills the process.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) {
        Storage storage = Stores.open(Path.of(args[0]));
        storage.createDatabase("crash");
        System.out.println("ready");
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                for (int i = 0; ; i++) {
                    String key = "t" + thread + "-" + i;
                    storage.put("crash", key, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8), Storage.ANY_REVISION);
                    synchronized (System.out) {
                        System.out.println("acked " + key);
                        System.out.flush();
                    }
                }
            });
        }
    }
}
