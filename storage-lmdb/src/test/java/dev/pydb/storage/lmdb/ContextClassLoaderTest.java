package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lmdbjava extracts its native library through the thread context class loader, once per JVM. A
 * fresh JVM whose context class loader sees nothing (like a plugin's caller) must still open the
 * provider's storage; lmdbjava on its own fails there, which shows the test can fail.
 */
final class ContextClassLoaderTest {
    @TempDir
    Path tempDir;

    @Test
    void theProviderOpensWhateverTheCallersContextClassLoader() throws Exception {
        ChildResult result = runChild("provider");
        assertThat(result.exitCode()).as("child output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("OPENED");
    }

    @Test
    void lmdbjavaAloneFailsWithSuchAContextClassLoader() throws Exception {
        ChildResult result = runChild("raw");
        assertThat(result.exitCode()).as("child output:%n%s", result.output()).isNotZero();
        assertThat(result.output()).doesNotContain("OPENED").contains("Classpath resource not found");
    }

    @Test
    void withoutTheJvmFlagsOpeningFailsWithAMessageNamingThem() throws Exception {
        ChildResult result = runChild("provider", false);
        assertThat(result.exitCode()).as("child output:%n%s", result.output()).isNotZero();
        assertThat(result.output()).contains("PydbException[UNAVAILABLE]: cannot load LMDB (lmdbjava)")
                .contains(LmdbStorage.JVM_FLAGS);
    }

    private record ChildResult(int exitCode, String output) {}

    private ChildResult runChild(String mode) throws IOException, InterruptedException {
        return runChild(mode, true);
    }

    private ChildResult runChild(String mode, boolean withJvmFlags) throws IOException, InterruptedException {
        List<String> command = ChildJvm.command(withJvmFlags,
                List.of("-Dlmdbjava.extract.dir=" + Files.createDirectories(tempDir.resolve("native"))),
                ForeignContextLoaderMain.class, mode, tempDir.resolve("data").toString());
        Path output = tempDir.resolve("child-" + mode + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not finish within 30 s");
        }
        return new ChildResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
