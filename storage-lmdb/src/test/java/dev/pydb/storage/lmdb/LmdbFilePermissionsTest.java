package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage folder is 0700 and {@code data.mdb}, {@code lock.mdb} 0600, whatever the umask, also for an older store. */
final class LmdbFilePermissionsTest {
    @TempDir
    Path tempDir;

    @Test
    void aStoreCreatedUnderAPermissiveUmaskIsOwnerOnly() throws Exception {
        Path path = tempDir.resolve("data");
        List<String> java = ChildJvm.command(true,
                List.of("-Dlmdbjava.extract.dir=" + Files.createDirectories(tempDir.resolve("native"))),
                ForeignContextLoaderMain.class, "provider", path.toString());
        String command = "umask 000 && touch " + tempDir.resolve("probe") + " && exec \"$@\"";
        List<String> shell = new ArrayList<>(List.of("sh", "-c", command, "sh"));
        shell.addAll(java);
        Process process = new ProcessBuilder(shell).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("child output:%n%s", output).isZero();
        assertThat(permissions(tempDir.resolve("probe"))).as("the umask of the child").isEqualTo("rw-rw-rw-");

        assertOwnerOnly(path);
    }

    @Test
    void anOlderStoreWithLooserPermissionsIsMadeOwnerOnlyAtOpen() throws Exception {
        Path path = tempDir.resolve("data");
        LmdbTestStorages.open(path).close();
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(path.resolve("data.mdb"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(path.resolve("lock.mdb"), PosixFilePermissions.fromString("rw-rw-rw-"));

        LmdbTestStorages.open(path).close();

        assertOwnerOnly(path);
    }

    private static void assertOwnerOnly(Path path) throws Exception {
        assertThat(permissions(path)).isEqualTo("rwx------");
        assertThat(permissions(path.resolve("data.mdb"))).isEqualTo("rw-------");
        assertThat(permissions(path.resolve("lock.mdb"))).isEqualTo("rw-------");
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
