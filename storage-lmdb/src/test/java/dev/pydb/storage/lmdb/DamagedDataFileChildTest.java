package dev.pydb.storage.lmdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In fresh JVMs: opening a truncated {@code data.mdb} the way the 0.1.0 backend did (lmdbjava
 * straight away) kills the JVM with SIGBUS, which shows what the header check prevents; through
 * the provider, the same file is refused with a message and the JVM lives on.
 */
final class DamagedDataFileChildTest {
    private static final long PAGE = 4096;

    @TempDir
    Path tempDir;

    private Path path;

    @BeforeEach
    void writeTruncatedStore() throws IOException {
        path = tempDir.resolve("data");
        DataFiles.writeStore(path);
        DataFiles.truncate(DataFiles.dataFile(path), 3 * PAGE);
    }

    @Test
    void lmdbjavaAloneIsKilledBySigbus() throws Exception {
        ChildResult result = runChild("lmdbjava");

        assertThat(result.exitCode()).as("child output:%n%s", result.output()).isNotZero();
        assertThat(result.output()).contains("SIGBUS").doesNotContain("READ ");
    }

    @Test
    void theProviderRefusesTheFileAndTheJvmLivesOn() throws Exception {
        ChildResult result = runChild("provider");

        assertThat(result.exitCode()).as("child output:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("REFUSED UNAVAILABLE: cannot open the lmdb data in " + path.toRealPath() + ": "
                + path.toRealPath().resolve("data.mdb") + " is damaged: it is " + 3 * PAGE + " bytes long")
                .doesNotContain("SIGBUS");
    }

    private record ChildResult(int exitCode, String output) {}

    private ChildResult runChild(String mode) throws IOException, InterruptedException {
        // no core file, no hs_err file in the working directory: the crash report goes to the output
        List<String> command = ChildJvm.command(true, List.of("-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + tempDir.resolve("hs_err_%p.log")), DamagedDataFileMain.class, mode, path.toString());
        Path output = tempDir.resolve("child-" + mode + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not finish within 60 s");
        }
        return new ChildResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
