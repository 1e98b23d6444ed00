package dev.pydb.storage.tck;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted for a test, to fill a real disk: {@code mount -t tmpfs -o size=…}. Only
 * root may mount; CI runs as root, so these tests run there. {@link #mountOrSkip} skips the test
 * (with the reason) when the process is not root or the mount is refused (a container without
 * {@code CAP_SYS_ADMIN}).
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path mountPoint;

    private SmallTmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Whether this process runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Mounts a tmpfs of {@code bytes} (rounded up to pages) on {@code mountPoint} (created), or skips the test. */
    public static SmallTmpfs mountOrSkip(Path mountPoint, long bytes) throws IOException, InterruptedException {
        requireNonNull(mountPoint, "mountPoint is null");
        assumeTrue(isRoot(), "needs root to mount a small tmpfs and fill it (CI runs as root)");
        Files.createDirectories(mountPoint);
        String failure = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs", mountPoint.toString()));
        assumeTrue(failure == null, () -> "mounting a tmpfs on " + mountPoint + " failed (" + failure + ")");
        return new SmallTmpfs(mountPoint);
    }

    public Path path() {
        return mountPoint;
    }

    /** Fills the free space with a file {@code name} of zeros until the disk is full; returns its size. */
    public long fill(String name) throws IOException {
        Path filler = mountPoint.resolve(name);
        byte[] block = new byte[4096];
        long written = 0;
        try (var out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException full) {
            return written;
        }
    }

    /** Unmounts (lazily if busy). */
    @Override
    public void close() throws IOException {
        try {
            if (run(List.of("umount", mountPoint.toString())) != null) {
                run(List.of("umount", "-l", mountPoint.toString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        }
    }

    /** Runs a command; null if it succeeded, else its output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " did not finish";
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return process.exitValue() == 0 ? null : String.join(" ", command) + ": exit " + process.exitValue() + ": " + output;
    }
}
