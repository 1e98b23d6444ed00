package dev.pydb.storage.tck;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link CrashChildOutputTest}: writes {@code line-0} .. {@code line-<n-1>}
 * to stdout, then {@value #WRITTEN} to stderr, then waits to be killed (at most 60 s).
 */
public final class CrashLinesChild {
    static final String WRITTEN = "written";

    private CrashLinesChild() {}

    public static void main(String[] args) throws InterruptedException {
        int lines = Integer.parseInt(args[0]);
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), false,
                StandardCharsets.UTF_8);
        for (int i = 0; i < lines; i++) {
            out.println(line(i));
        }
        out.flush();
        System.err.println(WRITTEN);
        System.err.flush();
        Thread.sleep(TimeUnit.SECONDS.toMillis(60));
        System.exit(4);
    }

    static String line(int i) {
        return "line-" + i;
    }
}
